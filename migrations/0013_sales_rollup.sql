-- 0013: units sold per store, sku and day (issue 12), kept in the transaction that records the
-- sale (a POS sale, or goods leaving for an online order), so that stock-driven markdown reads
-- a few rows per sku instead of summing raw stock_movements, whose count grows with history.
-- The backfill recomputes every day from the movements: correct whenever it runs, so the file
-- is safe to re-run. Never edit once landed.
CREATE TABLE IF NOT EXISTS stock_sales_daily (
    store_id TEXT NOT NULL,
    sku      TEXT NOT NULL,
    day      TEXT NOT NULL,                 -- YYYY-MM-DD, UTC
    units    INTEGER NOT NULL CHECK (units >= 0),
    PRIMARY KEY (store_id, sku, day)
) WITHOUT ROWID;

INSERT INTO stock_sales_daily (store_id, sku, day, units)
SELECT store_id, sku, substr(at, 1, 10), MAX(0, -SUM(delta_on_hand))
FROM stock_movements
WHERE kind IN ('pos-sale', 'reservation-commit')
GROUP BY store_id, sku, substr(at, 1, 10)
ON CONFLICT (store_id, sku, day) DO UPDATE SET units = excluded.units;

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (13, '0013_sales_rollup');

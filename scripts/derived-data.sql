-- What the app keeps beside the rows it writes, recomputed from the seeded rows, which were
-- inserted directly rather than through the app: scripts/seed appends this after the demo
-- data (and the generated rows at the large scale). Each statement gives the same answer
-- however often it runs, so re-seeding counts nothing twice.

-- The daily sales rollup the quote reads (migration 0013), from the stock movements.
INSERT INTO stock_sales_daily (store_id, sku, day, units)
SELECT store_id, sku, substr(at, 1, 10), MAX(0, -SUM(delta_on_hand))
FROM stock_movements
WHERE kind IN ('pos-sale', 'reservation-commit')
GROUP BY store_id, sku, substr(at, 1, 10)
ON CONFLICT (store_id, sku, day) DO UPDATE SET units = excluded.units;

-- Each coupon's and flash sale's total over all customers (migration 0014), from the
-- per-customer rows (whose INSERT OR REPLACE in the demo data counts a replaced row twice).
INSERT OR REPLACE INTO flash_sale_totals (promotion_id, units)
  SELECT promotion_id, SUM(units) FROM flash_sale_sales GROUP BY promotion_id;
INSERT OR REPLACE INTO coupon_use_totals (code, uses)
  SELECT code, SUM(uses) FROM coupon_redemptions GROUP BY code;

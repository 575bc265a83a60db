-- 0014: what placing an order writes besides its own rows is kept by SQLite itself (issue 12:
-- every statement is a round trip to the database, and place-order has a budget of 12):
--  * coupon_redemptions and flash_sale_sales are the running sums of order_consumptions: a
--    consumption recorded raises its counter, one removed (the order cancelled, expired or
--    refunded) lowers it, so taking and giving back are one statement each;
--  * an order starts its status timeline where it was placed: its first row is written with it;
--  * every coupon's and flash sale's total over all customers is kept in its own row
--    (coupon_use_totals, flash_sale_totals) by triggers on the per-customer rows, so that a
--    quote reads one row instead of summing a row per customer who ever used it (the rows of
--    a coupon without a total limit grow with its customers).
-- Counters written before this migration were raised for the consumptions that exist, so the
-- sums stay true. Each trigger is one line per statement end (schema::statements splits there).
-- Never edit once landed.
CREATE TRIGGER IF NOT EXISTS coupon_use_taken AFTER INSERT ON order_consumptions WHEN NEW.kind = 'coupon'
BEGIN INSERT INTO coupon_redemptions (code, customer_id, uses) VALUES (NEW.reference, NEW.customer_id, NEW.units) ON CONFLICT (code, customer_id) DO UPDATE SET uses = uses + excluded.uses; END;

CREATE TRIGGER IF NOT EXISTS coupon_use_given_back AFTER DELETE ON order_consumptions WHEN OLD.kind = 'coupon'
BEGIN UPDATE coupon_redemptions SET uses = uses - OLD.units WHERE code = OLD.reference AND customer_id = OLD.customer_id AND uses >= OLD.units; END;

CREATE TRIGGER IF NOT EXISTS flash_sale_units_taken AFTER INSERT ON order_consumptions WHEN NEW.kind = 'flash-sale'
BEGIN INSERT INTO flash_sale_sales (promotion_id, customer_id, units) VALUES (NEW.reference, NEW.customer_id, NEW.units) ON CONFLICT (promotion_id, customer_id) DO UPDATE SET units = units + excluded.units; END;

CREATE TRIGGER IF NOT EXISTS flash_sale_units_given_back AFTER DELETE ON order_consumptions WHEN OLD.kind = 'flash-sale'
BEGIN UPDATE flash_sale_sales SET units = units - OLD.units WHERE promotion_id = OLD.reference AND customer_id = OLD.customer_id AND units >= OLD.units; END;

CREATE TRIGGER IF NOT EXISTS order_timeline_started AFTER INSERT ON orders
BEGIN INSERT INTO order_status_history (order_id, seq, status, at, note) VALUES (NEW.id, 0, NEW.status, NEW.placed_at, NULL); END;

CREATE TABLE IF NOT EXISTS coupon_use_totals (
    code TEXT PRIMARY KEY,
    uses INTEGER NOT NULL CHECK (uses >= 0)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS flash_sale_totals (
    promotion_id TEXT PRIMARY KEY,
    units        INTEGER NOT NULL CHECK (units >= 0)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS coupon_use_total_added AFTER INSERT ON coupon_redemptions
BEGIN INSERT INTO coupon_use_totals (code, uses) VALUES (NEW.code, NEW.uses) ON CONFLICT (code) DO UPDATE SET uses = uses + excluded.uses; END;

CREATE TRIGGER IF NOT EXISTS coupon_use_total_changed AFTER UPDATE OF uses ON coupon_redemptions
BEGIN UPDATE coupon_use_totals SET uses = uses + NEW.uses - OLD.uses WHERE code = NEW.code; END;

CREATE TRIGGER IF NOT EXISTS coupon_use_total_removed AFTER DELETE ON coupon_redemptions
BEGIN UPDATE coupon_use_totals SET uses = uses - OLD.uses WHERE code = OLD.code; END;

CREATE TRIGGER IF NOT EXISTS flash_sale_total_added AFTER INSERT ON flash_sale_sales
BEGIN INSERT INTO flash_sale_totals (promotion_id, units) VALUES (NEW.promotion_id, NEW.units) ON CONFLICT (promotion_id) DO UPDATE SET units = units + excluded.units; END;

CREATE TRIGGER IF NOT EXISTS flash_sale_total_changed AFTER UPDATE OF units ON flash_sale_sales
BEGIN UPDATE flash_sale_totals SET units = units + NEW.units - OLD.units WHERE promotion_id = NEW.promotion_id; END;

CREATE TRIGGER IF NOT EXISTS flash_sale_total_removed AFTER DELETE ON flash_sale_sales
BEGIN UPDATE flash_sale_totals SET units = units - OLD.units WHERE promotion_id = OLD.promotion_id; END;

-- The totals of the rows already there: correct whenever it runs, so the file is safe to re-run.
INSERT OR REPLACE INTO coupon_use_totals (code, uses)
  SELECT code, SUM(uses) FROM coupon_redemptions GROUP BY code;
INSERT OR REPLACE INTO flash_sale_totals (promotion_id, units)
  SELECT promotion_id, SUM(units) FROM flash_sale_sales GROUP BY promotion_id;

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (14, '0014_order_counts_kept');

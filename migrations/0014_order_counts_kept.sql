-- 0014: what placing an order writes besides its own rows is kept by SQLite itself (issue 12:
-- every statement is a round trip to the database, and place-order has a budget of 12):
--  * coupon_redemptions and flash_sale_sales are the running sums of order_consumptions: a
--    consumption recorded raises its counter, one removed (the order cancelled, expired or
--    refunded) lowers it, so taking and giving back are one statement each;
--  * an order starts its status timeline where it was placed: its first row is written with it.
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

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (14, '0014_order_counts_kept');

-- A real shop's size, for issue 12's benchmark: `scripts/seed --scale large` writes
-- .spin/seed-large.sql as every migration, then scripts/demo-data.sql, then this file. It adds
-- 10,000 products (GEN-00001 ... GEN-10000) over 30 categories and 200 brands, 15 more stores
-- around Shanghai (20 in all), a stock level for every store and product, store prices for 5 %
-- of the pairs, gold and platinum prices for 10 % of the products, 5,000 customers, three
-- promotions over generated categories and brands, and a year of history: 40,000 pickup orders
-- with their lines, status timelines and reservations, and 315,000 stock movements (POS sales,
-- receipts, adjustments, and the commits of the collected orders), with the daily sales rollup
-- recomputed from them. Never used by scripts/up or the demo.
--
-- Every value is derived from a row number by arithmetic (no random()), so two loads agree
-- except for the clock: history is dated back from the moment of loading, over the last 365
-- days. Rows are generated in SQL by recursive CTEs, so the file stays small and loads fast.
-- Generated rows keep the schema's rules and each other's meaning: every level has reserved
-- 0 (every generated reservation is closed), every generated order is final (collected,
-- cancelled or expired) with a reservation of the matching status, and a collected order's
-- lines are the reservation-commit movements that took its goods off the shelf. Meant for a
-- fresh database; loaded again into the same one, it adds nothing (`gen_fresh`).

BEGIN;

-- Whether this database has no generated rows yet, and the one clock every row is dated by.
CREATE TEMP TABLE gen_fresh AS
SELECT NOT EXISTS (SELECT 1 FROM products WHERE sku = 'GEN-00001') AS fresh,
       CAST(strftime('%s', 'now') AS INTEGER) AS now;

-- 30 categories (the demo's seven first) and 200 brands (20 first words x 10 second words).
CREATE TEMP TABLE gen_category (n INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO gen_category (n, name) VALUES
  (0, 'tea'), (1, 'snacks'), (2, 'dairy'), (3, 'produce'), (4, 'beverages'),
  (5, 'household'), (6, 'personal-care'), (7, 'bakery'), (8, 'frozen'), (9, 'meat'),
  (10, 'seafood'), (11, 'rice-grains'), (12, 'noodles'), (13, 'condiments'),
  (14, 'cooking-oil'), (15, 'canned'), (16, 'breakfast'), (17, 'confectionery'), (18, 'baby'),
  (19, 'pet'), (20, 'stationery'), (21, 'kitchenware'), (22, 'cleaning'), (23, 'health'),
  (24, 'beauty'), (25, 'wine'), (26, 'beer'), (27, 'spirits'), (28, 'instant-food'),
  (29, 'nuts');

CREATE TEMP TABLE gen_brand_word (n INTEGER PRIMARY KEY, first TEXT NOT NULL, second TEXT);
INSERT INTO gen_brand_word (n, first, second) VALUES
  (0, 'Golden', 'Foods'), (1, 'Jade', 'Farm'), (2, 'Red Lantern', 'Garden'),
  (3, 'Blue Sky', 'Harvest'), (4, 'Silver Lake', 'Kitchen'), (5, 'East Sea', 'Valley'),
  (6, 'West Hill', 'Orchard'), (7, 'North Star', 'Mills'), (8, 'South Bay', 'Co'),
  (9, 'Lotus', 'Home'), (10, 'Bamboo', NULL), (11, 'Phoenix', NULL), (12, 'Dragon Well', NULL),
  (13, 'Peach Blossom', NULL), (14, 'Pine', NULL), (15, 'Plum', NULL), (16, 'Crane', NULL),
  (17, 'Panda', NULL), (18, 'Cloud', NULL), (19, 'Sunrise', NULL);

CREATE TEMP TABLE gen_pack (n INTEGER PRIMARY KEY, size TEXT NOT NULL);
INSERT INTO gen_pack (n, size) VALUES
  (0, '250 g'), (1, '500 g'), (2, '1 kg'), (3, '6 pack'), (4, '1 L'), (5, '330 ml'),
  (6, 'box of 12'), (7, '2 kg');

-- Products: GEN-i is in category i % 30 and brand (i * 7919) % 200, listed at 1.90 to 299.90
-- (whole ten cents: '12.30').
INSERT INTO products (sku, name, category, brand, list_price, currency, active)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
SELECT printf('GEN-%05d', i),
       printf('%s %s %s (no. %d)', b1.first || ' ' || b2.second, replace(c.name, '-', ' '), p.size, i),
       c.name,
       b1.first || ' ' || b2.second,
       printf('%d.%02d', (19 + (i * 7919) % 2981) / 10, (19 + (i * 7919) % 2981) % 10 * 10),
       'CNY',
       1
FROM n
JOIN gen_category c ON c.n = i % 30
JOIN gen_brand_word b1 ON b1.n = ((i * 7919) % 200) / 10
JOIN gen_brand_word b2 ON b2.n = ((i * 7919) % 200) % 10
JOIN gen_pack p ON p.n = (i * 31) % 8
WHERE (SELECT fresh FROM gen_fresh);

-- 15 more stores on a 15 x 15 grid of about 29 km a side centred on People's Square: each
-- offers pickup and delivers within 3 to 8 km.
CREATE TEMP TABLE gen_district (n INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO gen_district (n, name) VALUES
  (1, 'Huangpu'), (2, 'Hongkou'), (3, 'Putuo'), (4, 'Changning'), (5, 'Zhabei'),
  (6, 'Minhang'), (7, 'Baoshan'), (8, 'Jiading'), (9, 'Songjiang'), (10, 'Qingpu'),
  (11, 'Fengxian'), (12, 'Zhoupu'), (13, 'Chuansha'), (14, 'Gaoqiao'), (15, 'Zhangjiang');

INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, pickup_enabled, delivery_radius_km, active)
SELECT printf('SH-GEN-%02d', n),
       name || ' Market',
       printf('%d %s Rd, %s', 100 + n * 17, name, name),
       'Shanghai',
       round(31.2304 + ((n * 7) % 15 - 7) * 0.0185, 4),
       round(121.4737 + ((n * 11) % 15 - 7) * 0.0215, 4),
       '{"mon":["08:00","22:00"],"tue":["08:00","22:00"],"wed":["08:00","22:00"],"thu":["08:00","22:00"],"fri":["08:00","22:00"],"sat":["09:00","22:00"],"sun":["09:00","22:00"]}',
       1,
       3 + n % 6,
       1
FROM gen_district
WHERE (SELECT fresh FROM gen_fresh);

-- The stores that sell over the counter and hand out pickups (the Hongqiao DC only
-- delivers), numbered 0..18: where generated sales, receipts and orders happen.
CREATE TEMP TABLE gen_shop (n INTEGER PRIMARY KEY, id TEXT NOT NULL);
INSERT INTO gen_shop (n, id)
SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id
FROM stores WHERE active = 1 AND pickup_enabled = 1;

-- A stock level for every active store and product the demo did not already stock: 20 to 499
-- on hand, nothing reserved, above the reorder point.
INSERT OR IGNORE INTO stock_levels (store_id, sku, on_hand, reserved, safety_stock, reorder_point, low_alert_armed)
SELECT s.id, p.sku, 20 + (p.rowid * 7919 + s.rowid * 104729) % 480, 0, p.rowid % 3, 10, 1
FROM stores s CROSS JOIN products p
WHERE s.active = 1 AND p.active = 1 AND (SELECT fresh FROM gen_fresh);

-- Differentiated pricing: 5 % of the generated pairs sell at 95 % of the list price.
INSERT OR IGNORE INTO store_prices (store_id, sku, price)
SELECT s.id, p.sku,
       printf('%d.%02d', CAST(replace(p.list_price, '.', '') AS INTEGER) * 95 / 100 / 100,
              CAST(replace(p.list_price, '.', '') AS INTEGER) * 95 / 100 % 100)
FROM stores s CROSS JOIN products p
WHERE p.sku GLOB 'GEN-*' AND (p.rowid * 13 + s.rowid * 7) % 20 = 0
  AND (SELECT fresh FROM gen_fresh);

-- Member prices for one generated product in ten: gold at 92 %, platinum at 88 %.
INSERT OR IGNORE INTO tier_prices (tier_id, sku, price)
SELECT t.tier, p.sku,
       printf('%d.%02d', CAST(replace(p.list_price, '.', '') AS INTEGER) * t.percent / 100 / 100,
              CAST(replace(p.list_price, '.', '') AS INTEGER) * t.percent / 100 % 100)
FROM products p
CROSS JOIN (SELECT 'gold' AS tier, 92 AS percent UNION ALL SELECT 'platinum', 88) t
WHERE p.sku GLOB 'GEN-*' AND CAST(substr(p.sku, 5) AS INTEGER) % 10 = 3
  AND (SELECT fresh FROM gen_fresh);

-- 5,000 customers over the four tiers.
INSERT INTO customers (id, name, tier_id)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
SELECT printf('gen-cust-%05d', i), printf('Member %05d', i),
       CASE i % 4 WHEN 0 THEN 'regular' WHEN 1 THEN 'silver' WHEN 2 THEN 'gold' ELSE 'platinum' END
FROM n WHERE (SELECT fresh FROM gen_fresh);

-- A few promotions over generated categories and brands, so that a basket of generated skus
-- meets stock-driven markdown (which reads recent sales) as the demo's yogurt does.
INSERT INTO promotions (id, name, kind, starts_at, ends_at, target_kind, target_values, priority, stacking, parameters, active)
SELECT * FROM (VALUES
  ('GEN-CLEARANCE', 'Fresh aisle clearance', 'stock-markdown', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'categories', '["bakery", "frozen", "seafood", "nuts"]', 5, 'stackable', '{"clearance_percent": "25", "cover_days": 60}', 1),
  ('GEN-GOLDEN-8', 'Golden brands week', 'percentage-off', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'brands', '["Golden Foods", "Golden Farm", "Golden Garden"]', 15, 'stackable', '{"percent": "8"}', 1),
  ('GEN-NOODLES-B2G1', 'Noodle night', 'buy-x-get-y', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'categories', '["noodles"]', 20, 'stackable', '{"buy": 2, "get": 1}', 1))
WHERE (SELECT fresh FROM gen_fresh);

-- A year of orders: order k (1..40,000) is placed at a pickup store between 6 hours and 364
-- days ago, one in 40 by the demo's cust-42 and the rest by generated customers; 90 % were
-- collected, 6 % cancelled before payment and 4 % expired unpaid. Ids are uuid v7 laid out
-- from the placement time, so they sort by it as the app's own do.
CREATE TEMP TABLE gen_order (
    k INTEGER PRIMARY KEY, id TEXT, reservation_id TEXT, quote_id TEXT, customer_id TEXT,
    store_id TEXT, status TEXT, placed INTEGER, closed INTEGER
);
INSERT INTO gen_order
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 40000),
timed AS (
  SELECT k, (SELECT now FROM gen_fresh) - 21600 - ((40000 - k) * 31400000) / 40000
            - (k * 7919) % 1800 AS placed,
         CASE WHEN (k * 7) % 100 < 90 THEN 'collected'
              WHEN (k * 7) % 100 < 96 THEN 'cancelled' ELSE 'expired' END AS status
  FROM n WHERE (SELECT fresh FROM gen_fresh)
)
SELECT k,
       printf('%08x-%04x-7%03x-8001-%012x', (placed * 1000 + k % 1000) / 65536,
              (placed * 1000 + k % 1000) % 65536, k % 4096, k),
       printf('%08x-%04x-7%03x-8002-%012x', (placed * 1000 + k % 1000) / 65536,
              (placed * 1000 + k % 1000) % 65536, k % 4096, k),
       printf('%08x-%04x-7%03x-8003-%012x', (placed * 1000 + k % 1000 - 60000) / 65536,
              (placed * 1000 + k % 1000 - 60000) % 65536, k % 4096, k),
       CASE WHEN k % 40 = 0 THEN 'cust-42' ELSE printf('gen-cust-%05d', 1 + (k * 7919) % 5000) END,
       (SELECT id FROM gen_shop WHERE n = (k * 13) % (SELECT COUNT(*) FROM gen_shop)),
       status,
       placed,
       placed + CASE status WHEN 'collected' THEN 5400 + (k * 31) % 7200
                            WHEN 'cancelled' THEN 600 ELSE 1800 END
FROM timed;

-- 1 to 4 lines of distinct generated products, 1 to 3 units each, at the list price.
CREATE TEMP TABLE gen_line (
    k INTEGER, line INTEGER, sku TEXT, name TEXT, quantity INTEGER, unit_cents INTEGER,
    PRIMARY KEY (k, line)
);
INSERT INTO gen_line
WITH RECURSIVE j(line) AS (SELECT 0 UNION ALL SELECT line + 1 FROM j WHERE line < 3)
SELECT o.k, j.line, p.sku, p.name, 1 + (o.k + j.line) % 3,
       CAST(replace(p.list_price, '.', '') AS INTEGER)
FROM gen_order o
JOIN j ON j.line <= o.k % 4
JOIN products p ON p.sku = printf('GEN-%05d', 1 + (o.k * 7919 + j.line * 104729) % 10000);

-- Each order goes in as it was placed (awaiting payment), as place-order writes it, so that
-- a schema that starts the timeline itself on insert (0014's trigger) starts it right; its
-- lines; then every later status along OrderStatus::can_move_to: paid 5 minutes after placing,
-- picked from 15 minutes, ready after an hour, collected 1.5 to 3.5 hours after placing; or
-- cancelled after 10 minutes; or expired when the 30-minute payment window closed; and last
-- the order moves to where its timeline ends.
INSERT INTO orders (id, customer_id, status, payment_method, store_id, fulfilment,
    reservation_id, quote_id, cart_id, currency, subtotal, discount_total, delivery_fee, total,
    coupon_codes, placed_at, updated_at, payment_due_at, paid_at, payment_reference)
SELECT o.id, o.customer_id, 'pending_payment', 'online', o.store_id,
       printf('{"mode": "pickup", "store_id": "%s"}', o.store_id),
       o.reservation_id, o.quote_id, NULL, 'CNY',
       printf('%d.%02d', t.cents / 100, t.cents % 100), '0.00', '0.00',
       printf('%d.%02d', t.cents / 100, t.cents % 100), '[]',
       strftime('%Y-%m-%dT%H:%M:%SZ', o.placed, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', o.placed, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', o.placed + 1800, 'unixepoch'),
       NULL, NULL
FROM gen_order o
JOIN (SELECT k, SUM(unit_cents * quantity) AS cents FROM gen_line GROUP BY k) t ON t.k = o.k;

INSERT INTO order_lines (order_id, line, sku, name, quantity, unit_price, discount, total)
SELECT o.id, l.line, l.sku, l.name, l.quantity,
       printf('%d.%02d', l.unit_cents / 100, l.unit_cents % 100), '0.00',
       printf('%d.%02d', l.unit_cents * l.quantity / 100, l.unit_cents * l.quantity % 100)
FROM gen_line l JOIN gen_order o ON o.k = l.k;

-- The timeline's first row, unless the schema wrote it when the order went in.
INSERT OR IGNORE INTO order_status_history (order_id, seq, status, at, note)
SELECT id, 0, 'pending_payment', strftime('%Y-%m-%dT%H:%M:%SZ', placed, 'unixepoch'), NULL
FROM gen_order;

INSERT INTO order_status_history (order_id, seq, status, at, note)
SELECT o.id, s.seq, s.status,
       strftime('%Y-%m-%dT%H:%M:%SZ', CASE WHEN s.at_offset IS NULL THEN o.closed
                                          ELSE o.placed + s.at_offset END, 'unixepoch'),
       NULL
FROM gen_order o
JOIN (SELECT 'collected' AS path, 1 AS seq, 'paid' AS status, 300 AS at_offset
      UNION ALL SELECT 'collected', 2, 'fulfilling', 900
      UNION ALL SELECT 'collected', 3, 'ready_for_pickup', 3600
      UNION ALL SELECT 'collected', 4, 'collected', NULL
      UNION ALL SELECT 'cancelled', 1, 'cancelled', NULL
      UNION ALL SELECT 'expired', 1, 'expired', NULL) s ON s.path = o.status;

UPDATE orders
SET status = g.status,
    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', g.closed, 'unixepoch'),
    paid_at = CASE g.status WHEN 'collected'
                   THEN strftime('%Y-%m-%dT%H:%M:%SZ', g.placed + 300, 'unixepoch') END,
    payment_reference = CASE g.status WHEN 'collected' THEN printf('gen-pay-%05d', g.k) END
FROM gen_order g
WHERE orders.id = g.id;

-- The reservation each order held: committed when its goods were collected, released when it
-- was cancelled, expired with its payment window. None is still held.
INSERT INTO reservations (id, store_id, status, created_at, expires_at, closed_at)
SELECT reservation_id, store_id,
       CASE status WHEN 'collected' THEN 'committed' WHEN 'cancelled' THEN 'released'
                   ELSE 'expired' END,
       strftime('%Y-%m-%dT%H:%M:%SZ', placed, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', placed + CASE status WHEN 'collected' THEN 604800
                                                           ELSE 1800 END, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', closed, 'unixepoch')
FROM gen_order;

INSERT INTO reservation_lines (reservation_id, line_no, sku, quantity)
SELECT o.reservation_id, l.line, l.sku, l.quantity
FROM gen_line l JOIN gen_order o ON o.k = l.k;

-- Stock movements, oldest first as the ledger's ids run. The goods of collected orders left
-- the shelf when they were collected (as stock::repository's commit records it: the
-- reservation as reference, no actor).
CREATE TEMP TABLE gen_movement (
    at INTEGER, store_id TEXT, sku TEXT, kind TEXT, delta INTEGER, reason TEXT, reference TEXT,
    actor TEXT
);
INSERT INTO gen_movement
SELECT o.closed, o.store_id, l.sku, 'reservation-commit', -l.quantity, NULL, o.reservation_id, NULL
FROM gen_line l JOIN gen_order o ON o.k = l.k
WHERE o.status = 'collected';

-- 200,000 POS sales of 1 to 3 units at the 19 shops, spread over the year.
INSERT INTO gen_movement
WITH RECURSIVE n(m) AS (SELECT 1 UNION ALL SELECT m + 1 FROM n WHERE m < 200000)
SELECT (SELECT now FROM gen_fresh) - 3600 - ((200000 - m) * 31500000) / 200000 - (m * 13) % 600,
       (SELECT id FROM gen_shop WHERE n = (m * 7) % (SELECT COUNT(*) FROM gen_shop)),
       printf('GEN-%05d', 1 + (m * 7919) % 10000), 'pos-sale', -(1 + m % 3), NULL, NULL,
       'scale-seed'
FROM n WHERE (SELECT fresh FROM gen_fresh);

-- 20,000 receipts of 24 to 120 units.
INSERT INTO gen_movement
WITH RECURSIVE n(r) AS (SELECT 1 UNION ALL SELECT r + 1 FROM n WHERE r < 20000)
SELECT (SELECT now FROM gen_fresh) - 7200 - ((20000 - r) * 31500000) / 20000 - (r * 17) % 900,
       (SELECT id FROM gen_shop WHERE n = (r * 11) % (SELECT COUNT(*) FROM gen_shop)),
       printf('GEN-%05d', 1 + (r * 104729) % 10000), 'receipt', 24 * (1 + r % 5), NULL, NULL,
       'scale-seed'
FROM n WHERE (SELECT fresh FROM gen_fresh);

-- 5,000 adjustments: damaged goods written off, and stock counts corrected either way.
INSERT INTO gen_movement
WITH RECURSIVE n(a) AS (SELECT 1 UNION ALL SELECT a + 1 FROM n WHERE a < 5000)
SELECT (SELECT now FROM gen_fresh) - 5400 - ((5000 - a) * 31500000) / 5000 - (a * 19) % 900,
       (SELECT id FROM gen_shop WHERE n = (a * 5) % (SELECT COUNT(*) FROM gen_shop)),
       printf('GEN-%05d', 1 + (a * 3571) % 10000), 'adjustment',
       CASE a % 3 WHEN 0 THEN -1 WHEN 1 THEN -2 ELSE 1 END,
       CASE a % 3 WHEN 0 THEN 'damaged' ELSE 'count-correction' END, NULL, 'scale-seed'
FROM n WHERE (SELECT fresh FROM gen_fresh);

INSERT INTO stock_movements (store_id, sku, kind, delta_on_hand, reason_code, reference, actor, at)
SELECT store_id, sku, kind, delta, reason, reference, actor,
       strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch')
FROM gen_movement ORDER BY at;

-- (The daily rollup of these movements is recomputed by scripts/derived-data.sql.)

DROP TABLE temp.gen_movement;
DROP TABLE temp.gen_line;
DROP TABLE temp.gen_order;
DROP TABLE temp.gen_shop;
DROP TABLE temp.gen_district;
DROP TABLE temp.gen_pack;
DROP TABLE temp.gen_brand_word;
DROP TABLE temp.gen_category;
DROP TABLE temp.gen_fresh;

COMMIT;

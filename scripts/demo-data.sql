-- Demo data for `scripts/up`: five stores of the chain in Shanghai, 24 products in seven
-- categories, prices in CNY (tax inclusive), and the pricing rules the quote shows: member
-- tiers, customers, 满减, a flash sale, buy 2 get 1, clearance, coupons and delivery bands.
-- Re-running it resets these rows and nothing else.
INSERT OR REPLACE INTO stores (id, name, address, city, latitude, longitude, opening_hours, pickup_enabled, delivery_radius_km, active) VALUES
  ('SH-JINGAN',   'Jing''an Temple',  '1618 Nanjing West Rd, Jing''an',   'Shanghai', 31.2246, 121.4465, '{"mon":["08:00","22:00"],"tue":["08:00","22:00"],"wed":["08:00","22:00"],"thu":["08:00","22:00"],"fri":["08:00","23:00"],"sat":["09:00","23:00"],"sun":["09:00","22:00"]}', 1, 5.0, 1),
  ('SH-XUJIAHUI', 'Xujiahui',         '1 Hongqiao Rd, Xuhui',             'Shanghai', 31.1950, 121.4370, '{"mon":["09:00","21:30"],"tue":["09:00","21:30"],"wed":["09:00","21:30"],"thu":["09:00","21:30"],"fri":["09:00","22:00"],"sat":["09:00","22:00"],"sun":["10:00","21:00"]}', 1, 6.0, 1),
  ('SH-LUJIAZUI', 'Lujiazui',         '168 Lujiazui West Rd, Pudong',     'Shanghai', 31.2397, 121.4998, '{"mon":["07:30","22:00"],"tue":["07:30","22:00"],"wed":["07:30","22:00"],"thu":["07:30","22:00"],"fri":["07:30","22:00"],"sat":["09:00","22:00"],"sun":["09:00","22:00"]}', 1, 4.0, 1),
  ('SH-WUJIAOCHANG', 'Wujiaochang',   '600 Handan Rd, Yangpu',            'Shanghai', 31.3010, 121.5140, '{"mon":["09:00","21:00"],"tue":["09:00","21:00"],"wed":["09:00","21:00"],"thu":["09:00","21:00"],"fri":["09:00","21:00"],"sat":["10:00","21:00"],"sun":["10:00","21:00"]}', 1, 5.0, 1),
  ('SH-HONGQIAO', 'Hongqiao Hub DC',  '99 Shenhong Rd, Minhang',          'Shanghai', 31.1940, 121.3200, '{"mon":["06:00","23:00"],"tue":["06:00","23:00"],"wed":["06:00","23:00"],"thu":["06:00","23:00"],"fri":["06:00","23:00"],"sat":["06:00","23:00"],"sun":["06:00","23:00"]}', 0, 12.0, 1);

INSERT OR REPLACE INTO products (sku, name, category, brand, list_price, currency, active) VALUES
  ('TEA-LONGJING-250G',  'West Lake Longjing green tea 250 g', 'tea',           'Hangzhou Tea Co', '168.00', 'CNY', 1),
  ('TEA-OOLONG-250G',    'Anxi Tieguanyin oolong 250 g',       'tea',           'Anxi Garden',     '98.00',  'CNY', 1),
  ('TEA-PUER-357G',      'Pu''er cake 357 g',                  'tea',           'Menghai',         '228.00', 'CNY', 1),
  ('SNK-SUNFLOWER-500G', 'Roasted sunflower seeds 500 g',      'snacks',        'Qiaqia',          '19.90',  'CNY', 1),
  ('SNK-MOONCAKE-6',     'Lotus seed mooncakes, box of 6',     'snacks',        'Xinghualou',      '128.00', 'CNY', 1),
  ('SNK-RICECRACKER',    'Rice crackers 400 g',                'snacks',        'Want Want',       '24.50',  'CNY', 1),
  ('SNK-DRIED-MANGO',    'Dried mango 200 g',                  'snacks',        'Three Squirrels', '29.90',  'CNY', 1),
  ('DAI-MILK-1L',        'Fresh milk 1 L',                     'dairy',         'Bright Dairy',    '15.80',  'CNY', 1),
  ('DAI-YOGURT-4',       'Plain yogurt, 4 x 100 g',            'dairy',         'Junlebao',        '12.90',  'CNY', 1),
  ('DAI-CHEESE-200G',    'Cheddar slices 200 g',               'dairy',         'Milkground',      '32.00',  'CNY', 1),
  ('PRO-APPLE-1KG',      'Yantai Fuji apples 1 kg',            'produce',       'Yantai Orchards', '18.80',  'CNY', 1),
  ('PRO-BOKCHOY-500G',   'Baby bok choy 500 g',                'produce',       'Chongming Farm',  '6.50',   'CNY', 1),
  ('PRO-TOMATO-500G',    'Vine tomatoes 500 g',                'produce',       'Chongming Farm',  '9.90',   'CNY', 1),
  ('PRO-RICE-5KG',       'Wuchang rice 5 kg',                  'produce',       'Wuchang',         '79.00',  'CNY', 1),
  ('BEV-WATER-24',       'Mineral water, 24 x 550 ml',         'beverages',     'Nongfu Spring',   '36.00',  'CNY', 1),
  ('BEV-COLA-6',         'Cola, 6 x 330 ml',                   'beverages',     'Cola Co',         '17.40',  'CNY', 1),
  ('BEV-COFFEE-BEANS',   'Yunnan coffee beans 454 g',          'beverages',     'Manner',          '88.00',  'CNY', 1),
  ('BEV-JUICE-1L',       'Orange juice 1 L',                   'beverages',     'Huiyuan',         '14.90',  'CNY', 1),
  ('HOU-DETERGENT-3KG',  'Laundry detergent 3 kg',             'household',     'Liby',            '45.90',  'CNY', 1),
  ('HOU-TISSUE-10',      'Facial tissue, 10 packs',            'household',     'Vinda',           '29.90',  'CNY', 1),
  ('HOU-SPONGE-5',       'Kitchen sponges, 5 pack',            'household',     'Scotch',          '12.00',  'CNY', 1),
  ('PER-TOOTHPASTE',     'Herbal toothpaste 180 g',            'personal-care', 'Yunnan Baiyao',   '26.80',  'CNY', 1),
  ('PER-SHAMPOO-750ML',  'Shampoo 750 ml',                     'personal-care', 'Head Shoulders',  '59.90',  'CNY', 1),
  ('PER-HANDCREAM',      'Hand cream 50 g',                    'personal-care', 'Herborist',       '35.00',  'CNY', 1),
  ('SNK-LIMITED-2025',   'Limited-edition snack box (retired)', 'snacks',       'Three Squirrels', '99.00',  'CNY', 0);

-- Pricing (migrations/0002_pricing.sql). Windows run from 2026 to 2030 so the demo prices the
-- same whenever it is run. Amounts in CNY.
INSERT OR REPLACE INTO member_tiers (id, name, rank, discount_percent) VALUES
  ('regular',  'Regular',  0, NULL),
  ('silver',   'Silver',   1, '2'),
  ('gold',     'Gold',     2, '5'),
  ('platinum', 'Platinum', 3, '8');

INSERT OR REPLACE INTO tier_prices (tier_id, sku, price) VALUES
  ('gold',     'TEA-LONGJING-250G', '148.00'),
  ('platinum', 'TEA-LONGJING-250G', '138.00');

INSERT OR REPLACE INTO customers (id, name, tier_id) VALUES
  ('cust-1',   'Li Wei',       'regular'),
  ('cust-7',   'Zhang Min',    'silver'),
  ('cust-42',  'Wang Fang',    'gold'),
  ('cust-100', 'Chen Jing',    'platinum');

-- Differentiated pricing: coffee is cheaper in the Lujiazui business district.
INSERT OR REPLACE INTO store_prices (store_id, sku, price) VALUES
  ('SH-LUJIAZUI', 'BEV-COFFEE-BEANS', '82.00');

INSERT OR REPLACE INTO promotions (id, name, kind, starts_at, ends_at, target_kind, target_values, priority, stacking, parameters, active) VALUES
  ('MANJIAN-100-200', 'Double 11 满减', 'spend-threshold-tiers', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'everything', '[]', 10, 'stackable', '{"tiers": [{"spend": "100.00", "off": "10.00"}, {"spend": "200.00", "off": "30.00"}]}', 1),
  ('FLASH-MOONCAKE', 'Mooncake flash sale', 'flash-sale', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'skus', '["SNK-MOONCAKE-6"]', 50, 'exclusive', '{"price": "88.00", "total_cap": 200, "per_customer_limit": 2}', 1),
  ('SNACKS-B2G1', 'Snack week', 'buy-x-get-y', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'categories', '["snacks"]', 20, 'stackable', '{"buy": 2, "get": 1}', 1),
  ('YOGURT-CLEARANCE', 'Yogurt clearance', 'stock-markdown', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'skus', '["DAI-YOGURT-4"]', 5, 'stackable', '{"clearance_percent": "30", "cover_days": 14}', 1),
  ('FREE-DELIVERY-99', 'Free delivery from 99', 'free-delivery', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'everything', '[]', 0, 'stackable', '{"minimum_spend": "99.00"}', 1);

INSERT OR REPLACE INTO flash_sale_sales (promotion_id, customer_id, units) VALUES
  ('FLASH-MOONCAKE', 'cust-7', 2),
  ('FLASH-MOONCAKE', '',       35);

INSERT OR REPLACE INTO coupons (code, name, kind, amount, percent, max_discount, minimum_spend, starts_at, ends_at, total_limit, per_customer_limit, stacking, active) VALUES
  ('WELCOME10', 'Welcome: 10 off from 50', 'amount-off', '10.00', NULL, NULL, '50.00', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', NULL, 1, 'stackable', 1),
  ('TEA20', 'Tea lovers: 20% off, at most 30', 'percentage-off', NULL, '20', '30.00', '100.00', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 1000, 1, 'exclusive', 1),
  ('SUMMER5', 'Summer 5 off (expired)', 'amount-off', '5.00', NULL, NULL, NULL, '2026-06-01T00:00:00Z', '2026-09-01T00:00:00Z', NULL, NULL, 'stackable', 1);

INSERT OR REPLACE INTO delivery_fee_bands (up_to_m, fee) VALUES
  (3000,  '5.00'),
  (6000,  '8.00'),
  (12000, '15.00');

INSERT OR REPLACE INTO pricing_settings (name, value) VALUES
  ('discount_ceiling_percent', '50');

-- Recent sales for the yogurt clearance (stock-driven markdown reads live stock and the last
-- 28 days of POS sales and shipped online orders): both stores sold 84 packs, 3 a day. Jing'an
-- holds 200 (66 days of cover: the clearance applies); Xujiahui 20 (a week: it does not).
-- Dated relative to seeding, and written once however often the demo is re-seeded.
INSERT INTO stock_movements (store_id, sku, kind, delta_on_hand, actor, at)
  SELECT store, 'DAI-YOGURT-4', 'pos-sale', -84, 'demo-seed',
         strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-14 days')
  FROM (SELECT 'SH-JINGAN' AS store UNION ALL SELECT 'SH-XUJIAHUI')
  WHERE NOT EXISTS (SELECT 1 FROM stock_movements m
                    WHERE m.actor = 'demo-seed' AND m.store_id = store AND m.sku = 'DAI-YOGURT-4');
-- (The daily rollup of these sales is recomputed by scripts/derived-data.sql, after every
-- seeded row.)

-- Stock levels (the stock function, migrations/0003_stock.sql): a few levels a demo shows off,
-- then every active product at every store with a spread of units. INSERT OR IGNORE, so
-- re-seeding never resets a level that reservations or sales have moved.
-- Jing'an is down to its last 3 Longjing tins (below the reorder point of 5: no stock.low until
-- it is restocked above it and crosses again); Lujiazui is sold out of mooncakes; Xujiahui
-- keeps 6 packs of milk back as safety stock.
INSERT OR IGNORE INTO stock_levels (store_id, sku, on_hand, reserved, safety_stock, reorder_point, low_alert_armed) VALUES
  ('SH-JINGAN',   'TEA-LONGJING-250G', 3,  0, 0, 5,  0),
  ('SH-LUJIAZUI', 'SNK-MOONCAKE-6',    0,  0, 0, 5,  0),
  ('SH-XUJIAHUI', 'DAI-MILK-1L',       40, 0, 6, 10, 1),
  ('SH-JINGAN',   'DAI-YOGURT-4',      200, 0, 4, 20, 1),
  ('SH-XUJIAHUI', 'DAI-YOGURT-4',      20, 0, 4, 10, 1);

INSERT OR IGNORE INTO stock_levels (store_id, sku, on_hand, reserved, safety_stock, reorder_point, low_alert_armed)
  SELECT s.id, p.sku,
         (unicode(substr(p.sku, 5, 1)) * 7 + unicode(substr(s.id, 4, 1)) * 13 + length(p.sku) * 3) % 60 + 8,
         0, 2, 5, 1
  FROM stores s CROSS JOIN products p
  WHERE s.active = 1 AND p.active = 1;

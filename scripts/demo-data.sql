-- Demo data for `scripts/up`: five stores of the chain in Shanghai and 24 products in seven
-- categories, prices in CNY (tax inclusive). Re-running it resets these rows and nothing else.
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

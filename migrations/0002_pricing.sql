-- 0002: the pricing rules the quote reads (o2o_domain::pricing_rules_store): store price
-- overrides, member tiers and their explicit prices, customers with their tier, promotions,
-- coupons and their redemptions, flash-sale units sold, delivery fee bands, pricing settings
-- (the discount ceiling), and stock cover facts for stock-driven markdown until the stock
-- function lands. Amounts are decimal strings in the products' currency ('12.30'); times are
-- RFC 3339 UTC strings ('2026-11-11T00:00:00Z'). Safe to re-run. Never edit once landed.

-- Differentiated pricing: a store's own price for a sku replaces the list price there.
CREATE TABLE IF NOT EXISTS store_prices (
    store_id TEXT NOT NULL,
    sku      TEXT NOT NULL,
    price    TEXT NOT NULL,
    PRIMARY KEY (store_id, sku)
);

-- Member tiers (regular, silver, gold, platinum): a discount off the store price of every sku
-- (NULL: none), and explicit tier prices per sku in tier_prices, which win over the discount.
CREATE TABLE IF NOT EXISTS member_tiers (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    rank             INTEGER NOT NULL DEFAULT 0,
    discount_percent TEXT
);

CREATE TABLE IF NOT EXISTS tier_prices (
    tier_id TEXT NOT NULL,
    sku     TEXT NOT NULL,
    price   TEXT NOT NULL,
    PRIMARY KEY (tier_id, sku)
);

CREATE TABLE IF NOT EXISTS customers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    tier_id    TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Promotions. `target_kind` says which lines they are about and `target_values` (a JSON array
-- of strings) names the skus, categories or brands. `parameters` is a JSON object by kind:
--   percentage-off        {"percent": "15"}
--   amount-off            {"per_unit": "5.00"}
--   flash-sale            {"price": "9.90", "total_cap": 100, "per_customer_limit": 2}
--   buy-x-get-y           {"buy": 2, "get": 1}  (free) or with "percent_off": "50"
--   stock-markdown        {"clearance_percent": "30", "cover_days": 60}
--   spend-threshold-tiers {"tiers": [{"spend": "100.00", "off": "10.00"}, ...]}
--   free-delivery         {"minimum_spend": "99.00"}
CREATE TABLE IF NOT EXISTS promotions (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('percentage-off', 'amount-off', 'flash-sale',
                      'buy-x-get-y', 'stock-markdown', 'spend-threshold-tiers', 'free-delivery')),
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    target_kind   TEXT NOT NULL DEFAULT 'everything'
                      CHECK (target_kind IN ('everything', 'skus', 'categories', 'brands')),
    target_values TEXT NOT NULL DEFAULT '[]',
    priority      INTEGER NOT NULL DEFAULT 0 CHECK (priority >= 0),
    stacking      TEXT NOT NULL DEFAULT 'stackable' CHECK (stacking IN ('stackable', 'exclusive')),
    parameters    TEXT NOT NULL DEFAULT '{}',
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

-- Coupons: `kind` amount-off uses `amount`; percentage-off uses `percent` and the optional cap
-- `max_discount`. Limits NULL: unlimited.
CREATE TABLE IF NOT EXISTS coupons (
    code               TEXT PRIMARY KEY,  -- upper case, as customers' codes are read
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('amount-off', 'percentage-off')),
    amount             TEXT,
    percent            TEXT,
    max_discount       TEXT,
    minimum_spend      TEXT,
    starts_at          TEXT NOT NULL,
    ends_at            TEXT NOT NULL,
    total_limit        INTEGER CHECK (total_limit >= 0),
    per_customer_limit INTEGER CHECK (per_customer_limit >= 0),
    stacking           TEXT NOT NULL DEFAULT 'stackable' CHECK (stacking IN ('stackable', 'exclusive')),
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

-- Redemptions of each coupon per customer ('' for a guest), counted when an order is placed.
CREATE TABLE IF NOT EXISTS coupon_redemptions (
    code        TEXT NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    uses        INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    PRIMARY KEY (code, customer_id)
);

-- Units sold under each flash sale, per customer ('' for guests); the cap left is
-- total_cap - SUM(units).
CREATE TABLE IF NOT EXISTS flash_sale_sales (
    promotion_id TEXT NOT NULL,
    customer_id  TEXT NOT NULL DEFAULT '',
    units        INTEGER NOT NULL DEFAULT 0 CHECK (units >= 0),
    PRIMARY KEY (promotion_id, customer_id)
);

-- Delivery fee by distance from the delivering store: up to `up_to_m` metres costs `fee`.
CREATE TABLE IF NOT EXISTS delivery_fee_bands (
    up_to_m INTEGER PRIMARY KEY CHECK (up_to_m > 0),
    fee     TEXT NOT NULL
);

-- Shop-wide pricing settings: 'discount_ceiling_percent' (absent: no ceiling).
CREATE TABLE IF NOT EXISTS pricing_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Stock cover for stock-driven markdown: on-hand units of a sku at a store and its recent
-- average daily sales. Interim: the stock function will own these facts.
CREATE TABLE IF NOT EXISTS stock_cover (
    store_id            TEXT NOT NULL,
    sku                 TEXT NOT NULL,
    on_hand             INTEGER NOT NULL CHECK (on_hand >= 0),
    average_daily_sales TEXT NOT NULL DEFAULT '0',
    PRIMARY KEY (store_id, sku)
);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (2, '0002_pricing');

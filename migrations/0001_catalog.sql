-- 0001: the migration ledger and the catalog the cart checks against (products, stores).
-- Safe to re-run: every statement is IF NOT EXISTS / OR IGNORE. Never edit once landed.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS products (
    sku        TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    category   TEXT NOT NULL,
    brand      TEXT NOT NULL,
    list_price TEXT NOT NULL,            -- decimal string, tax inclusive, e.g. '12.30'
    currency   TEXT NOT NULL DEFAULT 'CNY',
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE INDEX IF NOT EXISTS products_by_category ON products (category, sku);

CREATE TABLE IF NOT EXISTS stores (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    address            TEXT NOT NULL,
    city               TEXT NOT NULL,
    latitude           REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude          REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    opening_hours      TEXT NOT NULL,    -- JSON: {"mon": ["09:00", "21:00"], ...}
    pickup_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (pickup_enabled IN (0, 1)),
    delivery_radius_km REAL NOT NULL DEFAULT 0 CHECK (delivery_radius_km >= 0),
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (1, '0001_catalog');

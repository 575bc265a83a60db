-- 0003: stock levels per store and sku, reservations and their lines, the stock movement
-- ledger, and two tables every function shares: the event outbox and the staff audit log.
-- Safe to re-run: every statement is IF NOT EXISTS / OR IGNORE. Never edit once landed.
CREATE TABLE IF NOT EXISTS stock_levels (
    store_id        TEXT NOT NULL REFERENCES stores (id),
    sku             TEXT NOT NULL REFERENCES products (sku),
    on_hand         INTEGER NOT NULL DEFAULT 0,
    reserved        INTEGER NOT NULL DEFAULT 0,
    safety_stock    INTEGER NOT NULL DEFAULT 0 CHECK (safety_stock >= 0),
    reorder_point   INTEGER NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    low_alert_armed INTEGER NOT NULL DEFAULT 1 CHECK (low_alert_armed IN (0, 1)),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (store_id, sku),
    CHECK (0 <= reserved AND reserved <= on_hand)
);

CREATE INDEX IF NOT EXISTS stock_levels_by_sku ON stock_levels (sku, store_id);

CREATE TABLE IF NOT EXISTS reservations (
    id         TEXT PRIMARY KEY,         -- uuid v7
    store_id   TEXT NOT NULL REFERENCES stores (id),
    status     TEXT NOT NULL CHECK (status IN ('held', 'released', 'committed', 'expired')),
    created_at TEXT NOT NULL,            -- RFC 3339 UTC, seconds: sorts as text
    expires_at TEXT NOT NULL,
    closed_at  TEXT
);

CREATE INDEX IF NOT EXISTS reservations_due ON reservations (status, expires_at);

CREATE TABLE IF NOT EXISTS reservation_lines (
    reservation_id TEXT NOT NULL REFERENCES reservations (id),
    line_no        INTEGER NOT NULL,
    sku            TEXT NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (reservation_id, line_no)
);

CREATE TABLE IF NOT EXISTS stock_movements (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id      TEXT NOT NULL,
    sku           TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('pos-sale', 'receipt', 'adjustment', 'reservation-commit')),
    delta_on_hand INTEGER NOT NULL,
    reason_code   TEXT,                  -- adjustments: count-correction, damaged, ...
    reference     TEXT,                  -- reservation id of a commit
    actor         TEXT,                  -- staff id of a sale, receipt or adjustment
    at            TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS stock_movements_by_level ON stock_movements (store_id, sku, id);

CREATE TABLE IF NOT EXISTS outbox (
    id           TEXT PRIMARY KEY,       -- uuid v7: time-ordered
    event_type   TEXT NOT NULL,          -- e.g. stock.low, order.placed
    subject      TEXT NOT NULL,          -- what it is about, e.g. SH-JINGAN/TEA-1
    data         TEXT NOT NULL,          -- JSON
    occurred_at  TEXT NOT NULL,
    delivered_at TEXT
);

CREATE INDEX IF NOT EXISTS outbox_undelivered ON outbox (delivered_at, id);

CREATE TABLE IF NOT EXISTS audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,               -- e.g. stock.pos-sale, stock.adjustment
    subject TEXT NOT NULL,
    before  TEXT,                        -- JSON
    after   TEXT,                        -- JSON
    at      TEXT NOT NULL
);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (3, '0003_stock');

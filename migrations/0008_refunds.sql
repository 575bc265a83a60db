-- 0008: refunds (o2o_domain::refund). A refund gives back part or all of an order: per line
-- the units and the amount they were paid (the cent rule of o2o_domain::refund::amount), the
-- delivery fee when it completes the whole order before delivery, and whether the goods come
-- back to the fulfilling store. Amounts are decimal strings in the order's currency; times
-- RFC 3339 UTC seconds, which sort as text. Safe to re-run. Never edit once landed.
CREATE TABLE IF NOT EXISTS refunds (
    id                    TEXT PRIMARY KEY,          -- uuid v7
    order_id              TEXT NOT NULL,
    customer_id           TEXT NOT NULL,             -- the order's owner
    status                TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'completed',
                              'rejected')),
    reason                TEXT NOT NULL,
    goods_returned        INTEGER NOT NULL CHECK (goods_returned IN (0, 1)),
    currency              TEXT NOT NULL,
    goods_amount          TEXT NOT NULL,             -- the sum of the lines' amounts
    delivery_fee          TEXT NOT NULL,             -- the fee given back ('0.00' mostly)
    total                 TEXT NOT NULL,             -- goods_amount + delivery_fee
    includes_delivery_fee INTEGER NOT NULL CHECK (includes_delivery_fee IN (0, 1)),
    completes_order       INTEGER NOT NULL CHECK (completes_order IN (0, 1)),
    requested_by          TEXT NOT NULL,             -- 'customer:<id>' or 'staff:<id>'
    requested_at          TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    decided_at            TEXT,
    decided_by            TEXT,                      -- staff id, or 'auto' under the threshold
    note                  TEXT,
    completed_at          TEXT,
    refund_reference      TEXT                       -- the payment provider's, on completion
);

CREATE INDEX IF NOT EXISTS refunds_by_order ON refunds (order_id, id);

-- The units of each order line a refund gives back and what they were paid.
CREATE TABLE IF NOT EXISTS refund_lines (
    refund_id  TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    line       INTEGER NOT NULL CHECK (line >= 0),
    sku        TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    amount     TEXT NOT NULL,
    PRIMARY KEY (refund_id, line)
);

CREATE INDEX IF NOT EXISTS refund_lines_by_order ON refund_lines (order_id, line);

-- The status timeline of a refund: one row per move, the first being 'requested'.
CREATE TABLE IF NOT EXISTS refund_status_history (
    refund_id  TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    status     TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    note       TEXT,
    PRIMARY KEY (refund_id, seq)
);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (8, '0008_refunds');

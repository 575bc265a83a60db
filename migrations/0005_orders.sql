-- 0005: placed orders (o2o_domain::order). An order freezes the prices of the quote it was
-- placed with: its lines carry the unit price, the discount given to the line (its own
-- promotions plus its share of the order-level discounts) and what the customer pays for
-- it, so that refunds can give back exactly what was paid. Amounts are decimal strings in the
-- order's currency; times RFC 3339 UTC seconds, which sort as text. Safe to re-run. Never edit
-- once landed.
CREATE TABLE IF NOT EXISTS orders (
    id              TEXT PRIMARY KEY,          -- uuid v7
    customer_id     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending_payment', 'confirmed', 'paid',
                        'fulfilling', 'ready_for_pickup', 'collected', 'out_for_delivery',
                        'delivered', 'cancelled', 'expired')),
    payment_method  TEXT NOT NULL CHECK (payment_method IN ('online', 'pay-at-pickup')),
    store_id        TEXT NOT NULL,
    fulfilment      TEXT NOT NULL,             -- the fulfilment mode as the client sent it (JSON)
    reservation_id  TEXT NOT NULL,
    quote_id        TEXT NOT NULL,
    cart_id         TEXT,
    currency        TEXT NOT NULL,
    subtotal        TEXT NOT NULL,
    discount_total  TEXT NOT NULL,
    delivery_fee    TEXT NOT NULL,
    total           TEXT NOT NULL,
    coupon_codes    TEXT NOT NULL DEFAULT '[]', -- JSON array of the codes applied
    placed_at       TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    payment_due_at  TEXT,                      -- online orders: unpaid at this time, they expire
    paid_at         TEXT,
    payment_reference TEXT
);

CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id, id);
CREATE INDEX IF NOT EXISTS orders_awaiting_payment ON orders (status, payment_due_at);

CREATE TABLE IF NOT EXISTS order_lines (
    order_id    TEXT NOT NULL,
    line        INTEGER NOT NULL CHECK (line >= 0),
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  TEXT NOT NULL,
    discount    TEXT NOT NULL,                -- line promotions + allocated order discounts
    total       TEXT NOT NULL,                -- unit_price x quantity - discount
    PRIMARY KEY (order_id, line)
);

-- The status timeline: one row per move, the first being where the order started.
CREATE TABLE IF NOT EXISTS order_status_history (
    order_id  TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    status    TEXT NOT NULL,
    at        TEXT NOT NULL,
    note      TEXT,
    PRIMARY KEY (order_id, seq)
);

-- What placing an order took from limited promotions: a coupon use ('coupon', code, 1) or
-- flash-sale units ('flash-sale', promotion id, units). Given back when the order is
-- cancelled or expires, or when placing it fails after they were taken.
CREATE TABLE IF NOT EXISTS order_consumptions (
    order_id    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('coupon', 'flash-sale')),
    reference   TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    units       INTEGER NOT NULL CHECK (units > 0),
    PRIMARY KEY (order_id, kind, reference)
);

-- Inbound signed webhooks already accepted (payment provider, couriers): a signature seen
-- once is refused the second time, within the replay window and after it.
CREATE TABLE IF NOT EXISTS webhook_receipts (
    source      TEXT NOT NULL,
    signature   TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (source, signature)
);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (5, '0005_orders');

-- 0009: feedback from verified buyers (o2o_domain::feedback). Line reviews, one per order line;
-- the order's store service and delivery ratings, one of each per order; and the complaint
-- queue (open -> resolved). Texts are stored exactly as the customer wrote them (escaped by
-- whatever renders them). Times RFC 3339 UTC seconds; ids uuid v7, which sort by time. Safe
-- to re-run. Never edit once landed.
CREATE TABLE IF NOT EXISTS feedback_reviews (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL,
    line        INTEGER NOT NULL CHECK (line >= 0),
    sku         TEXT NOT NULL,
    store_id    TEXT NOT NULL,                -- the store that fulfilled the order
    customer_id TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    text        TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (order_id, line)
);

CREATE INDEX IF NOT EXISTS feedback_reviews_by_sku ON feedback_reviews (sku, id);
CREATE INDEX IF NOT EXISTS feedback_reviews_by_store ON feedback_reviews (store_id, id);

CREATE TABLE IF NOT EXISTS feedback_ratings (
    order_id    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('store-service', 'delivery')),
    store_id    TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (order_id, kind)
);

CREATE INDEX IF NOT EXISTS feedback_ratings_by_store ON feedback_ratings (store_id, kind);

CREATE TABLE IF NOT EXISTS feedback_complaints (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    category        TEXT NOT NULL CHECK (category IN ('product-quality', 'wrong-item',
                        'damaged', 'late', 'staff', 'other')),
    description     TEXT NOT NULL,
    reasons         TEXT NOT NULL,            -- JSON array: why it was opened
    status          TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    opened_at       TEXT NOT NULL,
    resolved_at     TEXT,
    resolved_by     TEXT,                     -- the staff member (x-staff-id for now)
    resolution_note TEXT
);

CREATE INDEX IF NOT EXISTS feedback_complaints_by_status ON feedback_complaints (status, id);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (9, '0009_feedback');

-- 0006: webhooks out (o2o_domain::webhooks): subscriptions, the event types each wants, and
-- one delivery row per outbox event and matching subscription, with its attempts. The secret
-- is kept as given because signing needs it (see docs/ARCHITECTURE.md, "Webhooks out").
-- Times are RFC 3339 UTC seconds, which sort as text. Safe to re-run. Never edit once landed.
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    id             TEXT PRIMARY KEY,         -- uuid v7
    url            TEXT NOT NULL,
    secret         TEXT NOT NULL,            -- the HMAC key; never returned after creation
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    deactivated_at TEXT
);

CREATE TABLE IF NOT EXISTS webhook_subscription_events (
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    event_type      TEXT NOT NULL,           -- one of o2o_domain::events::EventType
    PRIMARY KEY (event_type, subscription_id)
);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id              TEXT PRIMARY KEY,        -- uuid v7
    event_id        TEXT NOT NULL REFERENCES outbox (id),
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT NOT NULL,           -- pending: due from then (also a run's claim)
    last_attempt_at TEXT,
    last_status     INTEGER,                 -- HTTP status of the last answer
    last_error      TEXT,
    delivered_at    TEXT,
    dead_at         TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (event_id, subscription_id)
);

CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_subscription
    ON webhook_deliveries (subscription_id, id);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (6, '0006_webhooks');

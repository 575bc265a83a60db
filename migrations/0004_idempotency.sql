-- 0004: the idempotency keys of mutating requests (o2o_domain::idempotency): the key, the hash
-- of the request it first came with, and the response saved for replays. Times are RFC 3339
-- UTC seconds, which sort as text. The order tables come with place-order, in a migration of
-- their own, once code writes them. Safe to re-run. Never edit once landed.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key             TEXT PRIMARY KEY,
    request_hash    TEXT NOT NULL,          -- sha-256 hex of route and body
    response_status INTEGER,
    response_body   TEXT,
    created_at      TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (4, '0004_idempotency');

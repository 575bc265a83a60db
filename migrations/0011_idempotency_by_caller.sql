-- 0011: Idempotency-Keys belong to the caller who chose them and to the route they were sent
-- to (issue 10): two customers, two API keys, or a customer and a key using the same key text
-- are independent, and nothing about one caller's key is observable by another. 0004's table,
-- keyed by the key text alone, is emptied and no longer read (it stays, so that re-running
-- this file finds it). Safe to re-run. Never edit once landed.
CREATE TABLE IF NOT EXISTS idempotency_requests (
    caller          TEXT NOT NULL,          -- customer:<id>, key:<api key id> or guest
    route           TEXT NOT NULL,          -- e.g. POST /orders
    key             TEXT NOT NULL,          -- the Idempotency-Key header
    request_hash    TEXT NOT NULL,          -- sha-256 hex of route and body
    response_status INTEGER,                -- NULL while the first request runs
    response_body   TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (caller, route, key)
);

CREATE INDEX IF NOT EXISTS idempotency_requests_by_age ON idempotency_requests (created_at);

-- Existing keys move with their finished responses, which name their caller: an order's
-- customer_id; a refund's requested_by (customer:<id> or staff:<key id>, requested with a
-- key). A key still in flight when this runs belonged to a request that cannot finish into
-- the new table; its caller retries with the same key and is processed then.
INSERT OR IGNORE INTO idempotency_requests
    (caller, route, key, request_hash, response_status, response_body, created_at)
SELECT CASE
           WHEN json_extract(response_body, '$.requested_by') LIKE 'staff:%'
               THEN 'key:' || substr(json_extract(response_body, '$.requested_by'), 7)
           ELSE 'customer:' || json_extract(response_body, '$.customer_id')
       END,
       CASE
           WHEN json_extract(response_body, '$.order_id') IS NULL THEN 'POST /orders'
           ELSE 'POST /refunds'
       END,
       key, request_hash, response_status, response_body, created_at
FROM idempotency_keys
WHERE response_status IS NOT NULL
  AND json_valid(response_body)
  AND json_extract(response_body, '$.customer_id') IS NOT NULL;

DELETE FROM idempotency_keys;

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (11, '0011_idempotency_by_caller');

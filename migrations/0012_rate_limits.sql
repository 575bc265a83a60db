-- 0012: the rate limit's counters (issue 10), one row per subject (customer:<id> or
-- key:<api key id>) and fixed window (its start, in seconds since the epoch). They moved here
-- from key-value because Spin's key-value API has no increment: a read and a write let a burst
-- of concurrent requests pass the limit. One upsert per request counts atomically under
-- SQLite's write lock, on every platform that has SQLite. Safe to re-run. Never edit once
-- landed.
CREATE TABLE IF NOT EXISTS rate_limit_windows (
    subject      TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    requests     INTEGER NOT NULL CHECK (requests >= 1),
    PRIMARY KEY (subject, window_start)
) WITHOUT ROWID;

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (12, '0012_rate_limits');

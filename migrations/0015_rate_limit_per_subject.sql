-- 0015: one rate-limit counter per subject (issue 12) instead of one per subject and window:
-- the count of a new window replaces the last one in the same upsert, so a request is counted
-- in one statement and no request has to clear earlier windows (0012's table needed a second
-- statement on the first request of every window, and rows piled up for subjects that went
-- quiet). The rows are as many as the customers and keys that ever called. A window never
-- moves back (an instance whose clock lags counts into the newer window). The counts of 0012
-- are not carried over: at worst a subject gets one fresh window after the upgrade. Safe to
-- re-run. Never edit once landed.
CREATE TABLE IF NOT EXISTS rate_limit_counters (
    subject      TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    requests     INTEGER NOT NULL CHECK (requests >= 1)
) WITHOUT ROWID;

DROP TABLE IF EXISTS rate_limit_windows;

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (15, '0015_rate_limit_per_subject');

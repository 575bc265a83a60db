-- Who may do what (issue 7): staff and integrators' API keys. A key is shown once, when it is
-- made; only its SHA-256 hash is kept, so a copy of this table unlocks nothing. Revoking keeps
-- the row (the audit log names keys by id). The first admin key is not here: it is the Spin
-- variable admin_api_key.
CREATE TABLE IF NOT EXISTS api_keys (
    id          TEXT PRIMARY KEY,          -- key-<uuid v7>, what the audit log names
    key_hash    TEXT NOT NULL UNIQUE,      -- hex SHA-256 of the key text
    label       TEXT NOT NULL,             -- the key's first characters, to tell keys apart
    name        TEXT NOT NULL,             -- who or what holds it, e.g. "POS SH-JINGAN"
    scopes      TEXT NOT NULL,             -- space-separated: catalog stock dispatch ...
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_by  TEXT,
    revoked_at  TEXT
);

CREATE INDEX IF NOT EXISTS audit_log_by_actor ON audit_log (actor, id);

INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (10, '0010_access');

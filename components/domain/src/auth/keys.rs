//! Staff and integrators' keys as the shop keeps them (`api_keys`, migration 0010), and the
//! audit log read back for admins. Making and revoking a key are staff writes like any other:
//! each is one `BEGIN IMMEDIATE` transaction with its `audit_log` entry. The key text exists
//! only in the answer to the request that made it.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::api_key::{ApiKey, Scopes};
use super::principal::StaffKey;
use crate::ids::new_v7;
use crate::storage::journal::append_audit_entry;
use crate::storage::row::{col_int, col_opt_text, col_text, corrupt, optional_text, text};
use crate::storage::{Sql, SqlValue, StoreError};
use crate::storage::{in_immediate_transaction, timestamp};

/// The actor of the key taken from the Spin variable `admin_api_key`.
pub const BOOTSTRAP_ADMIN: &str = "admin-bootstrap";

/// Longest name of a key.
pub const MAX_NAME_CHARS: usize = 200;

const INSERT_KEY: &str = "INSERT INTO api_keys \
     (id, key_hash, label, name, scopes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
const SELECT_KEY: &str = "SELECT id, label, name, scopes, created_by, created_at, revoked_by, \
     revoked_at FROM api_keys WHERE id = ?";
const SELECT_KEYS: &str = "SELECT id, label, name, scopes, created_by, created_at, revoked_by, \
     revoked_at FROM api_keys WHERE id > ? ORDER BY id LIMIT ?";
/// The first statement of every request made with a key, so it carries the schema check.
const SELECT_ACTIVE_BY_HASH: &str = concat!(
    "SELECT id, scopes, ",
    crate::schema_ledger!(),
    " FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL"
);
const REVOKE: &str =
    "UPDATE api_keys SET revoked_by = ?, revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
const SELECT_AUDIT: &str = "SELECT id, actor, action, subject, before, after, at FROM audit_log \
     WHERE id > ? AND (?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR action LIKE ?3 || '%') \
     AND (?4 IS NULL OR subject = ?4) ORDER BY id LIMIT ?5";

/// A key as listed: everything but the key itself.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRecord {
    pub id: String,
    pub label: String,
    pub name: String,
    pub scopes: Scopes,
    pub created_by: String,
    pub created_at: String,
    pub revoked_by: Option<String>,
    pub revoked_at: Option<String>,
}

impl KeyRecord {
    /// What the audit log keeps of a key (never its text or hash).
    pub fn summary(&self) -> Value {
        json!({
            "id": self.id,
            "label": self.label,
            "name": self.name,
            "scopes": self.scopes.names(),
            "revoked_at": self.revoked_at,
        })
    }
}

/// Why a key could not be made or revoked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeyError {
    #[error("no API key {0}")]
    NotFound(String),
    #[error("a key's name is 1 to {MAX_NAME_CHARS} characters")]
    BadName,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Makes a key named `name` with `scopes` from 32 random bytes; returns its record and the
/// key text, which is shown once and kept nowhere.
pub fn create_key(
    db: &impl Sql,
    name: &str,
    scopes: &Scopes,
    created_by: &str,
    random: [u8; 32],
    now: DateTime<Utc>,
) -> Result<(KeyRecord, ApiKey), KeyError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(KeyError::BadName);
    }
    let key = ApiKey::from_random(random);
    let record = KeyRecord {
        id: format!("key-{}", new_v7(now)),
        label: key.label(),
        name: name.to_owned(),
        scopes: scopes.clone(),
        created_by: created_by.to_owned(),
        created_at: timestamp(now),
        revoked_by: None,
        revoked_at: None,
    };
    in_immediate_transaction(db, || {
        db.execute(
            INSERT_KEY,
            &[
                text(&record.id),
                text(&key.hash()),
                text(&record.label),
                text(&record.name),
                text(&scopes_text(scopes)),
                text(created_by),
                text(&record.created_at),
            ],
        )?;
        append_audit_entry(
            db,
            created_by,
            "api-key.create",
            &record.id,
            &Value::Null,
            &record.summary(),
            now,
        )?;
        Ok::<_, KeyError>(())
    })?;
    Ok((record, key))
}

/// Revokes key `id` for good. Revoking a revoked key changes nothing and is not audited again.
pub fn revoke_key(
    db: &impl Sql,
    id: &str,
    revoked_by: &str,
    now: DateTime<Utc>,
) -> Result<KeyRecord, KeyError> {
    in_immediate_transaction(db, || {
        let before = find_key(db, id)?.ok_or_else(|| KeyError::NotFound(id.to_owned()))?;
        if before.revoked_at.is_some() {
            return Ok(before);
        }
        db.execute(REVOKE, &[text(revoked_by), text(&timestamp(now)), text(id)])?;
        let after = find_key(db, id)?.ok_or_else(|| KeyError::NotFound(id.to_owned()))?;
        append_audit_entry(
            db,
            revoked_by,
            "api-key.revoke",
            id,
            &before.summary(),
            &after.summary(),
            now,
        )?;
        Ok(after)
    })
}

pub fn find_key(db: &impl Sql, id: &str) -> Result<Option<KeyRecord>, StoreError> {
    db.execute(SELECT_KEY, &[text(id)])?
        .rows
        .first()
        .map(|row| key_record(row))
        .transpose()
}

/// Keys in id order (that is, creation order) after `after`, at most `limit`.
pub fn list_keys(db: &impl Sql, after: &str, limit: u32) -> Result<Vec<KeyRecord>, StoreError> {
    db.execute(SELECT_KEYS, &[text(after), SqlValue::Integer(limit.into())])?
        .rows
        .iter()
        .map(|row| key_record(row))
        .collect()
}

/// The staff principal of a presented key, if it is one of the shop's and not revoked.
pub fn find_active(db: &impl Sql, key: &ApiKey) -> Result<Option<StaffKey>, StoreError> {
    let rows = db.execute(SELECT_ACTIVE_BY_HASH, &[text(&key.hash())])?;
    let Some(row) = rows.rows.first() else {
        return Ok(None);
    };
    Ok(Some(StaffKey {
        id: col_text(row, 0, "api_keys")?,
        scopes: parse_scopes(&col_text(row, 1, "api_keys")?)?,
    }))
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub before: Value,
    pub after: Value,
    pub at: String,
}

/// What to read of the audit log: entries after `after_id`, optionally only one actor's, one
/// action family's (`stock.` matches every stock action) or one subject's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    pub after_id: i64,
    pub actor: Option<String>,
    pub action_prefix: Option<String>,
    pub subject: Option<String>,
    pub limit: u32,
}

pub fn read_audit(db: &impl Sql, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
    // `before` and `after` are JSON text, or NULL (read as JSON null).
    let json = |row: &[SqlValue], i: usize| -> Result<Value, StoreError> {
        col_opt_text(row, i, "audit_log")?
            .map_or(Ok(Value::Null), |raw| serde_json::from_str(&raw))
            .map_err(|e| corrupt(format!("audit_log column {i}: {e}")))
    };
    db.execute(
        SELECT_AUDIT,
        &[
            SqlValue::Integer(query.after_id),
            optional_text(query.actor.as_deref()),
            optional_text(query.action_prefix.as_deref()),
            optional_text(query.subject.as_deref()),
            SqlValue::Integer(query.limit.into()),
        ],
    )?
    .rows
    .iter()
    .map(|row| {
        Ok(AuditEntry {
            id: col_int(row, 0, "audit_log")?,
            actor: col_text(row, 1, "audit_log")?,
            action: col_text(row, 2, "audit_log")?,
            subject: col_text(row, 3, "audit_log")?,
            before: json(row, 4)?,
            after: json(row, 5)?,
            at: col_text(row, 6, "audit_log")?,
        })
    })
    .collect()
}

fn key_record(row: &[SqlValue]) -> Result<KeyRecord, StoreError> {
    Ok(KeyRecord {
        id: col_text(row, 0, "api_keys")?,
        label: col_text(row, 1, "api_keys")?,
        name: col_text(row, 2, "api_keys")?,
        scopes: parse_scopes(&col_text(row, 3, "api_keys")?)?,
        created_by: col_text(row, 4, "api_keys")?,
        created_at: col_text(row, 5, "api_keys")?,
        revoked_by: col_opt_text(row, 6, "api_keys")?,
        revoked_at: col_opt_text(row, 7, "api_keys")?,
    })
}

fn scopes_text(scopes: &Scopes) -> String {
    scopes.names().join(" ")
}

fn parse_scopes(raw: &str) -> Result<Scopes, StoreError> {
    Scopes::parse(&raw.split_whitespace().collect::<Vec<_>>())
        .map_err(|e| StoreError::Corrupt(format!("api key scopes {raw:?}: {e}")))
}

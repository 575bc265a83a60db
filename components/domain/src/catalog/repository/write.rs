//! The one shape of every catalog write ([`audited_write`]): in one `BEGIN IMMEDIATE`
//! transaction, read the row before, refuse or make the change, read the row after, and append
//! the staff action to `audit_log` with both (`storage::journal::append_audit_entry`, the audit
//! log's one writer). A refused write leaves neither a row nor an audit entry. [`create`],
//! [`replace`], [`set`] and [`remove`] say what each kind of write expects to find before it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::catalog::CatalogError;
use crate::storage::journal::append_audit_entry;
use crate::storage::{Sql, SqlValue, StoreError, in_immediate_transaction};

/// Who makes a change, and when: the audit entry's actor and time.
pub struct Change<'a> {
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

/// What a write is about: the audit log's action, and the row by noun and key, which name it in
/// the audit log (`subject`: the key) and in errors ("no product TEA-1").
pub(super) struct Subject {
    /// e.g. `catalog.product.create`.
    pub action: &'static str,
    /// e.g. `product`, `store price`.
    pub noun: &'static str,
    /// e.g. `TEA-1`, `SH-1/TEA-1`.
    pub key: String,
}

impl Subject {
    pub fn new(action: &'static str, noun: &'static str, key: impl Into<String>) -> Subject {
        Subject {
            action,
            noun,
            key: key.into(),
        }
    }

    fn not_found(&self) -> CatalogError {
        CatalogError::NotFound(format!("no {} {}", self.noun, self.key))
    }
}

/// Reads the row before (`read`), lets `write` refuse or make the change given it, reads the
/// row after, and appends the audit entry with both, all in one transaction; answers the row
/// after.
pub(super) fn audited_write<T: Serialize>(
    db: &impl Sql,
    change: &Change<'_>,
    subject: &Subject,
    read: impl Fn() -> Result<Option<T>, CatalogError>,
    write: impl FnOnce(Option<&T>) -> Result<(), CatalogError>,
) -> Result<Option<T>, CatalogError> {
    in_immediate_transaction(db, || {
        let before = read()?;
        write(before.as_ref())?;
        let after = read()?;
        append_audit_entry(
            db,
            change.actor,
            subject.action,
            &subject.key,
            &document(&before)?,
            &document(&after)?,
            change.now,
        )?;
        Ok(after)
    })
}

/// A row as the audit log keeps it: the JSON the catalog answers with (`null`: no row).
fn document<T: Serialize>(row: &Option<T>) -> Result<Value, CatalogError> {
    serde_json::to_value(row)
        .map_err(|e| StoreError::Corrupt(format!("an audit document: {e}")).into())
}

/// Runs one statement of a write (its rows are read back after it, so its answer is not needed).
pub(super) fn run(db: &impl Sql, statement: &str, params: &[SqlValue]) -> Result<(), CatalogError> {
    db.execute(statement, params)?;
    Ok(())
}

/// A new row: one with the same key is a `Duplicate` on `key_field`.
pub(super) fn create<T: Serialize>(
    db: &impl Sql,
    change: &Change<'_>,
    subject: &Subject,
    key_field: &str,
    read: impl Fn() -> Result<Option<T>, CatalogError>,
    insert: impl FnOnce() -> Result<(), CatalogError>,
) -> Result<T, CatalogError> {
    let after = audited_write(db, change, subject, read, |before| {
        if before.is_some() {
            return Err(CatalogError::Duplicate {
                field: key_field.to_owned(),
                detail: format!("{} {} already exists", subject.noun, subject.key),
            });
        }
        insert()
    })?;
    after.ok_or_else(|| subject.not_found())
}

/// A new version of a row that exists (else `NotFound`).
pub(super) fn replace<T: Serialize>(
    db: &impl Sql,
    change: &Change<'_>,
    subject: &Subject,
    read: impl Fn() -> Result<Option<T>, CatalogError>,
    update: impl FnOnce() -> Result<(), CatalogError>,
) -> Result<T, CatalogError> {
    let after = audited_write(db, change, subject, read, |before| match before {
        Some(_) => update(),
        None => Err(subject.not_found()),
    })?;
    after.ok_or_else(|| subject.not_found())
}

/// A row written whether or not it existed (`upsert` checks what it refers to).
pub(super) fn set<T: Serialize>(
    db: &impl Sql,
    change: &Change<'_>,
    subject: &Subject,
    read: impl Fn() -> Result<Option<T>, CatalogError>,
    upsert: impl FnOnce() -> Result<(), CatalogError>,
) -> Result<T, CatalogError> {
    let after = audited_write(db, change, subject, read, |_| upsert())?;
    after.ok_or_else(|| subject.not_found())
}

/// A row that exists (else `NotFound`) removed; `delete` may still refuse, given the row.
pub(super) fn remove<T: Serialize>(
    db: &impl Sql,
    change: &Change<'_>,
    subject: &Subject,
    read: impl Fn() -> Result<Option<T>, CatalogError>,
    delete: impl FnOnce(&T) -> Result<(), CatalogError>,
) -> Result<(), CatalogError> {
    audited_write(db, change, subject, read, |before| match before {
        Some(row) => delete(row),
        None => Err(subject.not_found()),
    })?;
    Ok(())
}

//! What every function writes beside its own rows, in the same transaction: events for the
//! outbox (`outbox`, delivered later by the webhooks function; a transactional outbox, so an
//! event is never sent for a change that was rolled back, nor lost for one that committed),
//! typed by `events::EventType`, the one list of them; and staff actions for the audit log
//! (`audit_log`), with the state before and after.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::events::EventType;
use crate::storage::row::{change_one, text};
use crate::storage::{Sql, StoreError, timestamp};

const INSERT_OUTBOX: &str = "INSERT INTO outbox (id, event_type, subject, data, occurred_at) \
     VALUES (?, ?, ?, ?, ?)";
/// Many events of one type at once: `?1` the type, `?2` a JSON array of `[id, subject, data]`,
/// `?3` when.
const INSERT_OUTBOX_EVENTS: &str = "INSERT INTO outbox (id, event_type, subject, data, \
     occurred_at) SELECT json_extract(value, '$[0]'), ?1, json_extract(value, '$[1]'), \
     json_extract(value, '$[2]'), ?3 FROM json_each(?2)";
const INSERT_AUDIT: &str = "INSERT INTO audit_log (actor, action, subject, before, after, at) \
     VALUES (?, ?, ?, ?, ?, ?)";

/// A new event's id: a v7 uuid of `now`, so the outbox sorts by time.
fn new_event_id(now: DateTime<Utc>) -> uuid::Uuid {
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(now.timestamp()).unwrap_or(0),
        now.timestamp_subsec_nanos(),
    ))
}

/// Appends an event to the outbox.
pub fn append_outbox_event(
    db: &impl Sql,
    event_type: EventType,
    subject: &str,
    data: &Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    // A fresh id: the insert writes its one row or fails.
    db.execute(
        INSERT_OUTBOX,
        &[
            text(&new_event_id(now).to_string()),
            text(event_type.as_str()),
            text(subject),
            text(&data.to_string()),
            text(&timestamp(now)),
        ],
    )?;
    Ok(())
}

/// Appends events of one type, each `(subject, data)`, in one statement whatever their
/// number (none when there are none).
pub fn append_outbox_events(
    db: &impl Sql,
    event_type: EventType,
    events: &[(String, Value)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<Value> = events
        .iter()
        .map(|(subject, data)| json!([new_event_id(now).to_string(), subject, data.to_string()]))
        .collect();
    db.execute(
        INSERT_OUTBOX_EVENTS,
        &[
            text(event_type.as_str()),
            text(&Value::Array(rows).to_string()),
            text(&timestamp(now)),
        ],
    )?;
    Ok(())
}

/// Appends a staff action to the audit log, with the state before and after.
pub fn append_audit_entry(
    db: &impl Sql,
    actor: &str,
    action: &str,
    subject: &str,
    before: &Value,
    after: &Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    change_one(
        db,
        INSERT_AUDIT,
        &[
            text(actor),
            text(action),
            text(subject),
            text(&before.to_string()),
            text(&after.to_string()),
            text(&timestamp(now)),
        ],
    )
}

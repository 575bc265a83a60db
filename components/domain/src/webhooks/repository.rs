//! Webhooks in SQLite: subscriptions, the hand-over of outbox events into deliveries, claiming
//! due deliveries, recording attempts, dead letters and redelivery. Tables come from
//! `migrations/0006_webhooks.sql` (and `outbox`, `audit_log` from 0003).
//!
//! Every write is one `BEGIN IMMEDIATE` transaction; the HTTP of an attempt happens between
//! `claim_due` and `record_attempt`, outside any transaction, so no lock is held while a
//! receiver thinks. A claim pushes the delivery's `next_attempt_at` a lease ahead, so that two
//! runs at once do not both send it, and a run that dies mid-way leaves it due again once the
//! lease is over (at-least-once: a receiver may see an event twice and deduplicates on its id).

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use super::delivery::{AttemptOutcome, DeliveryStatus, NextStep, RetryPolicy};
use super::subscription::{SubscriptionDraft, SubscriptionSecret};
use super::{DeliveryId, SubscriptionId, WebhookError};
use crate::events::EventType;
use crate::sealed::SealingKey;
use crate::storage::journal::append_audit_entry;
use crate::storage::row::{
    change_one, changed, col_flag, col_int, col_opt_int, col_opt_text, col_text, corrupt, text,
};
use crate::storage::{Sql, SqlValue, StoreError};
use crate::storage::{in_immediate_transaction, timestamp};

/// How long a claimed delivery is left alone before another run may take it up again.
pub const CLAIM_LEASE: Duration = Duration::minutes(2);
/// The most rows a listing returns.
pub const MAX_LIST_LIMIT: i64 = 500;

const INSERT_SUBSCRIPTION: &str = "INSERT INTO webhook_subscriptions (id, url, secret, active, \
     created_by, created_at) VALUES (?, ?, ?, 1, ?, ?)";
const INSERT_SUBSCRIPTION_EVENT: &str =
    "INSERT INTO webhook_subscription_events (subscription_id, event_type) VALUES (?, ?)";
const SUBSCRIPTION: &str = "SELECT id, url, active, created_by, created_at, deactivated_at \
     FROM webhook_subscriptions WHERE id = ?";
/// Newest first (ids are uuid v7, so in time order), from before the cursor `?1` (NULL: the
/// newest), `?2` rows.
const SUBSCRIPTIONS: &str = "SELECT id, url, active, created_by, created_at, deactivated_at \
     FROM webhook_subscriptions WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2";
const SUBSCRIPTION_EVENTS: &str = "SELECT event_type FROM webhook_subscription_events \
     WHERE subscription_id = ? ORDER BY event_type";
const DEACTIVATE: &str = "UPDATE webhook_subscriptions SET active = 0, deactivated_at = ? \
     WHERE id = ? AND active = 1";
const DEAD_LETTER_PENDING_OF: &str = "UPDATE webhook_deliveries SET status = 'dead', \
     dead_at = ?1, last_error = 'subscription deactivated' \
     WHERE subscription_id = ?2 AND status = 'pending'";
const UNHANDED_EVENTS: &str = "SELECT id, event_type, occurred_at FROM outbox \
     WHERE delivered_at IS NULL ORDER BY id LIMIT ?";
const MATCHING_SUBSCRIPTIONS: &str = "SELECT s.id FROM webhook_subscription_events e \
     JOIN webhook_subscriptions s ON s.id = e.subscription_id \
     WHERE e.event_type = ? AND s.active = 1 AND s.created_at <= ? ORDER BY s.id";
const INSERT_DELIVERY: &str = "INSERT INTO webhook_deliveries (id, event_id, subscription_id, \
     status, attempts, next_attempt_at, created_at) VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?4) \
     ON CONFLICT (event_id, subscription_id) DO NOTHING";
const HAND_OVER: &str = "UPDATE outbox SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL";
const DUE: &str = "SELECT id FROM webhook_deliveries WHERE status = 'pending' \
     AND next_attempt_at <= ? ORDER BY next_attempt_at, event_id, id LIMIT ?";
const CLAIM: &str = "UPDATE webhook_deliveries SET next_attempt_at = ?1 \
     WHERE id = ?2 AND status = 'pending' AND next_attempt_at <= ?3";
const CLAIMED: &str = "SELECT d.id, d.attempts, s.url, s.secret, o.id, o.event_type, \
     o.subject, o.data, o.occurred_at FROM webhook_deliveries d \
     JOIN webhook_subscriptions s ON s.id = d.subscription_id \
     JOIN outbox o ON o.id = d.event_id WHERE d.id = ?";
const DELIVERY_COLUMNS: &str = "SELECT d.id, d.event_id, o.event_type, d.subscription_id, \
     d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error, \
     d.delivered_at, d.dead_at, d.created_at FROM webhook_deliveries d \
     JOIN outbox o ON o.id = d.event_id";
const ATTEMPTS: &str =
    "SELECT attempts FROM webhook_deliveries WHERE id = ? AND status = 'pending'";
const MARK_DELIVERED: &str = "UPDATE webhook_deliveries SET status = 'delivered', \
     attempts = attempts + 1, last_attempt_at = ?1, last_status = ?2, last_error = NULL, \
     delivered_at = ?1 WHERE id = ?3 AND status = 'pending'";
const MARK_RETRY: &str = "UPDATE webhook_deliveries SET attempts = attempts + 1, \
     last_attempt_at = ?1, last_status = ?2, last_error = ?3, next_attempt_at = ?4 \
     WHERE id = ?5 AND status = 'pending'";
const MARK_DEAD: &str = "UPDATE webhook_deliveries SET status = 'dead', \
     attempts = attempts + 1, last_attempt_at = ?1, last_status = ?2, last_error = ?3, \
     dead_at = ?1 WHERE id = ?4 AND status = 'pending'";
const REQUEUE: &str = "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, \
     next_attempt_at = ?1, dead_at = NULL WHERE id = ?2 AND status = 'dead'";

/// A subscription as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub active: bool,
    pub created_by: String,
    pub created_at: String,
    pub deactivated_at: Option<String>,
}

fn subscription_from_row(db: &impl Sql, row: &[SqlValue]) -> Result<Subscription, StoreError> {
    let id = col_text(row, 0, "webhooks")?;
    let event_types = db
        .execute(SUBSCRIPTION_EVENTS, &[text(&id)])?
        .rows
        .iter()
        .map(|r| col_text(r, 0, "webhooks"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Subscription {
        url: col_text(row, 1, "webhooks")?,
        active: col_flag(row, 2, "webhooks")?,
        created_by: col_text(row, 3, "webhooks")?,
        created_at: col_text(row, 4, "webhooks")?,
        deactivated_at: col_opt_text(row, 5, "webhooks")?,
        event_types,
        id,
    })
}

/// Who acts and when, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

/// How a subscription's secret is kept: sealed under `key` with the fresh `nonce`.
#[derive(Debug, Clone)]
pub struct Sealing<'a> {
    pub key: &'a SealingKey,
    pub nonce: [u8; 12],
}

/// Creates a subscription and its audit entry (which never holds the secret); the secret is
/// stored sealed.
pub fn create_subscription(
    db: &impl Sql,
    change: Change<'_>,
    id: SubscriptionId,
    draft: &SubscriptionDraft,
    sealing: Sealing<'_>,
) -> Result<Subscription, WebhookError> {
    let at = timestamp(change.now);
    let id = id.to_string();
    in_immediate_transaction(db, || {
        change_one(
            db,
            INSERT_SUBSCRIPTION,
            &[
                text(&id),
                text(draft.url.as_str()),
                text(&sealing.key.seal(draft.secret.expose(), sealing.nonce)),
                text(change.actor),
                text(&at),
            ],
        )?;
        for event_type in &draft.event_types {
            change_one(
                db,
                INSERT_SUBSCRIPTION_EVENT,
                &[text(&id), text(event_type.as_str())],
            )?;
        }
        let created = load_subscription(db, &id)?
            .ok_or_else(|| corrupt("a subscription just written is not there"))?;
        append_audit_entry(
            db,
            change.actor,
            "webhooks.subscription-create",
            &format!("webhook_subscriptions/{id}"),
            &Value::Null,
            &json!(created),
            change.now,
        )?;
        Ok(created)
    })
}

fn load_subscription(db: &impl Sql, id: &str) -> Result<Option<Subscription>, StoreError> {
    let rows = db.execute(SUBSCRIPTION, &[text(id)])?;
    rows.rows
        .first()
        .map(|row| subscription_from_row(db, row))
        .transpose()
}

pub fn get_subscription(
    db: &impl Sql,
    id: SubscriptionId,
) -> Result<Option<Subscription>, StoreError> {
    load_subscription(db, &id.to_string())
}

/// The newest `limit` subscriptions first.
/// One page of subscriptions, newest first: up to `limit` from before `before` (a
/// subscription id, the last of the previous page), and the cursor of the next page when
/// there is one.
pub fn list_subscriptions(
    db: &impl Sql,
    before: Option<SubscriptionId>,
    limit: u32,
) -> Result<(Vec<Subscription>, Option<String>), StoreError> {
    let cursor = before.map_or(SqlValue::Null, |id| SqlValue::Text(id.to_string()));
    let rows = db.execute(
        SUBSCRIPTIONS,
        &[cursor, SqlValue::Integer(i64::from(limit) + 1)],
    )?;
    let mut page = rows
        .rows
        .iter()
        .map(|row| subscription_from_row(db, row))
        .collect::<Result<Vec<_>, _>>()?;
    let next = if page.len() > limit as usize {
        page.truncate(limit as usize);
        page.last().map(|s| s.id.to_string())
    } else {
        None
    };
    Ok((page, next))
}

/// Deactivates a subscription: it gets no new deliveries and its pending ones are
/// dead-lettered (with `last_error` saying why). Deactivating an inactive one changes nothing
/// and is not audited. Returns whether anything changed.
pub fn deactivate_subscription(
    db: &impl Sql,
    change: Change<'_>,
    id: SubscriptionId,
) -> Result<bool, WebhookError> {
    let id = id.to_string();
    let at = timestamp(change.now);
    in_immediate_transaction(db, || {
        let before = load_subscription(db, &id)?.ok_or(WebhookError::NotFound("subscription"))?;
        if !before.active {
            return Ok(false);
        }
        change_one(db, DEACTIVATE, &[text(&at), text(&id)])?;
        let dead_lettered = changed(db, DEAD_LETTER_PENDING_OF, &[text(&at), text(&id)])?;
        let after = load_subscription(db, &id)?
            .ok_or_else(|| corrupt("a subscription just updated is not there"))?;
        append_audit_entry(
            db,
            change.actor,
            "webhooks.subscription-deactivate",
            &format!("webhook_subscriptions/{id}"),
            &json!(before),
            &json!({ "subscription": after, "pending_deliveries_dead_lettered": dead_lettered }),
            change.now,
        )?;
        Ok(true)
    })
}

/// Hands over up to `batch` outbox events not handed over yet, oldest first: one pending
/// delivery per active subscription that wants the event's type and existed when it occurred;
/// then the event's `delivered_at` is set (an event nobody wants is simply handed over).
/// Returns how many events were handed over.
pub fn hand_over_outbox(db: &impl Sql, now: DateTime<Utc>, batch: i64) -> Result<u64, StoreError> {
    let at = timestamp(now);
    in_immediate_transaction(db, || {
        let events = db.execute(UNHANDED_EVENTS, &[SqlValue::Integer(batch)])?;
        let mut handed = 0;
        for row in &events.rows {
            let (event_id, event_type, occurred_at) = (
                col_text(row, 0, "webhooks")?,
                col_text(row, 1, "webhooks")?,
                col_text(row, 2, "webhooks")?,
            );
            let subscribers = db.execute(
                MATCHING_SUBSCRIPTIONS,
                &[text(&event_type), text(&occurred_at)],
            )?;
            for subscriber in &subscribers.rows {
                db.execute(
                    INSERT_DELIVERY,
                    &[
                        text(&DeliveryId::new(now).to_string()),
                        text(&event_id),
                        text(&col_text(subscriber, 0, "webhooks")?),
                        text(&at),
                    ],
                )?;
            }
            change_one(db, HAND_OVER, &[text(&at), text(&event_id)])?;
            handed += 1;
        }
        Ok(handed)
    })
}

/// An event as it leaves the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    pub id: String,
    pub event_type: String,
    pub subject: String,
    /// The payload, a JSON document as text.
    pub data: String,
    pub occurred_at: String,
}

/// A delivery claimed for one attempt: where to send what, and how to sign it.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: String,
    /// Attempts made before this one.
    pub attempts: u32,
    pub url: String,
    pub secret: SubscriptionSecret,
    pub event: OutboxEvent,
}

/// Claims up to `batch` deliveries due at `now`, earliest first (then in the outbox's order),
/// for one attempt each, with their subscriptions' secrets opened under `key`.
pub fn claim_due(
    db: &impl Sql,
    now: DateTime<Utc>,
    batch: i64,
    key: &SealingKey,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let at = timestamp(now);
    let lease_until = timestamp(now + CLAIM_LEASE);
    in_immediate_transaction(db, || {
        let due = db.execute(DUE, &[text(&at), SqlValue::Integer(batch)])?;
        let mut claimed = Vec::with_capacity(due.rows.len());
        for row in &due.rows {
            let id = col_text(row, 0, "webhooks")?;
            if changed(db, CLAIM, &[text(&lease_until), text(&id), text(&at)])? != 1 {
                continue;
            }
            let rows = db.execute(CLAIMED, &[text(&id)])?;
            let row = rows
                .rows
                .first()
                .ok_or_else(|| corrupt(format!("delivery {id} lost its event or subscription")))?;
            let stored = col_text(row, 3, "webhooks")?;
            let opened = key
                .open(&stored)
                .map_err(|e| corrupt(format!("delivery {id}: stored secret: {e}")))?;
            let secret = SubscriptionSecret::parse(&opened)
                .map_err(|e| corrupt(format!("delivery {id}: stored secret: {e}")))?;
            claimed.push(ClaimedDelivery {
                id: col_text(row, 0, "webhooks")?,
                attempts: u32::try_from(col_int(row, 1, "webhooks")?).unwrap_or(u32::MAX),
                url: col_text(row, 2, "webhooks")?,
                secret,
                event: OutboxEvent {
                    id: col_text(row, 4, "webhooks")?,
                    event_type: col_text(row, 5, "webhooks")?,
                    subject: col_text(row, 6, "webhooks")?,
                    data: col_text(row, 7, "webhooks")?,
                    occurred_at: col_text(row, 8, "webhooks")?,
                },
            });
        }
        Ok(claimed)
    })
}

/// Records an attempt's outcome: delivered, retry at the policy's time, or dead letter. A
/// delivery no longer pending (its subscription was deactivated meanwhile) is left as it is.
pub fn record_attempt(
    db: &impl Sql,
    delivery: &str,
    outcome: &AttemptOutcome,
    policy: &RetryPolicy,
    now: DateTime<Utc>,
) -> Result<DeliveryStatus, StoreError> {
    let at = timestamp(now);
    let status = outcome
        .status()
        .map_or(SqlValue::Null, |s| SqlValue::Integer(i64::from(s)));
    let error = outcome.error().map_or(SqlValue::Null, SqlValue::Text);
    in_immediate_transaction(db, || {
        let Some(attempts) = db.execute(ATTEMPTS, &[text(delivery)])?.first_integer() else {
            return Ok(DeliveryStatus::Dead);
        };
        if outcome.delivered() {
            change_one(
                db,
                MARK_DELIVERED,
                &[text(&at), status.clone(), text(delivery)],
            )?;
            return Ok(DeliveryStatus::Delivered);
        }
        let failed = u32::try_from(attempts.saturating_add(1)).unwrap_or(u32::MAX);
        match policy.after_failure(failed, now) {
            NextStep::RetryAt(next) => {
                change_one(
                    db,
                    MARK_RETRY,
                    &[
                        text(&at),
                        status.clone(),
                        error.clone(),
                        text(&timestamp(next)),
                        text(delivery),
                    ],
                )?;
                Ok(DeliveryStatus::Pending)
            }
            NextStep::DeadLetter => {
                change_one(
                    db,
                    MARK_DEAD,
                    &[text(&at), status.clone(), error.clone(), text(delivery)],
                )?;
                Ok(DeliveryStatus::Dead)
            }
        }
    })
}

/// A delivery as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub subscription_id: String,
    pub status: String,
    pub attempts: i64,
    /// When a pending delivery is next attempted; `None` once delivered or dead.
    pub next_attempt_at: Option<String>,
    pub last_attempt_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    pub dead_at: Option<String>,
    pub created_at: String,
}

fn delivery_from_row(row: &[SqlValue]) -> Result<Delivery, StoreError> {
    let status = col_text(row, 4, "webhooks")?;
    let next = col_text(row, 6, "webhooks")?;
    Ok(Delivery {
        id: col_text(row, 0, "webhooks")?,
        event_id: col_text(row, 1, "webhooks")?,
        event_type: col_text(row, 2, "webhooks")?,
        subscription_id: col_text(row, 3, "webhooks")?,
        next_attempt_at: (status == DeliveryStatus::Pending.as_str()).then_some(next),
        status,
        attempts: col_int(row, 5, "webhooks")?,
        last_attempt_at: col_opt_text(row, 7, "webhooks")?,
        last_status: col_opt_int(row, 8, "webhooks")?,
        last_error: col_opt_text(row, 9, "webhooks")?,
        delivered_at: col_opt_text(row, 10, "webhooks")?,
        dead_at: col_opt_text(row, 11, "webhooks")?,
        created_at: col_text(row, 12, "webhooks")?,
    })
}

pub fn get_delivery(db: &impl Sql, id: DeliveryId) -> Result<Option<Delivery>, StoreError> {
    let rows = db.execute(
        &format!("{DELIVERY_COLUMNS} WHERE d.id = ?"),
        &[text(&id.to_string())],
    )?;
    rows.rows.first().map(|r| delivery_from_row(r)).transpose()
}

/// What a delivery listing asks for.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    pub subscription: Option<SubscriptionId>,
    pub event_type: Option<EventType>,
    /// 1 to `MAX_LIST_LIMIT`.
    pub limit: i64,
}

/// Deliveries matching `filter`, newest first.
pub fn list_deliveries(
    db: &impl Sql,
    filter: &DeliveryFilter,
) -> Result<Vec<Delivery>, StoreError> {
    let mut conditions = Vec::new();
    let mut params = Vec::new();
    if let Some(status) = filter.status {
        conditions.push("d.status = ?");
        params.push(text(status.as_str()));
    }
    if let Some(subscription) = filter.subscription {
        conditions.push("d.subscription_id = ?");
        params.push(text(&subscription.to_string()));
    }
    if let Some(event_type) = filter.event_type {
        conditions.push("o.event_type = ?");
        params.push(text(event_type.as_str()));
    }
    let clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    params.push(SqlValue::Integer(filter.limit.clamp(1, MAX_LIST_LIMIT)));
    let rows = db.execute(
        &format!("{DELIVERY_COLUMNS}{clause} ORDER BY d.id DESC LIMIT ?"),
        &params,
    )?;
    rows.rows.iter().map(|r| delivery_from_row(r)).collect()
}

/// Puts a dead letter back in the queue, due now with a fresh count of attempts. Only a dead
/// delivery of an active subscription can be redelivered.
pub fn redeliver(
    db: &impl Sql,
    change: Change<'_>,
    id: DeliveryId,
) -> Result<Delivery, WebhookError> {
    let at = timestamp(change.now);
    in_immediate_transaction(db, || {
        let before = get_delivery(db, id)?.ok_or(WebhookError::NotFound("delivery"))?;
        if before.status != DeliveryStatus::Dead.as_str() {
            return Err(WebhookError::Conflict(format!(
                "only a dead letter can be redelivered; this delivery is {}",
                before.status
            )));
        }
        let active = load_subscription(db, &before.subscription_id)?.is_some_and(|s| s.active);
        if !active {
            return Err(WebhookError::Conflict(
                "the delivery's subscription is deactivated".to_owned(),
            ));
        }
        change_one(db, REQUEUE, &[text(&at), text(&id.to_string())])?;
        let after =
            get_delivery(db, id)?.ok_or_else(|| corrupt("a delivery just updated is not there"))?;
        append_audit_entry(
            db,
            change.actor,
            "webhooks.delivery-redeliver",
            &format!("webhook_deliveries/{id}"),
            &json!(before),
            &json!(after),
            change.now,
        )?;
        Ok(after)
    })
}

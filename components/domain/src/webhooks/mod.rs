//! Webhooks out: integrators subscribe a URL to event types (`subscription`), and every event
//! appended to the `outbox` reaches each matching active subscription at least once, signed
//! (`crate::signature`), retried with exponential backoff and dead-lettered after the last
//! attempt (`delivery`). The SQL is `repository`'s, over the tables of
//! `migrations/0006_webhooks.sql`; the webhooks function (`components/webhooks`) does the
//! outbound HTTP and reads the clock and the Spin variables.
//!
//! How an event travels: a delivery run first hands undelivered outbox events over (one
//! `webhook_deliveries` row per event and matching subscription, then the event's
//! `delivered_at` is set: the outbox's part is done), then claims the deliveries that are due,
//! POSTs each, and records the outcome. A 2xx delivers; anything else (another status, a
//! refused or failed connection) schedules the next attempt, or dead-letters the delivery when
//! it was the last. Receivers deduplicate on the event id, which every attempt repeats.

pub mod delivery;
pub mod repository;
pub mod subscription;

use crate::storage::StoreError;

pub use delivery::{AttemptOutcome, DeliveryStatus, NextStep, RetryPolicy};
pub use subscription::{
    AllowedHost, SubscriptionDraft, SubscriptionSecret, WebhookUrl, parse_event_types,
};

/// What can go wrong with a webhooks request, with what the client needs to know.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WebhookError {
    /// A value outside its domain (400), naming the field.
    #[error("{field}: {detail}")]
    Invalid { field: String, detail: String },
    /// A well-formed value the current configuration cannot take (422), naming the field.
    #[error("{field}: {detail}")]
    NotAllowed { field: String, detail: String },
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The resource is not in a state that takes the action (409).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WebhookError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        WebhookError::Invalid {
            field: field.into(),
            detail: detail.into(),
        }
    }
}

crate::ids::v7_id!(
    /// The id of a subscription.
    SubscriptionId
);

crate::ids::v7_id!(
    /// The id of one delivery: one event to one subscription.
    DeliveryId
);

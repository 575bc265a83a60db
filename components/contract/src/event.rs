//! The event envelope (WIT `events.event-envelope`), written by hand because its WIT field
//! `type` is a Rust keyword: generated, it would be `type_` on the wire. Here the field is
//! `event_type` in Rust and `type` in JSON; `tests/wit_drift.rs` checks it against the WIT.

use serde::{Deserialize, Serialize};

/// A domain event as appended to the outbox and delivered to webhook subscribers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub id: String,
    /// Dotted event name, e.g. `"order.placed"`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// RFC 3339 UTC.
    pub occurred_at: String,
    /// Id of the thing the event is about.
    pub subject: String,
    /// The payload, a JSON document serialised into a string.
    pub data: String,
}

//! One delivery attempt over outbound HTTP: the event envelope (WIT `events.event-envelope`,
//! `o2o_contract::EventEnvelope`) POSTed as JSON to the subscription's URL, with the event id
//! (receivers deduplicate on it), the event type, the signing time and the HMAC-SHA256
//! signature of `"<timestamp>." + body` under the subscription's secret
//! (`o2o_domain::signature`). Whatever happens becomes an `AttemptOutcome`; nothing here
//! decides what follows (that is `RetryPolicy`'s).

use chrono::{DateTime, Utc};
use o2o_contract::EventEnvelope;
use o2o_domain::signature::{
    self, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use o2o_domain::webhooks::AttemptOutcome;
use o2o_domain::webhooks::repository::{ClaimedDelivery, OutboxEvent};
use spin_sdk::http::{Method, Request, Response};

/// Which attempt this is, 1-based (a redelivered dead letter counts from 1 again).
pub const ATTEMPT_HEADER: &str = "x-o2o-delivery-attempt";

/// The body every attempt of an event sends: the same bytes each time.
pub fn envelope_body(event: &OutboxEvent) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&EventEnvelope {
        id: event.id.clone(),
        event_type: event.event_type.clone(),
        occurred_at: event.occurred_at.clone(),
        subject: event.subject.clone(),
        data: event.data.clone(),
    })
}

/// Sends one attempt of `delivery`, signed at `now`, and reports what came of it.
pub async fn attempt(delivery: &ClaimedDelivery, now: DateTime<Utc>) -> AttemptOutcome {
    let body = match envelope_body(&delivery.event) {
        Ok(body) => body,
        Err(e) => return AttemptOutcome::NoAnswer(format!("the envelope could not be built: {e}")),
    };
    let timestamp = now.timestamp();
    let signed = signature::sign(delivery.secret.as_bytes(), timestamp, &body);
    let request = Request::builder()
        .method(Method::Post)
        .uri(delivery.url.as_str())
        .header("content-type", "application/json")
        .header("content-length", body.len().to_string())
        .header("user-agent", "o2o-webhooks")
        .header(EVENT_ID_HEADER, delivery.event.id.as_str())
        .header(EVENT_TYPE_HEADER, delivery.event.event_type.as_str())
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signed)
        .header(
            ATTEMPT_HEADER,
            delivery.attempts.saturating_add(1).to_string(),
        )
        .body(body)
        .build();
    match spin_sdk::http::send::<_, Response>(request).await {
        Ok(response) => AttemptOutcome::Answered(*response.status()),
        Err(e) => AttemptOutcome::NoAnswer(format!("no answer: {e}")),
    }
}

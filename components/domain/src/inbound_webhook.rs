//! The one gate every inbound webhook (the payment provider's confirmations, couriers'
//! status updates) goes through: the HMAC-SHA256 signature over timestamp and body with the
//! sender's secret (`signature::verify`, which also refuses a timestamp outside the window),
//! then replay refusal: a signature accepted once is recorded in `webhook_receipts`
//! (`migrations/0005_orders.sql`) and refused the second time. A provider that retries signs
//! anew with a fresh timestamp, so its retry passes this gate and the route's own idempotency
//! (e.g. the same payment reference) decides that it changes nothing.

use chrono::{DateTime, Duration, Utc};

use crate::signature::{self, SignatureError};
use crate::storage::row::changed;
use crate::storage::timestamp;
use crate::storage::{Sql, SqlValue, StoreError};

const RECORD_RECEIPT: &str = "INSERT INTO webhook_receipts (source, signature, received_at) \
     VALUES (?, ?, ?) ON CONFLICT (source, signature) DO NOTHING";

/// How far a signed timestamp may be from now: five minutes, either way.
pub fn replay_window() -> Duration {
    Duration::minutes(5)
}

/// Why an inbound webhook was refused; the edge answers 401 naming the header.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InboundRefusal {
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("this signed message was already received")]
    Replayed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Accepts a signed message from `source` once: verifies it, then records its signature.
pub fn accept(
    db: &impl Sql,
    source: &str,
    secret: &[u8],
    timestamp_header: Option<&str>,
    signature_header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), InboundRefusal> {
    signature::verify(
        secret,
        timestamp_header,
        signature_header,
        body,
        now,
        replay_window(),
    )?;
    let seen = signature_header.unwrap_or_default().trim();
    let recorded = changed(
        db,
        RECORD_RECEIPT,
        &[
            SqlValue::from(source),
            SqlValue::from(seen),
            SqlValue::Text(timestamp(now)),
        ],
    )?;
    match recorded {
        1 => Ok(()),
        _ => Err(InboundRefusal::Replayed),
    }
}

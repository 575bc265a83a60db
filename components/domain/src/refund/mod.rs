//! Refunds (issue 6): money back for part or all of an order, exactly what was paid. `amount`
//! holds the one cent rule (what refunded units of a line are worth); `policy` what may be
//! refunded and for how much (which orders, goods returned, the delivery fee and coupon
//! rules); `status` the refund status machine; `lifecycle` request, approval, rejection and
//! completion, each one transaction with its outbox events; `repository` the SQL of
//! `migrations/0008_refunds.sql`.

pub mod amount;
pub mod lifecycle;
pub mod policy;
pub mod repository;
pub mod status;

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::{Timestamp, Uuid};

pub use amount::{UnitsExceeded, refund_for_units, remaining_on_line};
pub use lifecycle::{
    RefundCompletion, RefundError, RefundPolicy, RefundRequest, Requester, approve, complete,
    reject, request,
};
pub use policy::{AlreadyRefunded, RefundAsk, RefundPlan, RefundRefused, plan};
pub use repository::{Refund, RefundLine, RefundStatusChange};
pub use status::{RefundStatus, RefundTransitionRefused};

/// The id of a refund: a v7 uuid, so an order's refunds sort by request time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RefundId(Uuid);

impl RefundId {
    pub fn new(now: DateTime<Utc>) -> Self {
        let secs = u64::try_from(now.timestamp()).unwrap_or(0);
        RefundId(Uuid::new_v7(Timestamp::from_unix(
            uuid::NoContext,
            secs,
            now.timestamp_subsec_nanos(),
        )))
    }

    /// Parses a refund id from a path segment; only the hyphenated form is accepted.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.len() != 36 {
            return None;
        }
        Uuid::try_parse(raw).ok().map(RefundId)
    }
}

impl fmt::Display for RefundId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

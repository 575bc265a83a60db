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

pub use amount::{LineRefundError, UnitsExceeded, refund_for_units, remaining_on_line};
pub use lifecycle::{
    RefundCompletion, RefundError, RefundPolicy, RefundRequest, Requester, approve, complete,
    reject, request, request_within,
};
pub use policy::{AlreadyRefunded, RefundAsk, RefundPlan, RefundRefused, plan};
pub use repository::{Refund, RefundLine, RefundStatusChange};
pub use status::{RefundStatus, RefundTransitionRefused};

crate::ids::v7_id!(
    /// The id of a refund: an order's refunds sort by request time.
    RefundId
);

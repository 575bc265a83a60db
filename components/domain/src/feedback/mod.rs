//! Feedback from verified buyers (issue 6, "Feedback"): per order line a 1–5 rating with an
//! optional text, a store service rating and, for delivery orders, a delivery rating; the
//! aggregates per product and per store; and complaints, opened by a low rating or asked for
//! explicitly, which staff resolve with a note.
//!
//! - `values`: `Rating`, `FeedbackText`, `ComplaintCategory`, parsed once at the edge.
//! - `submission`: what a customer may review (`Submission::check_against`): the owner of a
//!   delivered or collected order, each line once, the delivery rating only for a delivery.
//! - `complaint`: when a submission opens a complaint (`complaint_for`), and the complaint
//!   status machine (`ComplaintStatus::can_move_to`: open → resolved only).
//! - `summary`: average (2 decimals, half away from zero), count and distribution 1–5.
//! - `repository`: the SQL of `migrations/0009_feedback.sql`; each write is one
//!   `BEGIN IMMEDIATE` transaction with its outbox event or audit entry.
//!
//! Reviews are final: there is no edit. A review feeds the aggregates and may already have
//! opened a complaint and told subscribers about it; an edit could not take those back.

pub mod complaint;
pub mod repository;
pub mod submission;
pub mod summary;
pub mod values;

pub use complaint::{ComplaintStatus, NewComplaint, complaint_for};
pub use submission::{LineReview, Submission};
pub use summary::RatingSummary;
pub use values::{ComplaintCategory, FeedbackText, Rating};

use crate::ids::OrderId;
use crate::order::OrderStatus;
use crate::storage::StoreError;

/// Why a submission or a complaint change was refused. Each names the field at fault, so
/// that the edge can map it to one problem.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FeedbackError {
    /// A request that is wrong whatever the shop's state (400).
    #[error("{detail}")]
    Invalid { field: String, detail: String },
    /// No such order for this customer: unknown, or someone else's (422 `order_id`; the
    /// same answer for both, so an order id tells nothing about another customer).
    #[error("customer has no order {0}")]
    NotTheirOrder(OrderId),
    /// The order is not delivered or collected yet (422 `order_id`).
    #[error("the order is {0}; it can be reviewed once it is delivered or collected")]
    NotReceivedYet(OrderStatus),
    /// `lines[index].line` names no line of the order (422).
    #[error("the order has no line {line}")]
    UnknownLine { index: usize, line: u32 },
    /// A delivery rating for an order that was picked up (422 `delivery_rating`).
    #[error("the order was picked up at the store: there is no delivery to rate")]
    NoDeliveryToRate,
    /// `lines[index].line` was reviewed before (409).
    #[error("line {line} of this order was already reviewed; reviews cannot be changed")]
    LineAlreadyReviewed { index: usize, line: u32 },
    /// The store or delivery rating of this order was given before (409 naming it).
    #[error("this order's {field} was already given; ratings cannot be changed")]
    AlreadyRated { field: &'static str },
    /// No complaint with this id (404).
    #[error("no such complaint")]
    ComplaintNotFound,
    /// A move the complaint status machine refuses (409).
    #[error("the complaint is {from}; it cannot become {to}")]
    ComplaintTransition {
        from: ComplaintStatus,
        to: ComplaintStatus,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl FeedbackError {
    pub fn invalid(field: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        FeedbackError::Invalid {
            field: field.into(),
            detail: detail.to_string(),
        }
    }
}

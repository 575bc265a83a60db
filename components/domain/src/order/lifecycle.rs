//! What happens to an order after it is placed, short of fulfilment (the dispatch function's):
//! the payment is confirmed, the customer cancels, or the payment window closes. Each is one
//! `BEGIN IMMEDIATE` transaction that moves the status along the table
//! (`OrderStatus::move_to`), does what the move means for stock and promotions, and appends
//! the event, so a move is never half done:
//!
//! - paid: the amount must equal the order's total; the goods stay held until they leave the
//!   store. A confirmation for an order already paid with the same reference changes nothing
//!   (the provider retries); with another reference it is refused.
//! - cancelled (from pending_payment, confirmed or paid): the reservation is released and the
//!   coupon uses and flash-sale units go back; a paid cancel owes the customer a refund, said
//!   in the timeline and the event.
//! - expired (unpaid past its window): as cancelled, lazily when the order is next read or
//!   paid, and through a sweep.

use chrono::{DateTime, Duration, Utc};

use crate::events::EventType;
use crate::ids::OrderId;
use crate::money::Money;
use crate::stock::StockError;
use crate::stock::{extend_hold_within, release_within};
use crate::storage::in_immediate_transaction;
use crate::storage::{Sql, StoreError};

use super::limits;
use super::repository::{self as orders, Order};
use super::status::{OrderStatus, TransitionRefused};

/// Why a change to an order was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OrderError {
    #[error("no order {0}")]
    NotFound(OrderId),
    #[error(transparent)]
    Transition(#[from] TransitionRefused),
    #[error("the payment of {paid} does not match the order total {total}")]
    AmountMismatch { paid: Money, total: Money },
    #[error("the order was already paid with reference {0}")]
    PaidWithAnotherReference(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<StockError> for OrderError {
    fn from(value: StockError) -> Self {
        match value {
            StockError::Store(store) => OrderError::Store(store),
            other => OrderError::Store(StoreError::Corrupt(format!(
                "the order's reservation cannot be released: {other}"
            ))),
        }
    }
}

/// A payment the provider confirmed (its signature already verified at the edge).
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentConfirmation {
    pub reference: String,
    pub amount: Money,
}

/// The order, after expiring it if its payment window closed at `now`.
pub fn get(db: &impl Sql, id: OrderId, now: DateTime<Utc>) -> Result<Order, OrderError> {
    let order = orders::load(db, id)?.ok_or(OrderError::NotFound(id))?;
    if order.payment_overdue(now) {
        expire(db, id, now)?;
        return orders::load(db, id)?.ok_or(OrderError::NotFound(id));
    }
    Ok(order)
}

/// Records a confirmed payment: pending_payment → paid, the goods held for `hold`.
pub fn confirm_payment(
    db: &impl Sql,
    id: OrderId,
    payment: &PaymentConfirmation,
    hold: Duration,
    now: DateTime<Utc>,
) -> Result<Order, OrderError> {
    let order = get(db, id, now)?;
    if order.status != OrderStatus::PendingPayment
        && let Some(reference) = &order.payment_reference
    {
        return if reference == &payment.reference {
            Ok(order)
        } else {
            Err(OrderError::PaidWithAnotherReference(reference.clone()))
        };
    }
    if payment.amount.currency() != order.total.currency()
        || payment.amount.rounded() != order.total.rounded()
    {
        return Err(OrderError::AmountMismatch {
            paid: payment.amount,
            total: order.total,
        });
    }
    // The hold is renewed with the payment, in its transaction: a payment recorded while its
    // goods stay due to expire at the end of the payment window would let them be sold again.
    in_immediate_transaction(db, || {
        orders::move_status(
            db,
            &order,
            OrderStatus::Paid,
            None,
            EventType::OrderPaid,
            now,
        )??;
        orders::record_payment(db, id, &payment.reference, now)?;
        extend_hold_within(db, order.reservation, now + hold, now)?;
        Ok::<_, OrderError>(())
    })?;
    orders::load(db, id)?.ok_or(OrderError::NotFound(id))
}

/// The customer (or staff) cancels: the goods and promotions go back.
pub fn cancel(
    db: &impl Sql,
    id: OrderId,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Order, OrderError> {
    let order = get(db, id, now)?;
    let note = match (order.status.cancel_owes_refund(), reason) {
        (true, Some(reason)) => format!("{reason}; a refund of {} is owed", order.total),
        (true, None) => format!("a refund of {} is owed", order.total),
        (false, Some(reason)) => reason.to_owned(),
        (false, None) => "cancelled".to_owned(),
    };
    close(
        db,
        &order,
        OrderStatus::Cancelled,
        &note,
        EventType::OrderCancelled,
        now,
    )?;
    orders::load(db, id)?.ok_or(OrderError::NotFound(id))
}

/// An unpaid order whose payment window closed: its goods and promotions go back.
pub fn expire(db: &impl Sql, id: OrderId, now: DateTime<Utc>) -> Result<(), OrderError> {
    let order = orders::load(db, id)?.ok_or(OrderError::NotFound(id))?;
    if !order.payment_overdue(now) {
        return Ok(());
    }
    match close(
        db,
        &order,
        OrderStatus::Expired,
        "payment not received in time",
        EventType::OrderExpired,
        now,
    ) {
        // Paid or cancelled meanwhile: nothing to expire.
        Err(OrderError::Transition(_)) => Ok(()),
        other => other,
    }
}

/// Expires every unpaid order whose window closed, at most `limit` per call; for a scheduler.
pub fn sweep_unpaid(db: &impl Sql, now: DateTime<Utc>, limit: u32) -> Result<u32, OrderError> {
    let due = orders::due_unpaid(db, now, limit)?;
    for id in &due {
        expire(db, *id, now)?;
    }
    Ok(due.len() as u32)
}

fn close(
    db: &impl Sql,
    order: &Order,
    to: OrderStatus,
    note: &str,
    event: EventType,
    now: DateTime<Utc>,
) -> Result<(), OrderError> {
    in_immediate_transaction(db, || {
        orders::move_status(db, order, to, Some(note), event, now)??;
        if order.status.holds_reservation() {
            release_within(db, order.reservation, now)?;
        }
        limits::give_back_within(db, order.id)?;
        Ok(())
    })
}

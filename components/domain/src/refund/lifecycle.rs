//! What happens to a refund: requested (priced by `policy::plan` against what earlier refunds
//! took), approved or rejected, completed. Each step is one `BEGIN IMMEDIATE` transaction with
//! its outbox events, so that a step is never half done:
//!
//! - request: the order and its earlier refunds are read, the plan is made and the refund is
//!   written under one write lock (two requests cannot both take the last units); appends
//!   `refund.requested`. A refund whose total is at most `RefundPolicy::auto_approve_max` is
//!   approved in the same transaction (decided by `auto`).
//! - approve (staff): returned goods go back on hand at the fulfilling store (an adjustment
//!   with reason `customer-return`), the coupon uses come back when the refund completes the
//!   order; appends `refund.approved`. A pay-at-pickup order is paid back at the till, so its
//!   refund is completed at once (`refund.completed`).
//! - reject (staff, with a note): the units it held are refundable again.
//! - complete: the payment provider's signed callback (verified at the edge) with the amount,
//!   which must be the refund's total; appends `refund.completed`. The provider's retry with
//!   the same reference changes nothing; another reference for a completed refund is refused.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::events::EventType;
use crate::ids::{CustomerId, OrderId};
use crate::money::Money;
use crate::order::PaymentMethod;
use crate::order::limits;
use crate::order::repository::{self as orders, Order};
use crate::stock::{MovementKind, ReasonCode, StockError};
use crate::stock::{StockMove, move_stock_within};
use crate::storage::in_immediate_transaction;
use crate::storage::journal::{append_audit_entry, append_outbox_event};
use crate::storage::{Sql, StoreError};

use super::RefundId;
use super::policy::{RefundAsk, RefundRefused, covers_every_line, plan};
use super::repository::{self as refunds, NewRefund, Refund};
use super::status::{RefundStatus, RefundTransitionRefused};

/// Who decided a refund under the threshold.
pub const AUTO_APPROVER: &str = "auto";

/// How refunds are decided: at most this total, a refund is approved without staff.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RefundPolicy {
    pub auto_approve_max: Money,
}

/// Who asks for a refund: the order's owner, or staff on their behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum Requester {
    Customer(CustomerId),
    Staff(String),
}

impl Requester {
    fn label(&self) -> String {
        match self {
            Requester::Customer(c) => format!("customer:{}", c.as_str()),
            Requester::Staff(s) => format!("staff:{s}"),
        }
    }
}

/// A refund request, parsed at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundRequest {
    pub order: OrderId,
    pub requester: Requester,
    pub reason: String,
    pub ask: RefundAsk,
}

/// The payment provider's word that the money went back (signature verified at the edge).
#[derive(Debug, Clone, PartialEq)]
pub struct RefundCompletion {
    pub reference: String,
    pub amount: Money,
}

/// Why a refund step was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RefundError {
    #[error("no order {0}")]
    OrderNotFound(OrderId),
    #[error("no refund {0}")]
    NotFound(RefundId),
    #[error(transparent)]
    Refused(#[from] RefundRefused),
    #[error(transparent)]
    Transition(#[from] RefundTransitionRefused),
    #[error("the amount {paid} does not match the refund total {total}")]
    AmountMismatch { paid: Money, total: Money },
    #[error("the refund was already completed with reference {0}")]
    CompletedWithAnotherReference(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<StockError> for RefundError {
    fn from(value: StockError) -> Self {
        match value {
            StockError::Store(store) => RefundError::Store(store),
            other => RefundError::Store(StoreError::Corrupt(format!(
                "returned goods cannot go back on hand: {other}"
            ))),
        }
    }
}

pub fn get(db: &impl Sql, id: RefundId) -> Result<Refund, RefundError> {
    refunds::load(db, id)?.ok_or(RefundError::NotFound(id))
}

/// The order a refund is for, with its refunds, oldest first.
pub fn of_order(db: &impl Sql, order: OrderId) -> Result<(Order, Vec<Refund>), RefundError> {
    let found = orders::load(db, order)?.ok_or(RefundError::OrderNotFound(order))?;
    Ok((found, refunds::of_order(db, order)?))
}

/// Requests a refund, approving it at once when its total is at most the threshold.
pub fn request(
    db: &impl Sql,
    request: &RefundRequest,
    policy: RefundPolicy,
    now: DateTime<Utc>,
) -> Result<Refund, RefundError> {
    in_immediate_transaction(db, || request_within(db, request, policy, now))
}

/// `request` inside the caller's transaction, which holds the write lock: the refund route
/// claims its Idempotency-Key and saves its answer in the same transaction.
pub fn request_within(
    db: &impl Sql,
    request: &RefundRequest,
    policy: RefundPolicy,
    now: DateTime<Utc>,
) -> Result<Refund, RefundError> {
    let id = RefundId::new(now);
    let order =
        orders::load(db, request.order)?.ok_or(RefundError::OrderNotFound(request.order))?;
    if let Requester::Customer(customer) = &request.requester
        && customer != &order.customer
    {
        // Someone else's order is no order of theirs: nothing about it is revealed.
        return Err(RefundError::OrderNotFound(request.order));
    }
    let already = refunds::already_refunded(db, order.id)?;
    let planned = plan(&order, &already, &request.ask)?;
    let requested_by = request.requester.label();
    refunds::insert_requested(
        db,
        &NewRefund {
            id,
            order: order.id,
            customer: &order.customer,
            reason: &request.reason,
            goods_returned: request.ask.goods_returned,
            plan: &planned,
            requested_by: &requested_by,
        },
        now,
    )?;
    let refund = get(db, id)?;
    append_outbox_event(
        db,
        EventType::RefundRequested,
        &id.to_string(),
        &event(&refund),
        now,
    )?;
    if let Requester::Staff(staff) = &request.requester {
        // Every staff action lands in the audit log (DESIGN.md, Security).
        append_audit_entry(
            db,
            staff,
            "refund.request",
            &id.to_string(),
            &json!(null),
            &event(&refund),
            now,
        )?;
    }
    if refund.total.amount() <= policy.auto_approve_max.amount() {
        approve_within(db, &refund, &order, AUTO_APPROVER, now)?;
    }
    get(db, id)
}

/// Staff approve a requested refund.
pub fn approve(
    db: &impl Sql,
    id: RefundId,
    staff: &str,
    now: DateTime<Utc>,
) -> Result<Refund, RefundError> {
    in_immediate_transaction(db, || {
        let refund = get(db, id)?;
        let order =
            orders::load(db, refund.order)?.ok_or(RefundError::OrderNotFound(refund.order))?;
        approve_within(db, &refund, &order, staff, now)?;
        append_audit_entry(
            db,
            staff,
            "refund.approve",
            &id.to_string(),
            &json!({"status": refund.status.as_str()}),
            &json!({"status": RefundStatus::Approved.as_str(), "total": refund.total.amount_string()}),
            now,
        )?;
        Ok::<_, RefundError>(())
    })?;
    get(db, id)
}

/// Staff reject a requested refund; its units are refundable again.
pub fn reject(
    db: &impl Sql,
    id: RefundId,
    staff: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Refund, RefundError> {
    in_immediate_transaction(db, || {
        let refund = get(db, id)?;
        refunds::decide(db, &refund, RefundStatus::Rejected, staff, Some(note), now)??;
        append_audit_entry(
            db,
            staff,
            "refund.reject",
            &id.to_string(),
            &json!({"status": refund.status.as_str()}),
            &json!({"status": RefundStatus::Rejected.as_str(), "note": note}),
            now,
        )?;
        Ok::<_, RefundError>(())
    })?;
    get(db, id)
}

/// The payment provider confirms the money went back.
pub fn complete(
    db: &impl Sql,
    id: RefundId,
    completion: &RefundCompletion,
    now: DateTime<Utc>,
) -> Result<Refund, RefundError> {
    in_immediate_transaction(db, || {
        let refund = get(db, id)?;
        if refund.status == RefundStatus::Completed {
            return match &refund.refund_reference {
                Some(reference) if reference == &completion.reference => Ok(()),
                Some(reference) => Err(RefundError::CompletedWithAnotherReference(
                    reference.clone(),
                )),
                None => Err(RefundError::CompletedWithAnotherReference(String::new())),
            };
        }
        if completion.amount.currency() != refund.total.currency()
            || completion.amount.rounded() != refund.total.rounded()
        {
            return Err(RefundError::AmountMismatch {
                paid: completion.amount,
                total: refund.total,
            });
        }
        complete_within(db, &refund, &completion.reference, "payment-provider", now)
    })?;
    get(db, id)
}

/// Approval inside the caller's transaction: returned goods on hand, coupon uses back when the
/// order is wholly refunded, `refund.approved`; pay-at-pickup completes at once.
fn approve_within(
    db: &impl Sql,
    refund: &Refund,
    order: &Order,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), RefundError> {
    refunds::decide(db, refund, RefundStatus::Approved, actor, None, now)??;
    if refund.goods_returned {
        let returned_by = format!("{actor} (refund {})", refund.id);
        for line in &refund.lines {
            move_stock_within(
                db,
                &StockMove {
                    store: &order.store,
                    sku: &line.sku,
                    delta: i64::from(line.quantity),
                    kind: MovementKind::Adjustment,
                    reason: Some(ReasonCode::CustomerReturn),
                    actor: &returned_by,
                },
                now,
            )?;
        }
    }
    // The coupon uses come back once approved refunds cover every unit, counted now, under
    // the lock: the flag the request was planned with counted refunds then pending, which
    // may since have been rejected. `give_back_within` gives back once, whichever approval
    // completes the order.
    if covers_every_line(order, &refunds::units_refunded_for_good(db, order.id)?) {
        limits::give_back_within(db, order.id)?;
    }
    let approved = Refund {
        status: RefundStatus::Approved,
        ..refund.clone()
    };
    append_outbox_event(
        db,
        EventType::RefundApproved,
        &refund.id.to_string(),
        &event(&approved),
        now,
    )?;
    if order.payment_method == PaymentMethod::PayAtPickup {
        let reference = format!("store:{}", order.store.as_str());
        complete_within(db, &approved, &reference, actor, now)?;
    }
    Ok(())
}

fn complete_within(
    db: &impl Sql,
    refund: &Refund,
    reference: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), RefundError> {
    refunds::complete(db, refund, reference, actor, now)??;
    let completed = Refund {
        status: RefundStatus::Completed,
        refund_reference: Some(reference.to_owned()),
        ..refund.clone()
    };
    append_outbox_event(
        db,
        EventType::RefundCompleted,
        &refund.id.to_string(),
        &event(&completed),
        now,
    )?;
    Ok(())
}

/// The event document of a refund.
fn event(refund: &Refund) -> serde_json::Value {
    json!({
        "refund_id": refund.id.to_string(),
        "order_id": refund.order.to_string(),
        "customer_id": refund.customer.as_str(),
        "status": refund.status.as_str(),
        "total": {"amount": refund.total.amount_string(), "currency": refund.currency.as_str()},
        "goods_returned": refund.goods_returned,
        "refund_reference": refund.refund_reference,
    })
}

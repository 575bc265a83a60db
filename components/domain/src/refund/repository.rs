//! Where refunds are kept (`migrations/0008_refunds.sql`): the refund row with its amounts, its
//! lines, its status timeline, and what earlier refunds of an order took (`already_refunded`,
//! read inside the same `BEGIN IMMEDIATE` transaction as the insert, so two requests cannot
//! both take the last units). Every status change is a guarded
//! `UPDATE ... WHERE status = <from>`, checked with `SELECT changes()`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::ids::{CustomerId, OrderId};
use crate::money::{Currency, Money};
use crate::storage::row::{
    any, changed, col_flag, col_opt_text, col_parsed, col_text, col_u32, corrupt, flag,
    optional_text, text,
};
use crate::storage::timestamp;
use crate::storage::{Sql, SqlValue, StoreError};
use crate::values::Sku;

use super::RefundId;
use super::policy::{AlreadyRefunded, RefundPlan};
use super::status::{RefundStatus, RefundTransitionRefused};

const INSERT_REFUND: &str = "INSERT INTO refunds (id, order_id, customer_id, status, reason, \
     goods_returned, currency, goods_amount, delivery_fee, total, includes_delivery_fee, \
     completes_order, requested_by, requested_at, updated_at) \
     VALUES (?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const INSERT_LINE: &str = "INSERT INTO refund_lines (refund_id, order_id, line, sku, quantity, \
     amount) VALUES (?, ?, ?, ?, ?, ?)";
const INSERT_HISTORY: &str = "INSERT INTO refund_status_history (refund_id, seq, status, at, \
     actor, note) VALUES (?1, (SELECT COALESCE(MAX(seq), -1) + 1 FROM refund_status_history \
     WHERE refund_id = ?1), ?2, ?3, ?4, ?5)";
const REFUNDED_UNITS: &str = "SELECT l.line, SUM(l.quantity) FROM refund_lines l \
     JOIN refunds r ON r.id = l.refund_id \
     WHERE l.order_id = ? AND r.status <> 'rejected' GROUP BY l.line";
const UNITS_REFUNDED_FOR_GOOD: &str = "SELECT l.line, SUM(l.quantity) FROM refund_lines l \
     JOIN refunds r ON r.id = l.refund_id \
     WHERE l.order_id = ? AND r.status IN ('approved', 'completed') GROUP BY l.line";
const FEE_REFUNDED: &str = "SELECT COUNT(*) FROM refunds WHERE order_id = ? \
     AND status <> 'rejected' AND includes_delivery_fee = 1";
const REFUND: &str = "SELECT id, order_id, customer_id, status, reason, goods_returned, currency, \
     goods_amount, delivery_fee, total, includes_delivery_fee, completes_order, requested_by, \
     requested_at, updated_at, decided_at, decided_by, note, completed_at, refund_reference \
     FROM refunds WHERE id = ?";
const LINES: &str = "SELECT line, sku, quantity, amount FROM refund_lines WHERE refund_id = ? \
     ORDER BY line";
const HISTORY: &str = "SELECT status, at, actor, note FROM refund_status_history \
     WHERE refund_id = ? ORDER BY seq";
const OF_ORDER: &str = "SELECT id FROM refunds WHERE order_id = ? ORDER BY id";
const DECIDE: &str = "UPDATE refunds SET status = ?, updated_at = ?, decided_at = ?, \
     decided_by = ?, note = ? WHERE id = ? AND status = ?";
const COMPLETE: &str = "UPDATE refunds SET status = 'completed', updated_at = ?, \
     completed_at = ?, refund_reference = ? WHERE id = ? AND status = 'approved'";

/// One line of a refund.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundLine {
    pub line: u32,
    pub sku: Sku,
    pub quantity: u32,
    pub amount: Money,
}

/// One move of a refund's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundStatusChange {
    pub status: RefundStatus,
    pub at: String,
    pub actor: String,
    pub note: Option<String>,
}

/// A refund as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Refund {
    pub id: RefundId,
    pub order: OrderId,
    pub customer: CustomerId,
    pub status: RefundStatus,
    pub reason: String,
    pub goods_returned: bool,
    pub currency: Currency,
    pub lines: Vec<RefundLine>,
    pub goods_amount: Money,
    pub delivery_fee: Money,
    pub total: Money,
    pub includes_delivery_fee: bool,
    pub completes_order: bool,
    pub requested_by: String,
    pub requested_at: String,
    pub updated_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
    pub completed_at: Option<String>,
    pub refund_reference: Option<String>,
    pub timeline: Vec<RefundStatusChange>,
}

/// What a new refund is made of.
pub struct NewRefund<'a> {
    pub id: RefundId,
    pub order: OrderId,
    pub customer: &'a CustomerId,
    pub reason: &'a str,
    pub goods_returned: bool,
    pub plan: &'a RefundPlan,
    pub requested_by: &'a str,
}

/// What the order's earlier refunds (all but rejected ones) took. Read inside the caller's
/// transaction.
pub fn already_refunded(db: &impl Sql, order: OrderId) -> Result<AlreadyRefunded, StoreError> {
    let id = order.to_string();
    let units = units_by_line(db, REFUNDED_UNITS, &id)?;
    let delivery_fee = any(db, FEE_REFUNDED, &[text(&id)])?;
    Ok(AlreadyRefunded {
        units,
        delivery_fee,
    })
}

/// Units per order line that approved or completed refunds gave back: what is refunded for
/// good, as opposed to asked for and still open to rejection.
pub fn units_refunded_for_good(
    db: &impl Sql,
    order: OrderId,
) -> Result<BTreeMap<u32, u32>, StoreError> {
    units_by_line(db, UNITS_REFUNDED_FOR_GOOD, &order.to_string())
}

fn units_by_line(
    db: &impl Sql,
    statement: &str,
    order: &str,
) -> Result<BTreeMap<u32, u32>, StoreError> {
    let mut units = BTreeMap::new();
    for row in db.execute(statement, &[text(order)])?.rows {
        match (row.first(), row.get(1)) {
            (Some(SqlValue::Integer(line)), Some(SqlValue::Integer(count))) => {
                let line = u32::try_from(*line).map_err(|_| corrupt("refund_lines.line"))?;
                let count = u32::try_from(*count).map_err(|_| corrupt("refund_lines.quantity"))?;
                units.insert(line, count);
            }
            other => return Err(corrupt(format!("refund_lines of {order}: {other:?}"))),
        }
    }
    Ok(units)
}

/// Writes a requested refund, its lines and the first step of its timeline, inside the
/// caller's transaction.
pub fn insert_requested(
    db: &impl Sql,
    refund: &NewRefund<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let id = refund.id.to_string();
    let order = refund.order.to_string();
    let at = timestamp(now);
    let plan = refund.plan;
    db.execute(
        INSERT_REFUND,
        &[
            text(&id),
            text(&order),
            text(refund.customer.as_str()),
            text(refund.reason),
            flag(refund.goods_returned),
            text(plan.total.currency().as_str()),
            text(&plan.goods_amount.amount_string()),
            text(&plan.delivery_fee.amount_string()),
            text(&plan.total.amount_string()),
            flag(plan.includes_delivery_fee),
            flag(plan.completes_order),
            text(refund.requested_by),
            text(&at),
            text(&at),
        ],
    )?;
    for line in &plan.lines {
        db.execute(
            INSERT_LINE,
            &[
                text(&id),
                text(&order),
                SqlValue::Integer(i64::from(line.line)),
                text(line.sku.as_str()),
                SqlValue::Integer(i64::from(line.quantity)),
                text(&line.amount.amount_string()),
            ],
        )?;
    }
    record_history(
        db,
        refund.id,
        RefundStatus::Requested,
        refund.requested_by,
        None,
        now,
    )
}

fn record_history(
    db: &impl Sql,
    id: RefundId,
    status: RefundStatus,
    actor: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db.execute(
        INSERT_HISTORY,
        &[
            text(&id.to_string()),
            text(status.as_str()),
            text(&timestamp(now)),
            text(actor),
            optional_text(note),
        ],
    )?;
    Ok(())
}

/// Moves a requested refund to approved or rejected, with who decided and why, inside the
/// caller's transaction. A concurrent decision that got there first makes this one refused.
pub fn decide(
    db: &impl Sql,
    refund: &Refund,
    to: RefundStatus,
    actor: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<(), RefundTransitionRefused>, StoreError> {
    if let Err(refused) = refund.status.move_to(to) {
        return Ok(Err(refused));
    }
    let at = timestamp(now);
    let moved = changed(
        db,
        DECIDE,
        &[
            text(to.as_str()),
            text(&at),
            text(&at),
            text(actor),
            optional_text(note),
            text(&refund.id.to_string()),
            text(refund.status.as_str()),
        ],
    )?;
    if moved != 1 {
        return Ok(Err(refused_from_current(db, refund, to)?));
    }
    record_history(db, refund.id, to, actor, note, now)?;
    Ok(Ok(()))
}

/// Moves an approved refund to completed with the payment provider's reference (or the
/// store's, paid back at the till), inside the caller's transaction.
pub fn complete(
    db: &impl Sql,
    refund: &Refund,
    reference: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), RefundTransitionRefused>, StoreError> {
    if let Err(refused) = refund.status.move_to(RefundStatus::Completed) {
        return Ok(Err(refused));
    }
    let at = timestamp(now);
    let moved = changed(
        db,
        COMPLETE,
        &[
            text(&at),
            text(&at),
            text(reference),
            text(&refund.id.to_string()),
        ],
    )?;
    if moved != 1 {
        return Ok(Err(refused_from_current(
            db,
            refund,
            RefundStatus::Completed,
        )?));
    }
    record_history(db, refund.id, RefundStatus::Completed, actor, None, now)?;
    Ok(Ok(()))
}

fn refused_from_current(
    db: &impl Sql,
    refund: &Refund,
    to: RefundStatus,
) -> Result<RefundTransitionRefused, StoreError> {
    let current = load(db, refund.id)?.map_or(refund.status, |r| r.status);
    Ok(RefundTransitionRefused { from: current, to })
}

/// The refunds of an order, oldest first.
pub fn of_order(db: &impl Sql, order: OrderId) -> Result<Vec<Refund>, StoreError> {
    let rows = db.execute(OF_ORDER, &[text(&order.to_string())])?;
    let mut refunds = Vec::with_capacity(rows.rows.len());
    for row in &rows.rows {
        let id = match row.first() {
            Some(SqlValue::Text(raw)) => RefundId::parse(raw),
            _ => None,
        }
        .ok_or_else(|| corrupt("refunds.id"))?;
        if let Some(refund) = load(db, id)? {
            refunds.push(refund);
        }
    }
    Ok(refunds)
}

/// The refund with its lines and timeline.
pub fn load(db: &impl Sql, id: RefundId) -> Result<Option<Refund>, StoreError> {
    let key = id.to_string();
    let rows = db.execute(REFUND, &[text(&key)])?;
    let Some(row) = rows.rows.first() else {
        return Ok(None);
    };
    let at = |column: &str| format!("refunds[{key}].{column}");
    let col = |i: usize, column: &str| col_text(row, i, &at(column));
    let opt = |i: usize, column: &str| col_opt_text(row, i, &at(column));
    let boolean = |i: usize, column: &str| col_flag(row, i, &at(column));
    let currency = col_parsed(row, 6, &at("currency"), Currency::parse)?;
    let money =
        |i: usize, column: &str| col_parsed(row, i, &at(column), |raw| Money::parse(raw, currency));
    let refund_lines = format!("refund_lines[{key}]");
    let lines = db
        .execute(LINES, &[text(&key)])?
        .rows
        .iter()
        .map(|line| {
            Ok(RefundLine {
                line: col_u32(line, 0, &refund_lines)?,
                sku: col_parsed(line, 1, &refund_lines, Sku::parse)?,
                quantity: col_u32(line, 2, &refund_lines)?,
                amount: col_parsed(line, 3, &refund_lines, |raw| Money::parse(raw, currency))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let history = format!("refund_status_history[{key}]");
    let timeline = db
        .execute(HISTORY, &[text(&key)])?
        .rows
        .iter()
        .map(|change| {
            Ok(RefundStatusChange {
                status: col_parsed(change, 0, &history, |raw| {
                    RefundStatus::parse(raw).ok_or("not a refund status")
                })?,
                at: col_text(change, 1, &history)?,
                actor: col_text(change, 2, &history)?,
                note: col_opt_text(change, 3, &history)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(Refund {
        id,
        order: col_parsed(row, 1, &at("order_id"), |raw| {
            OrderId::parse(raw).ok_or("not an order id")
        })?,
        customer: col_parsed(row, 2, &at("customer_id"), CustomerId::parse)?,
        status: col_parsed(row, 3, &at("status"), |raw| {
            RefundStatus::parse(raw).ok_or("not a refund status")
        })?,
        reason: col(4, "reason")?,
        goods_returned: boolean(5, "goods_returned")?,
        currency,
        lines,
        goods_amount: money(7, "goods_amount")?,
        delivery_fee: money(8, "delivery_fee")?,
        total: money(9, "total")?,
        includes_delivery_fee: boolean(10, "includes_delivery_fee")?,
        completes_order: boolean(11, "completes_order")?,
        requested_by: col(12, "requested_by")?,
        requested_at: col(13, "requested_at")?,
        updated_at: col(14, "updated_at")?,
        decided_at: opt(15, "decided_at")?,
        decided_by: opt(16, "decided_by")?,
        note: opt(17, "note")?,
        completed_at: opt(18, "completed_at")?,
        refund_reference: opt(19, "refund_reference")?,
        timeline,
    }))
}

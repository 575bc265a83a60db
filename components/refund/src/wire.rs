//! The refund function's wire: request bodies as they arrive (strict: unknown fields are
//! refused) and their parsing into domain values, each failure naming its field; refunds as
//! JSON (the fields of WIT `after-sales.refund`, plus what this function adds: see
//! docs/ARCHITECTURE.md, Departures); and the one mapping of refund errors to problems.

use o2o_contract::{OrderRefunds, RefundLine, RefundStatusChange};
use o2o_domain::order::Order;
use o2o_domain::refund::policy::money_taken;
use o2o_domain::refund::{
    Refund, RefundAsk, RefundCompletion, RefundError, RefundRefused, RefundStatus,
};
use o2o_domain::storage::StoreError;
use o2o_domain::{Currency, Money, Quantity, Sku};
use o2o_edge::{ApiError, FieldContext};
use serde::Deserialize;
use serde_json::{Map, json};

/// The most lines a refund may name (a cart's limit, which bounds an order's lines).
const MAX_LINES: usize = o2o_domain::Cart::MAX_LINES;
const MAX_REASON_LEN: usize = 500;
const MAX_REFERENCE_LEN: usize = 128;

/// `POST /refunds`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    pub order_id: String,
    pub lines: Vec<LineBody>,
    pub reason: String,
    pub goods_returned: bool,
}

/// Quantities arrive as any integer so that 0 or -1 is refused naming the field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    pub sku: String,
    pub quantity: i64,
}

/// `POST /refunds/{id}/reject`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub note: String,
}

/// `POST /refunds/{id}/completion`: the payment provider's word that the money went back.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletionBody {
    pub refund_reference: String,
    pub amount: WireMoney,
}

/// An amount as a request sends it (strict: unknown fields are refused).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireMoney {
    pub amount: String,
    pub currency: String,
}

/// A free text of 1 to `MAX_REASON_LEN` characters, trimmed.
pub fn text_field(raw: &str, field: &str) -> Result<String, ApiError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_REASON_LEN {
        return Err(ApiError::invalid_field(
            field,
            format!("1 to {MAX_REASON_LEN} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// The lines and the goods flag of a request, each value parsed once.
pub fn parse_ask(body: &RefundBody) -> Result<RefundAsk, ApiError> {
    if body.lines.is_empty() || body.lines.len() > MAX_LINES {
        return Err(ApiError::invalid_field(
            "lines",
            format!("must hold 1 to {MAX_LINES} lines"),
        ));
    }
    let lines = body
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            Ok((
                Sku::parse(&line.sku).field(&format!("lines[{i}].sku"))?,
                Quantity::try_from(line.quantity).field(&format!("lines[{i}].quantity"))?,
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    for (i, (sku, _)) in lines.iter().enumerate() {
        if lines[..i].iter().any(|(earlier, _)| earlier == sku) {
            return Err(ApiError::invalid_field(
                format!("lines[{i}].sku"),
                "appears in an earlier line; put its units in one line",
            ));
        }
    }
    Ok(RefundAsk {
        lines,
        goods_returned: body.goods_returned,
    })
}

impl CompletionBody {
    pub fn parse(self) -> Result<RefundCompletion, ApiError> {
        let reference = self.refund_reference.trim();
        if reference.is_empty()
            || reference.len() > MAX_REFERENCE_LEN
            || !reference.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(ApiError::invalid_field(
                "refund_reference",
                format!("1 to {MAX_REFERENCE_LEN} visible ASCII characters"),
            ));
        }
        let currency = Currency::parse(&self.amount.currency).field("amount.currency")?;
        Ok(RefundCompletion {
            reference: reference.to_owned(),
            amount: Money::parse(&self.amount.amount, currency).field("amount.amount")?,
        })
    }
}

/// A refund as the contract (`wit/after-sales.wit`, `refund`) shapes it.
pub fn to_wire(refund: &Refund) -> o2o_contract::Refund {
    o2o_contract::Refund {
        id: refund.id.to_string(),
        order_id: refund.order.to_string(),
        customer_id: refund.customer.as_str().to_owned(),
        status: refund.status.into(),
        reason: refund.reason.clone(),
        goods_returned: refund.goods_returned,
        lines: refund
            .lines
            .iter()
            .map(|line| RefundLine {
                line: line.line,
                sku: line.sku.as_str().to_owned(),
                quantity: line.quantity,
                amount: o2o_contract::Money::from(&line.amount),
                restock: refund.goods_returned,
            })
            .collect(),
        goods_amount: o2o_contract::Money::from(&refund.goods_amount),
        delivery_fee: o2o_contract::Money::from(&refund.delivery_fee),
        total: o2o_contract::Money::from(&refund.total),
        completes_order: refund.completes_order,
        requested_by: refund.requested_by.clone(),
        requested_at: refund.requested_at.clone(),
        updated_at: refund.updated_at.clone(),
        decided_at: refund.decided_at.clone(),
        decided_by: refund.decided_by.clone(),
        note: refund.note.clone(),
        completed_at: refund.completed_at.clone(),
        refund_reference: refund.refund_reference.clone(),
        timeline: refund
            .timeline
            .iter()
            .map(|change| RefundStatusChange {
                status: change.status.into(),
                at: change.at.clone(),
                actor: change.actor.clone(),
                note: change.note.clone(),
            })
            .collect(),
    }
}

/// An order's refunds with its money: paid − refunded (completed) = net; `pending` is what
/// requested and approved refunds will give back.
pub fn order_refunds(order: &Order, refunds: &[Refund]) -> Result<OrderRefunds, ApiError> {
    let zero = Money::zero(order.currency);
    let sum = |wanted: &dyn Fn(RefundStatus) -> bool| {
        refunds
            .iter()
            .filter(|r| wanted(r.status))
            .try_fold(zero, |acc, r| acc.checked_add(&r.total))
            .map_err(|e| ApiError::Storage(StoreError::Corrupt(format!("refund totals: {e}"))))
    };
    let paid = if money_taken(order) {
        order.total
    } else {
        zero
    };
    let refunded = sum(&|s| s == RefundStatus::Completed)?;
    let pending = sum(&|s| matches!(s, RefundStatus::Requested | RefundStatus::Approved))?;
    let net = paid
        .checked_sub(&refunded)
        .map_err(|e| ApiError::Storage(StoreError::Corrupt(format!("refund totals: {e}"))))?;
    Ok(OrderRefunds {
        order_id: order.id.to_string(),
        paid: o2o_contract::Money::from(&paid),
        refunded: o2o_contract::Money::from(&refunded),
        pending: o2o_contract::Money::from(&pending),
        net: o2o_contract::Money::from(&net),
        items: refunds.iter().map(to_wire).collect(),
        // An order's refunds are one page by nature; the list shape is every list's.
        next_cursor: None,
    })
}

/// The one mapping of refund errors to problems.
pub fn refund_error(err: RefundError) -> ApiError {
    let detail = err.to_string();
    match err {
        RefundError::OrderNotFound(_) | RefundError::NotFound(_) => ApiError::not_found(detail),
        RefundError::Refused(refused) => match refused {
            RefundRefused::NothingPaid(_) => ApiError::Conflict {
                field: Some("order_id".into()),
                detail,
            },
            RefundRefused::NoSuchLine { index, .. } => {
                ApiError::unprocessable(format!("lines[{index}].sku"), detail)
            }
            RefundRefused::GoodsNotWithCustomer(_) => {
                ApiError::unprocessable("goods_returned", detail)
            }
            RefundRefused::LineTotalNotInCents { .. } => {
                ApiError::Storage(StoreError::Corrupt(detail))
            }
            RefundRefused::ExceedsRemaining {
                index,
                line,
                sku,
                remaining_units,
                remaining_amount,
                ..
            } => {
                let mut extensions = Map::new();
                extensions.insert(
                    "remaining".into(),
                    json!({
                        "line": line,
                        "sku": sku.as_str(),
                        "units": remaining_units,
                        "amount": o2o_contract::Money::from(&remaining_amount),
                    }),
                );
                ApiError::ConflictWithDetails {
                    slug: "refund-exceeds-remaining",
                    title: "More than remains to refund",
                    field: Some(format!("lines[{index}].quantity")),
                    detail,
                    extensions,
                }
            }
        },
        RefundError::Transition(_) => ApiError::Conflict {
            field: Some("status".into()),
            detail,
        },
        RefundError::AmountMismatch { .. } => ApiError::unprocessable("amount", detail),
        RefundError::CompletedWithAnotherReference(_) => ApiError::Conflict {
            field: Some("refund_reference".into()),
            detail,
        },
        RefundError::Store(store) => ApiError::Storage(store),
    }
}

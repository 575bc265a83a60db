//! What placing an order takes from limited promotions, and gives back. A quote only reports
//! what a flash sale or a coupon would take (issue 4: "the cap is consumed when an order is
//! placed"); here the order takes it, under SQLite's write lock so that two orders cannot both
//! take the last unit or the last use: the limits are checked again with the pricing rules'
//! own checks (`FlashSale::units_available`, `Coupon::usage_refusal`) on the counts read inside
//! the transaction, and the counts are raised in the same transaction. Each taking is recorded
//! in `order_consumptions` against the order, which is how a cancelled or expired order (or a
//! place-order that failed after this step) gives exactly that back.

use chrono::{DateTime, Utc};

use crate::ids::{CustomerId, OrderId};
use crate::pricing::{CouponCode, CouponRejection, PromotionId, PromotionKind};
use crate::pricing_rules_store::{load_pricing_facts, load_pricing_rules};
use crate::store::{Sql, SqlValue, StoreError};

use super::frozen::FrozenQuote;

const TAKE_COUPON_USE: &str = "INSERT INTO coupon_redemptions (code, customer_id, uses) \
     VALUES (?1, ?2, ?3) ON CONFLICT (code, customer_id) DO UPDATE SET uses = uses + ?3";
const TAKE_FLASH_SALE_UNITS: &str = "INSERT INTO flash_sale_sales (promotion_id, customer_id, \
     units) VALUES (?1, ?2, ?3) ON CONFLICT (promotion_id, customer_id) \
     DO UPDATE SET units = units + ?3";
const RECORD_CONSUMPTION: &str = "INSERT INTO order_consumptions (order_id, kind, reference, \
     customer_id, units) VALUES (?, ?, ?, ?, ?)";
const CONSUMPTIONS_OF_ORDER: &str = "SELECT kind, reference, customer_id, units \
     FROM order_consumptions WHERE order_id = ? ORDER BY kind, reference";
const RETURN_COUPON_USE: &str = "UPDATE coupon_redemptions SET uses = uses - ?3 \
     WHERE code = ?1 AND customer_id = ?2 AND uses >= ?3";
const RETURN_FLASH_SALE_UNITS: &str = "UPDATE flash_sale_sales SET units = units - ?3 \
     WHERE promotion_id = ?1 AND customer_id = ?2 AND units >= ?3";
const FORGET_CONSUMPTIONS: &str = "DELETE FROM order_consumptions WHERE order_id = ?";

const COUPON: &str = "coupon";
const FLASH_SALE: &str = "flash-sale";

/// A limit that no longer holds at placement: someone else took the last unit or use since
/// the quote was made. Nothing was taken.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitError {
    #[error("coupon {code} can no longer be used: {reason}")]
    CouponRefused { code: CouponCode, reason: String },
    #[error("flash sale {promotion}: {wanted} units wanted, {left} left")]
    FlashSaleSoldOut {
        promotion: PromotionId,
        wanted: u32,
        left: u32,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Takes the quote's coupon uses and flash-sale units for `order`, all or none, inside the
/// caller's transaction (place-order's one transaction), which holds the write lock already,
/// so that the counts read are the counts raised.
pub fn take_within(
    db: &impl Sql,
    order: OrderId,
    customer: &CustomerId,
    quote: &FrozenQuote,
    now: DateTime<Utc>,
) -> Result<(), LimitError> {
    if quote.coupons.is_empty() && quote.flash_sales.is_empty() {
        return Ok(());
    }
    let rules = load_pricing_rules(db, quote.currency, None, None, &quote.coupons)?;
    let facts = load_pricing_facts(db, &rules, None, Some(customer), now)?;
    for code in &quote.coupons {
        let Some(coupon) = rules.coupons.get(code) else {
            return Err(LimitError::CouponRefused {
                code: code.clone(),
                reason: "it has been withdrawn".into(),
            });
        };
        let used = facts
            .coupon_redemptions
            .get(code)
            .copied()
            .unwrap_or_default();
        if let Some(refusal) = coupon.usage_refusal(used, true) {
            return Err(LimitError::CouponRefused {
                code: code.clone(),
                reason: describe(&refusal),
            });
        }
        record(db, order, COUPON, code.as_str(), customer, 1)?;
        db.execute(
            TAKE_COUPON_USE,
            &[code.as_str().into(), customer.as_str().into(), 1.into()],
        )?;
    }
    for (promotion, wanted) in &quote.flash_sales {
        let sale = rules.promotions.iter().find_map(|p| match &p.kind {
            PromotionKind::FlashSale(sale) if &p.id == promotion => Some(sale),
            _ => None,
        });
        let left = sale.map_or(0, |sale| sale.units_available(promotion, &facts));
        if left < *wanted {
            return Err(LimitError::FlashSaleSoldOut {
                promotion: promotion.clone(),
                wanted: *wanted,
                left,
            });
        }
        record(db, order, FLASH_SALE, promotion.as_str(), customer, *wanted)?;
        db.execute(
            TAKE_FLASH_SALE_UNITS,
            &[
                promotion.as_str().into(),
                customer.as_str().into(),
                i64::from(*wanted).into(),
            ],
        )?;
    }
    Ok(())
}

fn record(
    db: &impl Sql,
    order: OrderId,
    kind: &str,
    reference: &str,
    customer: &CustomerId,
    units: u32,
) -> Result<(), StoreError> {
    db.execute(
        RECORD_CONSUMPTION,
        &[
            order.to_string().as_str().into(),
            kind.into(),
            reference.into(),
            customer.as_str().into(),
            i64::from(units).into(),
        ],
    )?;
    Ok(())
}

fn describe(refusal: &CouponRejection) -> String {
    match refusal {
        CouponRejection::UsageLimitReached { limit } => {
            format!("all {limit} uses have been taken")
        }
        CouponRejection::CustomerUsageLimitReached { limit } => {
            format!("you have used it {limit} times already")
        }
        other => format!("{other:?}"),
    }
}

/// Gives back everything `order` took, once: the record is removed with the counts, so a
/// second call gives back nothing. Runs in the caller's transaction when there is one.
pub fn give_back_within(db: &impl Sql, order: OrderId) -> Result<u32, StoreError> {
    let id = order.to_string();
    let rows = db.execute(CONSUMPTIONS_OF_ORDER, &[id.as_str().into()])?;
    let mut returned = 0;
    for row in &rows.rows {
        let (Some(SqlValue::Text(kind)), Some(reference), Some(customer), Some(units)) =
            (row.first(), row.get(1), row.get(2), row.get(3))
        else {
            return Err(StoreError::Corrupt(format!(
                "order_consumptions[{id}]: unexpected row {row:?}"
            )));
        };
        let statement = if kind == COUPON {
            RETURN_COUPON_USE
        } else {
            RETURN_FLASH_SALE_UNITS
        };
        db.execute(
            statement,
            &[reference.clone(), customer.clone(), units.clone()],
        )?;
        returned += 1;
    }
    db.execute(FORGET_CONSUMPTIONS, &[id.as_str().into()])?;
    Ok(returned)
}

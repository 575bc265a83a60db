//! What placing an order takes from limited promotions, and gives back. A quote only reports
//! what a flash sale or a coupon would take (issue 4: "the cap is consumed when an order is
//! placed"); here the order takes it, under SQLite's write lock so that two orders cannot both
//! take the last unit or the last use: the limits are checked again with the pricing rules'
//! own checks (`FlashSale::units_available`, `Coupon::usage_refusal`) on the counts read inside
//! the transaction. Each taking is recorded in `order_consumptions` against the order, and
//! migration 0014's triggers raise the counts with that one statement; removing the record
//! (a cancelled, expired or refunded order) lowers them, so exactly what was taken comes back.

use serde_json::{Value, json};

use crate::ids::{CustomerId, OrderId};
use crate::pricing::{
    CouponCode, CouponRejection, PricingFacts, PricingRules, PromotionId, PromotionKind,
};
use crate::storage::{Sql, SqlValue, StoreError};

use super::frozen::FrozenQuote;

/// Records what an order took, all at once: `?1` the order, `?2` the customer, `?3` a JSON
/// array of `[kind, reference, units]`. Migration 0014's triggers raise the counters
/// (`coupon_redemptions`, `flash_sale_sales`) in the same statement.
const RECORD_CONSUMPTIONS: &str = "INSERT INTO order_consumptions (order_id, kind, reference, \
     customer_id, units) SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?2, \
     json_extract(value, '$[2]') FROM json_each(?3)";
/// Gives back everything an order took; the triggers lower the counters. Answers one row per
/// consumption given back.
const GIVE_BACK: &str = "DELETE FROM order_consumptions WHERE order_id = ? RETURNING kind";

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
/// caller's transaction (place-order's one transaction), which holds the write lock already:
/// `rules` and `facts` were read in it, so the counts checked are the counts raised. One
/// statement, none when the quote takes nothing.
pub fn take_within(
    db: &impl Sql,
    order: OrderId,
    customer: &CustomerId,
    quote: &FrozenQuote,
    rules: &PricingRules,
    facts: &PricingFacts,
) -> Result<(), LimitError> {
    let mut taken = Vec::new();
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
        taken.push(json!([COUPON, code.as_str(), 1]));
    }
    for (promotion, wanted) in &quote.flash_sales {
        let sale = rules.promotions.iter().find_map(|p| match &p.kind {
            PromotionKind::FlashSale(sale) if &p.id == promotion => Some(sale),
            _ => None,
        });
        let left = sale.map_or(0, |sale| sale.units_available(promotion, facts));
        if left < *wanted {
            return Err(LimitError::FlashSaleSoldOut {
                promotion: promotion.clone(),
                wanted: *wanted,
                left,
            });
        }
        taken.push(json!([FLASH_SALE, promotion.as_str(), wanted]));
    }
    if taken.is_empty() {
        return Ok(());
    }
    db.execute(
        RECORD_CONSUMPTIONS,
        &[
            order.to_string().as_str().into(),
            customer.as_str().into(),
            SqlValue::Text(Value::Array(taken).to_string()),
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

/// Gives back everything `order` took, once: the record is removed (and with it the counts,
/// by 0014's triggers), so a second call gives back nothing. Runs in the caller's transaction
/// when there is one. Answers how many takings were given back.
pub fn give_back_within(db: &impl Sql, order: OrderId) -> Result<u32, StoreError> {
    let rows = db.execute(GIVE_BACK, &[order.to_string().as_str().into()])?;
    Ok(u32::try_from(rows.rows.len()).unwrap_or(u32::MAX))
}

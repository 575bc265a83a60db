//! Coupons (the source plan's marketing chapter): a code the customer enters, valid in a window,
//! with a minimum spend, worth a fixed amount or a percentage (with a cap on what the
//! percentage may take), limited in total and per customer, stackable or exclusive.
//!
//! A coupon that cannot be used never fails the quote: it is listed with the reason
//! (`CouponRejection`) and the quote goes on without it. The minimum spend is measured on the
//! goods after promotions (what the customer would pay before coupons). Usage counts come in as
//! facts; redeeming, and so consuming a use, happens when the order is placed.
//!
//! Choosing among valid coupons: either all stackable coupons together, or one exclusive
//! coupon alone, whichever takes more off; on a tie the stackable set wins, then the exclusive
//! coupon first in code order. Each losing coupon is rejected as not stackable with the winner.
//! The discount ceiling may then cut the chosen coupons (they come last, see `ceiling.rs`).

use chrono::{DateTime, Utc};

use crate::money::Money;

use super::cents;
use super::codes::CouponCode;
use super::error::PricingError;
use super::input::{CouponRedemptions, PricingInput};
use super::percentage::Percentage;
use super::rules::{PricingRules, Stacking, ValidityWindow};

#[derive(Debug, Clone, PartialEq)]
pub struct Coupon {
    pub code: CouponCode,
    /// Shown to the customer, e.g. "New customer 20 off".
    pub name: String,
    pub window: ValidityWindow,
    pub minimum_spend: Option<Money>,
    pub value: CouponValue,
    /// Redemptions allowed across all customers.
    pub total_limit: Option<u32>,
    /// Redemptions allowed per customer; such a coupon needs a signed-in customer.
    pub per_customer_limit: Option<u32>,
    pub stacking: Stacking,
}

/// What a coupon takes off the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouponValue {
    AmountOff(Money),
    PercentageOff {
        off: Percentage,
        max_discount: Option<Money>,
    },
}

/// Why an entered coupon is not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CouponRejection {
    Unknown,
    NotYetValid {
        starts_at: DateTime<Utc>,
    },
    Expired {
        ended_at: DateTime<Utc>,
    },
    MinimumSpendNotMet {
        minimum: Money,
        short_by: Money,
    },
    UsageLimitReached {
        limit: u32,
    },
    CustomerUsageLimitReached {
        limit: u32,
    },
    SignInRequired,
    NotStackableWith(CouponCode),
    NothingLeftToDiscount,
    /// Valid, but the quote's discount ceiling is already reached by the promotions.
    DiscountCeilingReached,
}

impl CouponRejection {
    /// The wire name (lower-kebab).
    pub fn as_str(&self) -> &'static str {
        match self {
            CouponRejection::Unknown => "unknown",
            CouponRejection::NotYetValid { .. } => "not-yet-valid",
            CouponRejection::Expired { .. } => "expired",
            CouponRejection::MinimumSpendNotMet { .. } => "minimum-spend-not-met",
            CouponRejection::UsageLimitReached { .. } => "usage-limit-reached",
            CouponRejection::CustomerUsageLimitReached { .. } => "customer-usage-limit-reached",
            CouponRejection::SignInRequired => "sign-in-required",
            CouponRejection::NotStackableWith(_) => "not-stackable",
            CouponRejection::NothingLeftToDiscount => "nothing-left-to-discount",
            CouponRejection::DiscountCeilingReached => "discount-ceiling-reached",
        }
    }

    /// A sentence for the customer.
    pub fn message(&self) -> String {
        match self {
            CouponRejection::Unknown => "no such coupon".into(),
            CouponRejection::NotYetValid { starts_at } => {
                format!("valid from {}", starts_at.to_rfc3339())
            }
            CouponRejection::Expired { ended_at } => {
                format!("expired at {}", ended_at.to_rfc3339())
            }
            CouponRejection::MinimumSpendNotMet { minimum, short_by } => {
                format!("needs a spend of {minimum}: spend {short_by} more")
            }
            CouponRejection::UsageLimitReached { limit } => {
                format!("all {limit} uses of this coupon are taken")
            }
            CouponRejection::CustomerUsageLimitReached { limit } => {
                format!("already used {limit} time(s), the most allowed per customer")
            }
            CouponRejection::SignInRequired => "sign in to use this coupon".into(),
            CouponRejection::NotStackableWith(other) => format!("cannot be combined with {other}"),
            CouponRejection::NothingLeftToDiscount => "nothing left to discount".into(),
            CouponRejection::DiscountCeilingReached => {
                "the most this order may be discounted is already reached".into()
            }
        }
    }
}

/// An entered coupon that was not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedCoupon {
    pub code: CouponCode,
    pub reason: CouponRejection,
}

impl Coupon {
    /// What this coupon takes off `base` (the goods still to pay), rounded once, never more
    /// than `base` and never more than the percentage cap.
    pub(super) fn discount(&self, base: Money) -> Result<Money, PricingError> {
        let off = match self.value {
            CouponValue::AmountOff(amount) => amount,
            CouponValue::PercentageOff { off, max_discount } => {
                let off = base.checked_mul(off.fraction())?.rounded();
                match max_discount {
                    Some(cap) => cents::min(off, cap),
                    None => off,
                }
            }
        };
        Ok(cents::min(off, base))
    }

    pub(super) fn describe(&self) -> String {
        match self.value {
            CouponValue::AmountOff(amount) => {
                format!("coupon {} ({}): {amount} off", self.code, self.name)
            }
            CouponValue::PercentageOff {
                off,
                max_discount: Some(cap),
            } => {
                format!(
                    "coupon {} ({}): {off} off, at most {cap}",
                    self.code, self.name
                )
            }
            CouponValue::PercentageOff {
                off,
                max_discount: None,
            } => {
                format!("coupon {} ({}): {off} off", self.code, self.name)
            }
        }
    }

    /// The usage limits: whether one more redemption, after `used`, stays within the total
    /// and the per-customer limit (a per-customer limit needs a signed-in customer). The quote
    /// checks it to offer the coupon, and place-order again, under the write lock, to redeem it.
    pub fn usage_refusal(
        &self,
        used: CouponRedemptions,
        signed_in: bool,
    ) -> Option<CouponRejection> {
        if let Some(limit) = self.total_limit
            && used.total >= limit
        {
            return Some(CouponRejection::UsageLimitReached { limit });
        }
        if let Some(limit) = self.per_customer_limit {
            if !signed_in {
                return Some(CouponRejection::SignInRequired);
            }
            if used.by_customer >= limit {
                return Some(CouponRejection::CustomerUsageLimitReached { limit });
            }
        }
        None
    }

    fn check(
        &self,
        input: &PricingInput,
        now: DateTime<Utc>,
        goods: Money,
    ) -> Result<(), CouponRejection> {
        if now < self.window.starts_at {
            return Err(CouponRejection::NotYetValid {
                starts_at: self.window.starts_at,
            });
        }
        if now >= self.window.ends_at {
            return Err(CouponRejection::Expired {
                ended_at: self.window.ends_at,
            });
        }
        let used = input
            .facts
            .coupon_redemptions
            .get(&self.code)
            .copied()
            .unwrap_or_default();
        if let Some(refusal) = self.usage_refusal(used, input.customer.is_some()) {
            return Err(refusal);
        }
        if let Some(minimum) = self.minimum_spend
            && !cents::at_least(goods, minimum)
        {
            let short_by = minimum.checked_sub(&goods).unwrap_or(minimum);
            return Err(CouponRejection::MinimumSpendNotMet { minimum, short_by });
        }
        if !cents::is_positive(goods) {
            return Err(CouponRejection::NothingLeftToDiscount);
        }
        Ok(())
    }
}

/// The coupons to apply, in the order to apply them, and the ones turned away.
pub(super) struct CouponChoice<'r> {
    pub applied: Vec<&'r Coupon>,
    pub rejected: Vec<RejectedCoupon>,
}

/// Validates the entered codes against `goods` (the goods after promotions) and picks the
/// combination described at the top of this file. Each combination is worth at most `room`
/// (what is left under the discount ceiling): a coupon the ceiling would cut to nothing is
/// rejected as such, and a big exclusive coupon cannot push out stackable ones only to be cut.
pub(super) fn choose<'r>(
    input: &PricingInput,
    rules: &'r PricingRules,
    now: DateTime<Utc>,
    goods: Money,
    room: Money,
) -> Result<CouponChoice<'r>, PricingError> {
    let mut codes: Vec<&CouponCode> = input.coupon_codes.iter().collect();
    codes.sort();
    codes.dedup();

    let mut rejected = Vec::new();
    let mut stackable = Vec::new();
    let mut exclusive = Vec::new();
    for code in codes {
        let Some(coupon) = rules.coupons.get(code) else {
            rejected.push(RejectedCoupon {
                code: code.clone(),
                reason: CouponRejection::Unknown,
            });
            continue;
        };
        match coupon.check(input, now, goods) {
            Err(reason) => rejected.push(RejectedCoupon {
                code: code.clone(),
                reason,
            }),
            Ok(()) if coupon.stacking == Stacking::Exclusive => exclusive.push(coupon),
            Ok(()) => stackable.push(coupon),
        }
    }

    if !cents::is_positive(room) {
        for coupon in stackable.iter().chain(exclusive.iter()) {
            rejected.push(RejectedCoupon {
                code: coupon.code.clone(),
                reason: CouponRejection::DiscountCeilingReached,
            });
        }
        rejected.sort_by(|a, b| a.code.cmp(&b.code));
        return Ok(CouponChoice {
            applied: Vec::new(),
            rejected,
        });
    }

    let mut best: Vec<&Coupon> = stackable.clone();
    let mut best_value = cents::min(sequential_value(&stackable, goods)?, room);
    for &coupon in &exclusive {
        let value = cents::min(coupon.discount(goods)?, room);
        if value.amount() > best_value.amount() {
            best = vec![coupon];
            best_value = value;
        }
    }

    let winner = best.first().map(|coupon| coupon.code.clone());
    for coupon in stackable.iter().chain(exclusive.iter()) {
        if !best.iter().any(|chosen| chosen.code == coupon.code) {
            rejected.push(RejectedCoupon {
                code: coupon.code.clone(),
                reason: match &winner {
                    Some(winner) => CouponRejection::NotStackableWith(winner.clone()),
                    // Only coupons worth nothing here can lose to an empty choice.
                    None => CouponRejection::NothingLeftToDiscount,
                },
            });
        }
    }
    rejected.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(CouponChoice {
        applied: best,
        rejected,
    })
}

/// What `coupons` take together when each applies to what the previous ones left.
fn sequential_value(coupons: &[&Coupon], goods: Money) -> Result<Money, PricingError> {
    let mut left = goods;
    for coupon in coupons {
        left = left.checked_sub(&coupon.discount(left)?)?;
    }
    Ok(goods.checked_sub(&left)?)
}

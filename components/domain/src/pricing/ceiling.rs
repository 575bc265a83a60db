//! `DiscountCeiling`: the most a quote may take off, as a share of its subtotal (the goods at
//! store and member prices). It protects the margin when promotions and coupons pile up.
//! Store and member prices are prices, not discounts, so they are not held to the ceiling;
//! neither is a free-delivery waiver, which discounts no goods.
//!
//! How it binds: discounts are granted in the order the quote computes them (line promotions
//! line by line in priority order, then spend-threshold tiers, then coupons), each taking at
//! most what is left under the ceiling. So the discounts the shop chose keep precedence over
//! the ones customers bring, and a coupon is the first thing cut. The cap is rounded *down* to
//! the cent: "never above the share" is the rule, and half-up rounding could pass it.

use crate::money::Money;

use super::cents;
use super::error::PricingError;
use super::percentage::Percentage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscountCeiling {
    pub max_share: Percentage,
}

impl Default for DiscountCeiling {
    /// No ceiling: discounts may take the whole subtotal (never more).
    fn default() -> Self {
        DiscountCeiling {
            max_share: Percentage::HUNDRED,
        }
    }
}

impl DiscountCeiling {
    /// The most a quote with this subtotal may take off.
    pub fn cap(&self, subtotal: Money) -> Result<Money, PricingError> {
        Ok(cents::floor_to_cent(
            subtotal.checked_mul(self.max_share.fraction())?,
        ))
    }
}

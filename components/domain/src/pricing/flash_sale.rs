//! Flash sale (限时抢购, the source plan's marketing chapter): a special unit price during the
//! promotion's window, for at most `total_cap` units across all customers and at most
//! `per_customer_limit` units per customer. The cap is consumed when an order is placed, not
//! here: the quote receives the units left (`PricingFacts::flash_sale_units_left`, absent means
//! nothing sold yet) and what this customer already bought, and reports what it would take.
//!
//! When the units run out mid-basket, targeted lines get them in line order and the remaining
//! units of a line stay at their regular price: the line shows how many units got the flash
//! price. A guest, who cannot be tracked across orders, gets at most the per-customer limit in
//! this basket.

use crate::money::Money;

use super::cents;
use super::codes::PromotionId;
use super::error::PricingError;
use super::input::PricingFacts;
use super::quote::{LineDiscount, LineState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlashSale {
    pub price: Money,
    pub total_cap: u32,
    pub per_customer_limit: Option<u32>,
}

/// What a quote would take from a flash sale's cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlashSaleUsage {
    pub promotion: PromotionId,
    pub units: u32,
    /// Units left under the total cap after this basket.
    pub units_left: u32,
}

impl FlashSale {
    /// Units left under the total cap before this basket.
    pub(super) fn cap_left(&self, id: &PromotionId, facts: &PricingFacts) -> u32 {
        facts
            .flash_sale_units_left
            .get(id)
            .copied()
            .unwrap_or(self.total_cap)
            .min(self.total_cap)
    }

    /// Units this basket may still buy at the flash price: the cap left, and no more than the
    /// customer's limit less what they already bought. Place-order checks it again under the
    /// write lock before it takes the units.
    pub fn units_available(&self, id: &PromotionId, facts: &PricingFacts) -> u32 {
        let left = self.cap_left(id, facts);
        match self.per_customer_limit {
            Some(limit) => {
                let bought = facts.flash_sale_units_bought.get(id).copied().unwrap_or(0);
                left.min(limit.saturating_sub(bought))
            }
            None => left,
        }
    }

    pub(super) fn discounts(
        &self,
        id: &PromotionId,
        name: &str,
        lines: &[LineState<'_>],
        eligible: &[usize],
        facts: &PricingFacts,
    ) -> Result<Vec<LineDiscount>, PricingError> {
        let mut available = self.units_available(id, facts);
        let mut discounts = Vec::new();
        for &index in eligible {
            let state = &lines[index];
            // Only a sale price below what the line costs per unit is a discount.
            let saving = state.unit_price.checked_sub(&self.price)?;
            if available == 0 || !cents::is_positive(saving) {
                continue;
            }
            let quantity = state.line.quantity.get();
            let units = quantity.min(available);
            available -= units;
            let remark = if units < quantity {
                format!(
                    " ({} at {} while the sale's units last)",
                    quantity - units,
                    state.unit_price
                )
            } else {
                String::new()
            };
            discounts.push(LineDiscount {
                line: index,
                units,
                amount: cents::times(saving, units)?,
                reason: format!(
                    "{name} 限时抢购: {units} at {} instead of {}{remark}",
                    self.price, state.unit_price
                ),
            });
        }
        Ok(discounts)
    }
}

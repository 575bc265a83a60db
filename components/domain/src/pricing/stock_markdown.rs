//! Stock-driven markdown (dynamic pricing, the source plan's marketing chapter): a clearance
//! percentage off a targeted sku at the quoting store when that store holds too much of it.
//!
//! The rule: a line qualifies when the store's on-hand stock of the sku covers more than
//! `cover_days` days of its recent average daily sales (`StockCover::covers_more_than`; a sku
//! with stock and no recent sales qualifies). The stock function supplies the facts
//! (`PricingFacts::stock`); a sku without facts, or a quote without a store, never qualifies,
//! so missing data can only cost the customer a markdown, never the shop a wrong one.

use super::error::PricingError;
use super::input::PricingInput;
use super::percentage::Percentage;
use super::quote::{LineDiscount, LineState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockMarkdown {
    pub clearance: Percentage,
    pub cover_days: u32,
}

impl StockMarkdown {
    pub(super) fn discounts(
        &self,
        name: &str,
        lines: &[LineState<'_>],
        eligible: &[usize],
        input: &PricingInput,
    ) -> Result<Vec<LineDiscount>, PricingError> {
        if input.store.is_none() {
            return Ok(Vec::new());
        }
        let mut discounts = Vec::new();
        for &index in eligible {
            let state = &lines[index];
            let overstocked = input
                .facts
                .stock
                .get(&state.line.sku)
                .is_some_and(|cover| cover.covers_more_than(self.cover_days));
            if overstocked {
                discounts.push(LineDiscount {
                    line: index,
                    units: state.line.quantity.get(),
                    amount: state.net.checked_mul(self.clearance.fraction())?.rounded(),
                    reason: format!(
                        "{name}: clearance {} off, stock here covers more than {} days of sales",
                        self.clearance, self.cover_days
                    ),
                });
            }
        }
        Ok(discounts)
    }
}

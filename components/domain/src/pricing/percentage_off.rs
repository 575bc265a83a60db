//! Percentage off (打折): a share off each targeted line, taken from what the line costs at
//! that point (so two stackable percentages compound in priority order, as a shopper expects
//! "8折 then another 9折" to give 72 %, not 70 %). Rounded once per line adjustment.

use super::error::PricingError;
use super::percentage::Percentage;
use super::quote::{LineDiscount, LineState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PercentageOff {
    pub off: Percentage,
}

impl PercentageOff {
    pub(super) fn discounts(
        &self,
        name: &str,
        lines: &[LineState<'_>],
        eligible: &[usize],
    ) -> Result<Vec<LineDiscount>, PricingError> {
        eligible
            .iter()
            .map(|&index| {
                let amount = lines[index].net.checked_mul(self.off.fraction())?.rounded();
                Ok(LineDiscount {
                    line: index,
                    units: lines[index].line.quantity.get(),
                    amount,
                    reason: format!("{name}: {} off", self.off),
                })
            })
            .collect()
    }
}

//! Fixed amount off: a set amount off each unit of a targeted line (e.g. 5.00 off every pack
//! of this brand). Never takes a line below zero: the quote clamps every line discount to what
//! the line still costs.

use crate::money::Money;

use super::cents;
use super::error::PricingError;
use super::quote::{LineDiscount, LineState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountOff {
    pub per_unit: Money,
}

impl AmountOff {
    pub(super) fn discounts(
        &self,
        name: &str,
        lines: &[LineState<'_>],
        eligible: &[usize],
    ) -> Result<Vec<LineDiscount>, PricingError> {
        eligible
            .iter()
            .map(|&index| {
                let units = lines[index].line.quantity.get();
                Ok(LineDiscount {
                    line: index,
                    units,
                    amount: cents::times(self.per_unit, units)?,
                    reason: format!("{name}: {} off each of {units}", self.per_unit),
                })
            })
            .collect()
    }
}

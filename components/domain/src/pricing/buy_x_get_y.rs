//! Buy X get Y: for every `buy + get` units of the targeted lines in the basket, `get` units
//! are rewarded, free or at a percentage off. Units are pooled across all targeted lines (buy
//! two teas of the brand, get the third free, whichever teas they are), and the rewarded units
//! are always the cheapest ones of the pool, ties broken by line order: the shop gives away
//! the least it promised and the customer can predict which unit is free.

use super::cents;
use super::error::PricingError;
use super::percentage::Percentage;
use super::quote::{LineDiscount, LineState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuyXGetY {
    pub buy: u32,
    pub get: u32,
    pub reward: Reward,
}

/// What the rewarded units get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reward {
    Free,
    PercentageOff(Percentage),
}

impl BuyXGetY {
    pub(super) fn discounts(
        &self,
        name: &str,
        lines: &[LineState<'_>],
        eligible: &[usize],
    ) -> Result<Vec<LineDiscount>, PricingError> {
        if self.buy == 0 || self.get == 0 {
            return Err(PricingError::InvalidRule {
                rule: name.to_owned(),
                why: "buy X get Y needs X and Y of at least 1",
            });
        }
        // In u64: a long basket of big quantities must not overflow the unit count.
        let group = u64::from(self.buy) + u64::from(self.get);
        let pool: u64 = eligible
            .iter()
            .map(|&index| u64::from(lines[index].line.quantity.get()))
            .sum();
        let mut rewarded = (pool / group) * u64::from(self.get);

        // Cheapest first; the sort is stable, so equal prices keep line order.
        let mut by_price: Vec<usize> = eligible.to_vec();
        by_price.sort_by(|&a, &b| {
            lines[a]
                .unit_price
                .amount()
                .cmp(&lines[b].unit_price.amount())
        });

        let mut discounts = Vec::new();
        for index in by_price {
            if rewarded == 0 {
                break;
            }
            let state = &lines[index];
            let quantity = state.line.quantity.get();
            let units = u32::try_from(rewarded).map_or(quantity, |left| quantity.min(left));
            rewarded -= u64::from(units);
            let per_unit = match self.reward {
                Reward::Free => state.unit_price,
                Reward::PercentageOff(off) => {
                    state.unit_price.checked_mul(off.fraction())?.rounded()
                }
            };
            if !cents::is_positive(per_unit) {
                continue;
            }
            let what = match self.reward {
                Reward::Free => "free".to_owned(),
                Reward::PercentageOff(off) => format!("{off} off"),
            };
            discounts.push(LineDiscount {
                line: index,
                units,
                amount: cents::times(per_unit, units)?,
                reason: format!(
                    "{name}: buy {} get {} {what}, {units} unit(s) of this line",
                    self.buy, self.get
                ),
            });
        }
        // Discounts are returned in line order, like every other kind's.
        discounts.sort_by_key(|discount| discount.line);
        Ok(discounts)
    }
}

//! Allocation of an order-level discount (a spend-threshold tier, a coupon) to the lines it was
//! earned on, so that each line knows what it really cost: refunds pay back a line's share.
//!
//! The remainder rule, exact to the cent:
//! 1. each line gets its share of the discount proportional to its weight (what the line still
//!    costs at that point), rounded *down* to the cent;
//! 2. the cents left over go one each to the lines with the largest remainders from step 1;
//! 3. equal remainders go in line order (the first line first).
//!
//! The shares always sum exactly to the discount, and no line gets more than its weight (so no
//! line can go negative), as long as the discount does not exceed the total weight, which the
//! quote guarantees by clamping every discount to what the goods still cost.
//! The arithmetic is in whole cents (i128 for the products), so nothing is rounded twice.

use crate::money::{Currency, Money};

use super::cents;
use super::error::PricingError;

/// Splits `discount` over `weights` (one per line, in line order) by the rule above.
pub fn allocate(discount: Money, weights: &[Money]) -> Result<Vec<Money>, PricingError> {
    let currency: Currency = discount.currency();
    let total_discount = i128::from(cents::to_cents(discount)?);
    let weights: Vec<i128> = weights
        .iter()
        .map(|weight| cents::to_cents(*weight).map(|c| i128::from(c.max(0))))
        .collect::<Result<_, _>>()?;
    let total_weight: i128 = weights.iter().sum();
    if total_discount <= 0 || total_weight == 0 {
        return Ok(weights.iter().map(|_| Money::zero(currency)).collect());
    }
    if total_discount > total_weight {
        return Err(PricingError::InvalidRule {
            rule: "allocation".into(),
            why: "a discount larger than what its lines cost cannot be allocated",
        });
    }

    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let exact = total_discount * weight;
        shares.push(exact / total_weight);
        remainders.push((exact % total_weight, index));
    }
    let leftover = total_discount - shares.iter().sum::<i128>();
    // Largest remainder first; on equal remainders the earlier line first.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, index) in remainders
        .iter()
        .take(usize::try_from(leftover).unwrap_or(0))
    {
        shares[index] += 1;
    }
    shares
        .into_iter()
        .map(|share| {
            i64::try_from(share)
                .map(|share| Money::from_minor_units(share, currency))
                .map_err(|_| PricingError::Overflow)
        })
        .collect()
}

//! Whole cents for the quote: `Money::minor_units` with the quote's error, used where the quote
//! must split or cap an amount without ever creating or losing a cent (allocation, the discount
//! ceiling), plus the small comparisons `Money` does not offer. Every amount that reaches these helpers has
//! already been rounded once with `Money::rounded` or was cent-exact on input.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::money::{Currency, MINOR_UNIT_PLACES, Money, MoneyError};

use super::error::PricingError;

/// A cent-exact amount as a whole number of cents (`Money::minor_units`, the one rule: a
/// fraction of a cent is refused), as the quote's error.
pub(super) fn to_cents(amount: Money) -> Result<i64, PricingError> {
    amount.minor_units().map_err(|error| match error {
        MoneyError::Overflow => PricingError::Overflow,
        _ => PricingError::SubCentAmount {
            field: "amount".into(),
        },
    })
}

/// The largest cent amount not above `amount`. Used only for caps, where "never above" is the
/// rule: `Money::rounded` (half away from zero) could go half a cent over.
pub(super) fn floor_to_cent(amount: Money) -> Money {
    Money::exact(
        amount
            .amount()
            .round_dp_with_strategy(MINOR_UNIT_PLACES, RoundingStrategy::ToNegativeInfinity),
        amount.currency(),
    )
}

pub(super) fn min(a: Money, b: Money) -> Money {
    if b.amount() < a.amount() { b } else { a }
}

pub(super) fn is_positive(amount: Money) -> bool {
    amount.amount() > Decimal::ZERO
}

pub(super) fn at_least(amount: Money, floor: Money) -> bool {
    amount.amount() >= floor.amount()
}

pub(super) fn sum<'a>(
    amounts: impl IntoIterator<Item = &'a Money>,
    currency: Currency,
) -> Result<Money, PricingError> {
    amounts
        .into_iter()
        .try_fold(Money::zero(currency), |total, amount| {
            Ok(total.checked_add(amount)?)
        })
}

/// `amount` × `units`, checked.
pub(super) fn times(amount: Money, units: u32) -> Result<Money, PricingError> {
    Ok(amount.checked_mul(Decimal::from(units))?)
}

//! What a refund gives back for units of one order line: the one cent rule.
//!
//! An order line's `total` is what the customer paid for all its units after every discount
//! allocated to it (issue 5), and it need not divide evenly by the quantity (3 units for
//! 10.00). The rule, in cents: every unit is worth `floor(total / quantity)`, and the refund
//! that takes the line's **last** unit also takes the remainder. Put as "what the first `m`
//! refunded units are worth", `worth(m) = m * floor(total / quantity)` for `m < quantity` and
//! `worth(quantity) = total`; a refund of `n` units after `k` were refunded gives
//! `worth(k + n) - worth(k)`. So whatever the sequence of partial refunds, their sum never
//! exceeds the line total and equals it once every unit is refunded, and the amount depends only
//! on how many units were refunded before, never on who asked first. Amounts are whole cents
//! (the order's amounts are already rounded by `Money::rounded`): they are read with
//! `Money::minor_units`, which refuses a fraction of a cent, so nothing is rounded here.

use crate::money::{Money, MoneyError};

/// A refund of more units than the line has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{asked} units asked, {remaining} left to refund")]
pub struct UnitsExceeded {
    pub asked: u32,
    pub remaining: u32,
}

/// Why a line's refund cannot be priced: too many units, or a line total that is not whole
/// cents (stored data the order's reader should never have let through).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineRefundError {
    #[error(transparent)]
    Exceeded(#[from] UnitsExceeded),
    #[error("the line total is not an amount of whole cents: {0}")]
    NotWholeCents(#[from] MoneyError),
}

/// What the first `refunded` units of a line of `quantity` units paid `total` cents are worth.
fn worth(total: i64, quantity: u32, refunded: u32) -> i64 {
    if refunded >= quantity {
        total
    } else {
        i64::from(refunded) * (total / i64::from(quantity.max(1)))
    }
}

/// What refunding `units` more units of a line gives back, `already` having been refunded.
pub fn refund_for_units(
    line_total: &Money,
    quantity: u32,
    already: u32,
    units: u32,
) -> Result<Money, LineRefundError> {
    let remaining = quantity.saturating_sub(already);
    if units > remaining {
        return Err(UnitsExceeded {
            asked: units,
            remaining,
        }
        .into());
    }
    let total = line_total.minor_units()?;
    let amount = worth(total, quantity, already + units) - worth(total, quantity, already);
    Ok(Money::from_minor_units(amount, line_total.currency()))
}

/// What is left to refund on a line after `already` of its `quantity` units were refunded.
pub fn remaining_on_line(
    line_total: &Money,
    quantity: u32,
    already: u32,
) -> Result<Money, MoneyError> {
    let total = line_total.minor_units()?;
    Ok(Money::from_minor_units(
        total - worth(total, quantity, already),
        line_total.currency(),
    ))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::money::Currency;

    fn cny(amount: &str) -> Money {
        Money::parse(amount, Currency::CNY).unwrap()
    }

    #[test]
    fn units_are_worth_the_floor_and_the_last_unit_takes_the_remainder() {
        // (line total, quantity, already refunded, units now, expected)
        let table = [
            ("10.00", 3, 0, 1, "3.33"),
            ("10.00", 3, 1, 1, "3.33"),
            ("10.00", 3, 2, 1, "3.34"),
            ("10.00", 3, 0, 3, "10.00"),
            ("10.00", 3, 1, 2, "6.67"),
            ("10.00", 3, 0, 2, "6.66"),
            ("0.05", 7, 0, 6, "0.00"),
            ("0.05", 7, 6, 1, "0.05"),
            ("196.00", 2, 0, 1, "98.00"),
            ("0.00", 3, 0, 3, "0.00"),
            ("99.99", 1, 0, 1, "99.99"),
        ];
        for (total, quantity, already, units, expected) in table {
            assert_eq!(
                refund_for_units(&cny(total), quantity, already, units)
                    .unwrap()
                    .amount_string(),
                expected,
                "{total} x{quantity}, {already} refunded, {units} more"
            );
        }
    }

    #[test]
    fn a_line_total_with_a_fraction_of_a_cent_is_refused_not_rounded() {
        let sub_cent = Money::exact(rust_decimal::Decimal::new(10_005, 3), Currency::CNY);
        assert!(matches!(
            refund_for_units(&sub_cent, 3, 0, 1),
            Err(LineRefundError::NotWholeCents(MoneyError::TooPrecise(_)))
        ));
        assert!(remaining_on_line(&sub_cent, 3, 0).is_err());
    }

    #[test]
    fn more_units_than_are_left_are_refused_naming_what_is_left() {
        assert_eq!(
            refund_for_units(&cny("10.00"), 3, 2, 2),
            Err(LineRefundError::Exceeded(UnitsExceeded {
                asked: 2,
                remaining: 1
            }))
        );
        assert_eq!(
            remaining_on_line(&cny("10.00"), 3, 2)
                .unwrap()
                .amount_string(),
            "3.34"
        );
        assert_eq!(
            remaining_on_line(&cny("10.00"), 3, 3)
                .unwrap()
                .amount_string(),
            "0.00"
        );
    }

    proptest! {
        /// Any sequence of partial refunds of a line: each is non-negative, their running sum
        /// never exceeds the line total, equals it once every unit is refunded, and what is
        /// left is always total minus the sum.
        #[test]
        fn partial_refunds_never_exceed_and_finally_equal_the_line_total(
            total_cents in 0i64..10_000_000,
            quantity in 1u32..=999,
            cuts in proptest::collection::vec(1u32..=999, 1..20),
        ) {
            let total = Money::from_minor_units(total_cents, Currency::CNY);
            let cents = |m: Money| m.minor_units().unwrap();
            let mut refunded = 0u32;
            let mut sum = 0i64;
            for cut in cuts {
                let units = cut.min(quantity - refunded);
                if units == 0 {
                    break;
                }
                let amount = cents(refund_for_units(&total, quantity, refunded, units).unwrap());
                prop_assert!(amount >= 0);
                refunded += units;
                sum += amount;
                prop_assert!(sum <= total_cents);
                prop_assert_eq!(
                    cents(remaining_on_line(&total, quantity, refunded).unwrap()),
                    total_cents - sum
                );
            }
            let rest = quantity - refunded;
            if rest > 0 {
                sum += cents(refund_for_units(&total, quantity, refunded, rest).unwrap());
            }
            prop_assert_eq!(sum, total_cents);
            prop_assert!(refund_for_units(&total, quantity, quantity, 1).is_err());
        }
    }
}

//! `Money`: an exact decimal amount in one currency. Never `f64`.
//!
//! The one rounding rule of the shop lives here (`Money::rounded`): amounts are rounded to the
//! currency's minor unit (2 decimal places for every currency the shop takes) with
//! "half away from zero" (commercial rounding, 0.005 → 0.01), exactly once, where a line total
//! or an allocation is fixed. Arithmetic is checked: overflow and currency mismatch are errors.
//! On the wire an amount is a string ("12.30") next to its ISO 4217 currency code.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The decimal places of every currency the shop takes (CNY, EUR, USD, ...).
pub const MINOR_UNIT_PLACES: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is not a decimal number: {0}")]
    NotADecimal(String),
    #[error("amount has more than {MINOR_UNIT_PLACES} decimal places: {0}")]
    TooPrecise(String),
    #[error("currency must be a three-letter ISO 4217 code: {0}")]
    BadCurrency(String),
    #[error("cannot combine {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount overflow")]
    Overflow,
}

/// An ISO 4217 currency code, upper-case, three letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const CNY: Currency = Currency(*b"CNY");
    /// The shop's one currency, its only home: every catalog amount, price rule and refund
    /// limit is in it (products default to it in `migrations/0001_catalog.sql`).
    pub const SHOP: Currency = Currency::CNY;

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Currency([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(MoneyError::BadCurrency(code.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

/// An amount of money in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Parses an amount as it travels on the wire ("12.30"): at most two decimal places.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        let value =
            Decimal::from_str(amount).map_err(|_| MoneyError::NotADecimal(amount.to_owned()))?;
        if value.scale() > MINOR_UNIT_PLACES && value.normalize().scale() > MINOR_UNIT_PLACES {
            return Err(MoneyError::TooPrecise(amount.to_owned()));
        }
        Ok(Money {
            amount: value,
            currency,
        })
    }

    pub fn zero(currency: Currency) -> Self {
        Money {
            amount: Decimal::ZERO,
            currency,
        }
    }

    /// An exact amount, not yet rounded (for intermediate results such as a percentage).
    pub fn exact(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// The shop's one rounding rule: to the minor unit, half away from zero.
    pub fn rounded(&self) -> Self {
        Money {
            amount: self
                .amount
                .round_dp_with_strategy(MINOR_UNIT_PLACES, RoundingStrategy::MidpointAwayFromZero),
            currency: self.currency,
        }
    }

    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::exact(amount, self.currency))
    }

    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::exact(amount, self.currency))
    }

    pub fn checked_mul(&self, factor: Decimal) -> Result<Money, MoneyError> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::exact(amount, self.currency))
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// The amount in whole minor units (cents), the integer view where an amount is split or
    /// capped without creating or losing a cent. The shop's one rule: an amount with a fraction
    /// of a cent is refused (round it first with `rounded`), never rounded here, and one that
    /// does not fit an `i64` is an overflow, never saturated.
    pub fn minor_units(&self) -> Result<i64, MoneyError> {
        let mut scaled = self.amount;
        scaled.rescale(MINOR_UNIT_PLACES);
        if scaled != self.amount {
            return Err(MoneyError::TooPrecise(self.amount.to_string()));
        }
        i64::try_from(scaled.mantissa()).map_err(|_| MoneyError::Overflow)
    }

    /// An amount of whole minor units (cents): the inverse of `minor_units`.
    pub fn from_minor_units(units: i64, currency: Currency) -> Self {
        Money::exact(Decimal::new(units, MINOR_UNIT_PLACES), currency)
    }

    /// The amount as it travels on the wire: always two decimal places ("12.30").
    pub fn amount_string(&self) -> String {
        let mut shown = self.rounded().amount;
        shown.rescale(MINOR_UNIT_PLACES);
        shown.to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cny(amount: &str) -> Money {
        Money::parse(amount, Currency::CNY).unwrap()
    }

    #[test]
    fn rounding_is_half_away_from_zero_to_the_cent() {
        let third = Money::exact(Decimal::new(10_005, 3), Currency::CNY); // 10.005
        assert_eq!(third.rounded().amount_string(), "10.01");
        let negative = Money::exact(Decimal::new(-10_005, 3), Currency::CNY);
        assert_eq!(negative.rounded().amount_string(), "-10.01");
        let below = Money::exact(Decimal::new(10_004, 3), Currency::CNY);
        assert_eq!(below.rounded().amount_string(), "10.00");
    }

    #[test]
    fn wire_amount_always_has_two_decimal_places() {
        assert_eq!(cny("12.3").amount_string(), "12.30");
        assert_eq!(cny("7").amount_string(), "7.00");
    }

    #[test]
    fn parse_rejects_sub_cent_amounts_and_garbage() {
        assert_eq!(
            Money::parse("1.005", Currency::CNY),
            Err(MoneyError::TooPrecise("1.005".into()))
        );
        assert!(matches!(
            Money::parse("1,00", Currency::CNY),
            Err(MoneyError::NotADecimal(_))
        ));
        assert!(
            Money::parse("1.500", Currency::CNY).is_ok(),
            "trailing zeros are exact"
        );
    }

    #[test]
    fn minor_units_refuse_a_fraction_of_a_cent_and_round_trip_whole_cents() {
        assert_eq!(cny("12.3").minor_units(), Ok(1230));
        assert_eq!(cny("-0.05").minor_units(), Ok(-5));
        let sub_cent = Money::exact(Decimal::new(10_005, 3), Currency::CNY);
        assert_eq!(
            sub_cent.minor_units(),
            Err(MoneyError::TooPrecise("10.005".into()))
        );
        assert_eq!(sub_cent.rounded().minor_units(), Ok(1001));
        let huge = Money::exact(Decimal::MAX, Currency::CNY);
        assert_eq!(huge.minor_units(), Err(MoneyError::Overflow));
        assert_eq!(Money::from_minor_units(1230, Currency::CNY), cny("12.30"));
    }

    #[test]
    fn currency_codes_are_three_upper_case_letters() {
        assert!(Currency::parse("EUR").is_ok());
        assert!(Currency::parse("eur").is_err());
        assert!(Currency::parse("EURO").is_err());
    }

    #[test]
    fn adding_different_currencies_is_an_error() {
        let eur = Money::parse("1.00", Currency::parse("EUR").unwrap()).unwrap();
        assert!(matches!(
            cny("1.00").checked_add(&eur),
            Err(MoneyError::CurrencyMismatch(..))
        ));
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let huge = Money::exact(Decimal::MAX, Currency::CNY);
        assert_eq!(huge.checked_add(&cny("1")), Err(MoneyError::Overflow));
        assert_eq!(huge.checked_mul(Decimal::TWO), Err(MoneyError::Overflow));
    }

    proptest! {
        #[test]
        fn rounding_twice_changes_nothing(cents in -10_000_000i64..10_000_000, extra in 0i64..1000) {
            let m = Money::exact(Decimal::new(cents * 1000 + extra, 5), Currency::CNY);
            prop_assert_eq!(m.rounded().rounded(), m.rounded());
        }

        #[test]
        fn rounding_moves_an_amount_by_at_most_half_a_cent(units in -1_000_000_000i64..1_000_000_000) {
            let m = Money::exact(Decimal::new(units, 4), Currency::CNY);
            let diff = (m.rounded().amount() - m.amount()).abs();
            prop_assert!(diff <= Decimal::new(5, 3));
        }
    }
}

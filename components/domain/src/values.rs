//! Values parsed once at the edge: `Sku` and `Quantity`. Their fields are private and their
//! constructors fallible, so past the edge nothing re-validates them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a raw value was refused. The edge maps each to a 4xx naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("must be 1 to {max} characters of A-Z, 0-9, '-' or '_'")]
    BadCode { max: usize },
    #[error("must be between {min} and {max}")]
    OutOfRange { min: u32, max: u32 },
}

/// Parses an identifier-like code: 1..=max characters of upper-case letters, digits, '-' and '_'.
fn parse_code(raw: &str, max: usize) -> Result<String, ValueError> {
    let ok = !raw.is_empty()
        && raw.len() <= max
        && raw
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ValueError::BadCode { max })
    }
}

/// A stock-keeping unit code such as `TEA-OOLONG-250G`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_code(raw, Self::MAX_LEN).map(Sku)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sku {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Sku::parse(&value)
    }
}

impl From<Sku> for String {
    fn from(value: Sku) -> Self {
        value.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How many units of one sku a line holds: 1..=999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    pub const MIN: u32 = 1;
    pub const MAX: u32 = 999;

    pub fn new(units: u32) -> Result<Self, ValueError> {
        if (Self::MIN..=Self::MAX).contains(&units) {
            Ok(Quantity(units))
        } else {
            Err(ValueError::OutOfRange {
                min: Self::MIN,
                max: Self::MAX,
            })
        }
    }

    /// The sum of two quantities, capped at `Quantity::MAX`; tells whether the cap bit.
    pub fn saturating_add(self, other: Quantity) -> (Quantity, bool) {
        let sum = self.0 + other.0;
        if sum > Self::MAX {
            (Quantity(Self::MAX), true)
        } else {
            (Quantity(sum), false)
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// Quantities arrive on the wire as any integer, so that 0, -1 and 1000 are all refused by the
/// same rule, naming the field, rather than some by the JSON decoder.
impl TryFrom<i64> for Quantity {
    type Error = ValueError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        u32::try_from(value)
            .map_err(|_| ValueError::OutOfRange {
                min: Self::MIN,
                max: Self::MAX,
            })
            .and_then(Quantity::new)
    }
}

impl TryFrom<u32> for Quantity {
    type Error = ValueError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Quantity::new(value)
    }
}

impl From<Quantity> for u32 {
    fn from(value: Quantity) -> Self {
        value.0
    }
}

pub(crate) fn parse_store_code(raw: &str) -> Result<String, ValueError> {
    parse_code(raw, 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_accepts_upper_case_codes_and_refuses_the_rest() {
        assert!(Sku::parse("TEA-OOLONG_250G").is_ok());
        for bad in ["", "tea", "TEA OOLONG", "TEA/1", &"X".repeat(65)] {
            assert!(Sku::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn quantity_is_between_1_and_999() {
        assert!(Quantity::new(0).is_err());
        assert!(Quantity::new(1).is_ok());
        assert!(Quantity::new(999).is_ok());
        assert!(Quantity::new(1000).is_err());
    }

    #[test]
    fn a_wire_quantity_of_any_integer_is_checked_by_the_same_rule() {
        assert_eq!(Quantity::try_from(3i64).map(Quantity::get), Ok(3));
        for bad in [0i64, -1, 1000, i64::MIN, i64::MAX] {
            assert!(Quantity::try_from(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn quantity_sum_is_capped_at_999() {
        let (sum, capped) = Quantity::new(600)
            .unwrap()
            .saturating_add(Quantity::new(500).unwrap());
        assert_eq!((sum.get(), capped), (999, true));
        let (sum, capped) = Quantity::new(2)
            .unwrap()
            .saturating_add(Quantity::new(3).unwrap());
        assert_eq!((sum.get(), capped), (5, false));
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert!(serde_json::from_str::<Sku>("\"bad sku\"").is_err());
        assert_eq!(
            serde_json::from_str::<Sku>("\"A-1\"").unwrap().as_str(),
            "A-1"
        );
    }
}

//! `Percentage`: a share between 0 and 100 percent, used by every percentage-shaped rule
//! (tier discount, percentage off, coupon percentage, clearance markdown, the discount ceiling).
//! Parsed once, so no rule has to re-check that "15" is not "150".

use std::fmt;

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percentage(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a percentage must be between 0 and 100: {0}")]
pub struct PercentageOutOfRange(pub Decimal);

impl Percentage {
    pub const ZERO: Percentage = Percentage(Decimal::ZERO);
    pub const HUNDRED: Percentage = Percentage(Decimal::ONE_HUNDRED);

    pub fn new(percent: Decimal) -> Result<Self, PercentageOutOfRange> {
        if percent >= Decimal::ZERO && percent <= Decimal::ONE_HUNDRED {
            Ok(Percentage(percent))
        } else {
            Err(PercentageOutOfRange(percent))
        }
    }

    /// A whole number of percent, for rules and tests written as `Percentage::whole(15)`.
    pub fn whole(percent: u8) -> Result<Self, PercentageOutOfRange> {
        Percentage::new(Decimal::from(percent))
    }

    pub fn percent(&self) -> Decimal {
        self.0
    }

    /// The share as a fraction (15 % → 0.15), to multiply an amount by.
    pub fn fraction(&self) -> Decimal {
        self.0 / Decimal::ONE_HUNDRED
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0.normalize())
    }
}

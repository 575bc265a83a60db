//! `PricingError`: why a basket could not be priced at all. A coupon that does not apply is
//! *not* an error (it is listed in the quote's rejected coupons); these are the cases where no
//! honest quote exists. The edge maps each to one problem+json type.

use crate::money::{Currency, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("there is nothing to price: the basket has no lines")]
    EmptyBasket,
    #[error("{field} is in {found}, the quote is in {expected}")]
    CurrencyMismatch {
        field: String,
        expected: Currency,
        found: Currency,
    },
    #[error("{field} has a fraction of a cent; prices are whole cents")]
    SubCentAmount { field: String },
    #[error("{field} is negative")]
    NegativeAmount { field: String },
    #[error("amount overflow")]
    Overflow,
    #[error(
        "not deliverable: {distance_m} m from the nearest store, deliveries reach {farthest_m} m"
    )]
    NotDeliverable { distance_m: u32, farthest_m: u32 },
    #[error("rule {rule} cannot be applied: {why}")]
    InvalidRule { rule: String, why: &'static str },
}

impl From<MoneyError> for PricingError {
    fn from(error: MoneyError) -> Self {
        match error {
            MoneyError::CurrencyMismatch(expected, found) => PricingError::CurrencyMismatch {
                field: "amount".into(),
                expected,
                found,
            },
            // Parsing errors cannot happen past the edge; arithmetic can only overflow.
            _ => PricingError::Overflow,
        }
    }
}

//! The names the pricing rules are keyed by: promotion ids, coupon codes, member tiers,
//! categories and brands. Like `Sku`, each is parsed once at the edge and is a plain ordered
//! string afterwards, so that every collection of rules can be walked in a stable order
//! (`BTreeMap`/sorting by these ids) and the same inputs always give the same quote. Each is
//! written out (`Serialize`) as the plain string it is.

use std::fmt;

use crate::values::ValueError;

/// Longest accepted code, generous for operator-chosen names such as `DOUBLE-11-2026-TEA`.
pub const MAX_CODE_LEN: usize = 64;

fn parse_code(raw: &str) -> Result<String, ValueError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_CODE_LEN
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ValueError::BadCode { max: MAX_CODE_LEN })
    }
}

macro_rules! pricing_code {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                parse_code(raw).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pricing_code!(
    /// The id of a promotion as the catalog names it, e.g. `MANJIAN-200-30`.
    PromotionId
);
pricing_code!(
    /// A member tier such as `GOLD`.
    TierId
);
pricing_code!(
    /// A product category such as `TEA`.
    CategoryId
);
pricing_code!(
    /// A brand such as `LONGJING-CO`.
    BrandId
);

/// A coupon code as the customer types it. Customers type codes in any case, so the code is
/// upper-cased once here: `save10` and `SAVE10` are the same coupon.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct CouponCode(String);

impl CouponCode {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_code(raw.trim()).map(|code| CouponCode(code.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CouponCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

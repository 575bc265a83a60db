//! Identifiers. Ids the shop makes are uuid v7: time-ordered, and with 74 random bits a guest
//! cart's id cannot be guessed. The creation time is passed in; the randomness comes from the
//! platform (WASI random under Spin). Store and customer ids come from outside and are parsed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::{Timestamp, Uuid};

use crate::values::{ValueError, parse_store_code};

/// A v7 uuid made at `now`.
pub(crate) fn new_v7(now: DateTime<Utc>) -> Uuid {
    let secs = u64::try_from(now.timestamp()).unwrap_or(0);
    Uuid::new_v7(Timestamp::from_unix(
        uuid::NoContext,
        secs,
        now.timestamp_subsec_nanos(),
    ))
}

/// Declares an id the shop makes: a v7 uuid made at `now` (time-ordered, so ids sort by
/// creation; 74 random bits, so one id tells nothing of another), parsed only from the
/// hyphenated form the shop writes, and shown in it.
macro_rules! v7_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            pub fn new(now: chrono::DateTime<chrono::Utc>) -> Self {
                $name($crate::ids::new_v7(now))
            }

            /// Parses an id from a path segment, a query value or a stored row.
            pub fn parse(raw: &str) -> Option<Self> {
                (raw.len() == 36)
                    .then(|| uuid::Uuid::try_parse(raw).ok())
                    .flatten()
                    .map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}
pub(crate) use v7_id;

v7_id!(
    /// The id of a cart: holding a guest cart's id is holding the cart.
    CartId
);
v7_id!(
    /// The id of a quote snapshot.
    QuoteId
);
v7_id!(
    /// The id of a placed order.
    OrderId
);

/// A customer of the shop, as named by the identity provider (the JWT `sub`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerId(String);

impl CustomerId {
    pub const MAX_LEN: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.chars().all(|c| c.is_ascii_graphic());
        if ok {
            Ok(CustomerId(raw.to_owned()))
        } else {
            Err(ValueError::BadCode { max: Self::MAX_LEN })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CustomerId {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CustomerId::parse(&value)
    }
}

impl From<CustomerId> for String {
    fn from(value: CustomerId) -> Self {
        value.0
    }
}

/// A physical store of the chain, e.g. `SH-JINGAN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StoreId(String);

impl StoreId {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_store_code(raw).map(StoreId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StoreId {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        StoreId::parse(&value)
    }
}

impl From<StoreId> for String {
    fn from(value: StoreId) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn cart_ids_are_time_ordered_and_round_trip() {
        let early = CartId::new(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
        let late = CartId::new(Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap());
        assert!(early.to_string() < late.to_string());
        assert_eq!(CartId::parse(&early.to_string()), Some(early));
    }

    #[test]
    fn cart_id_parse_refuses_other_forms() {
        assert_eq!(CartId::parse("not-a-uuid"), None);
        assert_eq!(CartId::parse("0192f1d2a3b47c8d9e0f1a2b3c4d5e6f"), None);
    }

    #[test]
    fn two_ids_made_at_the_same_instant_differ() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_ne!(CartId::new(now), CartId::new(now));
    }
}

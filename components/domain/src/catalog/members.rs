//! Membership as operators write it: member tiers (a discount off the store price of every
//! sku, and explicit tier prices per sku that win over it) and customers with their tier.
//! A tier's discount is read by the quote's own rule parser (`pricing::stored_rules`); a tier
//! price is a price like a store price
//! (`parse_price`). The tables (`migrations/0002_pricing.sql`) have no `active` column for
//! either, so: a tier is removed once no customer is on it (its tier prices go with it), and
//! a customer is never removed (orders refer to them): `"tier_id": null` ends a membership and
//! the customer pays non-member prices from the next quote on.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{CatalogError, invalid, refused, required_text};
use crate::ids::CustomerId;
use crate::pricing::stored_rules::tier_discount as read_tier_discount;
use crate::pricing::{Percentage, TierId};

/// Tiers rank from 0 (the entry tier) up to this.
pub const MAX_RANK: u32 = 1_000;

/// A member tier as an operator writes it (the id comes from the body on create, the path on
/// update).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberTierDraft {
    pub name: String,
    /// Where the tier stands among the others (regular 0, silver 1, gold 2, ...).
    #[serde(default)]
    pub rank: u32,
    /// Percent off the store price of every sku without a tier price ("5"); absent or null:
    /// none.
    #[serde(default)]
    pub discount_percent: Option<String>,
}

/// A checked member tier.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberTier {
    pub id: TierId,
    pub name: String,
    pub rank: u32,
    /// Stored without trailing zeros ("5", "7.5", `stored_rules::stored_percentage`).
    pub discount_percent: Option<Percentage>,
}

pub fn parse_tier_id(field: &str, raw: &str) -> Result<TierId, CatalogError> {
    TierId::parse(raw).map_err(|e| invalid(field, e))
}

impl MemberTierDraft {
    pub fn validate(self, id: TierId) -> Result<MemberTier, CatalogError> {
        let name = required_text("name", &self.name)?;
        if self.rank > MAX_RANK {
            return Err(invalid("rank", format!("0 to {MAX_RANK}")));
        }
        let discount_percent = self
            .discount_percent
            .map(|raw| tier_discount(&raw))
            .transpose()?;
        Ok(MemberTier {
            id,
            name,
            rank: self.rank,
            discount_percent,
        })
    }
}

/// A tier discount: more than 0 and less than 100 percent (a tier that gives everything away
/// is a mistake; no discount is `null`), at most two decimals, and readable by the quote.
fn tier_discount(raw: &str) -> Result<Percentage, CatalogError> {
    let field = "discount_percent";
    let percent: Decimal = raw
        .trim()
        .parse()
        .map_err(|_| invalid(field, "a number of percent such as \"5\" (null: none)"))?;
    if percent <= Decimal::ZERO || percent >= Decimal::ONE_HUNDRED {
        return Err(invalid(
            field,
            "more than 0 and less than 100 (null: no discount)",
        ));
    }
    let percent = percent.normalize();
    if percent.scale() > 2 {
        return Err(invalid(field, "at most two decimals"));
    }
    // Read by the quote's parser from the text it is stored as.
    let stored = percent.to_string();
    read_tier_discount(Some(&stored))
        .map_err(refused)?
        .ok_or_else(|| invalid(field, "a number of percent such as \"5\" (null: none)"))
}

/// A customer id as the catalog takes it: the shop's `CustomerId` (the identity provider's
/// id), which must also stand alone as the last segment of `/admin/customers/{id}`.
pub fn parse_customer_id(field: &str, raw: &str) -> Result<CustomerId, CatalogError> {
    let detail = format!(
        "1 to {} visible ASCII characters, none of / ? # %",
        CustomerId::MAX_LEN
    );
    if raw.contains(['/', '?', '#', '%']) {
        return Err(invalid(field, detail));
    }
    CustomerId::parse(raw).map_err(|_| invalid(field, detail))
}

/// A customer as an operator writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerDraft {
    pub name: String,
    /// The member tier; absent or null: none (non-member prices).
    #[serde(default)]
    pub tier_id: Option<String>,
}

/// A checked customer; that the tier exists is checked in the transaction that writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub tier: Option<TierId>,
}

impl CustomerDraft {
    pub fn validate(self, id: CustomerId) -> Result<Customer, CatalogError> {
        Ok(Customer {
            id,
            name: required_text("name", &self.name)?,
            tier: self
                .tier_id
                .map(|raw| parse_tier_id("tier_id", &raw))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::stored_rules::stored_percentage;

    fn gold() -> TierId {
        TierId::parse("gold").unwrap()
    }

    fn a_tier(discount_percent: Option<&str>) -> MemberTierDraft {
        MemberTierDraft {
            name: "Gold".to_owned(),
            rank: 2,
            discount_percent: discount_percent.map(str::to_owned),
        }
    }

    fn field_of<T: std::fmt::Debug>(result: Result<T, CatalogError>) -> String {
        match result {
            Err(CatalogError::Invalid { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn a_tier_discount_is_stored_as_the_quote_reads_it() {
        let tier = a_tier(Some(" 7.50 ")).validate(gold()).unwrap();
        let stored = tier.discount_percent.map(stored_percentage);
        assert_eq!(stored.as_deref(), Some("7.5"));
        let read = read_tier_discount(stored.as_deref()).unwrap();
        assert_eq!(read.map(|p| p.to_string()), Some("7.5%".to_owned()));
        assert_eq!(
            a_tier(None).validate(gold()).unwrap().discount_percent,
            None
        );
    }

    #[test]
    fn a_tier_discount_outside_0_to_100_or_not_a_number_is_refused() {
        for bad in ["0", "100", "150", "-5", "abc", "", "5.125"] {
            assert_eq!(
                field_of(a_tier(Some(bad)).validate(gold())),
                "discount_percent",
                "{bad:?}"
            );
        }
        let mut blank_name = a_tier(Some("5"));
        blank_name.name = "  ".to_owned();
        assert_eq!(field_of(blank_name.validate(gold())), "name");
        let mut too_high = a_tier(Some("5"));
        too_high.rank = MAX_RANK + 1;
        assert_eq!(field_of(too_high.validate(gold())), "rank");
    }

    #[test]
    fn a_customer_id_must_stand_alone_as_a_path_segment() {
        assert!(parse_customer_id("id", "cust-42").is_ok());
        assert!(parse_customer_id("id", "auth0|5f1c").is_ok());
        for bad in [
            "",
            "a/b",
            "a?b",
            "a#b",
            "100%",
            "with space",
            &"x".repeat(129),
        ] {
            assert!(parse_customer_id("id", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_customer_names_a_tier_by_its_id_or_none() {
        let id = CustomerId::parse("cust-1").unwrap();
        let draft = |tier: Option<&str>| CustomerDraft {
            name: "Li Wei".to_owned(),
            tier_id: tier.map(str::to_owned),
        };
        let member = draft(Some("gold")).validate(id.clone()).unwrap();
        assert_eq!(member.tier, Some(gold()));
        assert_eq!(draft(None).validate(id.clone()).unwrap().tier, None);
        assert_eq!(
            field_of(draft(Some("not a tier")).validate(id.clone())),
            "tier_id"
        );
    }
}

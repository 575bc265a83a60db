//! Where the pricing rules and facts are kept: the catalog's SQL tables (`migrations/0001` and
//! `0002_pricing.sql`) read into the domain's `PricingRules` and `PricingFacts`. The quote and
//! place-order read everything a basket needs in one statement (`basket_facts`, issue 12);
//! this file holds the row readers that statement's rows go through, and `load_store`.
//! Promotions, coupons and tier discounts are read by the rule parser the operators' catalog
//! checks every write with (`stored_rules`), so the catalog never stores what the quote cannot
//! read. A row that cannot be read as a rule (a price of "abc", an unknown promotion kind) is a
//! `StoreError::Corrupt` naming the row and column, never a silent skip, so a catalog mistake
//! cannot quietly change what customers pay.
//!
//! Conventions of the tables: amounts are decimal strings in the shop's currency (the products'
//! currency), percentages decimal strings ("15" is 15 %), times RFC 3339 UTC strings, and
//! brands free text: a brand's id is its name with every character outside `A-Z a-z 0-9 - _ .`
//! replaced by `-` (see [`catalog_code`]), on products and promotion targets alike.

use crate::geo::{self, GeoPoint, StoreReach};
use crate::ids::StoreId;
use crate::money::{Currency, Money};
use crate::pricing::stored_rules::{
    CouponFields, PromotionFields, parse_amount, parse_percentage, tier_discount,
};
use crate::pricing::{
    BrandId, CategoryId, Coupon, CouponCode, Percentage, Promotion, PromotionId, TierId,
};
use crate::storage::row::{col_flag, col_int, col_opt_int, col_opt_text, col_real, col_text};
use crate::storage::{Sql, SqlValue, StoreError};
use crate::values::Sku;

pub mod basket_facts;

const ACTIVE_STORE: &str = "SELECT id, latitude, longitude, pickup_enabled, delivery_radius_km, \
     name FROM stores WHERE id = ? AND active = 1";

/// A product as pricing needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogProduct {
    pub sku: Sku,
    pub name: String,
    pub list_price: Money,
    pub category: CategoryId,
    pub brand: BrandId,
}

/// A store as quoting needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogStore {
    pub id: StoreId,
    pub name: String,
    pub location: GeoPoint,
    pub pickup_enabled: bool,
    pub delivery_radius_m: u32,
}

impl CatalogStore {
    pub fn reach(&self) -> StoreReach {
        StoreReach {
            store: self.id.clone(),
            location: self.location,
            delivery_radius_m: self.delivery_radius_m,
        }
    }
}

/// A catalog name as a pricing code: characters outside `A-Z a-z 0-9 - _ .` become `-`, cut to
/// 64 characters (so "Three Squirrels" is the brand `Three-Squirrels`).
pub fn catalog_code(raw: &str) -> String {
    let code: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(crate::pricing::MAX_CODE_LEN)
        .collect();
    if code.is_empty() {
        "-".to_owned()
    } else {
        code
    }
}

/// A product row: `sku, name, category, brand, list_price, currency`.
fn product_from_row(row: &[SqlValue]) -> Result<CatalogProduct, StoreError> {
    let sku_raw = col_text(row, 0, "products.sku")?;
    let at = |column: &str| format!("products[{sku_raw}].{column}");
    let sku = Sku::parse(&sku_raw).map_err(|e| corrupt(at("sku"), e))?;
    let currency =
        Currency::parse(&col_text(row, 5, "currency")?).map_err(|e| corrupt(at("currency"), e))?;
    Ok(CatalogProduct {
        name: col_text(row, 1, &at("name"))?,
        category: CategoryId::parse(&catalog_code(&col_text(row, 2, &at("category"))?))
            .map_err(|e| corrupt(at("category"), e))?,
        brand: BrandId::parse(&catalog_code(&col_text(row, 3, &at("brand"))?))
            .map_err(|e| corrupt(at("brand"), e))?,
        list_price: money(
            &col_text(row, 4, &at("list_price"))?,
            currency,
            &at("list_price"),
        )?,
        sku,
    })
}

/// A store row: `id, latitude, longitude, pickup_enabled, delivery_radius_km, name`.
fn store_from_row(row: &[SqlValue]) -> Result<CatalogStore, StoreError> {
    let raw_id = col_text(row, 0, "stores.id")?;
    let at = |column: &str| format!("stores[{raw_id}].{column}");
    let location = GeoPoint::new(
        col_real(row, 1, &at("latitude"))?,
        col_real(row, 2, &at("longitude"))?,
    )
    .map_err(|e| corrupt(at("location"), e))?;
    let radius_km = col_real(row, 4, &at("delivery_radius_km"))?;
    if !(radius_km.is_finite() && (0.0..=20_000.0).contains(&radius_km)) {
        return Err(corrupt(at("delivery_radius_km"), radius_km));
    }
    Ok(CatalogStore {
        id: StoreId::parse(&raw_id).map_err(|e| corrupt(at("id"), e))?,
        name: col_text(row, 5, &at("name"))?,
        location,
        pickup_enabled: col_flag(row, 3, &at("pickup_enabled"))?,
        // Within 0..=20,000 km: fits a u32 of metres.
        delivery_radius_m: geo::radius_m(radius_km),
    })
}

/// The store, if it exists and is open for business.
pub fn load_store(db: &impl Sql, id: &StoreId) -> Result<Option<CatalogStore>, StoreError> {
    let rows = db.execute(ACTIVE_STORE, &[SqlValue::from(id.as_str())])?;
    rows.rows.first().map(|row| store_from_row(row)).transpose()
}

// ---- rows to rules ----

/// A promotion row (`id, name, kind, starts_at, ends_at, target_kind, target_values, priority,
/// stacking, parameters`) read by the rule parser the operators' catalog checks every
/// promotion with before writing it (`stored_rules`); a field it refuses is corrupt data
/// naming the promotion and the column.
fn promotion(row: &[SqlValue], currency: Currency) -> Result<Promotion, StoreError> {
    let raw_id = col_text(row, 0, "promotions.id")?;
    let at = |column: &str| format!("promotions[{raw_id}].{column}");
    let id = PromotionId::parse(&raw_id).map_err(|e| corrupt(at("id"), e))?;
    let name = col_text(row, 1, &at("name"))?;
    let column = |index: usize, name: &str| col_text(row, index, &at(name));
    let kind = column(2, "kind")?;
    let starts_at = column(3, "starts_at")?;
    let ends_at = column(4, "ends_at")?;
    let target_kind = column(5, "target_kind")?;
    let target_values = column(6, "target_values")?;
    let stacking = column(8, "stacking")?;
    let parameters = column(9, "parameters")?;
    let fields = PromotionFields {
        kind: &kind,
        starts_at: &starts_at,
        ends_at: &ends_at,
        target_kind: &target_kind,
        target_values: &target_values,
        priority: col_int(row, 7, &at("priority"))?,
        stacking: &stacking,
        parameters: &parameters,
    };
    fields
        .read(id, name, currency)
        .map_err(|refused| corrupt(at(refused.field.as_str()), refused.detail))
}

/// A coupon row (`code, name, kind, amount, percent, max_discount, minimum_spend, starts_at,
/// ends_at, total_limit, per_customer_limit, stacking`) read by the rule parser the operators'
/// catalog checks every coupon with (`stored_rules`), like promotions.
fn coupon(row: &[SqlValue], currency: Currency) -> Result<Coupon, StoreError> {
    let raw_code = col_text(row, 0, "coupons.code")?;
    let at = |column: &str| format!("coupons[{raw_code}].{column}");
    let code = CouponCode::parse(&raw_code).map_err(|e| corrupt(at("code"), e))?;
    let name = col_text(row, 1, &at("name"))?;
    let column = |index: usize, name: &str| col_text(row, index, &at(name));
    let kind = column(2, "kind")?;
    let starts_at = column(7, "starts_at")?;
    let ends_at = column(8, "ends_at")?;
    let stacking = column(11, "stacking")?;
    let amount = col_opt_text(row, 3, &at("amount"))?;
    let percent = col_opt_text(row, 4, &at("percent"))?;
    let max_discount = col_opt_text(row, 5, &at("max_discount"))?;
    let minimum_spend = col_opt_text(row, 6, &at("minimum_spend"))?;
    let fields = CouponFields {
        kind: &kind,
        amount: amount.as_deref(),
        percent: percent.as_deref(),
        max_discount: max_discount.as_deref(),
        minimum_spend: minimum_spend.as_deref(),
        starts_at: &starts_at,
        ends_at: &ends_at,
        // A wrong-typed limit is corrupt data, never "no limit".
        total_limit: col_opt_int(row, 9, &at("total_limit"))?,
        per_customer_limit: col_opt_int(row, 10, &at("per_customer_limit"))?,
        stacking: &stacking,
    };
    fields
        .read(code, name, currency)
        .map_err(|refused| corrupt(at(refused.field.as_str()), refused.detail))
}

/// A member tier's `discount_percent` (the row's first cell) read as the operators' catalog
/// checks it (`stored_rules::tier_discount`): NULL is no discount; any text is a percentage
/// (a blank one is corrupt, as the catalog's own reader says).
fn read_tier_discount(tier: &TierId, row: &[SqlValue]) -> Result<Option<Percentage>, StoreError> {
    let at = format!("member_tiers[{tier}].discount_percent");
    tier_discount(col_opt_text(row, 0, &at)?.as_deref()).map_err(|refused| {
        corrupt(
            format!("member_tiers[{tier}].{}", refused.field),
            refused.detail,
        )
    })
}

// ---- cells: read with `storage::row`, the one row reader; parsed here ----

fn corrupt(at: impl AsRef<str>, why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{}: {why}", at.as_ref()))
}

fn money(raw: &str, currency: Currency, at: &str) -> Result<Money, StoreError> {
    parse_amount(raw, currency).map_err(|why| corrupt(at, why))
}

fn percentage(raw: &str, at: &str) -> Result<Percentage, StoreError> {
    parse_percentage(raw).map_err(|why| corrupt(at, why))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::Target;

    #[test]
    fn catalog_names_become_codes_deterministically() {
        assert_eq!(catalog_code("Three Squirrels"), "Three-Squirrels");
        assert_eq!(catalog_code("personal-care"), "personal-care");
        assert_eq!(catalog_code("  "), "-");
        assert_eq!(catalog_code(&"x".repeat(100)).len(), 64);
    }

    /// A `promotions` row as the quote's statement brings it, with `kind` and `parameters`.
    fn a_promotion_row(kind: &str, parameters: &str) -> Vec<SqlValue> {
        [
            "P1",
            "Tea week",
            kind,
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
            "categories",
            r#"["tea"]"#,
        ]
        .into_iter()
        .map(SqlValue::from)
        .chain([
            SqlValue::Integer(3),
            SqlValue::from("stackable"),
            SqlValue::from(parameters),
        ])
        .collect()
    }

    #[test]
    fn a_promotion_row_reads_as_the_rule_it_stores() {
        let row = a_promotion_row("percentage-off", r#"{"percent": "15"}"#);
        let read = promotion(&row, Currency::CNY).unwrap();
        assert_eq!(read.id.as_str(), "P1");
        assert_eq!(read.priority, 3);
        assert_eq!(read.kind.name().as_str(), "percentage-off");
        let tea = CategoryId::parse("tea").unwrap();
        assert_eq!(read.target, Target::Categories([tea].into()));
    }

    #[test]
    fn a_malformed_promotion_is_corrupt_data_naming_it() {
        for (kind, raw, column) in [
            ("percentage-off", r#"{"percent": "150"}"#, "parameters"),
            ("amount-off", r#"{"per_unit": "-1"}"#, "parameters"),
            (
                "amount-off",
                r#"{"per_unit": "5", "extra": 1}"#,
                "parameters",
            ),
            ("free-delivery", "not json", "parameters"),
            ("half-price-tuesdays", "{}", "kind"),
        ] {
            let err = promotion(&a_promotion_row(kind, raw), Currency::CNY).unwrap_err();
            let at = format!("promotions[P1].{column}: ");
            assert!(
                matches!(&err, StoreError::Corrupt(why) if why.starts_with(&at)),
                "{kind} {raw}: {err:?}"
            );
        }
        let mut backwards = a_promotion_row("percentage-off", r#"{"percent": "15"}"#);
        backwards[4] = SqlValue::from("next year");
        assert!(matches!(
            promotion(&backwards, Currency::CNY),
            Err(StoreError::Corrupt(why)) if why.starts_with("promotions[P1].ends_at: ")
        ));
    }

    #[test]
    fn a_malformed_coupon_or_tier_discount_is_corrupt_data_naming_it() {
        let row: Vec<SqlValue> = vec![
            SqlValue::from("SAVE15"),
            SqlValue::from("Save 15"),
            SqlValue::from("percentage-off"),
            SqlValue::Null,
            SqlValue::from("abc"),
            SqlValue::Null,
            SqlValue::Null,
            SqlValue::from("2026-01-01T00:00:00Z"),
            SqlValue::from("2027-01-01T00:00:00Z"),
            SqlValue::Null,
            SqlValue::Null,
            SqlValue::from("stackable"),
        ];
        assert!(matches!(
            coupon(&row, Currency::CNY),
            Err(StoreError::Corrupt(why)) if why.starts_with("coupons[SAVE15].percent: ")
        ));
        // A limit that is not an integer is corrupt, never read as "no limit".
        let mut unlimited = row.clone();
        unlimited[4] = SqlValue::from("15");
        assert!(coupon(&unlimited, Currency::CNY).is_ok());
        unlimited[9] = SqlValue::from("one hundred");
        assert!(matches!(
            coupon(&unlimited, Currency::CNY),
            Err(StoreError::Corrupt(why)) if why.starts_with("coupons[SAVE15].total_limit")
        ));
        unlimited[9] = SqlValue::Real(2.5);
        assert!(coupon(&unlimited, Currency::CNY).is_err());
        let gold = TierId::parse("gold").unwrap();
        assert!(matches!(
            read_tier_discount(&gold, &[SqlValue::from("150")]),
            Err(StoreError::Corrupt(why)) if why.starts_with("member_tiers[gold].discount_percent: ")
        ));
        assert_eq!(read_tier_discount(&gold, &[SqlValue::Null]), Ok(None));
        assert!(read_tier_discount(&gold, &[SqlValue::from(" ")]).is_err());
        assert!(read_tier_discount(&gold, &[SqlValue::Integer(5)]).is_err());
    }
}

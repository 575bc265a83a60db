//! The operators' catalog: what a product, a store, a store price override and a promotion
//! must be before they are written (member tiers and customers in `members`, coupons in
//! `coupons`), so that every row the catalog writes is one the quote
//! (`crate::pricing::repository`) reads. Drafts arrive as plain JSON-shaped data, `validate`
//! turns them into checked values or a `CatalogError::Invalid` naming the field; the SQL is in
//! `repository`. Promotions, coupons and tier discounts are read, as they will be stored, by
//! the quote's own rule parser (`pricing::stored_rules`), whose typed errors name the field,
//! so the two can never disagree.

pub mod coupons;
pub mod members;
pub mod repository;

pub use coupons::{CouponDraft, CouponRow, parse_coupon_code};
pub use members::{
    Customer, CustomerDraft, MemberTier, MemberTierDraft, parse_customer_id, parse_tier_id,
};

use chrono::{DateTime, SubsecRound, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::geo::GeoPoint;
use crate::ids::StoreId;
use crate::money::{Currency, Money};
use crate::pricing::stored_rules::{
    PROMOTION_KINDS, PromotionFields, RuleFieldError, TARGET_KINDS,
};
use crate::pricing::{Promotion, PromotionId, Stacking, ValidityWindow};
use crate::storage::{self, StoreError};
use crate::values::Sku;

/// Names and addresses longer than this are refused.
const MAX_TEXT_LEN: usize = 200;
/// The furthest a store may deliver.
const MAX_DELIVERY_RADIUS_KM: f64 = 100.0;

/// Why a catalog change was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogError {
    /// A value outside its own domain (400).
    #[error("{field}: {detail}")]
    Invalid { field: String, detail: String },
    /// The id is taken (409).
    #[error("{field}: {detail}")]
    Duplicate { field: String, detail: String },
    /// The subject of the change (the resource in the path) does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// A value of the body refers to something that does not exist, such as a customer's
    /// `tier_id` (422).
    #[error("{field}: {detail}")]
    Unknown { field: String, detail: String },
    /// The subject is still referred to and cannot go, such as a tier customers are on (409).
    #[error("{field}: {detail}")]
    InUse { field: String, detail: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &str, detail: impl std::fmt::Display) -> CatalogError {
    CatalogError::Invalid {
        field: field.to_owned(),
        detail: detail.to_string(),
    }
}

fn required_text(field: &str, raw: &str) -> Result<String, CatalogError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(invalid(field, "must not be blank"));
    }
    if value.chars().count() > MAX_TEXT_LEN {
        return Err(invalid(field, format!("at most {MAX_TEXT_LEN} characters")));
    }
    Ok(value.to_owned())
}

/// A price: a non-negative amount of the shop's currency with at most two decimals.
pub fn parse_price(field: &str, raw: &str) -> Result<Money, CatalogError> {
    let money = Money::parse(raw.trim(), Currency::SHOP).map_err(|e| invalid(field, e))?;
    if money.is_negative() {
        return Err(invalid(field, "must not be negative"));
    }
    if money.amount().scale() > 2 {
        return Err(invalid(field, "at most two decimals"));
    }
    Ok(money)
}

pub fn parse_sku(field: &str, raw: &str) -> Result<Sku, CatalogError> {
    Sku::parse(raw).map_err(|e| invalid(field, e))
}

pub fn parse_store_id(field: &str, raw: &str) -> Result<StoreId, CatalogError> {
    StoreId::parse(raw).map_err(|e| invalid(field, e))
}

/// A product as an operator writes it (the sku comes from the body on create, the path on update).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductDraft {
    pub name: String,
    pub category: String,
    pub brand: String,
    pub list_price: String,
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

/// A checked product.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub sku: Sku,
    pub name: String,
    pub category: String,
    pub brand: String,
    pub list_price: Money,
    pub active: bool,
}

impl ProductDraft {
    pub fn validate(self, sku: Sku) -> Result<Product, CatalogError> {
        Ok(Product {
            sku,
            name: required_text("name", &self.name)?,
            category: required_text("category", &self.category)?,
            brand: required_text("brand", &self.brand)?,
            list_price: parse_price("list_price", &self.list_price)?,
            active: self.active,
        })
    }
}

/// A store as an operator writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreDraft {
    pub name: String,
    pub address: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    /// `{"mon": ["09:00", "21:00"], ...}`
    pub opening_hours: Value,
    #[serde(default = "active_by_default")]
    pub pickup_enabled: bool,
    #[serde(default)]
    pub delivery_radius_km: f64,
    #[serde(default = "active_by_default")]
    pub active: bool,
}

/// A checked store.
#[derive(Debug, Clone, PartialEq)]
pub struct Store {
    pub id: StoreId,
    pub name: String,
    pub address: String,
    pub city: String,
    pub location: GeoPoint,
    pub opening_hours: Value,
    pub pickup_enabled: bool,
    pub delivery_radius_km: f64,
    pub active: bool,
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn is_clock_time(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.len() == 5
        && bytes[2] == b':'
        && raw[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && raw[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

/// Opening hours: an object of weekdays (`mon` … `sun`), each `["HH:MM", "HH:MM"]`.
fn check_opening_hours(hours: &Value) -> Result<(), CatalogError> {
    let field = "opening_hours";
    let days = hours
        .as_object()
        .ok_or_else(|| invalid(field, "an object of weekdays"))?;
    for (day, span) in days {
        let at = format!("{field}.{day}");
        if !WEEKDAYS.contains(&day.as_str()) {
            return Err(invalid(&at, "not a weekday (mon … sun)"));
        }
        let ok = span.as_array().is_some_and(|times| {
            times.len() == 2 && times.iter().all(|t| t.as_str().is_some_and(is_clock_time))
        });
        if !ok {
            return Err(invalid(&at, "an [\"HH:MM\", \"HH:MM\"] pair"));
        }
    }
    Ok(())
}

impl StoreDraft {
    pub fn validate(self, id: StoreId) -> Result<Store, CatalogError> {
        let location = GeoPoint::new(self.latitude, 0.0)
            .map_err(|e| invalid("latitude", e))
            .and_then(|_| {
                GeoPoint::new(self.latitude, self.longitude).map_err(|e| invalid("longitude", e))
            })?;
        check_opening_hours(&self.opening_hours)?;
        if !(self.delivery_radius_km.is_finite()
            && (0.0..=MAX_DELIVERY_RADIUS_KM).contains(&self.delivery_radius_km))
        {
            return Err(invalid(
                "delivery_radius_km",
                format!("between 0 and {MAX_DELIVERY_RADIUS_KM}"),
            ));
        }
        Ok(Store {
            id,
            name: required_text("name", &self.name)?,
            address: required_text("address", &self.address)?,
            city: required_text("city", &self.city)?,
            location,
            opening_hours: self.opening_hours,
            pickup_enabled: self.pickup_enabled,
            delivery_radius_km: self.delivery_radius_km,
            active: self.active,
        })
    }
}

/// A price for the sku in the path: a store's own price (differentiated pricing) or a member
/// tier's price.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceDraft {
    pub price: String,
}

/// A promotion as an operator writes it; `parameters` by kind as in `migrations/0002_pricing.sql`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionDraft {
    pub name: String,
    pub kind: String,
    pub starts_at: String,
    pub ends_at: String,
    #[serde(default = "everything")]
    pub target_kind: String,
    #[serde(default)]
    pub target_values: Vec<String>,
    #[serde(default)]
    pub priority: u32,
    #[serde(default = "stackable")]
    pub stacking: String,
    pub parameters: Value,
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn everything() -> String {
    "everything".to_owned()
}

fn stackable() -> String {
    "stackable".to_owned()
}

/// A checked promotion, ready to write: the `promotions` row, column by column. Its targets
/// and parameters are kept as the operator wrote them (the quote reads the targets as catalog
/// codes, `pricing::repository::catalog_code`).
#[derive(Debug, Clone, PartialEq)]
pub struct PromotionRow {
    pub id: PromotionId,
    pub name: String,
    /// One of `pricing::stored_rules::PROMOTION_KINDS`.
    pub kind: &'static str,
    pub window: ValidityWindow,
    /// One of `pricing::stored_rules::TARGET_KINDS`.
    pub target_kind: &'static str,
    pub target_values: Vec<String>,
    pub priority: u32,
    pub stacking: Stacking,
    /// The kind's parameters (`pricing::stored_rules::promotion_kind`).
    pub parameters: Map<String, Value>,
    pub active: bool,
}

impl PromotionRow {
    /// `target_values` as stored: a JSON array of strings.
    pub fn stored_target_values(&self) -> String {
        Value::from(self.target_values.clone()).to_string()
    }

    /// `parameters` as stored: a JSON object.
    pub fn stored_parameters(&self) -> String {
        Value::Object(self.parameters.clone()).to_string()
    }

    /// The promotion the quote will read from this row once it is stored, from the very text
    /// it is stored as; or the field it cannot read.
    pub fn read_as_quote(&self) -> Result<Promotion, RuleFieldError> {
        let starts_at = storage::timestamp(self.window.starts_at);
        let ends_at = storage::timestamp(self.window.ends_at);
        let target_values = self.stored_target_values();
        let parameters = self.stored_parameters();
        let fields = PromotionFields {
            kind: self.kind,
            starts_at: &starts_at,
            ends_at: &ends_at,
            target_kind: self.target_kind,
            target_values: &target_values,
            priority: i64::from(self.priority),
            stacking: self.stacking.as_str(),
            parameters: &parameters,
        };
        fields.read(self.id.clone(), self.name.clone(), Currency::SHOP)
    }
}

/// A time as the pricing tables keep it: UTC, to the second (what is stored is what is compared).
fn timestamp(field: &str, raw: &str) -> Result<DateTime<Utc>, CatalogError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(0))
        .map_err(|_| invalid(field, "an RFC 3339 time such as 2026-11-11T00:00:00Z"))
}

/// A validity window as operators write it: two times, the end after the start.
fn validity_window(starts_at: &str, ends_at: &str) -> Result<ValidityWindow, CatalogError> {
    let starts_at = timestamp("starts_at", starts_at)?;
    let ends_at = timestamp("ends_at", ends_at)?;
    if ends_at <= starts_at {
        return Err(invalid("ends_at", "must be after starts_at"));
    }
    Ok(ValidityWindow { starts_at, ends_at })
}

/// One of `names`, as the `&'static str` it is (so a checked row holds no unchecked text).
fn one_of(field: &str, names: &[&'static str], raw: &str) -> Result<&'static str, CatalogError> {
    repository::one_of(names, raw)
        .map_err(|_| invalid(field, format!("one of {}", names.join(", "))))
}

fn stacking(raw: &str) -> Result<Stacking, CatalogError> {
    Stacking::parse(raw).ok_or_else(|| invalid("stacking", "stackable or exclusive"))
}

/// A field the quote's rule parser refuses, as the request's field of the same name.
fn refused(error: RuleFieldError) -> CatalogError {
    invalid(error.field.as_str(), error.detail)
}

impl PromotionDraft {
    /// Checks the promotion and reads it as the quote will; a field the quote's parser refuses
    /// (`parameters`, `target_values`, …) is the request's field of the same name.
    pub fn validate(self, id: &str) -> Result<PromotionRow, CatalogError> {
        let id = PromotionId::parse(id).map_err(|e| invalid("id", e))?;
        let name = required_text("name", &self.name)?;
        let kind = one_of("kind", &PROMOTION_KINDS, &self.kind)?;
        let window = validity_window(&self.starts_at, &self.ends_at)?;
        let target_kind = one_of("target_kind", &TARGET_KINDS, &self.target_kind)?;
        if (target_kind == "everything") != self.target_values.is_empty() {
            return Err(invalid(
                "target_values",
                "empty for everything, else the skus, categories or brands targeted",
            ));
        }
        let stacking = stacking(&self.stacking)?;
        let Value::Object(parameters) = self.parameters else {
            return Err(invalid("parameters", "an object"));
        };
        let row = PromotionRow {
            id,
            name,
            kind,
            window,
            target_kind,
            target_values: self.target_values,
            priority: self.priority,
            stacking,
            parameters,
            active: self.active,
        };
        row.read_as_quote().map_err(refused)?;
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn a_promotion(kind: &str, parameters: Value) -> PromotionDraft {
        PromotionDraft {
            name: "Test".to_owned(),
            kind: kind.to_owned(),
            starts_at: "2026-01-01T00:00:00Z".to_owned(),
            ends_at: "2027-01-01T00:00:00Z".to_owned(),
            target_kind: everything(),
            target_values: vec![],
            priority: 0,
            stacking: stackable(),
            parameters,
            active: true,
        }
    }

    fn field_of(result: Result<PromotionRow, CatalogError>) -> String {
        match result {
            Err(CatalogError::Invalid { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn every_promotion_kind_with_its_parameters_is_accepted() {
        let cases = [
            ("percentage-off", json!({"percent": "15"})),
            ("amount-off", json!({"per_unit": "5.00"})),
            (
                "flash-sale",
                json!({"price": "9.90", "total_cap": 100, "per_customer_limit": 2}),
            ),
            ("buy-x-get-y", json!({"buy": 2, "get": 1})),
            (
                "stock-markdown",
                json!({"clearance_percent": "30", "cover_days": 60}),
            ),
            (
                "spend-threshold-tiers",
                json!({"tiers": [{"spend": "100.00", "off": "10.00"}]}),
            ),
            ("free-delivery", json!({"minimum_spend": "99.00"})),
        ];
        for (kind, parameters) in cases {
            assert!(
                a_promotion(kind, parameters).validate("P-1").is_ok(),
                "{kind}"
            );
        }
    }

    #[test]
    fn a_promotion_the_quote_cannot_read_is_refused_naming_the_field() {
        let bad_percent = a_promotion("percentage-off", json!({"percent": "abc"}));
        assert_eq!(field_of(bad_percent.validate("P-1")), "parameters");
        let wrong_shape = a_promotion("amount-off", json!({"percent": "10"}));
        assert_eq!(field_of(wrong_shape.validate("P-1")), "parameters");
        let unknown_kind = a_promotion("half-price", json!({}));
        assert_eq!(field_of(unknown_kind.validate("P-1")), "kind");
        let mut backwards = a_promotion("percentage-off", json!({"percent": "10"}));
        backwards.ends_at = "2025-01-01T00:00:00Z".to_owned();
        assert_eq!(field_of(backwards.validate("P-1")), "ends_at");
        let mut untargeted = a_promotion("percentage-off", json!({"percent": "10"}));
        untargeted.target_kind = "skus".to_owned();
        assert_eq!(field_of(untargeted.validate("P-1")), "target_values");
        // Fields the quote's parser refuses keep their own names
        let mut not_skus = a_promotion("percentage-off", json!({"percent": "10"}));
        not_skus.target_kind = "skus".to_owned();
        not_skus.target_values = vec!["not a sku!".to_owned()];
        assert_eq!(field_of(not_skus.validate("P-1")), "target_values");
        let half_a_tier = a_promotion("spend-threshold-tiers", json!({"tiers": [{"spend": "x"}]}));
        assert_eq!(field_of(half_a_tier.validate("P-1")), "parameters");
    }

    #[test]
    fn a_price_is_a_non_negative_amount_with_at_most_two_decimals() {
        assert!(parse_price("p", "12.30").is_ok());
        assert!(parse_price("p", "-1.00").is_err());
        assert!(parse_price("p", "1.001").is_err());
        assert!(parse_price("p", "abc").is_err());
    }

    #[test]
    fn opening_hours_are_weekdays_with_clock_times() {
        assert!(check_opening_hours(&json!({"mon": ["09:00", "21:00"]})).is_ok());
        assert!(check_opening_hours(&json!({"monday": ["09:00", "21:00"]})).is_err());
        assert!(check_opening_hours(&json!({"mon": ["9", "21:00"]})).is_err());
        assert!(check_opening_hours(&json!([])).is_err());
    }
}

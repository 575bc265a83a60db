//! Where the pricing rules and facts are kept: the catalog's SQL tables (`migrations/0001` and
//! `0002_pricing.sql`) read into the domain's `PricingRules` and `PricingFacts`. The quote and
//! place-order read everything a basket needs in one statement (`basket_facts`, issue 12);
//! this file holds the row readers that statement's rows go through (and that the operators'
//! catalog checks a row with before writing it), and `load_store`. A row that cannot be read
//! as a rule (a price of "abc", an unknown promotion kind) is a `StoreError::Corrupt` naming
//! the row, never a silent skip, so a catalog mistake cannot quietly change what customers pay.
//!
//! Conventions of the tables: amounts are decimal strings in the shop's currency (the products'
//! currency), percentages decimal strings ("15" is 15 %), times RFC 3339 UTC strings, and
//! brands free text: a brand's id is its name with every character outside `A-Z a-z 0-9 - _ .`
//! replaced by `-` (see [`catalog_code`]), on products and promotion targets alike.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::geo::{self, GeoPoint, StoreReach};
use crate::ids::StoreId;
use crate::money::{Currency, Money};
use crate::pricing::{
    AmountOff, BrandId, BuyXGetY, CategoryId, Coupon, CouponCode, CouponValue, FlashSale,
    FreeDelivery, Percentage, PercentageOff, Promotion, PromotionId, PromotionKind, Reward,
    SpendThresholdTiers, Stacking, StockMarkdown, Target, ThresholdTier, TierId, ValidityWindow,
};
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
    let sku_raw = text(row, 0, "products.sku")?;
    let at = |column: &str| format!("products[{sku_raw}].{column}");
    let sku = Sku::parse(&sku_raw).map_err(|e| corrupt(at("sku"), e))?;
    let currency =
        Currency::parse(&text(row, 5, "currency")?).map_err(|e| corrupt(at("currency"), e))?;
    Ok(CatalogProduct {
        name: text(row, 1, &at("name"))?,
        category: CategoryId::parse(&catalog_code(&text(row, 2, &at("category"))?))
            .map_err(|e| corrupt(at("category"), e))?,
        brand: BrandId::parse(&catalog_code(&text(row, 3, &at("brand"))?))
            .map_err(|e| corrupt(at("brand"), e))?,
        list_price: money(
            &text(row, 4, &at("list_price"))?,
            currency,
            &at("list_price"),
        )?,
        sku,
    })
}

/// A store row: `id, latitude, longitude, pickup_enabled, delivery_radius_km, name`.
fn store_from_row(row: &[SqlValue]) -> Result<CatalogStore, StoreError> {
    let raw_id = text(row, 0, "stores.id")?;
    let at = |column: &str| format!("stores[{raw_id}].{column}");
    let location = GeoPoint::new(
        real(row, 1, &at("latitude"))?,
        real(row, 2, &at("longitude"))?,
    )
    .map_err(|e| corrupt(at("location"), e))?;
    let radius_km = real(row, 4, &at("delivery_radius_km"))?;
    if !(radius_km.is_finite() && (0.0..=20_000.0).contains(&radius_km)) {
        return Err(corrupt(at("delivery_radius_km"), radius_km));
    }
    Ok(CatalogStore {
        id: StoreId::parse(&raw_id).map_err(|e| corrupt(at("id"), e))?,
        name: text(row, 5, &at("name"))?,
        location,
        pickup_enabled: integer(row, 3, &at("pickup_enabled"))? == 1,
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

/// Reads one promotion row (`id, name, kind, starts_at, ends_at, target_kind, target_values,
/// priority, stacking, parameters`) exactly as the quote will. The operators' catalog checks every promotion with it before writing, so that no row
/// the quote cannot read is ever written.
pub fn read_promotion_row(row: &[SqlValue], currency: Currency) -> Result<Promotion, StoreError> {
    promotion(row, currency)
}

/// Reads one coupon row (`code, name, kind, amount, percent, max_discount, minimum_spend,
/// starts_at, ends_at, total_limit, per_customer_limit, stacking`) exactly as the quote will; the
/// operators' catalog checks every coupon with it before writing, like promotions.
pub fn read_coupon_row(row: &[SqlValue], currency: Currency) -> Result<Coupon, StoreError> {
    coupon(row, currency)
}

/// Reads a member tier's row (its `discount_percent`) exactly as
/// the quote will: NULL or blank is no discount. The operators' catalog checks every tier with it.
pub fn read_tier_discount(
    tier: &TierId,
    row: &[SqlValue],
) -> Result<Option<Percentage>, StoreError> {
    let at = format!("member_tiers[{tier}].discount_percent");
    optional_text(row, 0)
        .map(|raw| percentage(&raw, &at))
        .transpose()
}

fn promotion(row: &[SqlValue], currency: Currency) -> Result<Promotion, StoreError> {
    let raw_id = text(row, 0, "promotions.id")?;
    let at = |column: &str| format!("promotions[{raw_id}].{column}");
    let id = PromotionId::parse(&raw_id).map_err(|e| corrupt(at("id"), e))?;
    let kind_name = text(row, 2, &at("kind"))?;
    let parameters = text(row, 9, &at("parameters"))?;
    let kind = promotion_kind(&kind_name, &parameters, currency, &at("parameters"))?;
    let values: Vec<String> = serde_json::from_str(&text(row, 6, &at("target_values"))?)
        .map_err(|e| corrupt(at("target_values"), e))?;
    let target = match text(row, 5, &at("target_kind"))?.as_str() {
        "everything" => Target::Everything,
        "skus" => Target::Skus(
            values
                .iter()
                .map(|v| Sku::parse(v))
                .collect::<Result<_, _>>()
                .map_err(|e| corrupt(at("target_values"), e))?,
        ),
        "categories" => Target::Categories(
            values
                .iter()
                .map(|v| CategoryId::parse(&catalog_code(v)))
                .collect::<Result<_, _>>()
                .map_err(|e| corrupt(at("target_values"), e))?,
        ),
        "brands" => Target::Brands(
            values
                .iter()
                .map(|v| BrandId::parse(&catalog_code(v)))
                .collect::<Result<_, _>>()
                .map_err(|e| corrupt(at("target_values"), e))?,
        ),
        other => return Err(corrupt(at("target_kind"), other)),
    };
    Ok(Promotion {
        name: text(row, 1, &at("name"))?,
        window: window(row, 3, 4, &at("window"))?,
        target,
        priority: u32::try_from(integer(row, 7, &at("priority"))?)
            .map_err(|e| corrupt(at("priority"), e))?,
        stacking: stacking(&text(row, 8, &at("stacking"))?, &at("stacking"))?,
        kind,
        id,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PercentParams {
    percent: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmountParams {
    per_unit: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlashSaleParams {
    price: String,
    total_cap: u32,
    per_customer_limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuyXGetYParams {
    buy: u32,
    get: u32,
    percent_off: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StockMarkdownParams {
    clearance_percent: String,
    cover_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TierParams {
    spend: String,
    off: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpendThresholdParams {
    tiers: Vec<TierParams>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FreeDeliveryParams {
    minimum_spend: String,
}

fn params<T: serde::de::DeserializeOwned>(raw: &str, at: &str) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|e| corrupt(at, e))
}

fn promotion_kind(
    kind: &str,
    raw: &str,
    currency: Currency,
    at: &str,
) -> Result<PromotionKind, StoreError> {
    Ok(match kind {
        "percentage-off" => {
            let p: PercentParams = params(raw, at)?;
            PromotionKind::PercentageOff(PercentageOff {
                off: percentage(&p.percent, at)?,
            })
        }
        "amount-off" => {
            let p: AmountParams = params(raw, at)?;
            PromotionKind::AmountOff(AmountOff {
                per_unit: money(&p.per_unit, currency, at)?,
            })
        }
        "flash-sale" => {
            let p: FlashSaleParams = params(raw, at)?;
            PromotionKind::FlashSale(FlashSale {
                price: money(&p.price, currency, at)?,
                total_cap: p.total_cap,
                per_customer_limit: p.per_customer_limit,
            })
        }
        "buy-x-get-y" => {
            let p: BuyXGetYParams = params(raw, at)?;
            PromotionKind::BuyXGetY(BuyXGetY {
                buy: p.buy,
                get: p.get,
                reward: match p.percent_off {
                    Some(off) => Reward::PercentageOff(percentage(&off, at)?),
                    None => Reward::Free,
                },
            })
        }
        "stock-markdown" => {
            let p: StockMarkdownParams = params(raw, at)?;
            PromotionKind::StockMarkdown(StockMarkdown {
                clearance: percentage(&p.clearance_percent, at)?,
                cover_days: p.cover_days,
            })
        }
        "spend-threshold-tiers" => {
            let p: SpendThresholdParams = params(raw, at)?;
            PromotionKind::SpendThresholdTiers(SpendThresholdTiers {
                tiers: p
                    .tiers
                    .iter()
                    .map(|tier| {
                        Ok(ThresholdTier {
                            spend: money(&tier.spend, currency, at)?,
                            off: money(&tier.off, currency, at)?,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
            })
        }
        "free-delivery" => {
            let p: FreeDeliveryParams = params(raw, at)?;
            PromotionKind::FreeDelivery(FreeDelivery {
                minimum_spend: money(&p.minimum_spend, currency, at)?,
            })
        }
        other => return Err(corrupt(at, format!("unknown promotion kind {other}"))),
    })
}

fn coupon(row: &[SqlValue], currency: Currency) -> Result<Coupon, StoreError> {
    let raw_code = text(row, 0, "coupons.code")?;
    let at = |column: &str| format!("coupons[{raw_code}].{column}");
    let optional_money = |index: usize, column: &str| {
        optional_text(row, index)
            .map(|raw| money(&raw, currency, &at(column)))
            .transpose()
    };
    let value = match text(row, 2, &at("kind"))?.as_str() {
        "amount-off" => CouponValue::AmountOff(
            optional_money(3, "amount")?.ok_or_else(|| corrupt(at("amount"), "missing"))?,
        ),
        "percentage-off" => CouponValue::PercentageOff {
            off: percentage(
                &optional_text(row, 4).ok_or_else(|| corrupt(at("percent"), "missing"))?,
                &at("percent"),
            )?,
            max_discount: optional_money(5, "max_discount")?,
        },
        other => return Err(corrupt(at("kind"), other)),
    };
    let limit = |index: usize, column: &str| -> Result<Option<u32>, StoreError> {
        optional_integer(row, index)
            .map(|n| u32::try_from(n).map_err(|e| corrupt(at(column), e)))
            .transpose()
    };
    Ok(Coupon {
        code: CouponCode::parse(&raw_code).map_err(|e| corrupt(at("code"), e))?,
        name: text(row, 1, &at("name"))?,
        window: window(row, 7, 8, &at("window"))?,
        minimum_spend: optional_money(6, "minimum_spend")?,
        value,
        total_limit: limit(9, "total_limit")?,
        per_customer_limit: limit(10, "per_customer_limit")?,
        stacking: stacking(&text(row, 11, &at("stacking"))?, &at("stacking"))?,
    })
}

// ---- cells ----

fn corrupt(at: impl AsRef<str>, why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{}: {why}", at.as_ref()))
}

fn cell<'a>(row: &'a [SqlValue], index: usize, at: &str) -> Result<&'a SqlValue, StoreError> {
    row.get(index).ok_or_else(|| corrupt(at, "missing column"))
}

fn text(row: &[SqlValue], index: usize, at: &str) -> Result<String, StoreError> {
    match cell(row, index, at)? {
        SqlValue::Text(value) => Ok(value.clone()),
        SqlValue::Integer(value) => Ok(value.to_string()),
        other => Err(corrupt(at, format!("expected text, found {other:?}"))),
    }
}

fn optional_text(row: &[SqlValue], index: usize) -> Option<String> {
    match row.get(index)? {
        SqlValue::Text(value) if !value.trim().is_empty() => Some(value.clone()),
        SqlValue::Integer(value) => Some(value.to_string()),
        SqlValue::Real(value) => Some(value.to_string()),
        _ => None,
    }
}

fn integer(row: &[SqlValue], index: usize, at: &str) -> Result<i64, StoreError> {
    match cell(row, index, at)? {
        SqlValue::Integer(value) => Ok(*value),
        other => Err(corrupt(at, format!("expected an integer, found {other:?}"))),
    }
}

fn optional_integer(row: &[SqlValue], index: usize) -> Option<i64> {
    match row.get(index)? {
        SqlValue::Integer(value) => Some(*value),
        _ => None,
    }
}

fn real(row: &[SqlValue], index: usize, at: &str) -> Result<f64, StoreError> {
    match cell(row, index, at)? {
        SqlValue::Real(value) => Ok(*value),
        // Small integers convert exactly.
        SqlValue::Integer(value) => Ok(*value as f64),
        other => Err(corrupt(at, format!("expected a number, found {other:?}"))),
    }
}

fn decimal(raw: &str, at: &str) -> Result<Decimal, StoreError> {
    Decimal::from_str(raw.trim()).map_err(|e| corrupt(at, e))
}

fn money(raw: &str, currency: Currency, at: &str) -> Result<Money, StoreError> {
    let amount = Money::parse(raw.trim(), currency).map_err(|e| corrupt(at, e))?;
    if amount.is_negative() {
        return Err(corrupt(at, "negative amount"));
    }
    Ok(amount)
}

fn percentage(raw: &str, at: &str) -> Result<Percentage, StoreError> {
    Percentage::new(decimal(raw, at)?).map_err(|e| corrupt(at, e))
}

fn stacking(raw: &str, at: &str) -> Result<Stacking, StoreError> {
    match raw {
        "stackable" => Ok(Stacking::Stackable),
        "exclusive" => Ok(Stacking::Exclusive),
        other => Err(corrupt(at, other)),
    }
}

fn timestamp(raw: &str, at: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(at, e))
}

fn window(
    row: &[SqlValue],
    starts: usize,
    ends: usize,
    at: &str,
) -> Result<ValidityWindow, StoreError> {
    Ok(ValidityWindow {
        starts_at: timestamp(&text(row, starts, at)?, at)?,
        ends_at: timestamp(&text(row, ends, at)?, at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_names_become_codes_deterministically() {
        assert_eq!(catalog_code("Three Squirrels"), "Three-Squirrels");
        assert_eq!(catalog_code("personal-care"), "personal-care");
        assert_eq!(catalog_code("  "), "-");
        assert_eq!(catalog_code(&"x".repeat(100)).len(), 64);
    }

    #[test]
    fn every_promotion_kind_reads_from_its_parameters() {
        let cny = Currency::CNY;
        for (kind, raw) in [
            ("percentage-off", r#"{"percent": "15"}"#),
            ("amount-off", r#"{"per_unit": "5.00"}"#),
            (
                "flash-sale",
                r#"{"price": "9.90", "total_cap": 100, "per_customer_limit": 2}"#,
            ),
            ("buy-x-get-y", r#"{"buy": 2, "get": 1}"#),
            (
                "buy-x-get-y",
                r#"{"buy": 2, "get": 1, "percent_off": "50"}"#,
            ),
            (
                "stock-markdown",
                r#"{"clearance_percent": "30", "cover_days": 60}"#,
            ),
            (
                "spend-threshold-tiers",
                r#"{"tiers": [{"spend": "100.00", "off": "10.00"}]}"#,
            ),
            ("free-delivery", r#"{"minimum_spend": "99.00"}"#),
        ] {
            let read = promotion_kind(kind, raw, cny, "p").unwrap();
            assert_eq!(read.name().as_str(), kind);
        }
    }

    #[test]
    fn a_malformed_promotion_is_corrupt_data_naming_it() {
        for (kind, raw) in [
            ("percentage-off", r#"{"percent": "150"}"#),
            ("amount-off", r#"{"per_unit": "-1"}"#),
            ("amount-off", r#"{"per_unit": "5", "extra": 1}"#),
            ("free-delivery", "not json"),
            ("half-price-tuesdays", "{}"),
        ] {
            let err =
                promotion_kind(kind, raw, Currency::CNY, "promotions[P1].parameters").unwrap_err();
            assert!(
                matches!(&err, StoreError::Corrupt(why) if why.starts_with("promotions[P1]")),
                "{kind} {raw}: {err:?}"
            );
        }
    }
}

//! How the stored fields of a promotion, a coupon and a member tier's discount become pricing
//! rules: one parser with typed errors ([`RuleFieldError`]: which field, and why), used by the
//! quote's row readers (`repository`, where a refused field is corrupt data naming the row and
//! column, `promotions[P1].parameters: …`) and by the operators' catalog before it writes
//! (`crate::catalog`, where it is the request's field, a 400). So the catalog never stores a
//! rule the quote cannot read, and neither side reads the other's error messages.
//!
//! The stored forms are `migrations/0002_pricing.sql`'s: amounts and percentages decimal
//! strings ("12.30", "15"), times RFC 3339, a promotion's targets a JSON array of names and its
//! parameters a JSON object by kind. The parser is lenient where the quote can still price
//! (an amount on a percentage coupon is ignored, a window is not checked for order); the
//! catalog refuses those itself.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::amount_off::AmountOff;
use super::buy_x_get_y::{BuyXGetY, Reward};
use super::codes::{BrandId, CategoryId, CouponCode, PromotionId};
use super::coupons::{Coupon, CouponValue};
use super::delivery::FreeDelivery;
use super::flash_sale::FlashSale;
use super::percentage::Percentage;
use super::percentage_off::PercentageOff;
use super::repository::catalog_code;
use super::rules::{Promotion, PromotionKind, Stacking, Target, ValidityWindow};
use super::spend_threshold::{SpendThresholdTiers, ThresholdTier};
use super::stock_markdown::StockMarkdown;
use crate::money::{Currency, Money};
use crate::values::Sku;

/// The kinds of promotion, as stored and as operators write them; each one's parameters are
/// read by [`promotion_kind`].
pub const PROMOTION_KINDS: [&str; 7] = [
    "percentage-off",
    "amount-off",
    "flash-sale",
    "buy-x-get-y",
    "stock-markdown",
    "spend-threshold-tiers",
    "free-delivery",
];

/// What a promotion's `target_values` name.
pub const TARGET_KINDS: [&str; 4] = ["everything", "skus", "categories", "brands"];

/// The kinds of coupon: `amount-off` takes `amount` off the order, `percentage-off` takes
/// `percent` of it, at most `max_discount`.
pub const COUPON_KINDS: [&str; 2] = ["amount-off", "percentage-off"];

/// A field of a stored rule: the table's column, which is also the catalog request's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleField {
    Kind,
    Parameters,
    StartsAt,
    EndsAt,
    TargetKind,
    TargetValues,
    Priority,
    Stacking,
    Amount,
    Percent,
    MaxDiscount,
    MinimumSpend,
    TotalLimit,
    PerCustomerLimit,
    DiscountPercent,
}

impl RuleField {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleField::Kind => "kind",
            RuleField::Parameters => "parameters",
            RuleField::StartsAt => "starts_at",
            RuleField::EndsAt => "ends_at",
            RuleField::TargetKind => "target_kind",
            RuleField::TargetValues => "target_values",
            RuleField::Priority => "priority",
            RuleField::Stacking => "stacking",
            RuleField::Amount => "amount",
            RuleField::Percent => "percent",
            RuleField::MaxDiscount => "max_discount",
            RuleField::MinimumSpend => "minimum_spend",
            RuleField::TotalLimit => "total_limit",
            RuleField::PerCustomerLimit => "per_customer_limit",
            RuleField::DiscountPercent => "discount_percent",
        }
    }
}

impl fmt::Display for RuleField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a stored field cannot be read as a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct RuleFieldError {
    pub field: RuleField,
    pub detail: String,
}

fn refused(field: RuleField, detail: impl fmt::Display) -> RuleFieldError {
    RuleFieldError {
        field,
        detail: detail.to_string(),
    }
}

// ---- values ----

/// An amount as stored: a non-negative decimal string of `currency` ("12.30"); `Err` says why not.
pub fn parse_amount(raw: &str, currency: Currency) -> Result<Money, String> {
    let amount = Money::parse(raw.trim(), currency).map_err(|e| e.to_string())?;
    if amount.is_negative() {
        return Err("negative amount".to_owned());
    }
    Ok(amount)
}

/// A percentage as stored: a decimal string from 0 to 100 ("15"); `Err` says why not.
pub fn parse_percentage(raw: &str) -> Result<Percentage, String> {
    let percent = Decimal::from_str(raw.trim()).map_err(|e| e.to_string())?;
    Percentage::new(percent).map_err(|e| e.to_string())
}

/// A percentage as it is stored: its decimal without trailing zeros ("7.5", "15"), which
/// [`parse_percentage`] reads back as the same percentage.
pub fn stored_percentage(percentage: Percentage) -> String {
    percentage.percent().normalize().to_string()
}

fn amount(raw: &str, currency: Currency, field: RuleField) -> Result<Money, RuleFieldError> {
    parse_amount(raw, currency).map_err(|why| refused(field, why))
}

fn percentage(raw: &str, field: RuleField) -> Result<Percentage, RuleFieldError> {
    parse_percentage(raw).map_err(|why| refused(field, why))
}

fn time(raw: &str, field: RuleField) -> Result<DateTime<Utc>, RuleFieldError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| refused(field, e))
}

fn window(starts_at: &str, ends_at: &str) -> Result<ValidityWindow, RuleFieldError> {
    Ok(ValidityWindow {
        starts_at: time(starts_at, RuleField::StartsAt)?,
        ends_at: time(ends_at, RuleField::EndsAt)?,
    })
}

fn stacking(raw: &str) -> Result<Stacking, RuleFieldError> {
    Stacking::parse(raw).ok_or_else(|| refused(RuleField::Stacking, "stackable or exclusive"))
}

fn count(value: Option<i64>, field: RuleField) -> Result<Option<u32>, RuleFieldError> {
    value
        .map(|n| u32::try_from(n).map_err(|e| refused(field, e)))
        .transpose()
}

// ---- promotions ----

/// A promotion's stored fields as text: the `promotions` row the quote reads, or the row the
/// catalog is about to write.
#[derive(Debug, Clone, Copy)]
pub struct PromotionFields<'a> {
    pub kind: &'a str,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
    pub target_kind: &'a str,
    /// A JSON array of the skus, categories or brands targeted, as the catalog names them.
    pub target_values: &'a str,
    pub priority: i64,
    pub stacking: &'a str,
    /// A JSON object whose shape is the kind's (see [`promotion_kind`]).
    pub parameters: &'a str,
}

impl PromotionFields<'_> {
    /// The promotion these fields make, or the first field that cannot be read.
    pub fn read(
        &self,
        id: PromotionId,
        name: String,
        currency: Currency,
    ) -> Result<Promotion, RuleFieldError> {
        Ok(Promotion {
            kind: promotion_kind(self.kind, self.parameters, currency)?,
            target: target(self.target_kind, self.target_values)?,
            window: window(self.starts_at, self.ends_at)?,
            priority: u32::try_from(self.priority).map_err(|e| refused(RuleField::Priority, e))?,
            stacking: stacking(self.stacking)?,
            id,
            name,
        })
    }
}

fn target(kind: &str, values: &str) -> Result<Target, RuleFieldError> {
    let field = RuleField::TargetValues;
    let values: Vec<String> = serde_json::from_str(values).map_err(|e| refused(field, e))?;
    Ok(match kind {
        "everything" => Target::Everything,
        "skus" => Target::Skus(
            values
                .iter()
                .map(|v| Sku::parse(v))
                .collect::<Result<_, _>>()
                .map_err(|e| refused(field, e))?,
        ),
        "categories" => Target::Categories(
            values
                .iter()
                .map(|v| CategoryId::parse(&catalog_code(v)))
                .collect::<Result<_, _>>()
                .map_err(|e| refused(field, e))?,
        ),
        "brands" => Target::Brands(
            values
                .iter()
                .map(|v| BrandId::parse(&catalog_code(v)))
                .collect::<Result<_, _>>()
                .map_err(|e| refused(field, e))?,
        ),
        _ => {
            return Err(refused(
                RuleField::TargetKind,
                format!("one of {}", TARGET_KINDS.join(", ")),
            ));
        }
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

/// A promotion kind with its parameters (a JSON object, text as stored):
///
/// | kind | parameters |
/// | --- | --- |
/// | `percentage-off` | `{"percent": "15"}` |
/// | `amount-off` | `{"per_unit": "5.00"}` |
/// | `flash-sale` | `{"price": "9.90", "total_cap": 100, "per_customer_limit": 2}` (limit optional) |
/// | `buy-x-get-y` | `{"buy": 2, "get": 1}` (the extra units free), or with `"percent_off": "50"` |
/// | `stock-markdown` | `{"clearance_percent": "30", "cover_days": 60}` |
/// | `spend-threshold-tiers` | `{"tiers": [{"spend": "100.00", "off": "10.00"}, …]}` |
/// | `free-delivery` | `{"minimum_spend": "99.00"}` |
///
/// An unknown kind is refused as `kind`; anything wrong with the parameters (not JSON, a field
/// missing, unknown or of the wrong type, an amount or percentage out of range) as `parameters`.
pub fn promotion_kind(
    kind: &str,
    parameters: &str,
    currency: Currency,
) -> Result<PromotionKind, RuleFieldError> {
    let field = RuleField::Parameters;
    let money = |raw: &str| amount(raw, currency, field);
    Ok(match kind {
        "percentage-off" => {
            let p: PercentParams = params(parameters)?;
            PromotionKind::PercentageOff(PercentageOff {
                off: percentage(&p.percent, field)?,
            })
        }
        "amount-off" => {
            let p: AmountParams = params(parameters)?;
            PromotionKind::AmountOff(AmountOff {
                per_unit: money(&p.per_unit)?,
            })
        }
        "flash-sale" => {
            let p: FlashSaleParams = params(parameters)?;
            PromotionKind::FlashSale(FlashSale {
                price: money(&p.price)?,
                total_cap: p.total_cap,
                per_customer_limit: p.per_customer_limit,
            })
        }
        "buy-x-get-y" => {
            let p: BuyXGetYParams = params(parameters)?;
            PromotionKind::BuyXGetY(BuyXGetY {
                buy: p.buy,
                get: p.get,
                reward: match p.percent_off {
                    Some(off) => Reward::PercentageOff(percentage(&off, field)?),
                    None => Reward::Free,
                },
            })
        }
        "stock-markdown" => {
            let p: StockMarkdownParams = params(parameters)?;
            PromotionKind::StockMarkdown(StockMarkdown {
                clearance: percentage(&p.clearance_percent, field)?,
                cover_days: p.cover_days,
            })
        }
        "spend-threshold-tiers" => {
            let p: SpendThresholdParams = params(parameters)?;
            PromotionKind::SpendThresholdTiers(SpendThresholdTiers {
                tiers: p
                    .tiers
                    .iter()
                    .map(|tier| {
                        Ok(ThresholdTier {
                            spend: money(&tier.spend)?,
                            off: money(&tier.off)?,
                        })
                    })
                    .collect::<Result<_, RuleFieldError>>()?,
            })
        }
        "free-delivery" => {
            let p: FreeDeliveryParams = params(parameters)?;
            PromotionKind::FreeDelivery(FreeDelivery {
                minimum_spend: money(&p.minimum_spend)?,
            })
        }
        _ => {
            return Err(refused(
                RuleField::Kind,
                format!("one of {}", PROMOTION_KINDS.join(", ")),
            ));
        }
    })
}

fn params<T: DeserializeOwned>(raw: &str) -> Result<T, RuleFieldError> {
    serde_json::from_str(raw).map_err(|e| refused(RuleField::Parameters, e))
}

// ---- coupons ----

/// A coupon's stored fields: the `coupons` row the quote reads, or the row the catalog is about
/// to write. Optional text is `None` when NULL; blank text is refused like any other.
#[derive(Debug, Clone, Copy)]
pub struct CouponFields<'a> {
    /// `amount-off` (uses `amount`) or `percentage-off` (uses `percent` and `max_discount`).
    pub kind: &'a str,
    pub amount: Option<&'a str>,
    pub percent: Option<&'a str>,
    pub max_discount: Option<&'a str>,
    pub minimum_spend: Option<&'a str>,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
    pub total_limit: Option<i64>,
    pub per_customer_limit: Option<i64>,
    pub stacking: &'a str,
}

impl CouponFields<'_> {
    /// The coupon these fields make, or the first field that cannot be read.
    pub fn read(
        &self,
        code: CouponCode,
        name: String,
        currency: Currency,
    ) -> Result<Coupon, RuleFieldError> {
        let optional_amount =
            |raw: Option<&str>, field| raw.map(|raw| amount(raw, currency, field)).transpose();
        let value = match self.kind {
            "amount-off" => CouponValue::AmountOff(
                optional_amount(self.amount, RuleField::Amount)?
                    .ok_or_else(|| refused(RuleField::Amount, "missing"))?,
            ),
            "percentage-off" => CouponValue::PercentageOff {
                off: percentage(
                    self.percent
                        .ok_or_else(|| refused(RuleField::Percent, "missing"))?,
                    RuleField::Percent,
                )?,
                max_discount: optional_amount(self.max_discount, RuleField::MaxDiscount)?,
            },
            _ => return Err(refused(RuleField::Kind, COUPON_KINDS.join(" or "))),
        };
        Ok(Coupon {
            window: window(self.starts_at, self.ends_at)?,
            minimum_spend: optional_amount(self.minimum_spend, RuleField::MinimumSpend)?,
            value,
            total_limit: count(self.total_limit, RuleField::TotalLimit)?,
            per_customer_limit: count(self.per_customer_limit, RuleField::PerCustomerLimit)?,
            stacking: stacking(self.stacking)?,
            code,
            name,
        })
    }
}

// ---- member tiers ----

/// A member tier's `discount_percent` as stored: `None` (NULL) is no discount.
pub fn tier_discount(raw: Option<&str>) -> Result<Option<Percentage>, RuleFieldError> {
    raw.map(|raw| percentage(raw, RuleField::DiscountPercent))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a_promotion_kind(kind: &str, parameters: &str) -> Result<PromotionKind, RuleFieldError> {
        promotion_kind(kind, parameters, Currency::CNY)
    }

    /// What a case does to otherwise good fields.
    type Spoil<T> = fn(&mut T);

    fn field_of<T: fmt::Debug>(result: Result<T, RuleFieldError>) -> RuleField {
        result.expect_err("a refused field").field
    }

    #[test]
    fn every_promotion_kind_reads_from_its_parameters() {
        for (kind, raw) in [
            ("percentage-off", r#"{"percent": "15"}"#),
            ("amount-off", r#"{"per_unit": "5.00"}"#),
            (
                "flash-sale",
                r#"{"price": "9.90", "total_cap": 100, "per_customer_limit": 2}"#,
            ),
            ("flash-sale", r#"{"price": "9.90", "total_cap": 100}"#),
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
            let read = a_promotion_kind(kind, raw).unwrap();
            assert_eq!(read.name().as_str(), kind);
        }
    }

    #[test]
    fn the_promotion_kinds_operators_may_write_are_the_kinds_the_parser_reads() {
        for kind in PROMOTION_KINDS {
            // Every kind is known: whatever else is wrong, it is its parameters.
            assert_eq!(
                field_of(a_promotion_kind(kind, "{}")),
                RuleField::Parameters
            );
        }
    }

    #[test]
    fn an_unknown_promotion_kind_is_refused_as_the_kind() {
        let refused = a_promotion_kind("half-price-tuesdays", "{}").unwrap_err();
        assert_eq!(refused.field, RuleField::Kind);
        assert!(refused.detail.contains("percentage-off"), "{refused}");
    }

    #[test]
    fn a_bad_percent_is_refused_as_the_parameters() {
        for raw in [
            r#"{"percent": "abc"}"#,
            r#"{"percent": "150"}"#,
            r#"{"percent": "-1"}"#,
        ] {
            assert_eq!(
                field_of(a_promotion_kind("percentage-off", raw)),
                RuleField::Parameters,
                "{raw}"
            );
        }
        let clearance = r#"{"clearance_percent": "101", "cover_days": 60}"#;
        assert_eq!(
            field_of(a_promotion_kind("stock-markdown", clearance)),
            RuleField::Parameters
        );
    }

    #[test]
    fn parameters_of_the_wrong_shape_are_refused_as_the_parameters() {
        for (kind, raw) in [
            ("amount-off", r#"{"per_unit": "-1"}"#),
            ("amount-off", r#"{"per_unit": 5}"#),
            ("amount-off", r#"{"percent": "10"}"#),
            ("buy-x-get-y", r#"{"buy": "two", "get": 1}"#),
            ("spend-threshold-tiers", r#"{"tiers": [{"spend": "x"}]}"#),
            ("spend-threshold-tiers", r#"{"tiers": {}}"#),
            ("free-delivery", "not json"),
            ("free-delivery", "[]"),
        ] {
            assert_eq!(
                field_of(a_promotion_kind(kind, raw)),
                RuleField::Parameters,
                "{kind} {raw}"
            );
        }
    }

    #[test]
    fn an_unknown_parameter_is_refused_naming_it() {
        let refused =
            a_promotion_kind("amount-off", r#"{"per_unit": "5", "extra": 1}"#).unwrap_err();
        assert_eq!(refused.field, RuleField::Parameters);
        assert!(
            refused.detail.contains("unknown field `extra`"),
            "{refused}"
        );
    }

    fn promotion_fields() -> PromotionFields<'static> {
        PromotionFields {
            kind: "percentage-off",
            starts_at: "2026-01-01T00:00:00Z",
            ends_at: "2027-01-01T00:00:00Z",
            target_kind: "brands",
            target_values: r#"["Three Squirrels"]"#,
            priority: 5,
            stacking: "exclusive",
            parameters: r#"{"percent": "10"}"#,
        }
    }

    fn read_promotion(fields: PromotionFields<'_>) -> Result<Promotion, RuleFieldError> {
        fields.read(
            PromotionId::parse("P-1").unwrap(),
            "P".to_owned(),
            Currency::CNY,
        )
    }

    #[test]
    fn a_promotion_reads_its_targets_as_catalog_codes() {
        let promotion = read_promotion(promotion_fields()).unwrap();
        let brand = BrandId::parse("Three-Squirrels").unwrap();
        assert_eq!(promotion.target, Target::Brands([brand].into()));
        assert_eq!(promotion.stacking, Stacking::Exclusive);
        assert_eq!(promotion.priority, 5);
        for kind in TARGET_KINDS {
            assert!(target(kind, "[]").is_ok(), "{kind}");
        }
    }

    #[test]
    fn each_promotion_field_is_refused_under_its_own_name() {
        let cases: [(RuleField, Spoil<PromotionFields<'static>>); 7] = [
            (RuleField::TargetValues, |f| f.target_values = "skus"),
            (RuleField::TargetValues, |f| {
                f.target_kind = "skus";
                f.target_values = r#"["not a sku!"]"#;
            }),
            (RuleField::TargetKind, |f| f.target_kind = "aisles"),
            (RuleField::StartsAt, |f| f.starts_at = "tomorrow"),
            (RuleField::EndsAt, |f| f.ends_at = "2027-01-01"),
            (RuleField::Priority, |f| f.priority = -1),
            (RuleField::Stacking, |f| f.stacking = "sometimes"),
        ];
        for (field, spoil) in cases {
            let mut fields = promotion_fields();
            spoil(&mut fields);
            assert_eq!(field_of(read_promotion(fields)), field, "{fields:?}");
        }
    }

    fn coupon_fields() -> CouponFields<'static> {
        CouponFields {
            kind: "percentage-off",
            amount: None,
            percent: Some("15"),
            max_discount: Some("30.00"),
            minimum_spend: Some("100.00"),
            starts_at: "2026-01-01T00:00:00Z",
            ends_at: "2027-01-01T00:00:00Z",
            total_limit: Some(1000),
            per_customer_limit: None,
            stacking: "stackable",
        }
    }

    fn read_coupon(fields: CouponFields<'_>) -> Result<Coupon, RuleFieldError> {
        fields.read(
            CouponCode::parse("SAVE15").unwrap(),
            "Save".to_owned(),
            Currency::CNY,
        )
    }

    #[test]
    fn each_coupon_field_is_refused_under_its_own_name() {
        assert!(read_coupon(coupon_fields()).is_ok());
        let cases: [(RuleField, Spoil<CouponFields<'static>>); 10] = [
            (RuleField::Kind, |f| f.kind = "free-gift"),
            (RuleField::Amount, |f| f.kind = "amount-off"),
            (RuleField::Amount, |f| {
                f.kind = "amount-off";
                f.amount = Some("-5.00");
            }),
            (RuleField::Percent, |f| f.percent = None),
            (RuleField::Percent, |f| f.percent = Some("150")),
            (RuleField::MaxDiscount, |f| f.max_discount = Some("x")),
            (RuleField::MinimumSpend, |f| f.minimum_spend = Some("1.001")),
            (RuleField::StartsAt, |f| f.starts_at = "yesterday"),
            (RuleField::TotalLimit, |f| f.total_limit = Some(-3)),
            (RuleField::Stacking, |f| f.stacking = "sometimes"),
        ];
        for (field, spoil) in cases {
            let mut fields = coupon_fields();
            spoil(&mut fields);
            assert_eq!(field_of(read_coupon(fields)), field, "{fields:?}");
        }
    }

    #[test]
    fn a_tier_discount_is_a_percentage_or_none() {
        assert_eq!(tier_discount(None), Ok(None));
        let five = tier_discount(Some("5")).unwrap().unwrap();
        assert_eq!(stored_percentage(five), "5");
        let seven_and_a_half = tier_discount(Some("7.50")).unwrap().unwrap();
        assert_eq!(stored_percentage(seven_and_a_half), "7.5");
        for bad in ["abc", "150", "-5"] {
            assert_eq!(
                field_of(tier_discount(Some(bad))),
                RuleField::DiscountPercent,
                "{bad}"
            );
        }
    }
}

//! Coupons as operators write them (table `coupons` of `migrations/0002_pricing.sql`): a code
//! customers type (stored upper case, which is how the quote looks codes up), worth an amount
//! off or a percentage off with an optional cap, with an optional minimum spend, a validity
//! window, optional total and per-customer usage limits, stackable or exclusive, active or
//! not. Each coupon is read by the quote's own rule parser (`pricing::stored_rules`) from the
//! text it will be stored as before it is written, so no coupon the quote cannot read is ever
//! stored; the rules the parser is lenient about (an amount on a percentage coupon, a window
//! that ends before it starts, a limit of 0) are refused here.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{
    CatalogError, active_by_default, invalid, parse_price, refused, required_text, stackable,
    stacking, validity_window,
};
use crate::money::Currency;
use crate::money::Money;
use crate::pricing::stored_rules::{CouponFields, RuleFieldError, stored_percentage};
use crate::pricing::{Coupon, CouponCode, Percentage, Stacking, ValidityWindow};
use crate::storage;

/// A coupon as an operator writes it (the code comes from the body on create, the path on
/// update).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouponDraft {
    pub name: String,
    /// `amount-off` or `percentage-off`.
    pub kind: String,
    /// What an amount-off coupon takes off the order.
    #[serde(default)]
    pub amount: Option<String>,
    /// What a percentage-off coupon takes off, in percent.
    #[serde(default)]
    pub percent: Option<String>,
    /// The most a percentage-off coupon takes off.
    #[serde(default)]
    pub max_discount: Option<String>,
    #[serde(default)]
    pub minimum_spend: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    /// Redemptions across all customers; absent or null: unlimited.
    #[serde(default)]
    pub total_limit: Option<u32>,
    /// Redemptions per customer; absent or null: unlimited.
    #[serde(default)]
    pub per_customer_limit: Option<u32>,
    #[serde(default = "stackable")]
    pub stacking: String,
    #[serde(default = "active_by_default")]
    pub active: bool,
}

/// A checked coupon, ready to write: the `coupons` row, column by column.
#[derive(Debug, Clone, PartialEq)]
pub struct CouponRow {
    pub code: CouponCode,
    pub name: String,
    /// `amount-off` (with `amount`) or `percentage-off` (with `percent`, `max_discount`).
    pub kind: &'static str,
    pub amount: Option<Money>,
    pub percent: Option<Percentage>,
    pub max_discount: Option<Money>,
    pub minimum_spend: Option<Money>,
    pub window: ValidityWindow,
    pub total_limit: Option<u32>,
    pub per_customer_limit: Option<u32>,
    pub stacking: Stacking,
    pub active: bool,
}

impl CouponRow {
    /// The coupon the quote will read from this row once it is stored, from the very text it
    /// is stored as; or the field it cannot read.
    pub fn read_as_quote(&self) -> Result<Coupon, RuleFieldError> {
        let amount = self.amount.map(|m| m.amount_string());
        let percent = self.percent.map(stored_percentage);
        let max_discount = self.max_discount.map(|m| m.amount_string());
        let minimum_spend = self.minimum_spend.map(|m| m.amount_string());
        let starts_at = storage::timestamp(self.window.starts_at);
        let ends_at = storage::timestamp(self.window.ends_at);
        let fields = CouponFields {
            kind: self.kind,
            amount: amount.as_deref(),
            percent: percent.as_deref(),
            max_discount: max_discount.as_deref(),
            minimum_spend: minimum_spend.as_deref(),
            starts_at: &starts_at,
            ends_at: &ends_at,
            total_limit: self.total_limit.map(i64::from),
            per_customer_limit: self.per_customer_limit.map(i64::from),
            stacking: self.stacking.as_str(),
        };
        fields.read(self.code.clone(), self.name.clone(), Currency::SHOP)
    }
}

/// A coupon code as customers type it: any case, stored upper case (`save10` is `SAVE10`).
pub fn parse_coupon_code(field: &str, raw: &str) -> Result<CouponCode, CatalogError> {
    CouponCode::parse(raw).map_err(|e| invalid(field, e))
}

/// An amount a coupon takes off or is capped at: a price above zero.
fn positive_amount(field: &str, raw: &str) -> Result<Money, CatalogError> {
    let amount = parse_price(field, raw)?;
    if amount.amount().is_zero() {
        return Err(invalid(field, "must be more than 0.00"));
    }
    Ok(amount)
}

/// A coupon's percentage: more than 0, at most 100 (with a cap, "100 % off up to 30.00" is a
/// real offer), at most two decimals.
fn coupon_percent(raw: &str) -> Result<Percentage, CatalogError> {
    let field = "percent";
    let percent: Decimal = raw
        .trim()
        .parse()
        .map_err(|_| invalid(field, "a number of percent such as \"15\""))?;
    if percent <= Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
        return Err(invalid(field, "more than 0 and at most 100"));
    }
    let percent = percent.normalize();
    if percent.scale() > 2 {
        return Err(invalid(field, "at most two decimals"));
    }
    Percentage::new(percent).map_err(|e| invalid(field, e))
}

fn only_for(field: &str, kind: &str) -> CatalogError {
    invalid(field, format!("only for a {kind} coupon"))
}

/// A usage limit: at least 1 when given (`"active": false` is how a coupon stops).
fn limit(field: &str, value: Option<u32>) -> Result<Option<u32>, CatalogError> {
    match value {
        Some(0) => Err(invalid(
            field,
            "at least 1 (null: unlimited; to stop a coupon, set \"active\": false)",
        )),
        other => Ok(other),
    }
}

impl CouponDraft {
    /// Checks the coupon and reads it as the quote will.
    pub fn validate(self, code: CouponCode) -> Result<CouponRow, CatalogError> {
        let name = required_text("name", &self.name)?;
        let (kind, amount, percent) = match self.kind.as_str() {
            "amount-off" => {
                if self.percent.is_some() {
                    return Err(only_for("percent", "percentage-off"));
                }
                if self.max_discount.is_some() {
                    return Err(only_for("max_discount", "percentage-off"));
                }
                let raw = self
                    .amount
                    .ok_or_else(|| invalid("amount", "required for an amount-off coupon"))?;
                ("amount-off", Some(positive_amount("amount", &raw)?), None)
            }
            "percentage-off" => {
                if self.amount.is_some() {
                    return Err(only_for("amount", "amount-off"));
                }
                let raw = self
                    .percent
                    .ok_or_else(|| invalid("percent", "required for a percentage-off coupon"))?;
                ("percentage-off", None, Some(coupon_percent(&raw)?))
            }
            _ => return Err(invalid("kind", "amount-off or percentage-off")),
        };
        let max_discount = self
            .max_discount
            .map(|raw| positive_amount("max_discount", &raw))
            .transpose()?;
        let minimum_spend = self
            .minimum_spend
            .map(|raw| parse_price("minimum_spend", &raw))
            .transpose()?;
        let window = validity_window(&self.starts_at, &self.ends_at)?;
        let total_limit = limit("total_limit", self.total_limit)?;
        let per_customer_limit = limit("per_customer_limit", self.per_customer_limit)?;
        if let (Some(total), Some(each)) = (total_limit, per_customer_limit)
            && each > total
        {
            return Err(invalid(
                "per_customer_limit",
                format!("at most the total_limit ({total})"),
            ));
        }
        let row = CouponRow {
            code,
            name,
            kind,
            amount,
            percent,
            max_discount,
            minimum_spend,
            window,
            total_limit,
            per_customer_limit,
            stacking: stacking(&self.stacking)?,
            active: self.active,
        };
        row.read_as_quote().map_err(refused)?;
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::CouponValue;

    fn code() -> CouponCode {
        CouponCode::parse("SAVE10").unwrap()
    }

    fn an_amount_off(amount: &str) -> CouponDraft {
        CouponDraft {
            name: "Save 10".to_owned(),
            kind: "amount-off".to_owned(),
            amount: Some(amount.to_owned()),
            percent: None,
            max_discount: None,
            minimum_spend: None,
            starts_at: "2026-01-01T00:00:00Z".to_owned(),
            ends_at: "2027-01-01T00:00:00Z".to_owned(),
            total_limit: None,
            per_customer_limit: None,
            stacking: stackable(),
            active: true,
        }
    }

    fn a_percentage_off(percent: &str, cap: Option<&str>) -> CouponDraft {
        CouponDraft {
            kind: "percentage-off".to_owned(),
            amount: None,
            percent: Some(percent.to_owned()),
            max_discount: cap.map(str::to_owned),
            ..an_amount_off("1.00")
        }
    }

    fn field_of(result: Result<CouponRow, CatalogError>) -> String {
        match result {
            Err(CatalogError::Invalid { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn a_coupon_is_written_as_the_quote_reads_it() {
        let mut draft = a_percentage_off("15.0", Some("30"));
        draft.minimum_spend = Some("100".to_owned());
        draft.total_limit = Some(1000);
        draft.per_customer_limit = Some(1);
        draft.stacking = "exclusive".to_owned();
        draft.starts_at = "2026-01-01T08:00:00+08:00".to_owned();
        let row = draft.validate(code()).unwrap();
        let coupon = row.read_as_quote().unwrap();
        assert_eq!(coupon.code, code());
        assert_eq!(coupon.total_limit, Some(1000));
        assert_eq!(coupon.per_customer_limit, Some(1));
        assert_eq!(coupon.stacking, Stacking::Exclusive);
        assert_eq!(
            coupon.minimum_spend.map(|m| m.amount_string()),
            Some("100.00".to_owned())
        );
        let CouponValue::PercentageOff { off, max_discount } = coupon.value else {
            panic!("a percentage-off coupon");
        };
        assert_eq!(off.to_string(), "15%");
        assert_eq!(
            max_discount.map(|m| m.amount_string()),
            Some("30.00".to_owned())
        );
        // Times are stored in UTC, as the quote compares them; percentages without trailing zeros.
        assert_eq!(
            storage::timestamp(row.window.starts_at),
            "2026-01-01T00:00:00Z"
        );
        assert_eq!(row.percent.map(stored_percentage), Some("15".to_owned()));
        assert!(row.active);

        let amount_off = an_amount_off("10").validate(code()).unwrap();
        assert_eq!(
            amount_off.amount.map(|m| m.amount_string()),
            Some("10.00".to_owned())
        );
        assert_eq!(amount_off.percent, None);
    }

    #[test]
    fn coupon_codes_are_upper_case_and_codes_only() {
        assert_eq!(parse_coupon_code("code", "save10").unwrap(), code());
        assert!(parse_coupon_code("code", "SAVE 10").is_err());
        assert!(parse_coupon_code("code", "").is_err());
    }

    #[test]
    fn a_coupon_the_quote_could_not_use_is_refused_naming_the_field() {
        let with = |f: fn(&mut CouponDraft), base: CouponDraft| {
            let mut draft = base;
            f(&mut draft);
            draft
        };
        let cases: Vec<(&str, CouponDraft)> = vec![
            (
                "kind",
                with(|d| d.kind = "free-gift".into(), an_amount_off("10")),
            ),
            ("amount", with(|d| d.amount = None, an_amount_off("10"))),
            ("amount", an_amount_off("0")),
            ("amount", an_amount_off("-5")),
            ("amount", an_amount_off("1.005")),
            ("amount", an_amount_off("ten")),
            (
                "percent",
                with(|d| d.percent = Some("5".into()), an_amount_off("10")),
            ),
            (
                "max_discount",
                with(|d| d.max_discount = Some("5".into()), an_amount_off("10")),
            ),
            (
                "amount",
                with(
                    |d| d.amount = Some("5".into()),
                    a_percentage_off("10", None),
                ),
            ),
            (
                "percent",
                with(|d| d.percent = None, a_percentage_off("10", None)),
            ),
            ("percent", a_percentage_off("0", None)),
            ("percent", a_percentage_off("100.5", None)),
            ("percent", a_percentage_off("12.345", None)),
            ("max_discount", a_percentage_off("10", Some("0"))),
            (
                "minimum_spend",
                with(|d| d.minimum_spend = Some("x".into()), an_amount_off("10")),
            ),
            (
                "ends_at",
                with(|d| d.ends_at = d.starts_at.clone(), an_amount_off("10")),
            ),
            (
                "starts_at",
                with(|d| d.starts_at = "2026-01-01".into(), an_amount_off("10")),
            ),
            (
                "total_limit",
                with(|d| d.total_limit = Some(0), an_amount_off("10")),
            ),
            (
                "per_customer_limit",
                with(
                    |d| {
                        d.total_limit = Some(1);
                        d.per_customer_limit = Some(2);
                    },
                    an_amount_off("10"),
                ),
            ),
            (
                "stacking",
                with(|d| d.stacking = "sometimes".into(), an_amount_off("10")),
            ),
            ("name", with(|d| d.name = " ".into(), an_amount_off("10"))),
        ];
        for (field, draft) in cases {
            assert_eq!(field_of(draft.clone().validate(code())), field, "{draft:?}");
        }
        assert!(
            a_percentage_off("100", Some("30.00"))
                .validate(code())
                .is_ok()
        );
    }
}

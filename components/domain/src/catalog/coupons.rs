//! Coupons as operators write them (table `coupons` of `migrations/0002_pricing.sql`): a code
//! customers type (stored upper case, which is how the quote looks codes up), worth an amount
//! off or a percentage off with an optional cap, with an optional minimum spend, a validity
//! window, optional total and per-customer usage limits, stackable or exclusive, active or
//! not. Each coupon is read back by the quote's own reader
//! (`pricing::repository::read_coupon_row`) before it is written, so no coupon the quote
//! cannot read is ever stored; the rules the reader is lenient about (an amount on a
//! percentage coupon, a window that ends before it starts, a limit of 0) are refused here.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{
    CatalogError, active_by_default, invalid, parse_price, reader_complaint, required_text,
    shop_currency, stackable, timestamp,
};
use crate::money::Money;
use crate::pricing::CouponCode;
use crate::pricing::repository::read_coupon_row;
use crate::storage::SqlValue;

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

/// A coupon the quote has read back: its row, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct CouponRow {
    pub code: CouponCode,
    /// In the column order of `repository::COUPON_COLUMNS` (the quote reader's, then `active`).
    pub values: Vec<SqlValue>,
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
/// real offer), at most two decimals; stored without trailing zeros.
fn coupon_percent(raw: &str) -> Result<String, CatalogError> {
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
    Ok(percent.to_string())
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
    /// Checks the coupon and reads it back as the quote will.
    pub fn validate(self, code: CouponCode) -> Result<CouponRow, CatalogError> {
        let name = required_text("name", &self.name)?;
        let (amount, percent) = match self.kind.as_str() {
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
                (Some(positive_amount("amount", &raw)?), None)
            }
            "percentage-off" => {
                if self.amount.is_some() {
                    return Err(only_for("amount", "amount-off"));
                }
                let raw = self
                    .percent
                    .ok_or_else(|| invalid("percent", "required for a percentage-off coupon"))?;
                (None, Some(coupon_percent(&raw)?))
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
        let starts = timestamp("starts_at", &self.starts_at)?;
        let ends = timestamp("ends_at", &self.ends_at)?;
        if ends <= starts {
            return Err(invalid("ends_at", "must be after starts_at"));
        }
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
        if !["stackable", "exclusive"].contains(&self.stacking.as_str()) {
            return Err(invalid("stacking", "stackable or exclusive"));
        }
        let text_or_null = |value: Option<String>| value.map_or(SqlValue::Null, SqlValue::Text);
        let money_or_null = |value: Option<Money>| text_or_null(value.map(|m| m.amount_string()));
        let limit_or_null =
            |value: Option<u32>| value.map_or(SqlValue::Null, |n| SqlValue::Integer(n.into()));
        let rfc3339 = |t: chrono::DateTime<chrono::Utc>| {
            SqlValue::Text(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        let mut values = vec![
            SqlValue::from(code.as_str()),
            SqlValue::Text(name),
            SqlValue::Text(self.kind),
            money_or_null(amount),
            text_or_null(percent),
            money_or_null(max_discount),
            money_or_null(minimum_spend),
            rfc3339(starts),
            rfc3339(ends),
            limit_or_null(total_limit),
            limit_or_null(per_customer_limit),
            SqlValue::Text(self.stacking),
        ];
        read_coupon_row(&values, shop_currency()).map_err(|e| reader_complaint(e, "kind"))?;
        values.push(SqlValue::Integer(i64::from(self.active)));
        Ok(CouponRow { code, values })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{CouponValue, Stacking};

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
        let coupon = read_coupon_row(&row.values, shop_currency()).unwrap();
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
        // Times are stored in UTC, as the quote compares them.
        assert_eq!(row.values[7], SqlValue::from("2026-01-01T00:00:00Z"));
        assert_eq!(row.values.last(), Some(&SqlValue::Integer(1)));

        let amount_off = an_amount_off("10").validate(code()).unwrap();
        assert_eq!(amount_off.values[3], SqlValue::from("10.00"));
        assert_eq!(amount_off.values[4], SqlValue::Null);
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

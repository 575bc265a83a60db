//! Coupons (`coupons`, with their redemptions so far from `coupon_redemptions`): created,
//! replaced (`"active": false` stops one for every later quote; redemptions are kept), read
//! and listed. Never deleted: orders refer to the codes they redeemed. What is written has been
//! read as the quote reads it (`catalog::CouponRow::read_as_quote`).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::write::{Change, Subject, create, replace, run};
use super::{ListQuery, Page, first, one_of, page};
use crate::catalog::{CatalogError, CouponRow};
use crate::money::Currency;
use crate::money::Money;
use crate::pricing::stored_rules::{COUPON_KINDS, parse_amount, stored_percentage};
use crate::pricing::{CouponCode, Stacking};
use crate::storage::row::{
    col_flag, col_opt_parsed, col_opt_u32, col_parsed, col_text, col_u32, flag, optional_text, text,
};
use crate::storage::{Sql, SqlValue, StoreError, parse_timestamp, timestamp};

/// A coupon as operators read it: its columns and `uses`, the redemptions so far (written by
/// place-order).
const COUPON: &str = "SELECT code, name, kind, amount, percent, max_discount, minimum_spend, \
     starts_at, ends_at, total_limit, per_customer_limit, stacking, active, \
     (SELECT COALESCE(SUM(uses), 0) FROM coupon_redemptions r WHERE r.code = coupons.code) \
     AS uses FROM coupons WHERE code = ?";
const COUPONS_PAGE: &str = "SELECT code, name, kind, amount, percent, max_discount, \
     minimum_spend, starts_at, ends_at, total_limit, per_customer_limit, stacking, active, \
     (SELECT COALESCE(SUM(uses), 0) FROM coupon_redemptions r WHERE r.code = coupons.code) \
     AS uses FROM coupons WHERE code > ? \
     AND (? IS NULL OR kind = ?) AND (? IS NULL OR active = ?) ORDER BY code LIMIT ?";
const INSERT_COUPON: &str = "INSERT INTO coupons (code, name, kind, amount, percent, \
     max_discount, minimum_spend, starts_at, ends_at, total_limit, per_customer_limit, \
     stacking, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const UPDATE_COUPON: &str = "UPDATE coupons SET name = ?, kind = ?, amount = ?, percent = ?, \
     max_discount = ?, minimum_spend = ?, starts_at = ?, ends_at = ?, total_limit = ?, \
     per_customer_limit = ?, stacking = ?, active = ? WHERE code = ?";

/// A coupon as the catalog answers it (and the audit log keeps it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CouponRecord {
    pub code: CouponCode,
    pub name: String,
    /// One of `pricing::stored_rules::COUPON_KINDS`.
    pub kind: &'static str,
    #[serde(serialize_with = "super::optional_amount")]
    pub amount: Option<Money>,
    /// Percent off, as stored ("15").
    pub percent: Option<Decimal>,
    #[serde(serialize_with = "super::optional_amount")]
    pub max_discount: Option<Money>,
    #[serde(serialize_with = "super::optional_amount")]
    pub minimum_spend: Option<Money>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `None`: unlimited.
    pub total_limit: Option<u32>,
    /// `None`: unlimited.
    pub per_customer_limit: Option<u32>,
    pub stacking: Stacking,
    pub active: bool,
    /// Redemptions so far, by every customer.
    pub uses: u32,
}

/// A coupon row, in the column order of `COUPON`.
fn read_coupon(row: &[SqlValue]) -> Result<CouponRecord, StoreError> {
    let what = "coupons";
    let amount = |i| col_opt_parsed(row, i, what, |raw| parse_amount(raw, Currency::SHOP));
    Ok(CouponRecord {
        code: col_parsed(row, 0, what, CouponCode::parse)?,
        name: col_text(row, 1, what)?,
        kind: col_parsed(row, 2, what, |raw| one_of(&COUPON_KINDS, raw))?,
        amount: amount(3)?,
        percent: col_opt_parsed(row, 4, what, str::parse::<Decimal>)?,
        max_discount: amount(5)?,
        minimum_spend: amount(6)?,
        starts_at: col_parsed(row, 7, what, parse_timestamp)?,
        ends_at: col_parsed(row, 8, what, parse_timestamp)?,
        total_limit: col_opt_u32(row, 9, what)?,
        per_customer_limit: col_opt_u32(row, 10, what)?,
        stacking: col_parsed(row, 11, what, |raw| {
            Stacking::parse(raw).ok_or("not stackable or exclusive")
        })?,
        active: col_flag(row, 12, what)?,
        uses: col_u32(row, 13, what)?,
    })
}

pub fn get_coupon(db: &impl Sql, code: &CouponCode) -> Result<Option<CouponRecord>, CatalogError> {
    first(db, COUPON, &[text(code.as_str())], read_coupon)
}

/// Filters: kind, active.
pub fn list_coupons(db: &impl Sql, query: &ListQuery) -> Result<Page<CouponRecord>, CatalogError> {
    page(db, COUPONS_PAGE, query, read_coupon, |c| c.code.as_str())
}

/// Every column but the code, in the order of `UPDATE_COUPON`.
fn coupon_params(coupon: &CouponRow) -> [SqlValue; 12] {
    let amount = |money: Option<Money>| optional_text(money.map(|m| m.amount_string()).as_deref());
    let limit = |n: Option<u32>| n.map_or(SqlValue::Null, |n| SqlValue::Integer(n.into()));
    let percent = coupon.percent.map(stored_percentage);
    [
        text(&coupon.name),
        text(coupon.kind),
        amount(coupon.amount),
        optional_text(percent.as_deref()),
        amount(coupon.max_discount),
        amount(coupon.minimum_spend),
        text(&timestamp(coupon.window.starts_at)),
        text(&timestamp(coupon.window.ends_at)),
        limit(coupon.total_limit),
        limit(coupon.per_customer_limit),
        text(coupon.stacking.as_str()),
        flag(coupon.active),
    ]
}

pub fn create_coupon(
    db: &impl Sql,
    change: &Change<'_>,
    coupon: &CouponRow,
) -> Result<CouponRecord, CatalogError> {
    let code = &coupon.code;
    let subject = Subject::new("catalog.coupon.create", "coupon", code.as_str());
    let mut params = vec![text(code.as_str())];
    params.extend(coupon_params(coupon));
    let read = || get_coupon(db, code);
    create(db, change, &subject, "code", read, || {
        run(db, INSERT_COUPON, &params)
    })
}

/// Replaces a coupon; `active: false` stops it for every later quote (customers entering it
/// are told it is unknown). Redemptions so far are kept.
pub fn replace_coupon(
    db: &impl Sql,
    change: &Change<'_>,
    coupon: &CouponRow,
) -> Result<CouponRecord, CatalogError> {
    let code = &coupon.code;
    let subject = Subject::new("catalog.coupon.update", "coupon", code.as_str());
    let mut params = coupon_params(coupon).to_vec();
    params.push(text(code.as_str()));
    let read = || get_coupon(db, code);
    replace(db, change, &subject, read, || {
        run(db, UPDATE_COUPON, &params)
    })
}

//! The catalog's SQL: what the operators' catalog reads and writes in the tables of
//! `migrations/0001_catalog.sql` and `0002_pricing.sql`, every statement a named constant
//! with `?` parameters next to the function that runs it. Every write is one audited
//! transaction (`write.rs`: the row before, the change, the row after and the audit entry with
//! both); every read answers a typed record (`ProductRecord`, …) whose JSON is what the
//! catalog's routes answer, and a cell that is not what its column holds is
//! `StoreError::Corrupt`, never passed on as text.
//!
//! Where each resource lives:
//! - products: `products.rs`; stores: `stores.rs`;
//! - store prices and member tiers' prices: `prices.rs`;
//! - promotions: `promotions.rs`; coupons: `coupons.rs`;
//! - member tiers and customers: `membership.rs`;
//! - the audited write and who makes it (`Change`): `write.rs`;
//! - here: list pages (`ListQuery`, `Page`) and reading rows into records.

mod coupons;
mod membership;
mod prices;
mod products;
mod promotions;
mod stores;
mod write;

#[cfg(test)]
mod tests;

pub use coupons::{CouponRecord, create_coupon, get_coupon, list_coupons, replace_coupon};
pub use membership::{
    CustomerRecord, MemberTierRecord, create_customer, create_member_tier, get_customer,
    get_member_tier, list_customers, list_member_tiers, remove_member_tier, replace_customer,
    replace_member_tier,
};
pub use prices::{
    StorePriceRecord, TierPriceRecord, list_store_prices, list_tier_prices, remove_store_price,
    remove_tier_price, set_store_price, set_tier_price,
};
pub use products::{
    ProductRecord, create_product, get_product, list_products, product_is_sold, product_known,
    replace_product,
};
pub use promotions::{
    PromotionRecord, create_promotion, get_promotion, list_promotions, replace_promotion,
};
pub use stores::{
    StoreRecord, create_store, get_store, list_stores, replace_store, store_exists, store_known,
};
pub use write::Change;

use serde::Serializer;

use super::CatalogError;
use crate::money::Money;
use crate::storage::row::text;
use crate::storage::{Sql, SqlValue, StoreError};

/// The most rows one list page holds, and the page size when none is asked for.
pub const MAX_PAGE: u32 = 100;
pub const DEFAULT_PAGE: u32 = 20;

/// One page of a list and where the next begins (`None`: this was the last). The edge answers
/// it in the one list envelope (`o2o_edge::respond::page`).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Where a list page begins, how long it is, and its filters in the order its statement takes
/// them; `None` matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// The key of the last row of the previous page ("": from the start).
    pub after: String,
    pub limit: u32,
    pub filters: Vec<Option<SqlValue>>,
}

/// How a record is read from a row, in the column order of the statement that selects it.
type ReadRow<T> = fn(&[SqlValue]) -> Result<T, StoreError>;

/// The record of the first row `statement` answers, if any.
fn first<T>(
    db: &impl Sql,
    statement: &str,
    params: &[SqlValue],
    read: ReadRow<T>,
) -> Result<Option<T>, CatalogError> {
    let rows = db.execute(statement, params)?;
    Ok(rows.rows.first().map(|row| read(row)).transpose()?)
}

/// The records of every row `statement` answers.
fn every<T>(
    db: &impl Sql,
    statement: &str,
    params: &[SqlValue],
    read: ReadRow<T>,
) -> Result<Vec<T>, CatalogError> {
    let rows = db.execute(statement, params)?;
    Ok(rows
        .rows
        .iter()
        .map(|row| read(row))
        .collect::<Result<_, _>>()?)
}

/// One page of `statement`, which takes the key to start after, each filter twice (`? IS NULL
/// OR column = ?`) and the limit; a full page's last `key` is the cursor to the next.
fn page<T>(
    db: &impl Sql,
    statement: &str,
    query: &ListQuery,
    read: ReadRow<T>,
    key: fn(&T) -> &str,
) -> Result<Page<T>, CatalogError> {
    let mut params = vec![text(&query.after)];
    for filter in &query.filters {
        let value = filter.clone().unwrap_or(SqlValue::Null);
        params.push(value.clone());
        params.push(value);
    }
    params.push(SqlValue::Integer(i64::from(query.limit)));
    let items = every(db, statement, &params, read)?;
    let next_cursor = if items.len() == query.limit as usize {
        items.last().map(|item| key(item).to_owned())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// One of `names` (the values a column's CHECK allows), as the `&'static str` it is: the one
/// check of a closed list of names, for drafts and stored rows alike.
pub(crate) fn one_of(names: &[&'static str], raw: &str) -> Result<&'static str, String> {
    names
        .iter()
        .find(|name| **name == raw)
        .copied()
        .ok_or_else(|| format!("not one of {}", names.join(", ")))
}

/// A record's amount on the wire: the decimal string it is stored as ("12.30"), as every amount
/// of the shop travels.
fn amount<S: Serializer>(money: &Money, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&money.amount_string())
}

fn optional_amount<S: Serializer>(money: &Option<Money>, serializer: S) -> Result<S::Ok, S::Error> {
    match money {
        Some(money) => amount(money, serializer),
        None => serializer.serialize_none(),
    }
}

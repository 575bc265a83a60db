//! Products (`products`): created, replaced (which is how one is deactivated), read and
//! listed. Products are never deleted: orders and audit entries refer to them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::write::{Change, Subject, create, replace, run};
use super::{ListQuery, Page, first, page};
use crate::catalog::{CatalogError, Product};
use crate::money::{Currency, Money};
use crate::pricing::stored_rules::parse_amount;
use crate::storage::row::{any, col_flag, col_parsed, col_text, flag, text};
use crate::storage::{Sql, SqlValue, StoreError, parse_timestamp, timestamp};
use crate::values::Sku;

const PRODUCT: &str = "SELECT sku, name, category, brand, list_price, currency, active, \
     created_at, updated_at FROM products WHERE sku = ?";
const PRODUCTS_PAGE: &str = "SELECT sku, name, category, brand, list_price, currency, active, \
     created_at, updated_at FROM products WHERE sku > ? \
     AND (? IS NULL OR category = ?) AND (? IS NULL OR brand = ?) AND (? IS NULL OR active = ?) \
     ORDER BY sku LIMIT ?";
const INSERT_PRODUCT: &str = "INSERT INTO products (sku, name, category, brand, list_price, \
     currency, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
const PRODUCT_IS_SOLD: &str = "SELECT COUNT(*) FROM products WHERE sku = ? AND active = 1";
const PRODUCT_KNOWN: &str = "SELECT COUNT(*) FROM products WHERE sku = ?";
const UPDATE_PRODUCT: &str = "UPDATE products SET name = ?, category = ?, brand = ?, \
     list_price = ?, currency = ?, active = ?, updated_at = ? WHERE sku = ?";

/// A product as the catalog answers it (and the audit log keeps it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductRecord {
    pub sku: Sku,
    pub name: String,
    pub category: String,
    pub brand: String,
    #[serde(serialize_with = "super::amount")]
    pub list_price: Money,
    pub currency: Currency,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A product row, in the column order of `PRODUCT`.
fn read_product(row: &[SqlValue]) -> Result<ProductRecord, StoreError> {
    let what = "products";
    let currency = col_parsed(row, 5, what, Currency::parse)?;
    Ok(ProductRecord {
        sku: col_parsed(row, 0, what, Sku::parse)?,
        name: col_text(row, 1, what)?,
        category: col_text(row, 2, what)?,
        brand: col_text(row, 3, what)?,
        list_price: col_parsed(row, 4, what, |raw| parse_amount(raw, currency))?,
        currency,
        active: col_flag(row, 6, what)?,
        created_at: col_parsed(row, 7, what, parse_timestamp)?,
        updated_at: col_parsed(row, 8, what, parse_timestamp)?,
    })
}

/// True when the catalog sells this sku (it exists and is active): what a cart line and a
/// stock change ask first.
pub fn product_is_sold(db: &impl Sql, sku: &Sku) -> Result<bool, StoreError> {
    any(db, PRODUCT_IS_SOLD, &[text(sku.as_str())])
}

/// True when the catalog has this sku, sold or not: what its reviews and prices belong to.
pub fn product_known(db: &impl Sql, sku: &Sku) -> Result<bool, StoreError> {
    any(db, PRODUCT_KNOWN, &[text(sku.as_str())])
}

pub fn get_product(db: &impl Sql, sku: &Sku) -> Result<Option<ProductRecord>, CatalogError> {
    first(db, PRODUCT, &[text(sku.as_str())], read_product)
}

/// Filters: category, brand, active.
pub fn list_products(
    db: &impl Sql,
    query: &ListQuery,
) -> Result<Page<ProductRecord>, CatalogError> {
    page(db, PRODUCTS_PAGE, query, read_product, |p| p.sku.as_str())
}

fn product_params(product: &Product) -> [SqlValue; 6] {
    [
        text(&product.name),
        text(&product.category),
        text(&product.brand),
        text(&product.list_price.amount_string()),
        text(product.list_price.currency().as_str()),
        flag(product.active),
    ]
}

pub fn create_product(
    db: &impl Sql,
    change: &Change<'_>,
    product: &Product,
) -> Result<ProductRecord, CatalogError> {
    let sku = &product.sku;
    let subject = Subject::new("catalog.product.create", "product", sku.as_str());
    let now = text(&timestamp(change.now));
    let mut params = vec![text(sku.as_str())];
    params.extend(product_params(product));
    params.extend([now.clone(), now]);
    let read = || get_product(db, sku);
    create(db, change, &subject, "sku", read, || {
        run(db, INSERT_PRODUCT, &params)
    })
}

/// Replaces a product's fields; `active: false` deactivates it.
pub fn replace_product(
    db: &impl Sql,
    change: &Change<'_>,
    product: &Product,
) -> Result<ProductRecord, CatalogError> {
    let sku = &product.sku;
    let subject = Subject::new("catalog.product.update", "product", sku.as_str());
    let mut params = product_params(product).to_vec();
    params.extend([text(&timestamp(change.now)), text(sku.as_str())]);
    let read = || get_product(db, sku);
    replace(db, change, &subject, read, || {
        run(db, UPDATE_PRODUCT, &params)
    })
}

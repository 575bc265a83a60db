//! The catalog's SQL: every statement a named constant with `?` parameters, every write one
//! `BEGIN IMMEDIATE` transaction that also appends the staff action to `audit_log` with the row
//! before and after (`stock::repository::append_audit_entry`, the audit log's one writer).
//! Reads answer JSON-ready rows: booleans as booleans and JSON columns as JSON.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{CatalogError, CouponRow, Customer, MemberTier, Product, PromotionRow, Store};
use crate::ids::{CustomerId, StoreId};
use crate::money::Money;
use crate::pricing::stored_rules::stored_percentage;
use crate::pricing::{CouponCode, TierId};
use crate::storage::journal::append_audit_entry;
use crate::storage::row::{flag, text};
use crate::storage::{Sql, SqlRows, SqlValue, StoreError};
use crate::storage::{in_immediate_transaction, timestamp};
use crate::values::Sku;

/// The most rows one list page holds, and the page size when none is asked for.
pub const MAX_PAGE: u32 = 100;
pub const DEFAULT_PAGE: u32 = 20;

const PRODUCT: &str = "SELECT sku, name, category, brand, list_price, currency, active, \
     created_at, updated_at FROM products WHERE sku = ?";
const PRODUCTS_PAGE: &str = "SELECT sku, name, category, brand, list_price, currency, active, \
     created_at, updated_at FROM products WHERE sku > ? \
     AND (? IS NULL OR category = ?) AND (? IS NULL OR brand = ?) AND (? IS NULL OR active = ?) \
     ORDER BY sku LIMIT ?";
const INSERT_PRODUCT: &str = "INSERT INTO products (sku, name, category, brand, list_price, \
     currency, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
const UPDATE_PRODUCT: &str = "UPDATE products SET name = ?, category = ?, brand = ?, \
     list_price = ?, currency = ?, active = ?, updated_at = ? WHERE sku = ?";

const STORE: &str = "SELECT id, name, address, city, latitude, longitude, opening_hours, \
     pickup_enabled, delivery_radius_km, active FROM stores WHERE id = ?";
const STORES_PAGE: &str = "SELECT id, name, address, city, latitude, longitude, opening_hours, \
     pickup_enabled, delivery_radius_km, active FROM stores WHERE id > ? \
     AND (? IS NULL OR city = ?) AND (? IS NULL OR active = ?) ORDER BY id LIMIT ?";
const INSERT_STORE: &str = "INSERT INTO stores (id, name, address, city, latitude, longitude, \
     opening_hours, pickup_enabled, delivery_radius_km, active) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const UPDATE_STORE: &str = "UPDATE stores SET name = ?, address = ?, city = ?, latitude = ?, \
     longitude = ?, opening_hours = ?, pickup_enabled = ?, delivery_radius_km = ?, active = ? \
     WHERE id = ?";

const STORE_PRICE: &str =
    "SELECT store_id, sku, price FROM store_prices WHERE store_id = ? AND sku = ?";
const STORE_PRICES: &str =
    "SELECT store_id, sku, price FROM store_prices WHERE store_id = ? ORDER BY sku";
const UPSERT_STORE_PRICE: &str = "INSERT INTO store_prices (store_id, sku, price) VALUES (?, ?, ?) \
     ON CONFLICT (store_id, sku) DO UPDATE SET price = excluded.price";
const DELETE_STORE_PRICE: &str = "DELETE FROM store_prices WHERE store_id = ? AND sku = ?";

const PROMOTION: &str = "SELECT id, name, kind, starts_at, ends_at, target_kind, target_values, \
     priority, stacking, parameters, active FROM promotions WHERE id = ?";
const PROMOTIONS_PAGE: &str = "SELECT id, name, kind, starts_at, ends_at, target_kind, \
     target_values, priority, stacking, parameters, active FROM promotions WHERE id > ? \
     AND (? IS NULL OR kind = ?) AND (? IS NULL OR active = ?) ORDER BY id LIMIT ?";
const INSERT_PROMOTION: &str = "INSERT INTO promotions (id, name, kind, starts_at, ends_at, \
     target_kind, target_values, priority, stacking, parameters, active) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const UPDATE_PROMOTION: &str = "UPDATE promotions SET name = ?, kind = ?, starts_at = ?, \
     ends_at = ?, target_kind = ?, target_values = ?, priority = ?, stacking = ?, \
     parameters = ?, active = ? WHERE id = ?";

const MEMBER_TIER: &str = "SELECT id, name, rank, discount_percent FROM member_tiers WHERE id = ?";
const MEMBER_TIERS_PAGE: &str = "SELECT id, name, rank, discount_percent FROM member_tiers \
     WHERE id > ? ORDER BY id LIMIT ?";
const INSERT_MEMBER_TIER: &str =
    "INSERT INTO member_tiers (id, name, rank, discount_percent) VALUES (?, ?, ?, ?)";
const UPDATE_MEMBER_TIER: &str =
    "UPDATE member_tiers SET name = ?, rank = ?, discount_percent = ? WHERE id = ?";
const DELETE_MEMBER_TIER: &str = "DELETE FROM member_tiers WHERE id = ?";
const CUSTOMERS_ON_TIER: &str = "SELECT COUNT(*) FROM customers WHERE tier_id = ?";

const TIER_PRICE: &str =
    "SELECT tier_id, sku, price FROM tier_prices WHERE tier_id = ? AND sku = ?";
const TIER_PRICES: &str =
    "SELECT tier_id, sku, price FROM tier_prices WHERE tier_id = ? ORDER BY sku";
const UPSERT_TIER_PRICE: &str = "INSERT INTO tier_prices (tier_id, sku, price) VALUES (?, ?, ?) \
     ON CONFLICT (tier_id, sku) DO UPDATE SET price = excluded.price";
const DELETE_TIER_PRICE: &str = "DELETE FROM tier_prices WHERE tier_id = ? AND sku = ?";
const DELETE_TIER_PRICES: &str = "DELETE FROM tier_prices WHERE tier_id = ?";

const CUSTOMER: &str = "SELECT id, name, tier_id, created_at FROM customers WHERE id = ?";
const CUSTOMERS_PAGE: &str = "SELECT id, name, tier_id, created_at FROM customers WHERE id > ? \
     AND (? IS NULL OR tier_id = ?) ORDER BY id LIMIT ?";
const INSERT_CUSTOMER: &str =
    "INSERT INTO customers (id, name, tier_id, created_at) VALUES (?, ?, ?, ?)";
const UPDATE_CUSTOMER: &str = "UPDATE customers SET name = ?, tier_id = ? WHERE id = ?";

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

const BOOLEAN_COLUMNS: [&str; 2] = ["active", "pickup_enabled"];
const JSON_COLUMNS: [&str; 3] = ["opening_hours", "target_values", "parameters"];

/// One page of a list and where the next begins (`None`: this was the last).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<Value>,
    pub next_cursor: Option<String>,
}

/// Filters of a list; `None` matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub after: String,
    pub limit: u32,
    pub filters: Vec<Option<SqlValue>>,
}

fn cell_json(column: &str, value: &SqlValue) -> Value {
    match value {
        SqlValue::Integer(v) if BOOLEAN_COLUMNS.contains(&column) => Value::Bool(*v == 1),
        SqlValue::Integer(v) => Value::from(*v),
        SqlValue::Real(v) => Value::from(*v),
        SqlValue::Text(v) if JSON_COLUMNS.contains(&column) => {
            serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.clone()))
        }
        SqlValue::Text(v) => Value::String(v.clone()),
        SqlValue::Blob(_) | SqlValue::Null => Value::Null,
    }
}

fn rows_json(rows: &SqlRows) -> Vec<Value> {
    rows.rows
        .iter()
        .map(|row| {
            let object: Map<String, Value> = rows
                .columns
                .iter()
                .zip(row)
                .map(|(column, value)| (column.clone(), cell_json(column, value)))
                .collect();
            Value::Object(object)
        })
        .collect()
}

fn one(db: &impl Sql, statement: &str, params: &[SqlValue]) -> Result<Option<Value>, CatalogError> {
    Ok(rows_json(&db.execute(statement, params)?)
        .into_iter()
        .next())
}

fn page(
    db: &impl Sql,
    statement: &str,
    key: &str,
    query: &ListQuery,
) -> Result<Page, CatalogError> {
    let mut params = vec![text(&query.after)];
    for filter in &query.filters {
        let value = filter.clone().unwrap_or(SqlValue::Null);
        params.push(value.clone());
        params.push(value);
    }
    params.push(SqlValue::Integer(i64::from(query.limit)));
    let items = rows_json(&db.execute(statement, &params)?);
    let next_cursor = if items.len() == query.limit as usize {
        items
            .last()
            .and_then(|item| item[key].as_str())
            .map(str::to_owned)
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Who changed what, with the row before and after.
pub struct Change<'a> {
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

fn audit(
    db: &impl Sql,
    change: &Change<'_>,
    action: &str,
    subject: &str,
    before: &Option<Value>,
    after: &Option<Value>,
) -> Result<(), CatalogError> {
    append_audit_entry(
        db,
        change.actor,
        action,
        subject,
        before.as_ref().unwrap_or(&Value::Null),
        after.as_ref().unwrap_or(&Value::Null),
        change.now,
    )?;
    Ok(())
}

fn duplicate(field: &str, what: &str) -> CatalogError {
    CatalogError::Duplicate {
        field: field.to_owned(),
        detail: format!("{what} already exists"),
    }
}

// ---- products ----

pub fn get_product(db: &impl Sql, sku: &Sku) -> Result<Option<Value>, CatalogError> {
    one(db, PRODUCT, &[text(sku.as_str())])
}

/// Filters: category, brand, active.
pub fn list_products(db: &impl Sql, query: &ListQuery) -> Result<Page, CatalogError> {
    page(db, PRODUCTS_PAGE, "sku", query)
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
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let sku = product.sku.as_str();
        if get_product(db, &product.sku)?.is_some() {
            return Err(duplicate("sku", &format!("product {sku}")));
        }
        let now = text(&timestamp(change.now));
        let mut params = vec![text(sku)];
        params.extend(product_params(product));
        params.extend([now.clone(), now]);
        db.execute(INSERT_PRODUCT, &params)?;
        let after = get_product(db, &product.sku)?;
        audit(db, change, "catalog.product.create", sku, &None, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("product {sku}")))
    })
}

/// Replaces a product's fields; `active: false` deactivates it (products are never deleted:
/// orders and audit rows refer to them).
pub fn replace_product(
    db: &impl Sql,
    change: &Change<'_>,
    product: &Product,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let sku = product.sku.as_str();
        let before = get_product(db, &product.sku)?;
        if before.is_none() {
            return Err(CatalogError::NotFound(format!("no product {sku}")));
        }
        let mut params = product_params(product).to_vec();
        params.extend([text(&timestamp(change.now)), text(sku)]);
        db.execute(UPDATE_PRODUCT, &params)?;
        let after = get_product(db, &product.sku)?;
        audit(db, change, "catalog.product.update", sku, &before, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("no product {sku}")))
    })
}

// ---- stores ----

pub fn get_store(db: &impl Sql, id: &StoreId) -> Result<Option<Value>, CatalogError> {
    one(db, STORE, &[text(id.as_str())])
}

/// Filters: city, active.
pub fn list_stores(db: &impl Sql, query: &ListQuery) -> Result<Page, CatalogError> {
    page(db, STORES_PAGE, "id", query)
}

fn store_params(store: &Store) -> [SqlValue; 9] {
    [
        text(&store.name),
        text(&store.address),
        text(&store.city),
        SqlValue::Real(store.location.lat()),
        SqlValue::Real(store.location.lon()),
        text(&store.opening_hours.to_string()),
        flag(store.pickup_enabled),
        SqlValue::Real(store.delivery_radius_km),
        flag(store.active),
    ]
}

pub fn create_store(
    db: &impl Sql,
    change: &Change<'_>,
    store: &Store,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let id = store.id.as_str();
        if get_store(db, &store.id)?.is_some() {
            return Err(duplicate("id", &format!("store {id}")));
        }
        let mut params = vec![text(id)];
        params.extend(store_params(store));
        db.execute(INSERT_STORE, &params)?;
        let after = get_store(db, &store.id)?;
        audit(db, change, "catalog.store.create", id, &None, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("store {id}")))
    })
}

/// Replaces a store's fields; `active: false` closes it (stores are never deleted).
pub fn replace_store(
    db: &impl Sql,
    change: &Change<'_>,
    store: &Store,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let id = store.id.as_str();
        let before = get_store(db, &store.id)?;
        if before.is_none() {
            return Err(CatalogError::NotFound(format!("no store {id}")));
        }
        let mut params = store_params(store).to_vec();
        params.push(text(id));
        db.execute(UPDATE_STORE, &params)?;
        let after = get_store(db, &store.id)?;
        audit(db, change, "catalog.store.update", id, &before, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("no store {id}")))
    })
}

// ---- store price overrides ----

pub fn list_store_prices(db: &impl Sql, store: &StoreId) -> Result<Vec<Value>, CatalogError> {
    Ok(rows_json(
        &db.execute(STORE_PRICES, &[text(store.as_str())])?,
    ))
}

/// Sets the store's own price for a sku (both must exist); the next quote at that store uses it.
pub fn set_store_price(
    db: &impl Sql,
    change: &Change<'_>,
    store: &StoreId,
    sku: &Sku,
    price: &Money,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        if get_store(db, store)?.is_none() {
            return Err(CatalogError::NotFound(format!(
                "no store {}",
                store.as_str()
            )));
        }
        if get_product(db, sku)?.is_none() {
            return Err(CatalogError::NotFound(format!(
                "no product {}",
                sku.as_str()
            )));
        }
        let key = [text(store.as_str()), text(sku.as_str())];
        let before = one(db, STORE_PRICE, &key)?;
        db.execute(
            UPSERT_STORE_PRICE,
            &[key[0].clone(), key[1].clone(), text(&price.amount_string())],
        )?;
        let after = one(db, STORE_PRICE, &key)?;
        let subject = format!("{}/{}", store.as_str(), sku.as_str());
        audit(
            db,
            change,
            "catalog.store-price.set",
            &subject,
            &before,
            &after,
        )?;
        after.ok_or(CatalogError::NotFound(subject))
    })
}

/// Removes the store's own price: the list price applies there again.
pub fn remove_store_price(
    db: &impl Sql,
    change: &Change<'_>,
    store: &StoreId,
    sku: &Sku,
) -> Result<(), CatalogError> {
    in_immediate_transaction(db, || {
        let key = [text(store.as_str()), text(sku.as_str())];
        let subject = format!("{}/{}", store.as_str(), sku.as_str());
        let before = one(db, STORE_PRICE, &key)?;
        if before.is_none() {
            return Err(CatalogError::NotFound(format!("no store price {subject}")));
        }
        db.execute(DELETE_STORE_PRICE, &key)?;
        audit(
            db,
            change,
            "catalog.store-price.remove",
            &subject,
            &before,
            &None,
        )
    })
}

// ---- promotions ----

pub fn get_promotion(db: &impl Sql, id: &str) -> Result<Option<Value>, CatalogError> {
    one(db, PROMOTION, &[text(id)])
}

/// Filters: kind, active.
pub fn list_promotions(db: &impl Sql, query: &ListQuery) -> Result<Page, CatalogError> {
    page(db, PROMOTIONS_PAGE, "id", query)
}

fn promotion_params(promotion: &PromotionRow) -> [SqlValue; 10] {
    [
        text(&promotion.name),
        text(promotion.kind),
        text(&timestamp(promotion.window.starts_at)),
        text(&timestamp(promotion.window.ends_at)),
        text(promotion.target_kind),
        text(&promotion.stored_target_values()),
        SqlValue::Integer(i64::from(promotion.priority)),
        text(promotion.stacking.as_str()),
        text(&promotion.stored_parameters()),
        flag(promotion.active),
    ]
}

pub fn create_promotion(
    db: &impl Sql,
    change: &Change<'_>,
    promotion: &PromotionRow,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let id = promotion.id.as_str();
        if get_promotion(db, id)?.is_some() {
            return Err(duplicate("id", &format!("promotion {id}")));
        }
        let mut params = vec![text(id)];
        params.extend(promotion_params(promotion));
        db.execute(INSERT_PROMOTION, &params)?;
        let after = get_promotion(db, id)?;
        audit(db, change, "catalog.promotion.create", id, &None, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("promotion {id}")))
    })
}

/// Replaces a promotion; `active: false` ends it for every later quote.
pub fn replace_promotion(
    db: &impl Sql,
    change: &Change<'_>,
    promotion: &PromotionRow,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let id = promotion.id.as_str();
        let before = get_promotion(db, id)?;
        if before.is_none() {
            return Err(CatalogError::NotFound(format!("no promotion {id}")));
        }
        let mut params = promotion_params(promotion).to_vec();
        params.push(text(id));
        db.execute(UPDATE_PROMOTION, &params)?;
        let after = get_promotion(db, id)?;
        audit(db, change, "catalog.promotion.update", id, &before, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("no promotion {id}")))
    })
}

// ---- member tiers and their prices ----

pub fn get_member_tier(db: &impl Sql, id: &TierId) -> Result<Option<Value>, CatalogError> {
    one(db, MEMBER_TIER, &[text(id.as_str())])
}

/// No filters: a shop has a handful of tiers.
pub fn list_member_tiers(db: &impl Sql, query: &ListQuery) -> Result<Page, CatalogError> {
    page(db, MEMBER_TIERS_PAGE, "id", query)
}

fn member_tier_params(tier: &MemberTier) -> [SqlValue; 3] {
    [
        text(&tier.name),
        SqlValue::Integer(i64::from(tier.rank)),
        tier.discount_percent
            .map_or(SqlValue::Null, |p| text(&stored_percentage(p))),
    ]
}

pub fn create_member_tier(
    db: &impl Sql,
    change: &Change<'_>,
    tier: &MemberTier,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let id = tier.id.as_str();
        if get_member_tier(db, &tier.id)?.is_some() {
            return Err(duplicate("id", &format!("member tier {id}")));
        }
        let mut params = vec![text(id)];
        params.extend(member_tier_params(tier));
        db.execute(INSERT_MEMBER_TIER, &params)?;
        let after = get_member_tier(db, &tier.id)?;
        audit(db, change, "catalog.member-tier.create", id, &None, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("member tier {id}")))
    })
}

/// Replaces a tier's name, rank and discount; its customers pay the new prices from their
/// next quote.
pub fn replace_member_tier(
    db: &impl Sql,
    change: &Change<'_>,
    tier: &MemberTier,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let id = tier.id.as_str();
        let before = get_member_tier(db, &tier.id)?;
        if before.is_none() {
            return Err(CatalogError::NotFound(format!("no member tier {id}")));
        }
        let mut params = member_tier_params(tier).to_vec();
        params.push(text(id));
        db.execute(UPDATE_MEMBER_TIER, &params)?;
        let after = get_member_tier(db, &tier.id)?;
        audit(
            db,
            change,
            "catalog.member-tier.update",
            id,
            &before,
            &after,
        )?;
        after.ok_or_else(|| CatalogError::NotFound(format!("no member tier {id}")))
    })
}

/// Removes a tier and its tier prices, once no customer is on it (tiers have no `active`
/// column; moving the customers first is the operator's decision, not a side effect). The
/// audit entry's `before` is the tier with its `prices`.
pub fn remove_member_tier(
    db: &impl Sql,
    change: &Change<'_>,
    id: &TierId,
) -> Result<(), CatalogError> {
    in_immediate_transaction(db, || {
        let key = [text(id.as_str())];
        let Some(mut before) = get_member_tier(db, id)? else {
            return Err(CatalogError::NotFound(format!(
                "no member tier {}",
                id.as_str()
            )));
        };
        let members = count(db, CUSTOMERS_ON_TIER, &key)?;
        if members > 0 {
            return Err(CatalogError::InUse {
                field: "id".to_owned(),
                detail: format!(
                    "{members} customer(s) are on member tier {}: move them to another tier \
                     (or none) first",
                    id.as_str()
                ),
            });
        }
        let prices = Value::Array(rows_json(&db.execute(TIER_PRICES, &key)?));
        if let Some(tier) = before.as_object_mut() {
            tier.insert("prices".to_owned(), prices);
        }
        db.execute(DELETE_TIER_PRICES, &key)?;
        db.execute(DELETE_MEMBER_TIER, &key)?;
        audit(
            db,
            change,
            "catalog.member-tier.remove",
            id.as_str(),
            &Some(before),
            &None,
        )
    })
}

fn count(db: &impl Sql, statement: &str, params: &[SqlValue]) -> Result<i64, CatalogError> {
    match db
        .execute(statement, params)?
        .rows
        .first()
        .map(Vec::as_slice)
    {
        Some([SqlValue::Integer(n)]) => Ok(*n),
        other => Err(CatalogError::Store(StoreError::Corrupt(format!(
            "expected one count, found {other:?}"
        )))),
    }
}

pub fn list_tier_prices(db: &impl Sql, tier: &TierId) -> Result<Vec<Value>, CatalogError> {
    Ok(rows_json(&db.execute(TIER_PRICES, &[text(tier.as_str())])?))
}

/// Sets the tier's own price for a sku (both must exist); it wins over the tier's discount
/// from the next quote on (a tier price above the store price is ignored by the quote: a
/// member never pays more than a non-member).
pub fn set_tier_price(
    db: &impl Sql,
    change: &Change<'_>,
    tier: &TierId,
    sku: &Sku,
    price: &Money,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        if get_member_tier(db, tier)?.is_none() {
            return Err(CatalogError::NotFound(format!(
                "no member tier {}",
                tier.as_str()
            )));
        }
        if get_product(db, sku)?.is_none() {
            return Err(CatalogError::NotFound(format!(
                "no product {}",
                sku.as_str()
            )));
        }
        let key = [text(tier.as_str()), text(sku.as_str())];
        let before = one(db, TIER_PRICE, &key)?;
        db.execute(
            UPSERT_TIER_PRICE,
            &[key[0].clone(), key[1].clone(), text(&price.amount_string())],
        )?;
        let after = one(db, TIER_PRICE, &key)?;
        let subject = format!("{}/{}", tier.as_str(), sku.as_str());
        audit(
            db,
            change,
            "catalog.tier-price.set",
            &subject,
            &before,
            &after,
        )?;
        after.ok_or(CatalogError::NotFound(subject))
    })
}

/// Removes the tier's own price: the tier's discount (if any) applies to the sku again.
pub fn remove_tier_price(
    db: &impl Sql,
    change: &Change<'_>,
    tier: &TierId,
    sku: &Sku,
) -> Result<(), CatalogError> {
    in_immediate_transaction(db, || {
        let key = [text(tier.as_str()), text(sku.as_str())];
        let subject = format!("{}/{}", tier.as_str(), sku.as_str());
        let before = one(db, TIER_PRICE, &key)?;
        if before.is_none() {
            return Err(CatalogError::NotFound(format!("no tier price {subject}")));
        }
        db.execute(DELETE_TIER_PRICE, &key)?;
        audit(
            db,
            change,
            "catalog.tier-price.remove",
            &subject,
            &before,
            &None,
        )
    })
}

// ---- customers ----

pub fn get_customer(db: &impl Sql, id: &CustomerId) -> Result<Option<Value>, CatalogError> {
    one(db, CUSTOMER, &[text(id.as_str())])
}

/// Filters: tier_id.
pub fn list_customers(db: &impl Sql, query: &ListQuery) -> Result<Page, CatalogError> {
    page(db, CUSTOMERS_PAGE, "id", query)
}

/// The customer's tier as a column value; a tier that does not exist is the body's mistake.
fn customer_tier(db: &impl Sql, customer: &Customer) -> Result<SqlValue, CatalogError> {
    let Some(tier) = &customer.tier else {
        return Ok(SqlValue::Null);
    };
    if get_member_tier(db, tier)?.is_none() {
        return Err(CatalogError::Unknown {
            field: "tier_id".to_owned(),
            detail: format!("no member tier {}", tier.as_str()),
        });
    }
    Ok(text(tier.as_str()))
}

pub fn create_customer(
    db: &impl Sql,
    change: &Change<'_>,
    customer: &Customer,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let id = customer.id.as_str();
        if get_customer(db, &customer.id)?.is_some() {
            return Err(duplicate("id", &format!("customer {id}")));
        }
        let tier = customer_tier(db, customer)?;
        db.execute(
            INSERT_CUSTOMER,
            &[
                text(id),
                text(&customer.name),
                tier,
                text(&timestamp(change.now)),
            ],
        )?;
        let after = get_customer(db, &customer.id)?;
        audit(db, change, "catalog.customer.create", id, &None, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("customer {id}")))
    })
}

/// Replaces a customer's name and tier: the next quote for them is at the new tier's prices
/// (`tier_id: null`: non-member prices). Customers are never deleted: orders refer to them.
pub fn replace_customer(
    db: &impl Sql,
    change: &Change<'_>,
    customer: &Customer,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let id = customer.id.as_str();
        let before = get_customer(db, &customer.id)?;
        if before.is_none() {
            return Err(CatalogError::NotFound(format!("no customer {id}")));
        }
        let tier = customer_tier(db, customer)?;
        db.execute(UPDATE_CUSTOMER, &[text(&customer.name), tier, text(id)])?;
        let after = get_customer(db, &customer.id)?;
        audit(db, change, "catalog.customer.update", id, &before, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("no customer {id}")))
    })
}

// ---- coupons ----

pub fn get_coupon(db: &impl Sql, code: &CouponCode) -> Result<Option<Value>, CatalogError> {
    one(db, COUPON, &[text(code.as_str())])
}

/// Filters: kind, active.
pub fn list_coupons(db: &impl Sql, query: &ListQuery) -> Result<Page, CatalogError> {
    page(db, COUPONS_PAGE, "code", query)
}

fn coupon_params(coupon: &CouponRow) -> [SqlValue; 12] {
    let amount = |money: Option<Money>| money.map_or(SqlValue::Null, |m| text(&m.amount_string()));
    let limit = |n: Option<u32>| n.map_or(SqlValue::Null, |n| SqlValue::Integer(n.into()));
    [
        text(&coupon.name),
        text(coupon.kind),
        amount(coupon.amount),
        coupon
            .percent
            .map_or(SqlValue::Null, |p| text(&stored_percentage(p))),
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
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let code = coupon.code.as_str();
        if get_coupon(db, &coupon.code)?.is_some() {
            return Err(duplicate("code", &format!("coupon {code}")));
        }
        let mut params = vec![text(code)];
        params.extend(coupon_params(coupon));
        db.execute(INSERT_COUPON, &params)?;
        let after = get_coupon(db, &coupon.code)?;
        audit(db, change, "catalog.coupon.create", code, &None, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("coupon {code}")))
    })
}

/// Replaces a coupon; `active: false` stops it for every later quote (customers entering it
/// are told it is unknown). Redemptions so far are kept.
pub fn replace_coupon(
    db: &impl Sql,
    change: &Change<'_>,
    coupon: &CouponRow,
) -> Result<Value, CatalogError> {
    in_immediate_transaction(db, || {
        let code = coupon.code.as_str();
        let before = get_coupon(db, &coupon.code)?;
        if before.is_none() {
            return Err(CatalogError::NotFound(format!("no coupon {code}")));
        }
        let mut params = coupon_params(coupon).to_vec();
        params.push(text(code));
        db.execute(UPDATE_COUPON, &params)?;
        let after = get_coupon(db, &coupon.code)?;
        audit(db, change, "catalog.coupon.update", code, &before, &after)?;
        after.ok_or_else(|| CatalogError::NotFound(format!("no coupon {code}")))
    })
}

#[cfg(test)]
mod tests {
    //! The catalog's writes against a real SQLite with the migrations, read back by the quote's
    //! own loaders (`pricing::repository`): what the catalog writes is what the next quote uses,
    //! and a refused write leaves no row and no audit entry.

    use chrono::TimeZone;
    use serde::de::DeserializeOwned;
    use serde_json::json;

    use super::*;
    use crate::catalog::{CouponDraft, CustomerDraft, MemberTierDraft, ProductDraft};
    use crate::money::Currency;
    use crate::pricing::repository::basket_facts::{
        BasketFacts, BasketQuery, FulfilledBy, read_basket,
    };
    use crate::pricing::{CouponValue, PricingRules};

    use crate::storage::testing::MemorySql as Sqlite;

    impl Sqlite {
        fn with_catalog() -> Self {
            let conn = rusqlite::Connection::open_in_memory().unwrap();
            for migration in [
                include_str!("../../../../migrations/0001_catalog.sql"),
                include_str!("../../../../migrations/0002_pricing.sql"),
                include_str!("../../../../migrations/0003_stock.sql"),
                include_str!("../../../../migrations/0004_idempotency.sql"),
                include_str!("../../../../migrations/0005_orders.sql"),
                include_str!("../../../../migrations/0011_idempotency_by_caller.sql"),
                include_str!("../../../../migrations/0013_sales_rollup.sql"),
                include_str!("../../../../migrations/0014_order_counts_kept.sql"),
            ] {
                conn.execute_batch(migration).unwrap();
            }
            Sqlite(conn)
        }

        fn count(&self, table: &str) -> i64 {
            self.0
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        }
    }

    fn change() -> Change<'static> {
        Change {
            actor: "staff-1",
            now: Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap(),
        }
    }

    fn draft<T: DeserializeOwned>(body: Value) -> T {
        serde_json::from_value(body).unwrap()
    }

    fn a_tier(id: &str, discount: &str) -> MemberTier {
        draft::<MemberTierDraft>(json!({"name": id, "discount_percent": discount}))
            .validate(TierId::parse(id).unwrap())
            .unwrap()
    }

    fn a_customer(tier: Option<&str>) -> Customer {
        draft::<CustomerDraft>(json!({"name": "Li Wei", "tier_id": tier}))
            .validate(CustomerId::parse("cust-1").unwrap())
            .unwrap()
    }

    fn a_coupon(active: bool) -> CouponRow {
        draft::<CouponDraft>(json!({
            "name": "Save 15", "kind": "percentage-off", "percent": "15",
            "max_discount": "10.00", "minimum_spend": "50.00", "total_limit": 100,
            "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z",
            "stacking": "exclusive", "active": active,
        }))
        .validate(CouponCode::parse("save15").unwrap())
        .unwrap()
    }

    /// What a quote reads for `customer` (a basket of TEA-1) with `codes`, as it reads it.
    fn read_for(db: &Sqlite, customer: Option<&CustomerId>, codes: &[CouponCode]) -> BasketFacts {
        let skus = [Sku::parse("TEA-1").unwrap()];
        let store = StoreId::parse("SH-1").unwrap();
        let query = BasketQuery {
            skus: &skus,
            customer,
            coupon_codes: codes,
            fulfilled: FulfilledBy::Pickup(&store),
            now: chrono::Utc::now(),
            placing: None,
        };
        read_basket(db, &query).unwrap()
    }

    fn rules_for(db: &Sqlite, customer: Option<&CustomerId>, codes: &[CouponCode]) -> PricingRules {
        let found = read_for(db, customer, codes);
        let store = StoreId::parse("SH-1").unwrap();
        found
            .rules_and_facts(Currency::CNY, &found.at(&store), customer)
            .unwrap()
            .0
    }

    fn tier_of(db: &Sqlite, customer: &CustomerId) -> Option<TierId> {
        read_for(db, Some(customer), &[]).tier
    }

    #[test]
    fn a_coupon_written_by_the_catalog_is_the_coupon_the_quote_loads_until_it_is_stopped() {
        let db = Sqlite::with_catalog();
        let code = CouponCode::parse("SAVE15").unwrap();
        create_coupon(&db, &change(), &a_coupon(true)).unwrap();

        let rules = rules_for(&db, None, std::slice::from_ref(&code));
        let coupon = &rules.coupons[&code];
        assert_eq!(coupon.total_limit, Some(100));
        assert!(matches!(
            coupon.value,
            CouponValue::PercentageOff { max_discount: Some(cap), .. } if cap.amount_string() == "10.00"
        ));

        replace_coupon(&db, &change(), &a_coupon(false)).unwrap();
        assert!(rules_for(&db, None, &[code]).coupons.is_empty());
        assert_eq!(db.count("audit_log"), 2);
    }

    #[test]
    fn a_customer_moved_to_another_tier_is_loaded_with_that_tiers_prices() {
        let db = Sqlite::with_catalog();
        let product = draft::<ProductDraft>(json!({
            "name": "Oolong", "category": "tea", "brand": "Anxi", "list_price": "98.00"
        }))
        .validate(Sku::parse("TEA-1").unwrap())
        .unwrap();
        create_product(&db, &change(), &product).unwrap();
        create_member_tier(&db, &change(), &a_tier("silver", "2")).unwrap();
        create_member_tier(&db, &change(), &a_tier("gold", "5")).unwrap();
        let gold = TierId::parse("gold").unwrap();
        let price = Money::parse("85.00", Currency::CNY).unwrap();
        set_tier_price(&db, &change(), &gold, &product.sku, &price).unwrap();
        create_customer(&db, &change(), &a_customer(Some("silver"))).unwrap();
        let id = CustomerId::parse("cust-1").unwrap();
        assert_eq!(tier_of(&db, &id).unwrap().as_str(), "silver");

        replace_customer(&db, &change(), &a_customer(Some("gold"))).unwrap();
        let tier = tier_of(&db, &id).unwrap();
        assert_eq!(tier, gold);
        let rules = rules_for(&db, Some(&id), &[]);
        let loaded = &rules.member_tiers[&gold];
        assert_eq!(loaded.discount.map(|d| d.to_string()), Some("5%".into()));
        assert_eq!(loaded.prices[&product.sku], price);

        replace_customer(&db, &change(), &a_customer(None)).unwrap();
        assert_eq!(tier_of(&db, &id), None);
    }

    #[test]
    fn a_refused_write_leaves_no_row_and_no_audit_entry() {
        let db = Sqlite::with_catalog();
        // A customer on a tier that does not exist
        assert!(matches!(
            create_customer(&db, &change(), &a_customer(Some("gold"))),
            Err(CatalogError::Unknown { field, .. }) if field == "tier_id"
        ));
        assert_eq!(db.count("customers"), 0);

        // A tier that customers are on
        create_member_tier(&db, &change(), &a_tier("gold", "5")).unwrap();
        create_customer(&db, &change(), &a_customer(Some("gold"))).unwrap();
        let audited = db.count("audit_log");
        let gold = TierId::parse("gold").unwrap();
        assert!(matches!(
            remove_member_tier(&db, &change(), &gold),
            Err(CatalogError::InUse { field, .. }) if field == "id"
        ));
        assert_eq!(db.count("member_tiers"), 1);
        assert_eq!(db.count("audit_log"), audited);

        // A second coupon with the same code, whatever its case
        create_coupon(&db, &change(), &a_coupon(true)).unwrap();
        assert!(matches!(
            create_coupon(&db, &change(), &a_coupon(false)),
            Err(CatalogError::Duplicate { field, .. }) if field == "code"
        ));
        assert_eq!(db.count("coupons"), 1);
        assert_eq!(db.count("audit_log"), audited + 1);
    }
}

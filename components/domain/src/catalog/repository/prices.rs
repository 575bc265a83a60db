//! Prices of a sku that replace its list price for some customers: a store's own price
//! (`store_prices`, differentiated pricing: every quote at that store) and a member tier's
//! price (`tier_prices`: the tier's members, winning over the tier's discount). Each is set
//! (created or changed) for a store or tier and a product that both exist, listed per store or
//! tier, and removed, which gives the sku back its list price or the tier's discount.

use serde::Serialize;

use super::write::{Change, Subject, remove, run, set};
use super::{every, first};
use crate::catalog::CatalogError;
use crate::ids::StoreId;
use crate::money::Currency;
use crate::money::Money;
use crate::pricing::TierId;
use crate::pricing::stored_rules::parse_amount;
use crate::storage::row::{col_parsed, text};
use crate::storage::{Sql, SqlValue, StoreError};
use crate::values::Sku;

/// Whether a price's store, tier or product exists (active or not): a price may be set ahead
/// of opening a store or selling a product. Counted, not read, so that a row of another kind
/// with a damaged cell does not stand in the way.
const STORE_KNOWN: &str = "SELECT COUNT(*) FROM stores WHERE id = ?";
const TIER_KNOWN: &str = "SELECT COUNT(*) FROM member_tiers WHERE id = ?";
const PRODUCT_KNOWN: &str = "SELECT COUNT(*) FROM products WHERE sku = ?";
const STORE_PRICE: &str =
    "SELECT store_id, sku, price FROM store_prices WHERE store_id = ? AND sku = ?";
const STORE_PRICES: &str =
    "SELECT store_id, sku, price FROM store_prices WHERE store_id = ? ORDER BY sku";
const UPSERT_STORE_PRICE: &str = "INSERT INTO store_prices (store_id, sku, price) VALUES (?, ?, ?) \
     ON CONFLICT (store_id, sku) DO UPDATE SET price = excluded.price";
const DELETE_STORE_PRICE: &str = "DELETE FROM store_prices WHERE store_id = ? AND sku = ?";

const TIER_PRICE: &str =
    "SELECT tier_id, sku, price FROM tier_prices WHERE tier_id = ? AND sku = ?";
const TIER_PRICES: &str =
    "SELECT tier_id, sku, price FROM tier_prices WHERE tier_id = ? ORDER BY sku";
const UPSERT_TIER_PRICE: &str = "INSERT INTO tier_prices (tier_id, sku, price) VALUES (?, ?, ?) \
     ON CONFLICT (tier_id, sku) DO UPDATE SET price = excluded.price";
const DELETE_TIER_PRICE: &str = "DELETE FROM tier_prices WHERE tier_id = ? AND sku = ?";

/// A store's own price for a sku, as the catalog answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StorePriceRecord {
    pub store_id: StoreId,
    pub sku: Sku,
    #[serde(serialize_with = "super::amount")]
    pub price: Money,
}

/// A member tier's own price for a sku, as the catalog answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierPriceRecord {
    pub tier_id: TierId,
    pub sku: Sku,
    #[serde(serialize_with = "super::amount")]
    pub price: Money,
}

/// The price column of either table: an amount of the shop's currency.
fn price(row: &[SqlValue], what: &str) -> Result<Money, StoreError> {
    col_parsed(row, 2, what, |raw| parse_amount(raw, Currency::SHOP))
}

fn read_store_price(row: &[SqlValue]) -> Result<StorePriceRecord, StoreError> {
    let what = "store_prices";
    Ok(StorePriceRecord {
        store_id: col_parsed(row, 0, what, StoreId::parse)?,
        sku: col_parsed(row, 1, what, Sku::parse)?,
        price: price(row, what)?,
    })
}

fn read_tier_price(row: &[SqlValue]) -> Result<TierPriceRecord, StoreError> {
    let what = "tier_prices";
    Ok(TierPriceRecord {
        tier_id: col_parsed(row, 0, what, TierId::parse)?,
        sku: col_parsed(row, 1, what, Sku::parse)?,
        price: price(row, what)?,
    })
}

/// The key of a price row, and its audit subject (`SH-1/TEA-1`).
fn price_key(owner: &str, sku: &Sku) -> ([SqlValue; 2], String) {
    (
        [text(owner), text(sku.as_str())],
        format!("{owner}/{}", sku.as_str()),
    )
}

/// A `NotFound` for `noun` unless `exists`: what a price is set for must exist.
fn must_exist(exists: bool, noun: &str, key: &str) -> Result<(), CatalogError> {
    if exists {
        Ok(())
    } else {
        Err(CatalogError::NotFound(format!("no {noun} {key}")))
    }
}

// ---- store prices ----

pub fn list_store_prices(
    db: &impl Sql,
    store: &StoreId,
) -> Result<Vec<StorePriceRecord>, CatalogError> {
    every(db, STORE_PRICES, &[text(store.as_str())], read_store_price)
}

/// Sets the store's own price for a sku (both must exist); the next quote at that store uses it.
pub fn set_store_price(
    db: &impl Sql,
    change: &Change<'_>,
    store: &StoreId,
    sku: &Sku,
    price: &Money,
) -> Result<StorePriceRecord, CatalogError> {
    let (key, subject) = price_key(store.as_str(), sku);
    let subject = Subject::new("catalog.store-price.set", "store price", subject);
    let params = [key[0].clone(), key[1].clone(), text(&price.amount_string())];
    let read = || first(db, STORE_PRICE, &key, read_store_price);
    set(db, change, &subject, read, || {
        must_exist(
            known(db, STORE_KNOWN, store.as_str())?,
            "store",
            store.as_str(),
        )?;
        must_exist(
            known(db, PRODUCT_KNOWN, sku.as_str())?,
            "product",
            sku.as_str(),
        )?;
        run(db, UPSERT_STORE_PRICE, &params)
    })
}

/// Removes the store's own price: the list price applies there again.
pub fn remove_store_price(
    db: &impl Sql,
    change: &Change<'_>,
    store: &StoreId,
    sku: &Sku,
) -> Result<(), CatalogError> {
    let (key, subject) = price_key(store.as_str(), sku);
    let subject = Subject::new("catalog.store-price.remove", "store price", subject);
    let read = || first(db, STORE_PRICE, &key, read_store_price);
    remove(db, change, &subject, read, |_| {
        run(db, DELETE_STORE_PRICE, &key)
    })
}

fn known(db: &impl Sql, statement: &str, key: &str) -> Result<bool, StoreError> {
    Ok(db
        .execute(statement, &[text(key)])?
        .first_integer()
        .unwrap_or(0)
        > 0)
}

// ---- member tiers' prices ----

pub fn list_tier_prices(
    db: &impl Sql,
    tier: &TierId,
) -> Result<Vec<TierPriceRecord>, CatalogError> {
    every(db, TIER_PRICES, &[text(tier.as_str())], read_tier_price)
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
) -> Result<TierPriceRecord, CatalogError> {
    let (key, subject) = price_key(tier.as_str(), sku);
    let subject = Subject::new("catalog.tier-price.set", "tier price", subject);
    let params = [key[0].clone(), key[1].clone(), text(&price.amount_string())];
    let read = || first(db, TIER_PRICE, &key, read_tier_price);
    set(db, change, &subject, read, || {
        must_exist(
            known(db, TIER_KNOWN, tier.as_str())?,
            "member tier",
            tier.as_str(),
        )?;
        must_exist(
            known(db, PRODUCT_KNOWN, sku.as_str())?,
            "product",
            sku.as_str(),
        )?;
        run(db, UPSERT_TIER_PRICE, &params)
    })
}

/// Removes the tier's own price: the tier's discount (if any) applies to the sku again.
pub fn remove_tier_price(
    db: &impl Sql,
    change: &Change<'_>,
    tier: &TierId,
    sku: &Sku,
) -> Result<(), CatalogError> {
    let (key, subject) = price_key(tier.as_str(), sku);
    let subject = Subject::new("catalog.tier-price.remove", "tier price", subject);
    let read = || first(db, TIER_PRICE, &key, read_tier_price);
    remove(db, change, &subject, read, |_| {
        run(db, DELETE_TIER_PRICE, &key)
    })
}

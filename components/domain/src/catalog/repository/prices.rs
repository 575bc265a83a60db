//! Prices of a sku that replace its list price for some customers: a store's own price
//! (`store_prices`, differentiated pricing: every quote at that store) and a member tier's
//! price (`tier_prices`: the tier's members, winning over the tier's discount). Each is set
//! (created or changed) for a store or tier and a product that both exist, listed per store or
//! tier, and removed, which gives the sku back its list price or the tier's discount.

use serde::Serialize;

use super::products::product_known;
use super::stores::STORE_KNOWN;
use super::write::{Change, Subject, remove, run, set};
use super::{ReadRow, every, first};
use crate::catalog::CatalogError;
use crate::ids::StoreId;
use crate::money::Currency;
use crate::money::Money;
use crate::pricing::TierId;
use crate::pricing::stored_rules::parse_amount;
use crate::storage::row::{any, col_parsed, text};
use crate::storage::{Sql, SqlValue, StoreError};
use crate::values::Sku;

/// Whether a price's tier exists. Its store and product are asked the same way
/// (`store_known`, `product_known`: active or not, since a price may be set ahead of opening a
/// store or selling a product), counted, not read, so that a damaged cell elsewhere in those
/// rows does not stand in the way.
const TIER_KNOWN: &str = "SELECT COUNT(*) FROM member_tiers WHERE id = ?";
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

/// One of the two price tables: its statements, what owns its prices, how a row reads and
/// what the audit log calls its writes. Both tables are written the same way.
struct PriceTable<R> {
    /// What owns the prices (`store`, `member tier`), and the count that says it exists.
    owner: &'static str,
    owner_known: &'static str,
    one: &'static str,
    all: &'static str,
    upsert: &'static str,
    delete: &'static str,
    noun: &'static str,
    set_action: &'static str,
    remove_action: &'static str,
    read: ReadRow<R>,
}

const STORE_PRICE_TABLE: PriceTable<StorePriceRecord> = PriceTable {
    owner: "store",
    owner_known: STORE_KNOWN,
    one: STORE_PRICE,
    all: STORE_PRICES,
    upsert: UPSERT_STORE_PRICE,
    delete: DELETE_STORE_PRICE,
    noun: "store price",
    set_action: "catalog.store-price.set",
    remove_action: "catalog.store-price.remove",
    read: read_store_price,
};

const TIER_PRICE_TABLE: PriceTable<TierPriceRecord> = PriceTable {
    owner: "member tier",
    owner_known: TIER_KNOWN,
    one: TIER_PRICE,
    all: TIER_PRICES,
    upsert: UPSERT_TIER_PRICE,
    delete: DELETE_TIER_PRICE,
    noun: "tier price",
    set_action: "catalog.tier-price.set",
    remove_action: "catalog.tier-price.remove",
    read: read_tier_price,
};

impl<R: Serialize> PriceTable<R> {
    fn list(&self, db: &impl Sql, owner: &str) -> Result<Vec<R>, CatalogError> {
        every(db, self.all, &[text(owner)], self.read)
    }

    /// Sets `owner`'s price for `sku`; both must exist (active or not). Audited.
    fn set(
        &self,
        db: &impl Sql,
        change: &Change<'_>,
        owner: &str,
        sku: &Sku,
        price: &Money,
    ) -> Result<R, CatalogError> {
        let key = [text(owner), text(sku.as_str())];
        let subject = Subject::new(self.set_action, self.noun, self.subject(owner, sku));
        let params = [key[0].clone(), key[1].clone(), text(&price.amount_string())];
        let read = || first(db, self.one, &key, self.read);
        set(db, change, &subject, read, || {
            must_exist(
                any(db, self.owner_known, &[text(owner)])?,
                self.owner,
                owner,
            )?;
            must_exist(product_known(db, sku)?, "product", sku.as_str())?;
            run(db, self.upsert, &params)
        })
    }

    /// Removes `owner`'s price for `sku`. Audited.
    fn remove(
        &self,
        db: &impl Sql,
        change: &Change<'_>,
        owner: &str,
        sku: &Sku,
    ) -> Result<(), CatalogError> {
        let key = [text(owner), text(sku.as_str())];
        let subject = Subject::new(self.remove_action, self.noun, self.subject(owner, sku));
        let read = || first(db, self.one, &key, self.read);
        remove(db, change, &subject, read, |_| run(db, self.delete, &key))
    }

    /// A price row's audit subject: `SH-1/TEA-1`.
    fn subject(&self, owner: &str, sku: &Sku) -> String {
        format!("{owner}/{}", sku.as_str())
    }
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
    STORE_PRICE_TABLE.list(db, store.as_str())
}

/// Sets the store's own price for a sku (both must exist); the next quote at that store uses it.
pub fn set_store_price(
    db: &impl Sql,
    change: &Change<'_>,
    store: &StoreId,
    sku: &Sku,
    price: &Money,
) -> Result<StorePriceRecord, CatalogError> {
    STORE_PRICE_TABLE.set(db, change, store.as_str(), sku, price)
}

/// Removes the store's own price: the list price applies there again.
pub fn remove_store_price(
    db: &impl Sql,
    change: &Change<'_>,
    store: &StoreId,
    sku: &Sku,
) -> Result<(), CatalogError> {
    STORE_PRICE_TABLE.remove(db, change, store.as_str(), sku)
}

// ---- member tiers' prices ----

pub fn list_tier_prices(
    db: &impl Sql,
    tier: &TierId,
) -> Result<Vec<TierPriceRecord>, CatalogError> {
    TIER_PRICE_TABLE.list(db, tier.as_str())
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
    TIER_PRICE_TABLE.set(db, change, tier.as_str(), sku, price)
}

/// Removes the tier's own price: the tier's discount (if any) applies to the sku again.
pub fn remove_tier_price(
    db: &impl Sql,
    change: &Change<'_>,
    tier: &TierId,
    sku: &Sku,
) -> Result<(), CatalogError> {
    TIER_PRICE_TABLE.remove(db, change, tier.as_str(), sku)
}

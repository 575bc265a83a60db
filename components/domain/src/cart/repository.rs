//! Where carts are kept: one JSON document per cart in key-value under `cart:<id>`, and the
//! catalog look-ups a cart change needs (does the sku exist and sell, does the store exist).
//! An expired cart is treated as absent, and removed by the next change that finds it (Spin's
//! key-value has no TTL of its own).
//!
//! A change is a read-modify-write of the document, so every change runs under one lock,
//! `under_write_lock`: SQLite's write lock (`BEGIN IMMEDIATE`). Spin's key-value has no
//! compare-and-swap in spin-sdk, and `wasi:keyvalue`'s is missing on Fermyon Cloud, where a
//! component importing it would not start; SQLite's lock exists wherever the shop runs. Reads
//! stay one key-value get and take no lock. Concurrent changes of a cart all apply, one after
//! the other (issue 10: a 200 is never answered for a change that was not kept).

use chrono::{DateTime, Utc};

use crate::cart::Cart;
use crate::ids::CartId;
use crate::storage::in_immediate_transaction;
use crate::storage::{KeyValue, Sql, StoreError};
use crate::values::Sku;

fn cart_key(id: CartId) -> String {
    format!("cart:{id}")
}

/// Runs a change of carts (`work`: load, change, save) under SQLite's write lock, so that no
/// other change of any cart runs between its read and its write. Nothing is written to SQLite;
/// the transaction is the lock.
pub fn under_write_lock<T, E: From<StoreError>>(
    db: &impl Sql,
    work: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    in_immediate_transaction(db, work)
}

/// Loads a live cart; an expired one is reported absent (and left for a change to remove).
pub fn load_cart(
    kv: &impl KeyValue,
    id: CartId,
    now: DateTime<Utc>,
) -> Result<Option<Cart>, StoreError> {
    Ok(read_cart(kv, id)?.filter(|cart| !cart.is_expired(now)))
}

/// Loads a live cart for a change, inside `under_write_lock`: an expired one is deleted there
/// and reported absent.
pub fn load_cart_to_change(
    kv: &impl KeyValue,
    id: CartId,
    now: DateTime<Utc>,
) -> Result<Option<Cart>, StoreError> {
    match read_cart(kv, id)? {
        Some(cart) if cart.is_expired(now) => {
            delete_cart(kv, id)?;
            Ok(None)
        }
        live => Ok(live),
    }
}

fn read_cart(kv: &impl KeyValue, id: CartId) -> Result<Option<Cart>, StoreError> {
    let key = cart_key(id);
    let Some(bytes) = kv.get(&key)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| StoreError::Corrupt(format!("{key}: {e}")))
}

pub fn save_cart(kv: &impl KeyValue, cart: &Cart) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(cart).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    kv.set(&cart_key(cart.id), &bytes)
}

pub fn delete_cart(kv: &impl KeyValue, id: CartId) -> Result<(), StoreError> {
    kv.delete(&cart_key(id))
}

/// After an order placed from cart `id` committed: takes out of the cart what the order holds
/// (`Cart::take_ordered`), under the carts' write lock like every change of a cart, so an add
/// that raced the order is kept and nothing ordered stays in the cart. An emptied cart is
/// deleted.
pub fn take_ordered_from_cart(
    kv: &impl KeyValue,
    db: &impl Sql,
    id: CartId,
    ordered: &[(Sku, crate::values::Quantity)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    under_write_lock(db, || {
        let Some(mut cart) = load_cart_to_change(kv, id, now)? else {
            return Ok(());
        };
        if cart.take_ordered(ordered, now) {
            delete_cart(kv, id)
        } else {
            save_cart(kv, &cart)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use o2o_test_stores::MemoryKv as MemoryKeyValue;

    #[test]
    fn a_saved_cart_loads_back_until_it_expires_and_a_change_then_removes_it() {
        let kv = MemoryKeyValue::default();
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let cart = Cart::new(None, now, Duration::hours(1));
        save_cart(&kv, &cart).unwrap();

        assert_eq!(load_cart(&kv, cart.id, now).unwrap(), Some(cart.clone()));
        let expired = now + Duration::hours(1);
        assert_eq!(load_cart(&kv, cart.id, expired).unwrap(), None);
        assert_eq!(kv.len(), 1, "a read does not write");
        assert_eq!(load_cart_to_change(&kv, cart.id, expired).unwrap(), None);
        assert!(kv.is_empty(), "the expired cart is removed");
    }

    #[test]
    fn an_unreadable_cart_is_a_corrupt_store_error() {
        let kv = MemoryKeyValue::default();
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let id = CartId::new(now);
        kv.set(&cart_key(id), b"{not json").unwrap();
        assert!(matches!(
            load_cart(&kv, id, now),
            Err(StoreError::Corrupt(_))
        ));
    }
}

//! Where carts are kept: one JSON document per cart in key-value under `cart:<id>`, and the
//! catalog look-ups a cart change needs (does the sku exist and sell, does the store exist).
//! An expired cart is treated as absent and removed when it is next read (Spin's key-value has
//! no TTL of its own).

use chrono::{DateTime, Utc};

use crate::cart::Cart;
use crate::ids::{CartId, StoreId};
use crate::store::{KeyValue, Sql, SqlValue, StoreError};
use crate::values::Sku;

const ACTIVE_PRODUCT_EXISTS: &str = "SELECT COUNT(*) FROM products WHERE sku = ? AND active = 1";
const STORE_EXISTS: &str = "SELECT COUNT(*) FROM stores WHERE id = ? AND active = 1";

fn cart_key(id: CartId) -> String {
    format!("cart:{id}")
}

/// Loads a live cart; an expired one is deleted and reported absent.
pub fn load_cart(
    kv: &impl KeyValue,
    id: CartId,
    now: DateTime<Utc>,
) -> Result<Option<Cart>, StoreError> {
    let key = cart_key(id);
    let Some(bytes) = kv.get(&key)? else {
        return Ok(None);
    };
    let cart: Cart =
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(format!("{key}: {e}")))?;
    if cart.is_expired(now) {
        kv.delete(&key)?;
        return Ok(None);
    }
    Ok(Some(cart))
}

pub fn save_cart(kv: &impl KeyValue, cart: &Cart) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(cart).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    kv.set(&cart_key(cart.id), &bytes)
}

pub fn delete_cart(kv: &impl KeyValue, id: CartId) -> Result<(), StoreError> {
    kv.delete(&cart_key(id))
}

/// True when the catalog sells this sku (it exists and is active).
pub fn product_is_sold(db: &impl Sql, sku: &Sku) -> Result<bool, StoreError> {
    let rows = db.execute(ACTIVE_PRODUCT_EXISTS, &[SqlValue::from(sku.as_str())])?;
    Ok(rows.first_integer().unwrap_or(0) > 0)
}

/// True when the store exists and is open for business.
pub fn store_exists(db: &impl Sql, store: &StoreId) -> Result<bool, StoreError> {
    let rows = db.execute(STORE_EXISTS, &[SqlValue::from(store.as_str())])?;
    Ok(rows.first_integer().unwrap_or(0) > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// An in-memory key-value store for the domain's own tests.
    #[derive(Default)]
    struct MemoryKeyValue(RefCell<HashMap<String, Vec<u8>>>);

    impl KeyValue for MemoryKeyValue {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(self.0.borrow().get(key).cloned())
        }
        fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
            self.0.borrow_mut().insert(key.to_owned(), value.to_vec());
            Ok(())
        }
        fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.0.borrow_mut().remove(key);
            Ok(())
        }
    }

    #[test]
    fn a_saved_cart_loads_back_until_it_expires_and_is_then_removed() {
        let kv = MemoryKeyValue::default();
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let cart = Cart::new(None, now, Duration::hours(1));
        save_cart(&kv, &cart).unwrap();

        assert_eq!(load_cart(&kv, cart.id, now).unwrap(), Some(cart.clone()));
        assert_eq!(
            load_cart(&kv, cart.id, now + Duration::hours(1)).unwrap(),
            None
        );
        assert!(kv.0.borrow().is_empty(), "the expired cart is removed");
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

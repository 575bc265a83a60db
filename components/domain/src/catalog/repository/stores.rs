//! Stores (`stores`): created, replaced (which is how one is closed), read and listed. Stores
//! are never deleted: orders, stock and audit entries refer to them.

use serde::Serialize;
use serde_json::{Map, Value};

use super::write::{Change, Subject, create, replace, run};
use super::{ListQuery, Page, first, page};
use crate::catalog::{CatalogError, Store};
use crate::ids::StoreId;
use crate::storage::row::{any, col_flag, col_json, col_parsed, col_real, col_text, flag, text};
use crate::storage::{Sql, SqlValue, StoreError};

const STORE_IS_OPEN: &str = "SELECT COUNT(*) FROM stores WHERE id = ? AND active = 1";
pub(super) const STORE_KNOWN: &str = "SELECT COUNT(*) FROM stores WHERE id = ?";
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

/// A store as the catalog answers it (and the audit log keeps it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoreRecord {
    pub id: StoreId,
    pub name: String,
    pub address: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Free-form by design: the operator's document of weekdays, `{"mon": ["09:00", "21:00"],
    /// …}`, checked when written (`catalog::StoreDraft`) and read by nothing but people, so it
    /// is handed back as written (a JSON object; a cell that is not one is corrupt).
    pub opening_hours: Map<String, Value>,
    pub pickup_enabled: bool,
    pub delivery_radius_km: f64,
    pub active: bool,
}

/// A store row, in the column order of `STORE`.
fn read_store(row: &[SqlValue]) -> Result<StoreRecord, StoreError> {
    let what = "stores";
    Ok(StoreRecord {
        id: col_parsed(row, 0, what, StoreId::parse)?,
        name: col_text(row, 1, what)?,
        address: col_text(row, 2, what)?,
        city: col_text(row, 3, what)?,
        latitude: col_real(row, 4, what)?,
        longitude: col_real(row, 5, what)?,
        opening_hours: col_json(row, 6, what)?,
        pickup_enabled: col_flag(row, 7, what)?,
        delivery_radius_km: col_real(row, 8, what)?,
        active: col_flag(row, 9, what)?,
    })
}

/// True when the store exists and is open for business: what a pickup cart and a stock
/// change ask first.
pub fn store_exists(db: &impl Sql, store: &StoreId) -> Result<bool, StoreError> {
    any(db, STORE_IS_OPEN, &[text(store.as_str())])
}

/// True when the catalog has this store, open or not: what its reviews and prices belong to.
pub fn store_known(db: &impl Sql, store: &StoreId) -> Result<bool, StoreError> {
    any(db, STORE_KNOWN, &[text(store.as_str())])
}

pub fn get_store(db: &impl Sql, id: &StoreId) -> Result<Option<StoreRecord>, CatalogError> {
    first(db, STORE, &[text(id.as_str())], read_store)
}

/// Filters: city, active.
pub fn list_stores(db: &impl Sql, query: &ListQuery) -> Result<Page<StoreRecord>, CatalogError> {
    page(db, STORES_PAGE, query, read_store, |s| s.id.as_str())
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
) -> Result<StoreRecord, CatalogError> {
    let id = &store.id;
    let subject = Subject::new("catalog.store.create", "store", id.as_str());
    let mut params = vec![text(id.as_str())];
    params.extend(store_params(store));
    let read = || get_store(db, id);
    create(db, change, &subject, "id", read, || {
        run(db, INSERT_STORE, &params)
    })
}

/// Replaces a store's fields; `active: false` closes it.
pub fn replace_store(
    db: &impl Sql,
    change: &Change<'_>,
    store: &Store,
) -> Result<StoreRecord, CatalogError> {
    let id = &store.id;
    let subject = Subject::new("catalog.store.update", "store", id.as_str());
    let mut params = store_params(store).to_vec();
    params.push(text(id.as_str()));
    let read = || get_store(db, id);
    replace(db, change, &subject, read, || {
        run(db, UPDATE_STORE, &params)
    })
}

//! Availability reads: the levels of some skus at one store (`levels_at`), and the stores near
//! a point with what each has available of a sku, nearest first: those whose delivery radius
//! covers it (`availability_near`) and those that offer pickup (`pickup_availability_near`).
//! Due reservations are expired before each read, so what is shown is what can be held.

use chrono::{DateTime, Utc};

use super::levels::{level, require_store};
use super::reservations::expire_due_lazily;
use crate::geo::{GeoPoint, StoreReach, nearest_first, radius_m};
use crate::ids::StoreId;
use crate::stock::StockError;
use crate::stock::levels::StockLevel;
use crate::storage::row::{col_int, col_real, col_text, corrupt, text};
use crate::storage::{Sql, SqlRows, SqlValue};
use crate::values::Sku;

const STORES_WITH_LEVEL: &str = "SELECT s.id, s.name, s.latitude, s.longitude, \
     s.delivery_radius_km, l.on_hand, l.reserved, l.safety_stock, l.reorder_point \
     FROM stores s LEFT JOIN stock_levels l ON l.store_id = s.id AND l.sku = ? \
     WHERE s.active = 1 AND s.delivery_radius_km > 0";
const PICKUP_STORES_WITH_LEVEL: &str = "SELECT s.id, s.name, s.latitude, s.longitude, \
     s.delivery_radius_km, l.on_hand, l.reserved, l.safety_stock, l.reorder_point \
     FROM stores s LEFT JOIN stock_levels l ON l.store_id = s.id AND l.sku = ? \
     WHERE s.active = 1 AND s.pickup_enabled = 1";

/// The levels of `skus` at one store, after expiring due reservations.
pub fn levels_at(
    db: &impl Sql,
    store: &StoreId,
    skus: &[Sku],
    now: DateTime<Utc>,
) -> Result<Vec<(Sku, StockLevel)>, StockError> {
    require_store(db, store)?;
    expire_due_lazily(db, now)?;
    skus.iter()
        .map(|sku| Ok((sku.clone(), level(db, store, sku)?)))
        .collect()
}

/// One store near a point and what it has of a sku.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyStock {
    pub store: StoreId,
    pub name: String,
    pub distance_m: u32,
    pub available: i64,
}

/// The stores whose delivery radius covers `point`, nearest first (ties: smaller store id),
/// with what each has available of `sku`.
pub fn availability_near(
    db: &impl Sql,
    sku: &Sku,
    point: GeoPoint,
    now: DateTime<Utc>,
) -> Result<Vec<NearbyStock>, StockError> {
    stores_by_distance(db, STORES_WITH_LEVEL, sku, point, true, now)
}

/// The stores that offer pickup, nearest to `point` first (ties: smaller store id), with what
/// each has available of `sku`: where else a customer could collect it.
pub fn pickup_availability_near(
    db: &impl Sql,
    sku: &Sku,
    point: GeoPoint,
    now: DateTime<Utc>,
) -> Result<Vec<NearbyStock>, StockError> {
    stores_by_distance(db, PICKUP_STORES_WITH_LEVEL, sku, point, false, now)
}

fn stores_by_distance(
    db: &impl Sql,
    statement: &str,
    sku: &Sku,
    point: GeoPoint,
    within_delivery_radius: bool,
    now: DateTime<Utc>,
) -> Result<Vec<NearbyStock>, StockError> {
    expire_due_lazily(db, now)?;
    let rows: SqlRows = db.execute(statement, &[text(sku.as_str())])?;
    let mut stores = Vec::with_capacity(rows.rows.len());
    for row in &rows.rows {
        let reach = StoreReach {
            store: StoreId::parse(&col_text(row, 0, "stock")?)
                .map_err(|e| corrupt(e.to_string()))?,
            location: GeoPoint::new(col_real(row, 2, "stock")?, col_real(row, 3, "stock")?)
                .map_err(|e| corrupt(e.to_string()))?,
            delivery_radius_m: radius_m(col_real(row, 4, "stock")?),
        };
        let available = match row.get(5) {
            Some(SqlValue::Integer(_)) => StockLevel {
                on_hand: col_int(row, 5, "stock")?,
                reserved: col_int(row, 6, "stock")?,
                safety_stock: col_int(row, 7, "stock")?,
                reorder_point: col_int(row, 8, "stock")?,
            }
            .available(),
            _ => 0,
        };
        stores.push((reach, col_text(row, 1, "stock")?, available));
    }
    Ok(
        nearest_first(&stores, point, |(reach, ..)| (&reach.store, reach.location))
            .into_iter()
            .filter(|(distance_m, (reach, ..))| {
                !within_delivery_radius || reach.covers(*distance_m)
            })
            .map(|(distance_m, (reach, name, available))| NearbyStock {
                store: reach.store.clone(),
                name: name.clone(),
                distance_m,
                available: *available,
            })
            .collect(),
    )
}

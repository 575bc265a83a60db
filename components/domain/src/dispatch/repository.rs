//! Where shipments and couriers are kept (`migrations/0007_dispatch.sql`): the shipment row
//! (its order, store, mode, status, destination, courier with distance and ETA, the pickup
//! code's hash and the wrong tries), its status timeline, and the couriers of each store. Every
//! status change is a guarded `UPDATE ... WHERE status = <from>` checked with `changes()`, inside
//! the caller's transaction (`fulfilment`), so two requests racing cannot both move a shipment.

use chrono::{DateTime, Utc};

use crate::geo::GeoPoint;
use crate::ids::{OrderId, StoreId};
use crate::storage::row::{
    change_one, changed, col_flag, col_int, col_opt_real, col_opt_text, col_text, corrupt, count,
    flag, int, optional_text, text,
};
use crate::storage::timestamp;
use crate::storage::{Sql, SqlValue, StoreError};
use crate::values::{ValueError, parse_store_code};

use super::status::{FulfilmentKind, ShipmentStatus};

const INSERT_SHIPMENT: &str = "INSERT INTO shipments (id, order_id, store_id, mode, status, \
     dest_lat, dest_lon, started_by, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const SHIPMENT: &str = "SELECT id, order_id, store_id, mode, status, dest_lat, dest_lon, \
     courier_id, distance_m, eta, pickup_code_hash, pickup_attempts, started_by, created_at, \
     updated_at FROM shipments WHERE id = ?";
const SHIPMENTS_OF_ORDER: &str = "SELECT id FROM shipments WHERE order_id = ? ORDER BY id";
const HISTORY: &str = "SELECT status, at, note FROM shipment_status_history \
     WHERE shipment_id = ? ORDER BY seq";
const INSERT_HISTORY: &str = "INSERT INTO shipment_status_history (shipment_id, seq, status, at, \
     note) VALUES (?1, (SELECT COALESCE(MAX(seq), -1) + 1 FROM shipment_status_history \
     WHERE shipment_id = ?1), ?2, ?3, ?4)";
const MOVE: &str = "UPDATE shipments SET status = ?, updated_at = ? WHERE id = ? AND status = ?";
const SET_PICKUP_CODE: &str = "UPDATE shipments SET pickup_code_hash = ?, pickup_attempts = 0 \
     WHERE id = ?";
const UPDATE_COURIER: &str =
    "UPDATE couriers SET name = ?, capacity = ?, active = ?, updated_at = ? WHERE id = ?";
const COUNT_WRONG_CODE: &str =
    "UPDATE shipments SET pickup_attempts = pickup_attempts + 1 WHERE id = ?";
const SET_COURIER: &str = "UPDATE shipments SET courier_id = ?, distance_m = ?, eta = ? \
     WHERE id = ?";
const INSERT_COURIER: &str = "INSERT INTO couriers (id, store_id, name, capacity, active, \
     created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
const COURIER: &str = "SELECT id, store_id, name, capacity, active, created_at, updated_at \
     FROM couriers WHERE id = ?";
const COURIERS_OF_STORE: &str = "SELECT id, store_id, name, capacity, active, created_at, \
     updated_at FROM couriers WHERE store_id = ? ORDER BY id";
const COURIER_LOAD: &str =
    "SELECT COUNT(*) FROM shipments WHERE courier_id = ? AND status = 'out_for_delivery'";
const COURIER_STOPS: &str = "SELECT id FROM shipments WHERE courier_id = ? \
     AND status = 'out_for_delivery' ORDER BY id";

crate::ids::v7_id!(
    /// The id of a shipment.
    ShipmentId
);

/// A courier's code, chosen by the store (`CR-7`): the rule of store codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CourierId(String);

impl CourierId {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_store_code(raw).map(CourierId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One step of a shipment's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentChange {
    pub status: ShipmentStatus,
    pub at: String,
    pub note: Option<String>,
}

/// A shipment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Shipment {
    pub id: ShipmentId,
    pub order: OrderId,
    pub store: StoreId,
    pub kind: FulfilmentKind,
    pub status: ShipmentStatus,
    /// Where a delivery goes.
    pub destination: Option<GeoPoint>,
    pub courier: Option<CourierId>,
    pub distance_m: Option<u32>,
    pub eta: Option<String>,
    pub pickup_code_hash: Option<String>,
    pub pickup_attempts: i64,
    pub started_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub timeline: Vec<ShipmentChange>,
}

/// A courier of a store.
#[derive(Debug, Clone, PartialEq)]
pub struct Courier {
    pub id: CourierId,
    pub store: StoreId,
    pub name: String,
    /// Deliveries the courier carries at once, at most.
    pub capacity: u32,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// What staff may change of a courier: the store stays (a courier moving stores is a courier
/// of the new store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourierChange {
    pub name: String,
    pub capacity: u32,
    pub active: bool,
}

/// What a new shipment is made of.
pub struct NewShipment<'a> {
    pub id: ShipmentId,
    pub order: OrderId,
    pub store: &'a StoreId,
    pub kind: FulfilmentKind,
    pub destination: Option<GeoPoint>,
    pub started_by: &'a str,
}

/// Writes a shipment, `picking`, with the first step of its timeline; inside the caller's
/// transaction.
pub fn insert(db: &impl Sql, new: &NewShipment<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
    let at = timestamp(now);
    let id = new.id.to_string();
    let coordinate = |c: Option<f64>| c.map_or(SqlValue::Null, SqlValue::Real);
    change_one(
        db,
        INSERT_SHIPMENT,
        &[
            text(&id),
            text(&new.order.to_string()),
            text(new.store.as_str()),
            text(new.kind.as_str()),
            text(ShipmentStatus::Picking.as_str()),
            coordinate(new.destination.map(|p| p.lat())),
            coordinate(new.destination.map(|p| p.lon())),
            text(new.started_by),
            text(&at),
            text(&at),
        ],
    )?;
    change_one(
        db,
        INSERT_HISTORY,
        &[
            text(&id),
            text(ShipmentStatus::Picking.as_str()),
            text(&at),
            SqlValue::Null,
        ],
    )
}

/// Moves a shipment from where it was read to `to` and records the step; `false` when another
/// request moved it first (nothing written). Inside the caller's transaction; the caller has
/// checked the move against the table.
pub fn move_status(
    db: &impl Sql,
    shipment: &Shipment,
    to: ShipmentStatus,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let at = timestamp(now);
    let id = shipment.id.to_string();
    let moved = changed(
        db,
        MOVE,
        &[
            text(to.as_str()),
            text(&at),
            text(&id),
            text(shipment.status.as_str()),
        ],
    )?;
    if moved != 1 {
        return Ok(false);
    }
    change_one(
        db,
        INSERT_HISTORY,
        &[text(&id), text(to.as_str()), text(&at), optional_text(note)],
    )?;
    Ok(true)
}

pub fn set_pickup_code_hash(db: &impl Sql, id: ShipmentId, hash: &str) -> Result<(), StoreError> {
    change_one(db, SET_PICKUP_CODE, &[text(hash), text(&id.to_string())])
}

pub fn count_wrong_pickup_code(db: &impl Sql, id: ShipmentId) -> Result<(), StoreError> {
    change_one(db, COUNT_WRONG_CODE, &[text(&id.to_string())])
}

pub fn set_courier(
    db: &impl Sql,
    id: ShipmentId,
    courier: &CourierId,
    distance_m: u32,
    eta: DateTime<Utc>,
) -> Result<(), StoreError> {
    change_one(
        db,
        SET_COURIER,
        &[
            text(courier.as_str()),
            SqlValue::Integer(i64::from(distance_m)),
            text(&timestamp(eta)),
            text(&id.to_string()),
        ],
    )
}

/// The shipment with its timeline.
pub fn load(db: &impl Sql, id: ShipmentId) -> Result<Option<Shipment>, StoreError> {
    let key = id.to_string();
    let rows = db.execute(SHIPMENT, &[text(&key)])?;
    let Some(row) = rows.rows.first() else {
        return Ok(None);
    };
    let at = |column: &str| format!("shipments[{key}].{column}");
    let destination = match (
        col_opt_real(row, 5, &at("latitude"))?,
        col_opt_real(row, 6, &at("longitude"))?,
    ) {
        (Some(lat), Some(lon)) => {
            Some(GeoPoint::new(lat, lon).map_err(|e| corrupt(format!("{}: {e}", at("dest"))))?)
        }
        _ => None,
    };
    let timeline = db
        .execute(HISTORY, &[text(&key)])?
        .rows
        .iter()
        .map(|step| {
            Ok(ShipmentChange {
                status: ShipmentStatus::parse(&col_text(step, 0, "history.status")?)
                    .ok_or_else(|| corrupt(format!("shipment_status_history[{key}].status")))?,
                at: col_text(step, 1, "history.at")?,
                note: col_opt_text(step, 2, "history.note")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(Shipment {
        id,
        order: OrderId::parse(&col_text(row, 1, &at("order_id"))?)
            .ok_or_else(|| corrupt(at("order_id")))?,
        store: StoreId::parse(&col_text(row, 2, &at("store_id"))?)
            .map_err(|e| corrupt(format!("{}: {e}", at("store_id"))))?,
        kind: FulfilmentKind::parse(&col_text(row, 3, &at("mode"))?)
            .ok_or_else(|| corrupt(at("mode")))?,
        status: ShipmentStatus::parse(&col_text(row, 4, &at("status"))?)
            .ok_or_else(|| corrupt(at("status")))?,
        destination,
        courier: col_opt_text(row, 7, &at("courier"))?
            .map(|c| CourierId::parse(&c).map_err(|e| corrupt(format!("{}: {e}", at("courier")))))
            .transpose()?,
        distance_m: match row.get(8) {
            Some(SqlValue::Integer(m)) => {
                Some(u32::try_from(*m).map_err(|_| corrupt(at("distance_m")))?)
            }
            _ => None,
        },
        eta: col_opt_text(row, 9, &at("eta"))?,
        pickup_code_hash: col_opt_text(row, 10, &at("pickup_code_hash"))?,
        pickup_attempts: col_int(row, 11, &at("pickup_attempts"))?,
        started_by: col_text(row, 12, &at("started_by"))?,
        created_at: col_text(row, 13, &at("created_at"))?,
        updated_at: col_text(row, 14, &at("updated_at"))?,
        timeline,
    }))
}

fn ids(db: &impl Sql, statement: &str, key: &str) -> Result<Vec<ShipmentId>, StoreError> {
    db.execute(statement, &[text(key)])?
        .rows
        .iter()
        .map(|row| {
            let raw = col_text(row, 0, "shipments.id")?;
            ShipmentId::parse(&raw).ok_or_else(|| corrupt(format!("shipments.id {raw:?}")))
        })
        .collect()
}

/// Every shipment of an order, oldest first (a failed delivery leaves one behind).
pub fn of_order(db: &impl Sql, order: OrderId) -> Result<Vec<Shipment>, StoreError> {
    ids(db, SHIPMENTS_OF_ORDER, &order.to_string())?
        .into_iter()
        .filter_map(|id| load(db, id).transpose())
        .collect()
}

/// The deliveries a courier is carrying now.
pub fn carried_by(db: &impl Sql, courier: &CourierId) -> Result<Vec<Shipment>, StoreError> {
    ids(db, COURIER_STOPS, courier.as_str())?
        .into_iter()
        .filter_map(|id| load(db, id).transpose())
        .collect()
}

/// How many deliveries a courier is carrying now.
pub fn courier_load(db: &impl Sql, courier: &CourierId) -> Result<u32, StoreError> {
    let n = count(db, COURIER_LOAD, &[text(courier.as_str())])?;
    Ok(u32::try_from(n).unwrap_or(0))
}

/// Changes a courier's name, capacity and activity.
pub fn update_courier(
    db: &impl Sql,
    id: &CourierId,
    change: &CourierChange,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    change_one(
        db,
        UPDATE_COURIER,
        &[
            text(&change.name),
            int(i64::from(change.capacity)),
            flag(change.active),
            text(&timestamp(now)),
            text(id.as_str()),
        ],
    )
}

/// Adds a courier; `false` when the id is taken (nothing written).
pub fn insert_courier(
    db: &impl Sql,
    courier: &Courier,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let at = timestamp(now);
    Ok(changed(
        db,
        INSERT_COURIER,
        &[
            text(courier.id.as_str()),
            text(courier.store.as_str()),
            text(&courier.name),
            int(i64::from(courier.capacity)),
            flag(courier.active),
            text(&at),
            text(&at),
        ],
    )? == 1)
}

fn courier_from_row(row: &[SqlValue]) -> Result<Courier, StoreError> {
    let raw = col_text(row, 0, "couriers.id")?;
    let at = |column: &str| format!("couriers[{raw}].{column}");
    Ok(Courier {
        id: CourierId::parse(&raw).map_err(|e| corrupt(format!("{}: {e}", at("id"))))?,
        store: StoreId::parse(&col_text(row, 1, &at("store_id"))?)
            .map_err(|e| corrupt(format!("{}: {e}", at("store_id"))))?,
        name: col_text(row, 2, &at("name"))?,
        capacity: u32::try_from(col_int(row, 3, &at("capacity"))?)
            .map_err(|_| corrupt(at("capacity")))?,
        active: col_flag(row, 4, &at("active"))?,
        created_at: col_text(row, 5, &at("created_at"))?,
        updated_at: col_text(row, 6, &at("updated_at"))?,
    })
}

pub fn load_courier(db: &impl Sql, id: &CourierId) -> Result<Option<Courier>, StoreError> {
    db.execute(COURIER, &[text(id.as_str())])?
        .rows
        .first()
        .map(|row| courier_from_row(row))
        .transpose()
}

/// A store's couriers in id order.
pub fn couriers_of(db: &impl Sql, store: &StoreId) -> Result<Vec<Courier>, StoreError> {
    db.execute(COURIERS_OF_STORE, &[text(store.as_str())])?
        .rows
        .iter()
        .map(|row| courier_from_row(row))
        .collect()
}

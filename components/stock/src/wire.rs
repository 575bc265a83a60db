//! The stock function's wire: request bodies as they arrive (strict: unknown fields are
//! refused), query strings, the answers as the contract's types (`wit/catalog.wit`:
//! `stock-level`, `store-stock-levels`, `stock-moved`, `stock-availability`; `wit/orders.wit`:
//! `reservation`), and the one mapping of stock rule violations (`StockError`) to problems.

use o2o_contract::{ReservationLine, StockAvailability, StockMoved, StoreStockLevels};
use o2o_domain::geo::GeoPoint;
use o2o_domain::stock::repository::{NearbyStock, Reservation, StockMove};
use o2o_domain::stock::{Shortage, StockError, StockLevel};
use o2o_domain::{Sku, StoreId};
use o2o_edge::ApiError;
use serde::Deserialize;

/// Quantities arrive as any integer so that 0 or -1 is refused naming the field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestedLine {
    pub sku: String,
    pub quantity: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reserve {
    pub store_id: String,
    pub lines: Vec<RequestedLine>,
    pub ttl_seconds: Option<i64>,
}

/// A POS sale or a receipt: units of one sku at one store.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitsAtStore {
    pub store_id: String,
    pub sku: String,
    pub quantity: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjust {
    pub store_id: String,
    pub sku: String,
    pub delta: i64,
    pub reason_code: String,
}

pub use o2o_edge::query::query_values;

/// A level as the contract (`wit/catalog.wit`, `stock-level`) shapes it.
pub fn level_view(sku: &Sku, level: &StockLevel) -> o2o_contract::StockLevel {
    o2o_contract::StockLevel {
        sku: sku.as_str().to_owned(),
        on_hand: level.on_hand,
        reserved: level.reserved,
        safety_stock: level.safety_stock,
        reorder_point: level.reorder_point,
        available: level.available(),
    }
}

/// The levels of some skus at one store (`store-stock-levels`).
pub fn levels_view(store: &StoreId, levels: &[(Sku, StockLevel)]) -> StoreStockLevels {
    StoreStockLevels {
        store_id: store.as_str().to_owned(),
        levels: levels
            .iter()
            .map(|(sku, level)| level_view(sku, level))
            .collect(),
    }
}

/// A staff move and the level it left (`stock-moved`).
pub fn moved_view(movement: &StockMove<'_>, after: &StockLevel) -> StockMoved {
    StockMoved {
        store_id: movement.store.as_str().to_owned(),
        kind: movement.kind.into(),
        delta: movement.delta,
        reason_code: movement.reason.map(Into::into),
        level: level_view(movement.sku, after),
    }
}

/// A reservation as the contract (`wit/orders.wit`, `reservation`) shapes it.
pub fn reservation_view(r: &Reservation) -> o2o_contract::Reservation {
    o2o_contract::Reservation {
        id: r.id.to_string(),
        store_id: r.store.as_str().to_owned(),
        status: r.status.into(),
        created_at: r.created_at.clone(),
        expires_at: r.expires_at.clone(),
        lines: r
            .lines
            .iter()
            .map(|(sku, quantity)| ReservationLine {
                sku: sku.as_str().to_owned(),
                quantity: *quantity,
            })
            .collect(),
    }
}

/// Where a sku can be had near a point (`stock-availability`).
pub fn availability_view(sku: &Sku, at: GeoPoint, near: &[NearbyStock]) -> StockAvailability {
    let in_stock = near.iter().filter(|s| s.available > 0).count();
    StockAvailability {
        sku: sku.as_str().to_owned(),
        location: at.into(),
        // At most the number of stores.
        in_stock_at: u32::try_from(in_stock).unwrap_or(u32::MAX),
        stores: near
            .iter()
            .map(|s| o2o_contract::NearbyStock {
                store_id: s.store.as_str().to_owned(),
                name: s.name.clone(),
                distance_m: s.distance_m,
                available: s.available,
            })
            .collect(),
    }
}

fn shortage_field(shortages: &[Shortage]) -> Option<String> {
    shortages
        .first()
        .map(|s| format!("lines[{}].quantity", s.line))
}

/// Where the parts of a stock request came from, for problems that name a field.
pub struct Fields<'a> {
    /// `store_id` in a body, `store` in a query.
    pub store: &'a str,
    /// The field of a sku (by the sku, for requests with many lines).
    pub sku: &'a dyn Fn(&str) -> String,
    /// The field of the units of a sale or an adjustment.
    pub units: &'a str,
}

/// The one mapping of stock rule violations to problems.
pub fn stock_error(err: StockError, fields: &Fields<'_>) -> ApiError {
    match err {
        StockError::Short(shortages) => ApiError::Conflict {
            field: shortage_field(&shortages),
            detail: StockError::Short(shortages).to_string(),
        },
        StockError::ReservationNotFound(id) => ApiError::not_found(format!("no reservation {id}")),
        err @ StockError::Transition { .. } => ApiError::Conflict {
            field: None,
            detail: err.to_string(),
        },
        err @ StockError::UnknownStore(_) => ApiError::unprocessable(fields.store, err),
        StockError::UnknownSku(sku) => ApiError::unprocessable(
            (fields.sku)(sku.as_str()),
            format!("{sku} is not in the catalog"),
        ),
        err @ StockError::NotOnHand { .. } => ApiError::Conflict {
            field: Some(fields.units.to_owned()),
            detail: err.to_string(),
        },
        StockError::Store(e) => ApiError::Storage(e),
    }
}

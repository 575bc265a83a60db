//! The stock function's wire: request bodies as they arrive (strict: unknown fields are
//! refused), query strings, the response documents, and the one mapping of stock rule
//! violations (`StockError`) to problems.

use o2o_domain::stock::StockError;
use o2o_domain::stock::repository::{NearbyStock, Reservation};
use o2o_domain::stock::{Shortage, StockLevel};
use o2o_edge::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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

#[derive(Serialize)]
pub struct LevelView<'a> {
    pub sku: &'a str,
    pub on_hand: i64,
    pub reserved: i64,
    pub safety_stock: i64,
    pub reorder_point: i64,
    pub available: i64,
}

pub fn level_view<'a>(sku: &'a str, level: &StockLevel) -> LevelView<'a> {
    LevelView {
        sku,
        on_hand: level.on_hand,
        reserved: level.reserved,
        safety_stock: level.safety_stock,
        reorder_point: level.reorder_point,
        available: level.available(),
    }
}

pub fn reservation_view(r: &Reservation) -> Value {
    let lines: Vec<Value> = r
        .lines
        .iter()
        .map(|(sku, quantity)| json!({ "sku": sku.as_str(), "quantity": quantity }))
        .collect();
    json!({
        "id": r.id.to_string(),
        "store_id": r.store.as_str(),
        "status": r.status.as_str(),
        "created_at": r.created_at,
        "expires_at": r.expires_at,
        "lines": lines,
    })
}

pub fn availability_view(sku: &str, lat: f64, lon: f64, near: &[NearbyStock]) -> Value {
    let stores: Vec<Value> = near
        .iter()
        .map(|s| {
            json!({
                "store_id": s.store.as_str(),
                "name": s.name,
                "distance_m": s.distance_m,
                "available": s.available,
            })
        })
        .collect();
    json!({
        "sku": sku,
        "location": { "lat": lat, "lon": lon },
        "in_stock_at": near.iter().filter(|s| s.available > 0).count(),
        "stores": stores,
    })
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

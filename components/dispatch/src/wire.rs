//! The dispatch function's wire: request bodies as they arrive (strict: unknown fields are
//! refused) and their parsing into domain values, each failure naming its field; shipments,
//! couriers, routes and tracking as JSON; and the one mapping of dispatch errors to problems.

use o2o_contract::{CourierRoute, OrderProgress, OrderStatusChange, RouteStop, ShipmentEvent};
use o2o_domain::dispatch::DispatchError;
use o2o_domain::dispatch::fulfilment::CourierUpdate;
use o2o_domain::dispatch::repository::{Courier, CourierChange, CourierId, Shipment, ShipmentId};
use o2o_domain::dispatch::{PickupCode, PlannedRoute, ShipmentStatus};
use o2o_domain::geo::GeoPoint;
use o2o_domain::order::Order;
use o2o_domain::{OrderId, StoreId};
use o2o_edge::{ApiError, FieldContext};
use serde::Deserialize;

const MAX_NOTE_LEN: usize = 500;
const MAX_NAME_LEN: usize = 100;
/// The most deliveries one courier may carry at once (the table's CHECK).
const MAX_CAPACITY: i64 = 50;

/// `POST /dispatch/shipments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    pub order_id: String,
}

impl StartBody {
    pub fn order(&self) -> Result<OrderId, ApiError> {
        OrderId::parse(&self.order_id)
            .ok_or_else(|| ApiError::invalid_field("order_id", "is not an order id"))
    }
}

/// `POST /dispatch/shipments/{id}/collection`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectBody {
    pub pickup_code: String,
}

impl CollectBody {
    pub fn code(&self) -> Result<PickupCode, ApiError> {
        PickupCode::parse(&self.pickup_code).field("pickup_code")
    }
}

/// `POST /dispatch/shipments/{id}/courier`, body optional: without a courier, the least loaded
/// one of the store is chosen.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    pub courier_id: Option<String>,
}

impl AssignBody {
    pub fn courier(&self) -> Result<Option<CourierId>, ApiError> {
        self.courier_id
            .as_deref()
            .map(|raw| CourierId::parse(raw).field("courier_id"))
            .transpose()
    }
}

/// `POST /dispatch/courier-updates`: a courier platform's signed report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourierUpdateBody {
    pub shipment_id: String,
    pub courier_id: String,
    pub status: String,
    pub note: Option<String>,
}

fn note(raw: Option<&str>, field: &str) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim) {
        Some(n) if n.chars().count() > MAX_NOTE_LEN => Err(ApiError::invalid_field(
            field,
            format!("at most {MAX_NOTE_LEN} characters"),
        )),
        Some("") | None => Ok(None),
        Some(n) => Ok(Some(n.to_owned())),
    }
}

impl CourierUpdateBody {
    pub fn parse(&self) -> Result<CourierUpdate, ApiError> {
        let shipment = ShipmentId::parse(&self.shipment_id)
            .ok_or_else(|| ApiError::invalid_field("shipment_id", "is not a shipment id"))?;
        let courier = CourierId::parse(&self.courier_id).field("courier_id")?;
        let status = ShipmentStatus::parse_wire(&self.status)
            .filter(|s| {
                matches!(
                    s,
                    ShipmentStatus::OutForDelivery
                        | ShipmentStatus::Delivered
                        | ShipmentStatus::Failed
                )
            })
            .ok_or_else(|| {
                ApiError::invalid_field("status", "must be out-for-delivery, delivered or failed")
            })?;
        Ok(CourierUpdate {
            shipment,
            courier,
            status,
            note: note(self.note.as_deref(), "note")?,
        })
    }
}

/// `POST /dispatch/couriers`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourierBody {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub capacity: i64,
    pub active: Option<bool>,
}

impl CourierBody {
    pub fn parse(&self) -> Result<Courier, ApiError> {
        let change = courier_change(&self.name, self.capacity, self.active.unwrap_or(true))?;
        Ok(Courier {
            id: CourierId::parse(&self.id).field("id")?,
            store: StoreId::parse(&self.store_id).field("store_id")?,
            name: change.name,
            capacity: change.capacity,
            active: change.active,
            created_at: String::new(),
            updated_at: String::new(),
        })
    }
}

/// `PUT /dispatch/couriers/{id}`: the whole courier but its id and store.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourierChangeBody {
    pub name: String,
    pub capacity: i64,
    pub active: bool,
}

impl CourierChangeBody {
    pub fn parse(&self) -> Result<CourierChange, ApiError> {
        courier_change(&self.name, self.capacity, self.active)
    }
}

/// A courier's name (1 to `MAX_NAME_LEN` characters) and capacity (1 to `MAX_CAPACITY`).
fn courier_change(name: &str, capacity: i64, active: bool) -> Result<CourierChange, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(ApiError::invalid_field(
            "name",
            format!("1 to {MAX_NAME_LEN} characters"),
        ));
    }
    if !(1..=MAX_CAPACITY).contains(&capacity) {
        return Err(ApiError::invalid_field(
            "capacity",
            format!("deliveries carried at once: 1 to {MAX_CAPACITY}"),
        ));
    }
    Ok(CourierChange {
        name: name.to_owned(),
        capacity: capacity as u32,
        active,
    })
}

/// A shipment with its timeline, as the contract (`wit/orders.wit`, `shipment`) shapes it;
/// `pickup_code` is given only by the answer that made it.
pub fn shipment(s: &Shipment, pickup_code: Option<&PickupCode>) -> o2o_contract::Shipment {
    o2o_contract::Shipment {
        id: s.id.to_string(),
        order_id: s.order.to_string(),
        store_id: s.store.as_str().to_owned(),
        mode: s.kind.into(),
        status: s.status.into(),
        destination: s.destination.map(Into::into),
        courier_id: s.courier.as_ref().map(|c| c.as_str().to_owned()),
        distance_m: s.distance_m,
        eta: s.eta.clone(),
        started_by: s.started_by.clone(),
        created_at: s.created_at.clone(),
        updated_at: s.updated_at.clone(),
        timeline: s
            .timeline
            .iter()
            .map(|step| ShipmentEvent {
                status: step.status.into(),
                at: step.at.clone(),
                note: step.note.clone(),
            })
            .collect(),
        pickup_code: pickup_code.map(|code| code.as_str().to_owned()),
    }
}

/// The order's side of the tracking view: its status and timeline.
pub fn order_progress(order: &Order) -> OrderProgress {
    OrderProgress {
        id: order.id.to_string(),
        status: order.status.into(),
        timeline: order
            .timeline
            .iter()
            .map(|step| OrderStatusChange {
                status: step.status.into(),
                at: step.at.clone(),
                note: step.note.clone(),
            })
            .collect(),
    }
}

pub fn courier(c: &Courier, carrying: u32) -> o2o_contract::Courier {
    o2o_contract::Courier {
        id: c.id.as_str().to_owned(),
        store_id: c.store.as_str().to_owned(),
        name: c.name.clone(),
        capacity: c.capacity,
        active: c.active,
        carrying,
        created_at: c.created_at.clone(),
        updated_at: c.updated_at.clone(),
    }
}

pub fn route(
    c: &Courier,
    start: Option<GeoPoint>,
    planned: &PlannedRoute<Shipment>,
) -> CourierRoute {
    CourierRoute {
        courier_id: c.id.as_str().to_owned(),
        store_id: c.store.as_str().to_owned(),
        start: start.map(Into::into),
        stops: planned
            .stops
            .iter()
            .zip(1u32..)
            .map(|(stop, sequence)| RouteStop {
                sequence,
                shipment_id: stop.stop.id.to_string(),
                order_id: stop.stop.order.to_string(),
                location: stop.location.into(),
                leg_m: stop.leg_m,
                cumulative_m: stop.cumulative_m,
            })
            .collect(),
        total_distance_m: planned.total_m,
    }
}

/// The one mapping of dispatch refusals to problems.
pub fn dispatch_error(err: DispatchError) -> ApiError {
    let detail = err.to_string();
    let conflict = |field: &str| ApiError::Conflict {
        field: Some(field.to_owned()),
        detail: detail.clone(),
    };
    match err {
        DispatchError::OrderNotFound(_) => ApiError::unprocessable("order_id", &detail),
        DispatchError::ShipmentNotFound(_) => ApiError::not_found(detail),
        DispatchError::Order(_)
        | DispatchError::Shipment(_)
        | DispatchError::OutOfOrder { .. }
        | DispatchError::NotACourierReport { .. } => conflict("status"),
        DispatchError::WrongPickupCode { .. } => ApiError::unprocessable("pickup_code", &detail),
        DispatchError::PickupLocked => conflict("pickup_code"),
        DispatchError::UnknownCourier(_) | DispatchError::NotTheCourier { .. } => {
            ApiError::unprocessable("courier_id", &detail)
        }
        DispatchError::CourierUnavailable { .. } | DispatchError::NoCourierAvailable(_) => {
            conflict("courier_id")
        }
        DispatchError::CourierTaken(_) => conflict("id"),
        DispatchError::NotAwaitingPickup(_) => conflict("status"),
        DispatchError::UnknownStore(_) => ApiError::unprocessable("store_id", &detail),
        DispatchError::Store(store) => ApiError::Storage(store),
    }
}

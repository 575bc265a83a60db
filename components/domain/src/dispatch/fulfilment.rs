//! The moves of dispatch, each one `BEGIN IMMEDIATE` transaction in which the shipment and its
//! order move together (`ShipmentStatus::order_status`), stock changes as the move means, and
//! the events are appended (a transactional outbox, as for orders):
//!
//! - start (staff): a paid or confirmed order gets a shipment, `picking`, and becomes
//!   `fulfilling`; `shipment.created`.
//! - ready (staff, pickup): `ready_for_pickup` with a new pickup code, of which only the hash
//!   is kept; `shipment.ready-for-pickup`.
//! - collect (staff, with the customer's code): `collected`; the reservation is committed (the
//!   goods left the store); `shipment.delivered`. A wrong code is counted; after
//!   `pickup::MAX_ATTEMPTS` of them collection is locked.
//! - assign a courier (staff, delivery): the named courier, or the least loaded active one of
//!   the store, if under capacity; the distance store → address and the ETA; the goods leave
//!   with the courier, so the shipment is `out_for_delivery` and the reservation committed;
//!   `shipment.dispatched`.
//! - courier reports (signed webhook): `delivered` (`shipment.delivered`) or `failed`: the
//!   goods come back on hand at the store and are held for the order again (a new reservation
//!   for `hold`), the order goes back to `paid`, from where staff dispatch it anew or the
//!   customer cancels it (and is refunded); `shipment.failed` tells the customer.
//!
//! Staff moves are written to the audit log.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::events::EventType;
use crate::geo::GeoPoint;
use crate::ids::{OrderId, StoreId};
use crate::order::repository::{self as orders, Order};
use crate::order::{FulfilmentMode, OrderStatus, TransitionRefused};
use crate::pricing::repository::load_store;
use crate::stock::StockError;
use crate::stock::{commit_within, extend_hold_within, return_and_hold_within};
use crate::storage::journal::{append_audit_entry, append_outbox_event};
use crate::storage::{Sql, StoreError};
use crate::storage::{in_immediate_transaction, timestamp};

use super::pickup::{MAX_ATTEMPTS, PickupCode};
use super::repository::{self as shipments, Courier, CourierId, NewShipment, Shipment, ShipmentId};
use super::route::{CourierSpeed, PlannedRoute, plan_route};
use super::status::{CourierReport, FulfilmentKind, ShipmentMoveRefused, ShipmentStatus};

/// Why a dispatch request was refused. The edge maps each to one problem.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DispatchError {
    #[error("no order {0}")]
    OrderNotFound(OrderId),
    #[error("no shipment {0}")]
    ShipmentNotFound(ShipmentId),
    #[error(transparent)]
    Order(#[from] TransitionRefused),
    #[error(transparent)]
    Shipment(#[from] ShipmentMoveRefused),
    #[error("wrong pickup code; {attempts_left} more tries before collection is locked")]
    WrongPickupCode { attempts_left: i64 },
    #[error(
        "collection is locked after {MAX_ATTEMPTS} wrong pickup codes; staff must check the customer's order"
    )]
    PickupLocked,
    #[error("no courier {}", .0.as_str())]
    UnknownCourier(CourierId),
    #[error("courier {} {reason}", courier.as_str())]
    CourierUnavailable { courier: CourierId, reason: String },
    #[error("no active courier of {} has room for another delivery", .0.as_str())]
    NoCourierAvailable(StoreId),
    /// Who does carry it is not said: a courier's report would otherwise learn the courier
    /// of any shipment (and could then report as them).
    #[error("this shipment is not carried by {}", reported.as_str())]
    NotTheCourier { reported: CourierId },
    #[error("out of order: the shipment is already {from}, past {reported}")]
    OutOfOrder {
        from: ShipmentStatus,
        reported: ShipmentStatus,
    },
    #[error("a courier cannot report {reported} for a shipment that is {from}")]
    NotACourierReport {
        from: ShipmentStatus,
        reported: ShipmentStatus,
    },
    #[error("the courier id {} is taken", .0.as_str())]
    CourierTaken(CourierId),
    #[error("a pickup code is only given for a shipment ready for pickup; this one is {0}")]
    NotAwaitingPickup(ShipmentStatus),
    #[error("{} is not one of our open stores", .0.as_str())]
    UnknownStore(StoreId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<StockError> for DispatchError {
    fn from(value: StockError) -> Self {
        match value {
            StockError::Store(store) => DispatchError::Store(store),
            // The order's reservation is the shop's own bookkeeping: not held any more when its
            // goods leave means the data is not what the rules left it as.
            other => DispatchError::Store(StoreError::Corrupt(format!(
                "the order's reservation: {other}"
            ))),
        }
    }
}

/// Where the goods of an order go: pickup, or delivery to the point the customer gave.
fn fulfilment_of(order: &Order) -> (FulfilmentKind, Option<GeoPoint>) {
    match &order.fulfilment {
        FulfilmentMode::Pickup(_) => (FulfilmentKind::Pickup, None),
        FulfilmentMode::Delivery(delivery) => (FulfilmentKind::Delivery, Some(delivery.location)),
    }
}

fn load_order(db: &impl Sql, id: OrderId) -> Result<Order, DispatchError> {
    orders::load(db, id)?.ok_or(DispatchError::OrderNotFound(id))
}

fn load_shipment(db: &impl Sql, id: ShipmentId) -> Result<Shipment, DispatchError> {
    shipments::load(db, id)?.ok_or(DispatchError::ShipmentNotFound(id))
}

/// Moves the shipment and its order together, inside the caller's transaction. A concurrent
/// request that moved either first makes this one refused.
fn move_both(
    db: &impl Sql,
    shipment: &Shipment,
    order: &Order,
    to: ShipmentStatus,
    note: Option<&str>,
    order_event: EventType,
    now: DateTime<Utc>,
) -> Result<(), DispatchError> {
    shipment.status.move_to(to, shipment.kind)?;
    if !shipments::move_status(db, shipment, to, note, now)? {
        let current = load_shipment(db, shipment.id)?.status;
        return Err(ShipmentMoveRefused {
            kind: shipment.kind,
            from: current,
            to,
        }
        .into());
    }
    orders::move_status(db, order, to.order_status(), note, order_event, now)??;
    Ok(())
}

/// What events about a shipment say.
fn shipment_event(
    shipment: &Shipment,
    order: &Order,
    status: ShipmentStatus,
    extra: Value,
) -> Value {
    let mut data = json!({
        "shipment_id": shipment.id.to_string(),
        "order_id": order.id.to_string(),
        "customer_id": order.customer.as_str(),
        "store_id": shipment.store.as_str(),
        "mode": shipment.kind.as_str(),
        "status": status.wire_name(),
    });
    if let (Value::Object(data), Value::Object(extra)) = (&mut data, extra) {
        data.extend(extra);
    }
    data
}

/// Keeps the goods held while the order is being fulfilled (never shortening the hold), inside
/// the transaction of the step that needs it: a reservation that is no longer held is the
/// order's own business, logged and left.
fn keep_holding(
    db: &impl Sql,
    order: &Order,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DispatchError> {
    match extend_hold_within(db, order.reservation, until, now) {
        Ok(_) => Ok(()),
        Err(StockError::Store(store)) => Err(store.into()),
        Err(other) => {
            eprintln!("dispatch: order {} keeps no hold: {other}", order.id);
            Ok(())
        }
    }
}

/// Staff start fulfilling a paid or confirmed order.
pub fn start(
    db: &impl Sql,
    order_id: OrderId,
    staff: &str,
    hold: Duration,
    now: DateTime<Utc>,
) -> Result<Shipment, DispatchError> {
    let order = load_order(db, order_id)?;
    let (kind, destination) = fulfilment_of(&order);
    let id = ShipmentId::new(now);
    in_immediate_transaction(db, || {
        let note = format!("fulfilment started by {staff}");
        orders::move_status(
            db,
            &order,
            OrderStatus::Fulfilling,
            Some(&note),
            EventType::OrderFulfilling,
            now,
        )??;
        shipments::insert(
            db,
            &NewShipment {
                id,
                order: order.id,
                store: &order.store,
                kind,
                destination,
                started_by: staff,
            },
            now,
        )?;
        let shipment = load_shipment(db, id)?;
        append_outbox_event(
            db,
            EventType::ShipmentCreated,
            &id.to_string(),
            &shipment_event(&shipment, &order, ShipmentStatus::Picking, json!({})),
            now,
        )?;
        append_audit_entry(
            db,
            staff,
            "dispatch.start",
            &id.to_string(),
            &json!({"order_id": order.id.to_string(), "order_status": order.status.as_str()}),
            &json!({"order_status": OrderStatus::Fulfilling.as_str(), "shipment_status": ShipmentStatus::Picking.as_str()}),
            now,
        )?;
        keep_holding(db, &order, now + hold, now)
    })?;
    load_shipment(db, id)
}

/// Staff have prepared a pickup order: it is ready, and `code` is what the customer will show.
pub fn ready_for_pickup(
    db: &impl Sql,
    id: ShipmentId,
    staff: &str,
    code: &PickupCode,
    hold: Duration,
    now: DateTime<Utc>,
) -> Result<Shipment, DispatchError> {
    let shipment = load_shipment(db, id)?;
    shipment
        .status
        .move_to(ShipmentStatus::ReadyForPickup, shipment.kind)?;
    let order = load_order(db, shipment.order)?;
    in_immediate_transaction(db, || {
        move_both(
            db,
            &shipment,
            &order,
            ShipmentStatus::ReadyForPickup,
            None,
            EventType::OrderReadyForPickup,
            now,
        )?;
        shipments::set_pickup_code_hash(db, id, &code.hash_for(&id.to_string()))?;
        append_outbox_event(
            db,
            EventType::ShipmentReadyForPickup,
            &id.to_string(),
            &shipment_event(&shipment, &order, ShipmentStatus::ReadyForPickup, json!({})),
            now,
        )?;
        append_audit_entry(
            db,
            staff,
            "dispatch.ready-for-pickup",
            &id.to_string(),
            &json!({"shipment_status": shipment.status.as_str()}),
            &json!({"shipment_status": ShipmentStatus::ReadyForPickup.as_str()}),
            now,
        )?;
        keep_holding(db, &order, now + hold, now)
    })?;
    load_shipment(db, id)
}

/// What a collection attempt decided, inside its transaction: a wrong code is counted and
/// committed before it is refused, so the count must leave the transaction as a value.
enum Collection {
    Collected,
    WrongCode { attempts_left: i64 },
}

/// The customer collects with their code, at the counter. The tries left, the code and the
/// count of a wrong one are read and written under one write lock (`BEGIN IMMEDIATE`), so
/// that however many attempts arrive at once, at most `MAX_ATTEMPTS` wrong codes are ever
/// judged and the right code after the lock is refused (issue 10).
pub fn collect(
    db: &impl Sql,
    id: ShipmentId,
    staff: &str,
    code: &PickupCode,
    now: DateTime<Utc>,
) -> Result<Shipment, DispatchError> {
    let outcome = in_immediate_transaction(db, || {
        let shipment = load_shipment(db, id)?;
        shipment
            .status
            .move_to(ShipmentStatus::Collected, shipment.kind)?;
        if shipment.pickup_attempts >= MAX_ATTEMPTS {
            return Err(DispatchError::PickupLocked);
        }
        let stored = shipment.pickup_code_hash.as_deref().unwrap_or_default();
        if !code.matches(&id.to_string(), stored) {
            shipments::count_wrong_pickup_code(db, id)?;
            return Ok(Collection::WrongCode {
                attempts_left: MAX_ATTEMPTS - shipment.pickup_attempts - 1,
            });
        }
        let order = load_order(db, shipment.order)?;
        move_both(
            db,
            &shipment,
            &order,
            ShipmentStatus::Collected,
            None,
            EventType::OrderCollected,
            now,
        )?;
        commit_within(db, order.reservation, now)?;
        append_outbox_event(
            db,
            EventType::ShipmentDelivered,
            &id.to_string(),
            &shipment_event(&shipment, &order, ShipmentStatus::Collected, json!({})),
            now,
        )?;
        append_audit_entry(
            db,
            staff,
            "dispatch.collected",
            &id.to_string(),
            &json!({"shipment_status": shipment.status.as_str()}),
            &json!({"shipment_status": ShipmentStatus::Collected.as_str()}),
            now,
        )?;
        Ok::<_, DispatchError>(Collection::Collected)
    })?;
    match outcome {
        Collection::Collected => load_shipment(db, id),
        Collection::WrongCode { attempts_left } => {
            Err(DispatchError::WrongPickupCode { attempts_left })
        }
    }
}

/// Staff give the customer a new pickup code (the old one lost, or collection locked after too
/// many wrong codes, once staff have checked who the customer is): the old code stops working
/// and the count of wrong codes starts again. Only while the goods wait for pickup.
pub fn reissue_pickup_code(
    db: &impl Sql,
    id: ShipmentId,
    staff: &str,
    code: &PickupCode,
    now: DateTime<Utc>,
) -> Result<Shipment, DispatchError> {
    in_immediate_transaction(db, || {
        let shipment = load_shipment(db, id)?;
        if shipment.status != ShipmentStatus::ReadyForPickup {
            return Err(DispatchError::NotAwaitingPickup(shipment.status));
        }
        shipments::set_pickup_code_hash(db, id, &code.hash_for(&id.to_string()))?;
        append_audit_entry(
            db,
            staff,
            "dispatch.pickup-code-reissued",
            &id.to_string(),
            &json!({"pickup_attempts": shipment.pickup_attempts}),
            &json!({"pickup_attempts": 0}),
            now,
        )?;
        Ok(())
    })?;
    load_shipment(db, id)
}

/// The courier for a delivery from `store`: the one asked for if they can take it, else the
/// active courier of the store with the fewest deliveries on hand (ties: smaller id) that is
/// under capacity. Read under the caller's write lock, so two assignments cannot overfill one.
fn choose_courier(
    db: &impl Sql,
    store: &StoreId,
    wanted: Option<&CourierId>,
) -> Result<Courier, DispatchError> {
    if let Some(wanted) = wanted {
        let courier = shipments::load_courier(db, wanted)?
            .ok_or_else(|| DispatchError::UnknownCourier(wanted.clone()))?;
        let unavailable = |reason: String| DispatchError::CourierUnavailable {
            courier: wanted.clone(),
            reason,
        };
        if &courier.store != store {
            return Err(unavailable(format!("works for {}", courier.store.as_str())));
        }
        if !courier.active {
            return Err(unavailable("is not active".into()));
        }
        let load = shipments::courier_load(db, wanted)?;
        if load >= courier.capacity {
            return Err(unavailable(format!(
                "carries {load} of {} already",
                courier.capacity
            )));
        }
        return Ok(courier);
    }
    let mut best: Option<(u32, Courier)> = None;
    for courier in shipments::couriers_of(db, store)? {
        if !courier.active {
            continue;
        }
        let load = shipments::courier_load(db, &courier.id)?;
        if load < courier.capacity && best.as_ref().is_none_or(|(l, _)| load < *l) {
            best = Some((load, courier));
        }
    }
    best.map(|(_, c)| c)
        .ok_or_else(|| DispatchError::NoCourierAvailable(store.clone()))
}

/// Staff hand a delivery to a courier: the goods leave the store.
pub fn assign_courier(
    db: &impl Sql,
    id: ShipmentId,
    staff: &str,
    wanted: Option<&CourierId>,
    speed: CourierSpeed,
    now: DateTime<Utc>,
) -> Result<Shipment, DispatchError> {
    let shipment = load_shipment(db, id)?;
    shipment
        .status
        .move_to(ShipmentStatus::OutForDelivery, shipment.kind)?;
    let order = load_order(db, shipment.order)?;
    let store = load_store(db, &shipment.store)?
        .ok_or_else(|| DispatchError::UnknownStore(shipment.store.clone()))?;
    let destination = shipment.destination.ok_or_else(|| {
        StoreError::Corrupt(format!(
            "shipments[{id}] is a delivery without a destination"
        ))
    })?;
    let distance_m = store.location.distance_m(&destination);
    let eta = speed.eta(now, distance_m);
    in_immediate_transaction(db, || {
        let courier = choose_courier(db, &shipment.store, wanted)?;
        let note = format!(
            "courier {} ({}), {distance_m} m, eta {}",
            courier.id.as_str(),
            courier.name,
            timestamp(eta)
        );
        move_both(
            db,
            &shipment,
            &order,
            ShipmentStatus::OutForDelivery,
            Some(&note),
            EventType::OrderOutForDelivery,
            now,
        )?;
        shipments::set_courier(db, id, &courier.id, distance_m, eta)?;
        commit_within(db, order.reservation, now)?;
        append_outbox_event(
            db,
            EventType::ShipmentDispatched,
            &id.to_string(),
            &shipment_event(
                &shipment,
                &order,
                ShipmentStatus::OutForDelivery,
                json!({"courier_id": courier.id.as_str(), "distance_m": distance_m, "eta": timestamp(eta)}),
            ),
            now,
        )?;
        append_audit_entry(
            db,
            staff,
            "dispatch.courier-assigned",
            &id.to_string(),
            &json!({"shipment_status": shipment.status.as_str()}),
            &json!({"shipment_status": ShipmentStatus::OutForDelivery.as_str(), "courier_id": courier.id.as_str()}),
            now,
        )?;
        Ok::<_, DispatchError>(())
    })?;
    load_shipment(db, id)
}

/// A courier's signed report about a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct CourierUpdate {
    pub shipment: ShipmentId,
    pub courier: CourierId,
    pub status: ShipmentStatus,
    pub note: Option<String>,
}

/// Applies a courier's report: forward moves only; a repeat changes nothing (`false`).
pub fn courier_update(
    db: &impl Sql,
    update: &CourierUpdate,
    hold: Duration,
    now: DateTime<Utc>,
) -> Result<(Shipment, bool), DispatchError> {
    let shipment = load_shipment(db, update.shipment)?;
    if shipment.kind != FulfilmentKind::Delivery
        || shipment.courier.as_ref() != Some(&update.courier)
    {
        return Err(DispatchError::NotTheCourier {
            reported: update.courier.clone(),
        });
    }
    let (from, reported) = (shipment.status, update.status);
    match from.courier_report(reported) {
        CourierReport::AlreadyThere => return Ok((shipment, false)),
        CourierReport::OutOfOrder => return Err(DispatchError::OutOfOrder { from, reported }),
        CourierReport::NotAllowed => {
            return Err(DispatchError::NotACourierReport { from, reported });
        }
        CourierReport::Apply => {}
    }
    let order = load_order(db, shipment.order)?;
    let id = shipment.id.to_string();
    in_immediate_transaction(db, || {
        let courier_note = update.note.as_deref();
        match reported {
            ShipmentStatus::Failed => {
                let note = format!(
                    "delivery failed{}; the goods are back at {} and held for the order",
                    courier_note.map(|n| format!(": {n}")).unwrap_or_default(),
                    shipment.store.as_str()
                );
                move_both(
                    db,
                    &shipment,
                    &order,
                    reported,
                    Some(&note),
                    EventType::OrderDeliveryFailed,
                    now,
                )?;
                let lines: Vec<_> = order
                    .lines
                    .iter()
                    .map(|line| (line.sku.clone(), i64::from(line.quantity.get())))
                    .collect();
                let held =
                    return_and_hold_within(db, &shipment.store, &lines, now + hold, &id, now)?;
                orders::replace_reservation(db, order.id, held)?;
                append_outbox_event(
                    db,
                    EventType::ShipmentFailed,
                    &id,
                    &shipment_event(&shipment, &order, reported, json!({"note": note})),
                    now,
                )?;
            }
            _ => {
                move_both(
                    db,
                    &shipment,
                    &order,
                    reported,
                    courier_note,
                    EventType::OrderDelivered,
                    now,
                )?;
                append_outbox_event(
                    db,
                    EventType::ShipmentDelivered,
                    &id,
                    &shipment_event(&shipment, &order, reported, json!({"note": courier_note})),
                    now,
                )?;
            }
        }
        Ok::<_, DispatchError>(())
    })?;
    Ok((load_shipment(db, update.shipment)?, true))
}

/// Staff add a courier to a store.
pub fn add_courier(
    db: &impl Sql,
    courier: &Courier,
    staff: &str,
    now: DateTime<Utc>,
) -> Result<Courier, DispatchError> {
    if load_store(db, &courier.store)?.is_none() {
        return Err(DispatchError::UnknownStore(courier.store.clone()));
    }
    in_immediate_transaction(db, || {
        if !shipments::insert_courier(db, courier, now)? {
            return Err(DispatchError::CourierTaken(courier.id.clone()));
        }
        append_audit_entry(
            db,
            staff,
            "dispatch.courier-added",
            courier.id.as_str(),
            &Value::Null,
            &json!({"store_id": courier.store.as_str(), "name": courier.name, "capacity": courier.capacity, "active": courier.active}),
            now,
        )?;
        Ok(())
    })?;
    shipments::load_courier(db, &courier.id)?
        .ok_or_else(|| StoreError::Corrupt("the courier vanished after it was added".into()).into())
}

/// Staff change a courier's name, capacity or whether they take deliveries. Deliveries already
/// out stay with them: a lower capacity or an inactive courier only stops new assignments.
pub fn update_courier(
    db: &impl Sql,
    id: &CourierId,
    change: &shipments::CourierChange,
    staff: &str,
    now: DateTime<Utc>,
) -> Result<Courier, DispatchError> {
    let summary = |c: &Courier| json!({"name": c.name, "capacity": c.capacity, "active": c.active});
    in_immediate_transaction(db, || {
        let before = shipments::load_courier(db, id)?
            .ok_or_else(|| DispatchError::UnknownCourier(id.clone()))?;
        shipments::update_courier(db, id, change, now)?;
        let after = shipments::load_courier(db, id)?
            .ok_or_else(|| StoreError::Corrupt("the courier vanished as it was updated".into()))?;
        append_audit_entry(
            db,
            staff,
            "dispatch.courier-updated",
            id.as_str(),
            &summary(&before),
            &summary(&after),
            now,
        )?;
        Ok(after)
    })
}

/// A courier's deliveries on hand in nearest-neighbour order from their store.
pub fn courier_route(
    db: &impl Sql,
    id: &CourierId,
) -> Result<(Courier, PlannedRoute<Shipment>), DispatchError> {
    let courier = shipments::load_courier(db, id)?
        .ok_or_else(|| DispatchError::UnknownCourier(id.clone()))?;
    let store = load_store(db, &courier.store)?
        .ok_or_else(|| DispatchError::UnknownStore(courier.store.clone()))?;
    let stops = shipments::carried_by(db, id)?
        .into_iter()
        .filter_map(|s| s.destination.map(|at| (s, at)))
        .collect();
    Ok((courier, plan_route(store.location, stops)))
}

//! The dispatch function (`/dispatch/...`): staff start fulfilling a paid or confirmed order,
//! prepare a pickup (which gets a 6-digit code, shown once) and hand it over against the code,
//! or hand a delivery to a courier of the store (distance and ETA computed); couriers report
//! delivered or failed by a signed webhook; staff add and list couriers and plan a courier's
//! route; the order's customer reads the tracking view. Every rule is
//! `o2o_domain::dispatch`'s; this file is the routing table.
//!
//! Staff routes need a key with the scope `dispatch` (its id is the audit log's actor); the
//! tracking views are the order's customer's, and staff's with `dispatch` or `reports`: to
//! anyone else the order does not exist (404).

mod wire;

use o2o_contract::{CourierReportOutcome, OrderTracking, ShipmentTracking};
use o2o_domain::auth::Scope;
use o2o_domain::dispatch::fulfilment::{self, courier_route};
use o2o_domain::dispatch::repository::{self as shipments, CourierId, ShipmentId};
use o2o_domain::dispatch::{CourierSpeed, DispatchError, PickupCode};
use o2o_domain::order::repository as orders;
use o2o_domain::pricing::repository::load_store;
use o2o_domain::storage::StoreError;
use o2o_domain::{OrderId, StoreId};
use o2o_edge::auth::{signed_in, staff};
use o2o_edge::edge_context::{now, random_bytes, seconds_variable};
use o2o_edge::inbound::accept_signed;
use o2o_edge::json_body::{decode_json, parse_json};
use o2o_edge::query::query_values;
use o2o_edge::respond::{created, finish, json, page};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::SpinSql;
use o2o_edge::{ApiError, FieldContext};
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use wire::{
    AssignBody, CollectBody, CourierBody, CourierChangeBody, CourierUpdateBody, StartBody,
    dispatch_error, order_progress,
};

/// Goods of an order being fulfilled stay held this long (the order function's variable and
/// default: 7 days), renewed when fulfilment starts, when a pickup is ready and when a failed
/// delivery brings them back.
const DEFAULT_HOLD_SECONDS: i64 = 7 * 24 * 60 * 60;

#[http_component]
fn handle(req: Request) -> Response {
    serve("dispatch", req, routing_table)
}

/// The routing table.
fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.post("/dispatch/shipments", |r, p| finish(start(r, p)));
    router.get("/dispatch/shipments", |r, p| {
        finish(tracking_of_order(r, p))
    });
    router.get("/dispatch/shipments/:id", |r, p| finish(get(r, p)));
    router.post("/dispatch/shipments/:id/ready", |r, p| finish(ready(r, p)));
    router.post("/dispatch/shipments/:id/collection", |r, p| {
        finish(collect(r, p))
    });
    router.post("/dispatch/shipments/:id/courier", |r, p| {
        finish(assign_courier(r, p))
    });
    router.post("/dispatch/shipments/:id/pickup-code", |r, p| {
        finish(reissue_pickup_code(r, p))
    });
    router.post("/dispatch/courier-updates", |r, p| {
        finish(courier_update(r, p))
    });
    router.post("/dispatch/couriers", |r, p| finish(add_courier(r, p)));
    router.get("/dispatch/couriers", |r, p| finish(list_couriers(r, p)));
    router.get("/dispatch/couriers/:id", |r, p| finish(get_courier(r, p)));
    router.put("/dispatch/couriers/:id", |r, p| {
        finish(update_courier(r, p))
    });
    router.get("/dispatch/couriers/:id/route", |r, p| finish(route(r, p)));
    refuse_unrouted(
        &mut router,
        &[
            "/dispatch/shipments",
            "/dispatch/shipments/:id",
            "/dispatch/shipments/:id/ready",
            "/dispatch/shipments/:id/collection",
            "/dispatch/shipments/:id/courier",
            "/dispatch/shipments/:id/pickup-code",
            "/dispatch/courier-updates",
            "/dispatch/couriers",
            "/dispatch/couriers/:id",
            "/dispatch/couriers/:id/route",
        ],
        "dispatch",
    );
    router.handle(req)
}

fn hold() -> chrono::Duration {
    seconds_variable("order_hold_seconds", DEFAULT_HOLD_SECONDS)
}

/// `courier_speed_kmh`; an unreadable value is logged and the default used.
fn courier_speed() -> CourierSpeed {
    match spin_sdk::variables::get("courier_speed_kmh") {
        Ok(raw) => CourierSpeed::parse(&raw).unwrap_or_else(|e| {
            eprintln!("variable courier_speed_kmh: {e}; using the default");
            CourierSpeed::default()
        }),
        Err(_) => CourierSpeed::default(),
    }
}

fn path_shipment(params: &Params) -> Result<ShipmentId, ApiError> {
    params
        .get("id")
        .and_then(ShipmentId::parse)
        .ok_or_else(|| ApiError::not_found("no such shipment"))
}

/// A fresh pickup code from the platform's random source.
fn new_pickup_code() -> Result<PickupCode, ApiError> {
    loop {
        let bytes = random_bytes()?;
        let word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        if let Some(code) = PickupCode::from_random(word) {
            return Ok(code);
        }
    }
}

/// `POST /dispatch/shipments` `{"order_id"}` (staff): fulfilment starts → 201.
fn start(req: Request, _: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::Dispatch)?.id;
    let body: StartBody = parse_json(&req)?;
    let order = body.order()?;
    let db = SpinSql::open_default()?;
    let shipment = fulfilment::start(&db, order, &staff, hold(), now()).map_err(dispatch_error)?;
    created(
        &format!("/dispatch/shipments/{}", shipment.id),
        &wire::shipment(&shipment, None),
    )
}

/// Staff who may read any tracking view.
const TRACKING_STAFF: &[Scope] = &[Scope::Dispatch, Scope::Reports];

/// `GET /dispatch/shipments/{id}`: the tracking view of one shipment and its order.
fn get(req: Request, params: Params) -> Result<Response, ApiError> {
    let caller = signed_in(&req)?;
    let id = path_shipment(&params)?;
    let db = SpinSql::open_default()?;
    let shipment =
        shipments::load(&db, id)?.ok_or_else(|| ApiError::not_found("no such shipment"))?;
    let order = orders::load(&db, shipment.order)?.ok_or_else(|| {
        ApiError::Storage(StoreError::Corrupt(format!("shipment {id}: no order")))
    })?;
    if !caller.may_see(Some(&order.customer), TRACKING_STAFF) {
        return Err(ApiError::not_found("no such shipment"));
    }
    json(
        200,
        &ShipmentTracking {
            shipment: wire::shipment(&shipment, None),
            order: order_progress(&order),
        },
    )
}

/// `GET /dispatch/shipments?order_id=..`: the tracking view of an order: its timeline and every
/// shipment of it (a failed delivery's and the next one's), oldest first.
fn tracking_of_order(req: Request, _: Params) -> Result<Response, ApiError> {
    let caller = signed_in(&req)?;
    let raw = match query_values(req.query(), "order_id").as_slice() {
        [one] => one.clone(),
        _ => {
            return Err(ApiError::invalid_field(
                "order_id",
                "give the order_id to track, once",
            ));
        }
    };
    let id = OrderId::parse(&raw)
        .ok_or_else(|| ApiError::invalid_field("order_id", "is not an order id"))?;
    let db = SpinSql::open_default()?;
    let order = orders::load(&db, id)?
        .filter(|order| caller.may_see(Some(&order.customer), TRACKING_STAFF))
        .ok_or_else(|| ApiError::not_found("no such order"))?;
    let list = shipments::of_order(&db, id)?;
    json(
        200,
        &OrderTracking {
            order: order_progress(&order),
            shipments: list.iter().map(|s| wire::shipment(s, None)).collect(),
        },
    )
}

/// `POST /dispatch/shipments/{id}/ready` (staff): a pickup is prepared; the answer carries the
/// pickup code, the only time it is shown.
fn ready(req: Request, params: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::Dispatch)?.id;
    let id = path_shipment(&params)?;
    let code = new_pickup_code()?;
    let db = SpinSql::open_default()?;
    let shipment = fulfilment::ready_for_pickup(&db, id, &staff, &code, hold(), now())
        .map_err(dispatch_error)?;
    json(200, &wire::shipment(&shipment, Some(&code)))
}

/// `POST /dispatch/shipments/{id}/pickup-code` (staff): a new code for goods waiting for
/// pickup, in this answer only; the old one stops working, the wrong-code count restarts.
fn reissue_pickup_code(req: Request, params: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::Dispatch)?.id;
    let id = path_shipment(&params)?;
    let code = new_pickup_code()?;
    let db = SpinSql::open_default()?;
    let shipment =
        fulfilment::reissue_pickup_code(&db, id, &staff, &code, now()).map_err(dispatch_error)?;
    json(200, &wire::shipment(&shipment, Some(&code)))
}

/// `POST /dispatch/shipments/{id}/collection` `{"pickup_code"}` (staff, at the counter).
fn collect(req: Request, params: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::Dispatch)?.id;
    let id = path_shipment(&params)?;
    let body: CollectBody = parse_json(&req)?;
    let code = body.code()?;
    let db = SpinSql::open_default()?;
    let shipment = fulfilment::collect(&db, id, &staff, &code, now()).map_err(dispatch_error)?;
    json(200, &wire::shipment(&shipment, None))
}

/// `POST /dispatch/shipments/{id}/courier` `{"courier_id"?}` (staff): the goods leave with a
/// courier.
fn assign_courier(req: Request, params: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::Dispatch)?.id;
    let id = path_shipment(&params)?;
    let body: AssignBody = if req.body().is_empty() {
        AssignBody::default()
    } else {
        parse_json(&req)?
    };
    let courier = body.courier()?;
    let db = SpinSql::open_default()?;
    let shipment =
        fulfilment::assign_courier(&db, id, &staff, courier.as_ref(), courier_speed(), now())
            .map_err(dispatch_error)?;
    json(200, &wire::shipment(&shipment, None))
}

/// `POST /dispatch/courier-updates`: a courier's report, signed with `courier_webhook_secret`
/// (see `o2o_domain::inbound_webhook`). A repeat of where the shipment is answers 200 with
/// `"changed": false`.
fn courier_update(req: Request, _: Params) -> Result<Response, ApiError> {
    let now = now();
    let db = SpinSql::open_default()?;
    accept_signed(&db, &req, "courier", "courier_webhook_secret", now)?;
    let body: CourierUpdateBody = decode_json(req.body())?;
    let update = body.parse()?;
    let (shipment, changed) =
        fulfilment::courier_update(&db, &update, hold(), now).map_err(|err| match err {
            DispatchError::ShipmentNotFound(_) => {
                ApiError::unprocessable("shipment_id", err.to_string())
            }
            other => dispatch_error(other),
        })?;
    json(
        200,
        &CourierReportOutcome {
            changed,
            shipment: wire::shipment(&shipment, None),
        },
    )
}

/// `POST /dispatch/couriers` (staff): `{"id", "store_id", "name", "capacity", "active"?}` → 201.
fn add_courier(req: Request, _: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::Dispatch)?.id;
    let body: CourierBody = parse_json(&req)?;
    let courier = body.parse()?;
    let db = SpinSql::open_default()?;
    let added = fulfilment::add_courier(&db, &courier, &staff, now()).map_err(dispatch_error)?;
    created(
        &format!("/dispatch/couriers/{}", added.id.as_str()),
        &wire::courier(&added, 0),
    )
}

/// `GET /dispatch/couriers?store_id=..`: a store's couriers with the deliveries each carries.
fn list_couriers(req: Request, _: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Dispatch)?;
    let raw = match query_values(req.query(), "store_id").as_slice() {
        [one] => one.clone(),
        _ => {
            return Err(ApiError::invalid_field(
                "store_id",
                "give the store_id, once",
            ));
        }
    };
    let store = StoreId::parse(&raw).field("store_id")?;
    let db = SpinSql::open_default()?;
    let items = shipments::couriers_of(&db, &store)?
        .iter()
        .map(|c| Ok(wire::courier(c, shipments::courier_load(&db, &c.id)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    page(&items, None)
}

fn path_courier(params: &Params) -> Result<CourierId, ApiError> {
    params
        .get("id")
        .and_then(|raw| CourierId::parse(raw).ok())
        .ok_or_else(|| ApiError::not_found("no such courier"))
}

/// A dispatch refusal on a courier's own route: the courier of the path not existing is a
/// 404 there (in a body, `dispatch_error` names the field instead).
fn courier_route_error(err: DispatchError) -> ApiError {
    match err {
        DispatchError::UnknownCourier(_) => ApiError::not_found(err.to_string()),
        other => dispatch_error(other),
    }
}

/// `GET /dispatch/couriers/{id}`: one courier with the deliveries they carry.
fn get_courier(req: Request, params: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Dispatch)?;
    let id = path_courier(&params)?;
    let db = SpinSql::open_default()?;
    let courier = shipments::load_courier(&db, &id)?
        .ok_or_else(|| ApiError::not_found(format!("no courier {}", id.as_str())))?;
    let carrying = shipments::courier_load(&db, &id)?;
    json(200, &wire::courier(&courier, carrying))
}

/// `PUT /dispatch/couriers/{id}` `{"name", "capacity", "active"}` (staff).
fn update_courier(req: Request, params: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::Dispatch)?.id;
    let id = path_courier(&params)?;
    let change = parse_json::<CourierChangeBody>(&req)?.parse()?;
    let db = SpinSql::open_default()?;
    let updated = fulfilment::update_courier(&db, &id, &change, &staff, now())
        .map_err(courier_route_error)?;
    let carrying = shipments::courier_load(&db, &id)?;
    json(200, &wire::courier(&updated, carrying))
}

/// `GET /dispatch/couriers/{id}/route`: the courier's deliveries on hand in nearest-neighbour
/// order from the store, with each leg and the total distance.
fn route(req: Request, params: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Dispatch)?;
    let id = path_courier(&params)?;
    let db = SpinSql::open_default()?;
    let (courier, planned) = courier_route(&db, &id).map_err(courier_route_error)?;
    let start = load_store(&db, &courier.store)?.map(|s| s.location);
    json(200, &wire::route(&courier, start, &planned))
}

//! The stock function (`/stock/...`): levels at a store, availability near a point,
//! reservations (reserve, release, commit, sweep the expired), and the staff moves of stock
//! (in-store POS sales, receipts, adjustments with a reason code). Every rule is
//! `o2o_domain::stock`'s and every write one transaction of `o2o_domain::stock::repository`;
//! this file is the routing table: read and validate the request, call the domain, answer.
//!
//! Availability near a point is public (shoppers browse it); every other route is for staff
//! and integrators with a key holding the scope `stock`, and each staff write is audited.

mod wire;

use o2o_domain::auth::Scope;
use o2o_domain::geo::GeoPoint;
use o2o_domain::stock::repository::{self as stock, StockMove};
use o2o_domain::stock::{
    AdjustmentDelta, MovementKind, ReasonCode, ReservationId, ReservationLine, ReservationLines,
    ReservationStatus, ReservationTtl,
};
use o2o_domain::{Quantity, Sku, StoreId};
use o2o_edge::auth::staff;
use o2o_edge::edge_context::now;
use o2o_edge::json_body::parse_json;
use o2o_edge::respond::{created, finish, json};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::SpinSql;
use o2o_edge::{ApiError, FieldContext};
use serde_json::json;
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use wire::{Adjust, Fields, Reserve, UnitsAtStore, query_values, stock_error};

/// At most this many skus in one levels query.
const MAX_SKUS_PER_QUERY: usize = 100;

#[http_component]
fn handle(req: Request) -> Response {
    serve("stock", req, routing_table)
}

/// The routing table.
fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.get("/stock/levels", |r, p| finish(get_levels(r, p)));
    router.get("/stock/availability", |r, p| finish(get_availability(r, p)));
    router.post("/stock/reservations", |r, p| finish(reserve(r, p)));
    router.post("/stock/reservations/sweep", |r, p| finish(sweep(r, p)));
    router.get("/stock/reservations/:id", |r, p| {
        finish(get_reservation(r, p))
    });
    router.post("/stock/reservations/:id/release", |r, p| {
        finish(release(r, p))
    });
    router.post("/stock/reservations/:id/commit", |r, p| {
        finish(commit(r, p))
    });
    router.post("/stock/sales", |r, p| finish(pos_sale(r, p)));
    router.post("/stock/receipts", |r, p| finish(receipt(r, p)));
    router.post("/stock/adjustments", |r, p| finish(adjustment(r, p)));
    refuse_unrouted(
        &mut router,
        &[
            "/stock/levels",
            "/stock/availability",
            "/stock/reservations",
            "/stock/reservations/sweep",
            "/stock/reservations/:id",
            "/stock/reservations/:id/release",
            "/stock/reservations/:id/commit",
            "/stock/sales",
            "/stock/receipts",
            "/stock/adjustments",
        ],
        "stock",
    );
    router.handle(req)
}

/// Problems of requests about one store and one sku in a body.
const BODY_FIELDS: Fields<'static> = Fields {
    store: "store_id",
    sku: &body_sku_field,
    units: "quantity",
};

fn body_sku_field(_: &str) -> String {
    "sku".to_owned()
}

fn the_one(query: &str, key: &str) -> Result<String, ApiError> {
    let mut values = query_values(query, key);
    match values.len() {
        1 => Ok(values.remove(0)),
        0 => Err(ApiError::invalid_field(key, "required")),
        _ => Err(ApiError::invalid_field(key, "give it once")),
    }
}

fn coordinate(query: &str, key: &str) -> Result<f64, ApiError> {
    the_one(query, key)?
        .trim()
        .parse::<f64>()
        .map_err(|_| ApiError::invalid_field(key, "must be a number of decimal degrees"))
}

fn path_reservation_id(params: &Params) -> Result<ReservationId, ApiError> {
    params
        .get("id")
        .and_then(ReservationId::parse)
        .ok_or_else(|| ApiError::not_found("no such reservation"))
}

fn get_levels(req: Request, _: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Stock)?;
    let query = req.query();
    let store = StoreId::parse(&the_one(query, "store")?).field("store")?;
    let skus = query_values(query, "sku")
        .iter()
        .flat_map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>())
        .map(|raw| Sku::parse(raw.trim()).field("sku"))
        .collect::<Result<Vec<_>, _>>()?;
    if skus.is_empty() || skus.len() > MAX_SKUS_PER_QUERY {
        return Err(ApiError::invalid_field(
            "sku",
            format!("give 1 to {MAX_SKUS_PER_QUERY} skus"),
        ));
    }
    let db = SpinSql::open_default()?;
    let fields = Fields {
        store: "store",
        ..BODY_FIELDS
    };
    let levels =
        stock::levels_at(&db, &store, &skus, now()).map_err(|e| stock_error(e, &fields))?;
    json(200, &wire::levels_view(&store, &levels))
}

fn get_availability(req: Request, _: Params) -> Result<Response, ApiError> {
    let query = req.query();
    let sku = Sku::parse(&the_one(query, "sku")?).field("sku")?;
    let lat = coordinate(query, "lat")?;
    let lon = coordinate(query, "lon")?;
    let point = GeoPoint::new(lat, lon).map_err(|e| {
        let field = match e {
            o2o_domain::geo::GeoError::Latitude(_) => "lat",
            o2o_domain::geo::GeoError::Longitude(_) => "lon",
        };
        ApiError::invalid_field(field, e)
    })?;
    let db = SpinSql::open_default()?;
    let near = stock::availability_near(&db, &sku, point, now())
        .map_err(|e| stock_error(e, &BODY_FIELDS))?;
    json(200, &wire::availability_view(&sku, point, &near))
}

fn reserve(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Stock)?.id;
    let body: Reserve = parse_json(&req)?;
    let store = StoreId::parse(&body.store_id).field("store_id")?;
    let ttl = ReservationTtl::new(body.ttl_seconds).field("ttl_seconds")?;
    let lines = body
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            Ok(ReservationLine {
                sku: Sku::parse(&line.sku).field(&format!("lines[{i}].sku"))?,
                quantity: Quantity::try_from(line.quantity)
                    .field(&format!("lines[{i}].quantity"))?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let lines = ReservationLines::new(lines).map_err(|(line, e)| match line {
        Some(i) => ApiError::invalid_field(format!("lines[{i}].sku"), e),
        None => ApiError::invalid_field("lines", e),
    })?;
    let line_of = |sku: &str| {
        let i = lines
            .iter()
            .position(|l| l.sku.as_str() == sku)
            .unwrap_or(0);
        format!("lines[{i}].sku")
    };
    let fields = Fields {
        sku: &line_of,
        ..BODY_FIELDS
    };
    let db = SpinSql::open_default()?;
    let reservation = stock::reserve_by_staff(&db, &actor, &store, &lines, ttl, now())
        .map_err(|e| stock_error(e, &fields))?;
    created(
        &format!("/stock/reservations/{}", reservation.id),
        &wire::reservation_view(&reservation),
    )
}

fn get_reservation(req: Request, params: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Stock)?;
    let id = path_reservation_id(&params)?;
    let db = SpinSql::open_default()?;
    let reservation =
        stock::get_reservation(&db, id, now()).map_err(|e| stock_error(e, &BODY_FIELDS))?;
    json(200, &wire::reservation_view(&reservation))
}

fn release(req: Request, params: Params) -> Result<Response, ApiError> {
    close(&req, &params, ReservationStatus::Released)
}

fn commit(req: Request, params: Params) -> Result<Response, ApiError> {
    close(&req, &params, ReservationStatus::Committed)
}

/// Releases or commits the reservation of the path, for staff.
fn close(req: &Request, params: &Params, next: ReservationStatus) -> Result<Response, ApiError> {
    let actor = staff(req, Scope::Stock)?.id;
    let id = path_reservation_id(params)?;
    let db = SpinSql::open_default()?;
    let reservation = stock::close_by_staff(&db, &actor, id, next, now())
        .map_err(|e| stock_error(e, &BODY_FIELDS))?;
    json(200, &wire::reservation_view(&reservation))
}

fn sweep(req: Request, _: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Stock)?;
    let db = SpinSql::open_default()?;
    let expired = stock::sweep(&db, now()).map_err(|e| stock_error(e, &BODY_FIELDS))?;
    json(200, &json!({ "expired": expired }))
}

/// Runs one staff move and answers with the level after it.
fn apply_move(movement: &StockMove<'_>, units_field: &str) -> Result<Response, ApiError> {
    let db = SpinSql::open_default()?;
    let fields = Fields {
        units: units_field,
        ..BODY_FIELDS
    };
    let moved = stock::move_stock(&db, movement, now()).map_err(|e| stock_error(e, &fields))?;
    json(200, &wire::moved_view(movement, &moved.after))
}

fn pos_sale(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Stock)?.id;
    let body: UnitsAtStore = parse_json(&req)?;
    let store = StoreId::parse(&body.store_id).field("store_id")?;
    let sku = Sku::parse(&body.sku).field("sku")?;
    let units = Quantity::try_from(body.quantity).field("quantity")?;
    apply_move(
        &StockMove {
            store: &store,
            sku: &sku,
            delta: -i64::from(units.get()),
            kind: MovementKind::PosSale,
            reason: None,
            actor: &actor,
        },
        "quantity",
    )
}

fn receipt(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Stock)?.id;
    let body: UnitsAtStore = parse_json(&req)?;
    let store = StoreId::parse(&body.store_id).field("store_id")?;
    let sku = Sku::parse(&body.sku).field("sku")?;
    let units = body.quantity;
    if !(1..=AdjustmentDelta::MAX).contains(&units) {
        return Err(ApiError::invalid_field(
            "quantity",
            format!("must be between 1 and {}", AdjustmentDelta::MAX),
        ));
    }
    apply_move(
        &StockMove {
            store: &store,
            sku: &sku,
            delta: units,
            kind: MovementKind::Receipt,
            reason: None,
            actor: &actor,
        },
        "quantity",
    )
}

fn adjustment(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Stock)?.id;
    let body: Adjust = parse_json(&req)?;
    let store = StoreId::parse(&body.store_id).field("store_id")?;
    let sku = Sku::parse(&body.sku).field("sku")?;
    let delta = AdjustmentDelta::new(body.delta).field("delta")?;
    let reason = ReasonCode::parse(&body.reason_code).field("reason_code")?;
    apply_move(
        &StockMove {
            store: &store,
            sku: &sku,
            delta: delta.get(),
            kind: MovementKind::Adjustment,
            reason: Some(reason),
            actor: &actor,
        },
        "delta",
    )
}

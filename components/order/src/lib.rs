//! The order function (`/orders/...`): place an order (the workflow in
//! `o2o_domain::order::place`, exactly once per `Idempotency-Key`), read one with its status
//! timeline, list a customer's orders, cancel, confirm a payment (a webhook signed by the
//! payment provider), and expire unpaid orders (a sweep for a scheduler). Every rule is
//! `o2o_domain::order`'s; pricing is the quote function's code, run in-process (`pricing`:
//! Fermyon Cloud has no service chaining). This file is the routing table.
//!
//! Orders are placed by signed-in customers (a bearer token). An order is seen and cancelled
//! by its customer, and by staff whose key holds `dispatch`, `refund-approve` or `reports`
//! (cancelling: `dispatch`); to anyone else it does not exist (404). The expiry sweep is for a
//! scheduler's key with `dispatch`; the payment confirmation is signed, not keyed.

mod pricing;
mod wire;

use o2o_domain::auth::{Principal, Scope};
use o2o_domain::idempotency::SavedResponse;
use o2o_domain::order::Order;
use o2o_domain::order::lifecycle::{self, PaymentConfirmation};
use o2o_domain::order::repository as orders;
use o2o_domain::order::{Attempt, OrderPolicy, PlaceOrderError, PlaceOutcome, place_order};
use o2o_domain::stock::ReservationTtl;
use o2o_domain::storage::StoreError;
use o2o_domain::{CustomerId, OrderId};
use o2o_edge::auth::{customer, signed_in, staff};
use o2o_edge::edge_context::{now, seconds_variable};
use o2o_edge::idempotent;
use o2o_edge::inbound::accept_signed;
use o2o_edge::json_body::{decode_json, parse_json};
use o2o_edge::query::query_value;
use o2o_edge::respond::{finish, json, page};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::{SpinKeyValue, SpinSql};
use o2o_edge::{ApiError, FieldContext};
use serde_json::json;
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use pricing::InProcessQuote;
use wire::{
    CancelBody, PaymentBody, PlaceOrderBody, order_error, parse_place_order, place_order_error,
    to_wire,
};

/// An online order waits 30 minutes for its payment unless `order_payment_window_seconds`
/// says otherwise (bounded like any reservation: 1 to 60 minutes).
const DEFAULT_PAYMENT_WINDOW_SECONDS: i64 = 30 * 60;
/// A paid or pay-at-pickup order holds its goods 7 days unless `order_hold_seconds` says
/// otherwise: long enough for dispatch or collection, short enough that forgotten goods return.
const DEFAULT_HOLD_SECONDS: i64 = 7 * 24 * 60 * 60;
/// At most this many orders per page, and per sweep.
const MAX_PAGE: u32 = 100;
const DEFAULT_PAGE: u32 = 20;
const SWEEP_BATCH: u32 = 200;
/// Staff who may read any order.
const STAFF_READERS: &[Scope] = &[Scope::Dispatch, Scope::RefundApprove, Scope::Reports];

#[http_component]
fn handle(req: Request) -> Response {
    serve("order", req, routing_table)
}

/// The routing table.
fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.post("/orders", |r, p| finish(place(r, p)));
    router.get("/orders", |r, p| finish(list(r, p)));
    router.post("/orders/sweep", |r, p| finish(sweep(r, p)));
    router.get("/orders/:id", |r, p| finish(get(r, p)));
    router.post("/orders/:id/cancel", |r, p| finish(cancel(r, p)));
    router.post("/orders/:id/payment", |r, p| finish(confirm_payment(r, p)));
    refuse_unrouted(
        &mut router,
        &[
            "/orders",
            "/orders/sweep",
            "/orders/:id",
            "/orders/:id/cancel",
            "/orders/:id/payment",
        ],
        "order",
    );
    router.handle(req)
}

fn policy() -> Result<OrderPolicy, ApiError> {
    let window = seconds_variable(
        "order_payment_window_seconds",
        DEFAULT_PAYMENT_WINDOW_SECONDS,
    );
    Ok(OrderPolicy {
        payment_window: ReservationTtl::new(Some(window.num_seconds()))
            .field("order_payment_window_seconds")?,
        hold_after_confirmation: seconds_variable("order_hold_seconds", DEFAULT_HOLD_SECONDS),
    })
}

/// `POST /orders`: the workflow, once per key: a placed order and its key's saved answer
/// commit together, or nothing does; a finished request's answer is replayed.
fn place(req: Request, _: Params) -> Result<Response, ApiError> {
    let customer = customer(&req)?;
    let key = idempotent::key(&req, "placing an order")?;
    let body: PlaceOrderBody = parse_json(&req)?;
    let request = parse_place_order(body, customer)?;
    let (key, hash) = idempotent::scoped(&req, key, "POST /orders")?;
    let policy = policy()?;
    let now = now();
    let db = SpinSql::open_default()?;
    let kv = SpinKeyValue::open_default()?;
    let pricer = InProcessQuote {
        kv: &kv,
        customer: &request.customer,
        now,
    };
    let attempt = Attempt {
        key: &key,
        hash: &hash,
        now,
    };
    let answer = |order: &Order| {
        let body = serde_json::to_string(&to_wire(order))
            .map_err(|e| PlaceOrderError::Store(StoreError::Corrupt(e.to_string())))?;
        Ok(SavedResponse { status: 201, body })
    };
    match place_order(&kv, &db, &pricer, &request, policy, &attempt, answer) {
        Ok(PlaceOutcome::Placed(placed)) => Ok(idempotent::respond(
            placed.answer,
            Some(format!("/orders/{}", placed.order)),
        )),
        Ok(PlaceOutcome::Replayed(saved)) => {
            let location = saved_order_location(&saved.body);
            Ok(idempotent::respond(saved, location))
        }
        Err(failed) => Err(place_order_error(failed.error)),
    }
}

/// The `Location` of a replayed order: its id, read back from the saved body.
fn saved_order_location(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|order| order["id"].as_str().map(|id| format!("/orders/{id}")))
}

fn path_order_id(params: &Params) -> Result<OrderId, ApiError> {
    params
        .get("id")
        .and_then(OrderId::parse)
        .ok_or_else(|| ApiError::not_found("no such order"))
}

/// Order `id` as `caller` may see it: another customer's order is not found, exactly like an
/// order that never existed.
fn visible_order(
    db: &SpinSql,
    id: OrderId,
    caller: &Principal,
    staff_scopes: &[Scope],
) -> Result<Order, ApiError> {
    lifecycle::get(db, id, now())
        .map_err(order_error)
        .and_then(|order| {
            if caller.may_see(Some(&order.customer), staff_scopes) {
                Ok(order)
            } else {
                Err(ApiError::not_found(format!("no order {id}")))
            }
        })
}

fn get(req: Request, params: Params) -> Result<Response, ApiError> {
    let caller = signed_in(&req)?;
    let id = path_order_id(&params)?;
    let db = SpinSql::open_default()?;
    let order = visible_order(&db, id, &caller, STAFF_READERS)?;
    json(200, &to_wire(&order))
}

/// `GET /orders?limit=..&cursor=..`: the signed-in customer's orders, newest first (staff name
/// the customer: `?customer_id=..`); `next_cursor` is the `cursor` of the next page, `null` on
/// the last.
fn list(req: Request, _: Params) -> Result<Response, ApiError> {
    let query = req.query();
    let named = query_value(query, "customer_id")?;
    let customer = match signed_in(&req)? {
        Principal::Customer(own) if named.is_none() => own,
        Principal::Customer(_) => {
            return Err(ApiError::invalid_field(
                "customer_id",
                "a customer lists their own orders; customer_id is for staff",
            ));
        }
        _ => {
            o2o_edge::auth::staff_any(&req, STAFF_READERS)?;
            CustomerId::parse(named.as_deref().unwrap_or_default()).field("customer_id")?
        }
    };
    let limit = match query_value(query, "limit")? {
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| ApiError::invalid_field("limit", format!("1 to {MAX_PAGE}")))?,
        None => DEFAULT_PAGE,
    };
    let cursor = query_value(query, "cursor")?
        .map(|raw| {
            OrderId::parse(&raw).ok_or_else(|| ApiError::invalid_field("cursor", "not a cursor"))
        })
        .transpose()?;
    let db = SpinSql::open_default()?;
    let found = orders::list_for_customer(&db, &customer, cursor, limit + 1)?;
    let next_cursor =
        (found.len() > limit as usize).then(|| found[limit as usize - 1].id.to_string());
    let items = found
        .iter()
        .take(limit as usize)
        .map(to_wire)
        .collect::<Vec<_>>();
    page(&items, next_cursor)
}

fn cancel(req: Request, params: Params) -> Result<Response, ApiError> {
    let caller = signed_in(&req)?;
    let id = path_order_id(&params)?;
    let db = SpinSql::open_default()?;
    visible_order(&db, id, &caller, &[Scope::Dispatch])?;
    let body: CancelBody = if req.body().is_empty() {
        CancelBody::default()
    } else {
        parse_json(&req)?
    };
    let reason = body.reason()?;
    let order = lifecycle::cancel(&db, id, reason.as_deref(), now()).map_err(order_error)?;
    json(200, &to_wire(&order))
}

/// `POST /orders/{id}/payment`: the payment provider's confirmation, signed with
/// `payment_webhook_secret` (see `o2o_domain::inbound_webhook`).
fn confirm_payment(req: Request, params: Params) -> Result<Response, ApiError> {
    let id = path_order_id(&params)?;
    let now = now();
    let db = SpinSql::open_default()?;
    accept_signed(&db, &req, "payment", "payment_webhook_secret", now)?;
    let body: PaymentBody = decode_json(req.body())?;
    let payment: PaymentConfirmation = body.parse()?;
    let hold = seconds_variable("order_hold_seconds", DEFAULT_HOLD_SECONDS);
    let order = lifecycle::confirm_payment(&db, id, &payment, hold, now).map_err(order_error)?;
    json(200, &to_wire(&order))
}

/// `POST /orders/sweep`: expires unpaid orders past their window → `{"expired": n}`.
fn sweep(req: Request, _: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Dispatch)?;
    let db = SpinSql::open_default()?;
    let expired = lifecycle::sweep_unpaid(&db, now(), SWEEP_BATCH).map_err(order_error)?;
    json(200, &json!({"expired": expired}))
}

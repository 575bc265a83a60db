//! The refund function (`/refunds/...`): request a refund of lines of an order (partial
//! allowed, exactly once per `Idempotency-Key`), read one, list an order's refunds with its
//! money (paid − refunded = net), approve or reject (staff), and the payment provider's signed
//! completion callback. Every rule is `o2o_domain::refund`'s; this file is the routing table.
//!
//! A refund is asked for by the order's customer (bearer token) or by staff whose key holds
//! `refund-approve`, who also approve and reject. A refund and an order's refunds are seen by
//! that customer and by staff with `refund-approve` or `reports`; to anyone else they do not
//! exist (404). The completion callback is signed by the payment provider, not keyed.

mod wire;

use o2o_domain::auth::{Principal, Scope};
use o2o_domain::idempotency::SavedResponse;
use o2o_domain::refund::{self, RefundId, RefundPolicy, RefundRequest, Requester, lifecycle};
use o2o_domain::storage::StoreError;
use o2o_domain::{Currency, Money, OrderId};
use o2o_edge::ApiError;
use o2o_edge::auth::{signed_in, staff};
use o2o_edge::edge_context::now;
use o2o_edge::idempotent::{self, Answered};
use o2o_edge::inbound::accept_signed;
use o2o_edge::json_body::{decode_json, parse_json};
use o2o_edge::query::query_values;
use o2o_edge::respond::{finish, json};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::SpinSql;
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use wire::{CompletionBody, RefundBody, RejectBody, parse_ask, refund_error, text_field, to_wire};

/// Refunds up to this total are approved without staff unless `refund_auto_approve_max` says
/// otherwise.
const DEFAULT_AUTO_APPROVE_MAX: &str = "50.00";

#[http_component]
fn handle(req: Request) -> Response {
    serve("refund", req, routing_table)
}

/// The routing table.
fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.post("/refunds", |r, p| finish(request(r, p)));
    router.get("/refunds", |r, p| finish(list(r, p)));
    router.get("/refunds/:id", |r, p| finish(get(r, p)));
    router.post("/refunds/:id/approve", |r, p| finish(approve(r, p)));
    router.post("/refunds/:id/reject", |r, p| finish(reject(r, p)));
    router.post("/refunds/:id/completion", |r, p| finish(complete(r, p)));
    refuse_unrouted(
        &mut router,
        &[
            "/refunds",
            "/refunds/:id",
            "/refunds/:id/approve",
            "/refunds/:id/reject",
            "/refunds/:id/completion",
        ],
        "refund",
    );
    router.handle(req)
}

/// The threshold of automatic approval, from `refund_auto_approve_max`. A value that is set
/// but unreadable is an operator error: logged, and nothing is approved automatically.
fn policy() -> RefundPolicy {
    let parse = |raw: &str| Money::parse(raw.trim(), Currency::SHOP).ok();
    let auto_approve_max = match spin_sdk::variables::get("refund_auto_approve_max") {
        Ok(raw) => parse(&raw).filter(|m| !m.is_negative()).unwrap_or_else(|| {
            eprintln!("variable refund_auto_approve_max={raw:?} is not an amount; approving none");
            Money::zero(Currency::SHOP)
        }),
        Err(_) => parse(DEFAULT_AUTO_APPROVE_MAX).unwrap_or(Money::zero(Currency::SHOP)),
    };
    RefundPolicy { auto_approve_max }
}

/// Staff who may read any refund.
const STAFF_READERS: &[Scope] = &[Scope::RefundApprove, Scope::Reports];

/// Who asks: the signed-in customer (the domain checks they own the order), or staff with
/// `refund-approve`.
fn requester(req: &Request) -> Result<Requester, ApiError> {
    match signed_in(req)? {
        Principal::Customer(customer) => Ok(Requester::Customer(customer)),
        _ => Ok(Requester::Staff(staff(req, Scope::RefundApprove)?.id)),
    }
}

/// Another customer's refund or order is not found, exactly like one that never existed.
fn unless_visible(
    caller: &Principal,
    owner: &o2o_domain::CustomerId,
    what: String,
) -> Result<(), ApiError> {
    if caller.may_see(Some(owner), STAFF_READERS) {
        Ok(())
    } else {
        Err(ApiError::not_found(what))
    }
}

/// `POST /refunds`: once per key. The refund, its key and its saved answer commit together,
/// so a request that fails (or is killed) has written nothing and a retry runs anew; a refund
/// made is replayed to the same key and body.
fn request(req: Request, _: Params) -> Result<Response, ApiError> {
    let requester = requester(&req)?;
    let key = idempotent::key(&req, "requesting a refund")?;
    let body: RefundBody = parse_json(&req)?;
    let order = OrderId::parse(&body.order_id)
        .ok_or_else(|| ApiError::invalid_field("order_id", "is not an order id"))?;
    let ask = parse_ask(&body)?;
    let reason = text_field(&body.reason, "reason")?;
    let request = RefundRequest {
        order,
        requester,
        reason,
        ask,
    };
    let (key, hash) = idempotent::scoped(&req, key, "POST /refunds")?;
    let (policy, now) = (policy(), now());
    let db = SpinSql::open_default()?;
    let answered = idempotent::once_per_key(&db, &key, &hash, now, || {
        let made = refund::request_within(&db, &request, policy, now).map_err(refund_error)?;
        Ok(SavedResponse {
            status: 201,
            body: serde_json::to_string(&to_wire(&made))
                .map_err(|e| ApiError::Storage(StoreError::Corrupt(e.to_string())))?,
        })
    })?;
    let (Answered::Done(saved) | Answered::Replayed(saved)) = answered;
    let location = refund_location(&saved.body);
    Ok(idempotent::respond(saved, location))
}

/// The `Location` of a refund answer: its id, read from the body.
fn refund_location(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["id"].as_str().map(|id| format!("/refunds/{id}")))
}

fn path_refund_id(params: &Params) -> Result<RefundId, ApiError> {
    params
        .get("id")
        .and_then(RefundId::parse)
        .ok_or_else(|| ApiError::not_found("no such refund"))
}

fn get(req: Request, params: Params) -> Result<Response, ApiError> {
    let caller = signed_in(&req)?;
    let id = path_refund_id(&params)?;
    let db = SpinSql::open_default()?;
    let found = lifecycle::get(&db, id).map_err(refund_error)?;
    unless_visible(&caller, &found.customer, format!("no refund {id}"))?;
    json(200, &to_wire(&found))
}

/// `GET /refunds?order_id=..`: the order's refunds, oldest first, with its money.
fn list(req: Request, _: Params) -> Result<Response, ApiError> {
    let caller = signed_in(&req)?;
    let values = query_values(req.query(), "order_id");
    let [raw] = values.as_slice() else {
        return Err(ApiError::invalid_field("order_id", "give one order_id"));
    };
    let order = OrderId::parse(raw)
        .ok_or_else(|| ApiError::invalid_field("order_id", "is not an order id"))?;
    let db = SpinSql::open_default()?;
    let (order, refunds) = lifecycle::of_order(&db, order).map_err(refund_error)?;
    unless_visible(&caller, &order.customer, format!("no order {}", order.id))?;
    json(200, &wire::order_refunds(&order, &refunds)?)
}

/// `POST /refunds/{id}/approve` (staff).
fn approve(req: Request, params: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::RefundApprove)?.id;
    let id = path_refund_id(&params)?;
    let db = SpinSql::open_default()?;
    let approved = refund::approve(&db, id, &staff, now()).map_err(refund_error)?;
    json(200, &to_wire(&approved))
}

/// `POST /refunds/{id}/reject` (staff) with `{"note"}`.
fn reject(req: Request, params: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::RefundApprove)?.id;
    let id = path_refund_id(&params)?;
    let body: RejectBody = parse_json(&req)?;
    let note = text_field(&body.note, "note")?;
    let db = SpinSql::open_default()?;
    let rejected = refund::reject(&db, id, &staff, &note, now()).map_err(refund_error)?;
    json(200, &to_wire(&rejected))
}

/// `POST /refunds/{id}/completion`: the payment provider's callback, signed with
/// `refund_webhook_secret` (see `o2o_domain::inbound_webhook`).
fn complete(req: Request, params: Params) -> Result<Response, ApiError> {
    let id = path_refund_id(&params)?;
    let now = now();
    let db = SpinSql::open_default()?;
    accept_signed(&db, &req, "refund", "refund_webhook_secret", now)?;
    let body: CompletionBody = decode_json(req.body())?;
    let completion = body.parse()?;
    let completed = refund::complete(&db, id, &completion, now).map_err(refund_error)?;
    json(200, &to_wire(&completed))
}

//! The quote function (`/quote`): price a cart or an explicit line list for a customer (or a
//! guest), a fulfilment mode (pickup at a store, or delivery to a point) and coupon codes, and
//! keep the priced snapshot in key-value until `valid_until`; read a snapshot back. Every rule
//! is `o2o_domain`'s (`pricing::price_basket`, the `geo` reach rule); the rules and facts come
//! from SQLite through `o2o_domain::pricing_rules_store`. This file is the routing table:
//! parse (`wire`), gather (`basket`), price, write once after every check passed (`snapshot`).
//!
//! The customer is the bearer token's: a signed-in customer gets their member prices, and their
//! quotes and carts are theirs alone; without a token the quote is a guest's.

mod basket;
mod snapshot;
mod wire;

use o2o_domain::QuoteId;
use o2o_domain::pricing::price_basket;
use o2o_edge::ApiError;
use o2o_edge::auth::principal;
use o2o_edge::edge_context::{now, seconds_variable};
use o2o_edge::json_body::parse_json;
use o2o_edge::respond::{created, finish, json};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::{SpinKeyValue, SpinSql};
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use snapshot::{load_quote, save_quote};
use wire::{QuoteBody, QuoteContext, parse_body, pricing_error, to_wire};

/// A quote is honoured for 15 minutes unless `quote_ttl_seconds` says otherwise.
const DEFAULT_QUOTE_TTL_SECONDS: i64 = 15 * 60;

#[http_component]
fn handle(req: Request) -> Response {
    serve("quote", req, routing_table)
}

/// The routing table.
fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.post("/quote", |r, p| finish(create_quote(r, p)));
    router.get("/quote/:id", |r, p| finish(get_quote(r, p)));
    refuse_unrouted(&mut router, &["/quote", "/quote/:id"], "quote");
    router.handle(req)
}

fn create_quote(req: Request, _: Params) -> Result<Response, ApiError> {
    // A signed-in customer gets their member prices and coupons; anyone else (a guest, or a
    // staff key) is priced as a guest.
    let customer = principal(&req)?.as_customer().cloned();
    let body: QuoteBody = parse_json(&req)?;
    let request = parse_body(body, customer)?;
    let now = now();
    let kv = SpinKeyValue::open_default()?;
    let db = SpinSql::open_default()?;
    let basket = basket::gather(&kv, &db, &request, now)?;
    let priced = price_basket(&basket.input, &basket.rules, now).map_err(pricing_error)?;

    let id = QuoteId::new(now);
    let quote = to_wire(
        QuoteContext {
            id,
            cart_id: basket.cart_id,
            customer_id: basket.input.customer.as_ref().map(|c| &c.id),
            store: &basket.store,
            fulfilment: request.wire_fulfilment.clone(),
            delivery_distance_m: basket.delivery_distance_m,
            coupon_codes: &request.coupon_codes,
            created_at: now,
            valid_until: now + seconds_variable("quote_ttl_seconds", DEFAULT_QUOTE_TTL_SECONDS),
        },
        &priced,
    )?;
    save_quote(&kv, id, &quote)?;
    created(&format!("/quote/{id}"), &quote)
}

/// A customer's quote is read by that customer only (anyone else: 404); a guest's by whoever
/// holds its id.
fn get_quote(req: Request, params: Params) -> Result<Response, ApiError> {
    let caller = principal(&req)?;
    let id = params
        .get("id")
        .and_then(QuoteId::parse)
        .ok_or_else(|| ApiError::not_found("no such quote"))?;
    let kv = SpinKeyValue::open_default()?;
    let quote = load_quote(&kv, id, now())?
        .filter(|quote| caller.may_see_owned_by(quote.customer_id.as_deref(), &[]))
        .ok_or_else(|| ApiError::not_found(format!("no quote {id} (or it expired)")))?;
    json(200, &quote)
}

//! The quote function (`/quote`): price a cart or an explicit line list for a customer (or a
//! guest), a fulfilment mode (pickup at a store, or delivery to a point) and coupon codes, and
//! keep the priced snapshot in key-value until `valid_until`; read a snapshot back. Every rule
//! is `o2o_domain`'s (`pricing::price_basket`, the `geo` reach rule); the rules and facts come
//! from SQLite through `o2o_domain::pricing::repository`. This file is the routing table:
//! parse (`wire`), then `o2o_quoting::make_quote` gathers and prices (the same code place-order
//! prices with), and the snapshot is kept once every check passed.
//!
//! The customer is the bearer token's: a signed-in customer gets their member prices, and their
//! quotes and carts are theirs alone; without a token the quote is a guest's.

mod wire;

use o2o_domain::QuoteId;
use o2o_edge::ApiError;
use o2o_edge::auth::principal;
use o2o_edge::edge_context::now;
use o2o_edge::json_body::parse_json;
use o2o_edge::respond::{created, finish, json};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::{SpinKeyValue, SpinSql};
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use o2o_quoting::snapshot::{load_quote, save_quote};
use o2o_quoting::{make_quote, quote_ttl};
use wire::{QuoteBody, parse_body};

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
    let quote = make_quote(&kv, &db, &request, now, quote_ttl())?;
    save_quote(&kv, &quote)?;
    created(&format!("/quote/{}", quote.id), &quote)
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

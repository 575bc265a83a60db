//! Making a quote, one home for the quote function and place-order alike (issue 11: Fermyon
//! Cloud has no service chaining, so the order function prices in-process with this same
//! code instead of calling the quote function). `make_quote` gathers the basket from the
//! stores (`basket`), prices it with the domain's engine (`o2o_domain::pricing::price_basket`),
//! and turns it into the wire document (`document`). The quote function keeps what it answers
//! as a snapshot in key-value (`snapshot`) until `valid_until`, so that an order can honour
//! the very prices shown; place-order's own pricing is not kept (the order holds its prices,
//! and a key per order would fill the 1,024 keys Fermyon Cloud allows by default).

pub mod basket;
pub mod document;
pub mod fulfilment;
pub mod snapshot;

use chrono::{DateTime, Duration, Utc};
use o2o_domain::QuoteId;
use o2o_domain::pricing::price_basket;
use o2o_domain::storage::{KeyValue, Sql};
use o2o_edge::ApiError;
use o2o_edge::edge_context::seconds_variable;

use basket::{LineSource, QuoteRequest};
use document::{QuoteContext, pricing_error, to_wire};
use o2o_domain::pricing::repository::basket_facts::BasketFacts;

/// A quote is honoured for 15 minutes unless `quote_ttl_seconds` says otherwise.
const DEFAULT_QUOTE_TTL_SECONDS: i64 = 15 * 60;

/// How long a quote is honoured (the Spin variable `quote_ttl_seconds`).
pub fn quote_ttl() -> Duration {
    seconds_variable("quote_ttl_seconds", DEFAULT_QUOTE_TTL_SECONDS)
}

/// Prices `request` at `now`, valid for `ttl`: the document as the client receives it. Only
/// reads.
pub fn make_quote(
    kv: &impl KeyValue,
    db: &impl Sql,
    request: &QuoteRequest,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<o2o_contract::Quote, ApiError> {
    let basket = basket::gather(kv, db, request, now)?;
    document_of(basket, request, now, ttl)
}

/// Prices `request`, whose lines it names, from what `read_basket` already found: how
/// place-order prices inside its transaction without reading again.
pub fn make_quote_from(
    found: &BasketFacts,
    request: &QuoteRequest,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<o2o_contract::Quote, ApiError> {
    let LineSource::Lines(lines) = &request.source else {
        return Err(ApiError::unprocessable(
            "cart_id",
            "a cart is read before its basket is priced",
        ));
    };
    let basket = basket::assemble(
        found,
        request,
        None,
        request.customer.clone(),
        lines.clone(),
    )?;
    document_of(basket, request, now, ttl)
}

fn document_of(
    basket: basket::Basket,
    request: &QuoteRequest,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<o2o_contract::Quote, ApiError> {
    let priced = price_basket(&basket.input, &basket.rules, now).map_err(pricing_error)?;
    let id = QuoteId::new(now);
    let quote = to_wire(
        QuoteContext {
            id,
            cart_id: basket.cart_id,
            customer_id: basket.input.customer.as_ref().map(|c| &c.id),
            store: &basket.store,
            fulfilment: fulfilment::to_wire(&request.fulfilment),
            delivery_distance_m: basket.delivery_distance_m,
            coupon_codes: &request.coupon_codes,
            created_at: now,
            valid_until: now + ttl,
        },
        &priced,
    )?;
    Ok(quote)
}

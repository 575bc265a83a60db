//! Place order, the shop's one workflow (issue 5). Read top to bottom, `place_order` is the
//! list of steps (CONVENTIONS.md, "Steps carry their compensation"):
//!
//! | step | does | undone by |
//! |---|---|---|
//! | load the lines | the cart from key-value (or the lines given) | nothing to undo: reads |
//! | *one transaction*: read the basket | everything below needs, in one statement, with the key's saved answer: a finished request with this Idempotency-Key is answered again | nothing to undo: reads |
//! | choose the store | pickup: the one chosen; delivery: the nearest store within its radius that has every line | nothing to undo: decides |
//! | price | the confirmed quote while valid and matching, else a fresh one from what was read; a confirmed total that changed is a conflict | nothing to undo: decides |
//! | reserve | every line at the store, all or none | the rollback |
//! | take coupon uses and flash-sale units | within their limits | the rollback |
//! | write the order | order, lines, timeline and `order.placed` in the outbox, answered | the rollback |
//! | keep the answer for the key | the key bound to this request's answer | the rollback |
//! | clear the cart | take the ordered units out of it (delete it when emptied), after the commit, under the carts' lock | never undone: the order stands |
//!
//! Every write of an order is one `BEGIN IMMEDIATE` transaction (issue 11), and so are its
//! reads (issue 12: at most 11 statements, whatever the number of lines; lines reaching their
//! reorder point add two for all their alerts, reservations due to expire are expired first;
//! clearing a cart takes the carts' lock after it, two more): a failure, a trap
//! or a killed instance at any point leaves nothing behind (SQLite rolls back a transaction
//! whose connection goes away), so correctness never depends on code running after a failure,
//! and the key is "in flight" only while its request holds the lock. Concurrent requests with
//! one key meet at the read: the second waits for the lock and then replays the first's
//! answer. Pricing reaches the quote code through the `Pricer` port, so that this workflow
//! stays plain Rust, testable and measurable natively.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::cart::repository::{load_cart, take_ordered_from_cart};
use crate::geo::{NotDeliverable, nearest_delivering_store, nearest_first};
use crate::idempotency::{
    self, IdempotencyOutcome, KeyRefused, RequestHash, SavedResponse, ScopedKey,
};
use crate::ids::{CartId, CustomerId, OrderId, QuoteId, StoreId};
use crate::pricing::CouponCode;
use crate::pricing::repository::basket_facts::{
    BasketFacts, BasketQuery, FulfilledBy, Placing, read_basket,
};
use crate::pricing::repository::{CatalogStore, load_store};
use crate::stock::{self, NearbyStock};
use crate::stock::{ReservationId, ReservationTtl, StockError};
use crate::storage::in_immediate_transaction;
use crate::storage::{KeyValue, Sql, StoreError};
use crate::values::{Quantity, Sku};

use super::frozen::{FrozenQuote, FrozenQuoteError};
use super::fulfilment::{DeliverTo, FulfilmentMode, PickupAt};
use super::limits::{self, LimitError};
use super::repository::{self as orders, NewOrder, Order};
use super::status::PaymentMethod;

/// Where the lines come from.
#[derive(Debug, Clone)]
pub enum LineSource {
    Cart(CartId),
    Lines(Vec<(Sku, Quantity)>),
}

/// A place-order request, every value parsed.
#[derive(Debug, Clone)]
pub struct PlaceOrder {
    pub customer: CustomerId,
    pub source: LineSource,
    /// How the goods reach the customer: kept on the order, passed to pricing.
    pub fulfilment: FulfilmentMode,
    pub confirmed_quote: Option<QuoteId>,
    pub payment_method: PaymentMethod,
    pub coupon_codes: Vec<CouponCode>,
}

/// What pricing is asked: these lines, for this customer, from this store, with the rules and
/// facts read for them inside the order's transaction.
#[derive(Debug, Clone)]
pub struct PriceAsk<'a> {
    pub customer: &'a CustomerId,
    pub lines: &'a [(Sku, Quantity)],
    pub store: &'a StoreId,
    pub fulfilment: &'a FulfilmentMode,
    pub coupon_codes: &'a [CouponCode],
    pub found: &'a BasketFacts,
}

/// A priced quote: frozen for the order, and the document the customer would be shown.
#[derive(Debug, Clone)]
pub struct Priced {
    pub frozen: FrozenQuote,
    pub document: Value,
}

/// The port to pricing (the quote function's own code, run in-process by the order function).
pub trait Pricer {
    /// Prices the lines anew.
    fn price(&self, ask: &PriceAsk<'_>) -> Result<Priced, PlaceOrderError>;
    /// A kept snapshot, while it is valid.
    fn snapshot(&self, id: QuoteId) -> Result<Option<Priced>, PlaceOrderError>;
    /// Keeps a quote the customer is shown (the new quote a changed price answers with), so
    /// that it can be confirmed like any quote. Place-order's other pricing is not kept.
    fn keep(&self, quote: &Priced) -> Result<(), PlaceOrderError>;
}

/// The shop's settings for new orders.
#[derive(Debug, Clone, Copy)]
pub struct OrderPolicy {
    /// How long an online order waits for its payment (and holds its goods meanwhile).
    pub payment_window: ReservationTtl,
    /// How long a confirmed (pay-at-pickup) or paid order holds its goods.
    pub hold_after_confirmation: Duration,
}

/// Per line, the stores that have it and how many: where else the customer could get it.
#[derive(Debug, Clone, PartialEq)]
pub struct LineAvailability {
    pub sku: Sku,
    pub requested: u32,
    pub stores: Vec<NearbyStock>,
}

/// Why an order was not placed. Nothing is left behind by any of them.
#[derive(Debug, thiserror::Error)]
pub enum PlaceOrderError {
    /// No such cart, or another customer's: the two are told apart to nobody.
    #[error("no cart {0} (or it expired)")]
    UnknownCart(CartId),
    #[error("the cart is empty")]
    EmptyCart,
    #[error("{} is not one of our stores, or does not offer pickup", .0.as_str())]
    UnknownPickupStore(StoreId),
    /// Delivery: no store delivers to the address at all (the quote's reach rule).
    #[error(transparent)]
    NotDeliverable(NotDeliverable),
    /// Delivery: no store within reach holds every line; per line, where it is available.
    #[error("no store that delivers there has every line")]
    NoStoreHasEverything(Vec<LineAvailability>),
    /// Stock ran out between choosing and reserving (someone else got there first).
    #[error("not enough stock at {}", store.as_str())]
    OutOfStock {
        store: StoreId,
        lines: Vec<LineAvailability>,
    },
    #[error("the confirmed quote {confirmed} is no longer the price: confirm the new quote")]
    QuoteChanged {
        confirmed: QuoteId,
        new_quote: Box<Value>,
    },
    #[error(transparent)]
    Limit(LimitError),
    /// Pricing refused the request: its problem, passed on as it came.
    #[error("pricing refused the order ({status})")]
    Pricing { status: u16, problem: Box<Value> },
    #[error("the quote does not add up: {0}")]
    QuoteInconsistent(FrozenQuoteError),
    #[error("a sku appears in more than one line")]
    DuplicateLine,
    #[error(transparent)]
    Stock(StockError),
    /// The caller's Idempotency-Key was used for another request, or (a request of the old
    /// layout only) is still marked in flight.
    #[error("the Idempotency-Key cannot be used for this request")]
    KeyRefused(IdempotencyOutcome),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<StockError> for PlaceOrderError {
    fn from(value: StockError) -> Self {
        match value {
            StockError::Store(store) => PlaceOrderError::Store(store),
            other => PlaceOrderError::Stock(other),
        }
    }
}

impl From<LimitError> for PlaceOrderError {
    fn from(value: LimitError) -> Self {
        match value {
            LimitError::Store(store) => PlaceOrderError::Store(store),
            other => PlaceOrderError::Limit(other),
        }
    }
}

/// Place-order that failed: at which step (the names of the table above), and why. Nothing
/// was written: the one transaction's rollback undid every step before it.
#[derive(Debug)]
pub struct PlaceOrderFailed {
    pub step: &'static str,
    pub error: PlaceOrderError,
}

impl From<StoreError> for Box<PlaceOrderFailed> {
    /// A storage failure of the one transaction outside its steps (its start, the commit):
    /// nothing to undo, the rollback did it.
    fn from(err: StoreError) -> Self {
        failed_at("transaction")(err)
    }
}

impl From<KeyRefused> for Box<PlaceOrderFailed> {
    fn from(refused: KeyRefused) -> Self {
        failed_at("claim the key")(PlaceOrderError::KeyRefused(refused.0))
    }
}

/// The failure of `step`.
fn failed_at<E: Into<PlaceOrderError>>(step: &'static str) -> impl Fn(E) -> Box<PlaceOrderFailed> {
    move |err| {
        Box::new(PlaceOrderFailed {
            step,
            error: err.into(),
        })
    }
}

/// What the one transaction came to: the order placed (its answer and price), or a finished
/// request's answer again.
enum Transacted {
    Placed(SavedResponse, Box<Priced>),
    Replayed(SavedResponse),
}

/// A placed order: its id, the quote it was priced with and the answer saved for its key.
#[derive(Debug, Clone)]
pub struct Placed {
    pub order: OrderId,
    pub quote: Priced,
    pub answer: SavedResponse,
}

/// What a place-order request came to.
#[derive(Debug, Clone)]
pub enum PlaceOutcome {
    Placed(Box<Placed>),
    /// The key's earlier request finished: its answer, again.
    Replayed(SavedResponse),
}

/// One attempt at placing an order: the key it is placed under (whose: `ScopedKey`), the
/// hash of the request, and when.
pub struct Attempt<'a> {
    pub key: &'a ScopedKey,
    pub hash: &'a RequestHash,
    pub now: DateTime<Utc>,
}

/// Runs place-order at `attempt.now` under its key; `answer` renders the placed order as the
/// response saved for the key. On failure the error of the failing step is returned and
/// nothing was written. Each step hands what it made to the next as a value: the basket read
/// to the store's choice and the price, the price to the hold, the hold to the order.
pub fn place_order(
    kv: &impl KeyValue,
    db: &impl Sql,
    pricer: &impl Pricer,
    request: &PlaceOrder,
    policy: OrderPolicy,
    attempt: &Attempt<'_>,
    answer: impl FnOnce(&Order) -> Result<SavedResponse, PlaceOrderError>,
) -> Result<PlaceOutcome, Box<PlaceOrderFailed>> {
    let now = attempt.now;
    let order = OrderId::new(now);
    // The lines come from key-value (the cart) or the request: no statement. A retry of an
    // order placed from a cart finds the cart emptied or gone, so its key is looked up before
    // that is reported.
    let (lines, cart) = match load_lines(kv, request, now) {
        Ok(loaded) => loaded,
        Err(err) => {
            return match idempotency::look_up(db, attempt.key, attempt.hash, now)
                .map_err(failed_at("look up the key"))?
            {
                IdempotencyOutcome::ReturnSavedResponse(saved) => Ok(PlaceOutcome::Replayed(saved)),
                IdempotencyOutcome::StartProcessing => Err(failed_at("load the lines")(err)),
                refused => Err(failed_at("look up the key")(PlaceOrderError::KeyRefused(
                    refused,
                ))),
            };
        }
    };

    // The confirmed quote is a key-value snapshot: read before the write lock is taken.
    let confirmed = match request.confirmed_quote {
        Some(id) => pricer.snapshot(id).map_err(failed_at("price"))?,
        None => None,
    };
    // The coupons the order may take: those entered, and those of the confirmed quote.
    let mut coupon_codes = request.coupon_codes.clone();
    for code in confirmed.iter().flat_map(|c| &c.frozen.coupons) {
        if !coupon_codes.contains(code) {
            coupon_codes.push(code.clone());
        }
    }

    let outcome = in_immediate_transaction(db, || -> Result<_, Box<PlaceOrderFailed>> {
        let found = read_the_basket(db, request, &coupon_codes, attempt, &lines)
            .map_err(failed_at("read the basket"))?;
        // A finished request with this key is answered again before anything is priced: the
        // catalog may have changed since, and the answer must not.
        if let Some(row) = &found.saved {
            return match idempotency::decision_of(attempt.key, attempt.hash, row)? {
                IdempotencyOutcome::ReturnSavedResponse(saved) => Ok(Transacted::Replayed(saved)),
                // A key the lookup did not bind (expired) is free: never read here.
                IdempotencyOutcome::StartProcessing => Err(StoreError::Corrupt(format!(
                    "{} read as free",
                    attempt.key.describe()
                ))
                .into()),
                refused => Err(KeyRefused(refused).into()),
            };
        }
        let store = choose_store(request, &lines, &found).map_err(failed_at("choose the store"))?;
        let priced = price(
            pricer,
            request,
            confirmed.as_ref(),
            &lines,
            &store,
            &found,
            now,
        )
        .map_err(failed_at("price"))?;
        let reservation =
            reserve(db, request, policy, &priced, &lines, now).map_err(failed_at("reserve"))?;
        take_limits(db, order, request, &priced, &found)
            .map_err(failed_at("take coupon uses and flash-sale units"))?;
        let new_order = NewOrder {
            id: order,
            customer: &request.customer,
            payment_method: request.payment_method,
            fulfilment: &request.fulfilment,
            reservation,
            quote: &priced.frozen,
            payment_due_at: (request.payment_method == PaymentMethod::Online)
                .then(|| policy.payment_window.expires_at(now)),
        };
        let saved = write_order(db, &new_order, &found, now, answer)
            .map_err(failed_at("write the order"))?;
        idempotency::remember(db, attempt.key, attempt.hash, now, &saved)
            .map_err(failed_at("keep the answer for the key"))?;
        Ok(Transacted::Placed(saved, Box::new(priced)))
    });
    let (saved, priced) = match outcome? {
        Transacted::Placed(saved, priced) => (saved, priced),
        Transacted::Replayed(saved) => return Ok(PlaceOutcome::Replayed(saved)),
    };
    // The cart lives in key-value, outside the transaction: what the order took leaves it
    // after the commit, under the carts' own lock (what was added meanwhile stays). Changed
    // before the commit, a commit that failed, or an instance killed at it, would leave the
    // cart emptied and no order. A failure here is logged and never undoes the order: it is
    // committed and may already be paid.
    if let Some(cart) = cart
        && let Err(err) = take_ordered_from_cart(kv, db, cart, &lines, now)
    {
        eprintln!("place-order: order {order} placed, its cart {cart} not cleared: {err}");
    }
    Ok(PlaceOutcome::Placed(Box::new(Placed {
        order,
        quote: *priced,
        answer: saved,
    })))
}

/// Everything the order reads, in one statement (`read_basket`); when reservations are due to
/// expire, they are expired first and the basket read again, so that their units count.
fn read_the_basket(
    db: &impl Sql,
    request: &PlaceOrder,
    coupon_codes: &[CouponCode],
    attempt: &Attempt<'_>,
    lines: &[(Sku, Quantity)],
) -> Result<BasketFacts, PlaceOrderError> {
    let skus: Vec<Sku> = lines.iter().map(|(sku, _)| sku.clone()).collect();
    let query = BasketQuery {
        skus: &skus,
        customer: Some(&request.customer),
        coupon_codes,
        fulfilled: match &request.fulfilment {
            FulfilmentMode::Pickup(pickup) => FulfilledBy::Pickup(&pickup.store_id),
            FulfilmentMode::Delivery(delivery) => FulfilledBy::Delivery {
                point: delivery.location,
                pinned: None,
            },
        },
        now: attempt.now,
        placing: Some(Placing { key: attempt.key }),
    };
    let found = read_basket(db, &query)?;
    if found.due_holds == 0 || found.saved.is_some() {
        return Ok(found);
    }
    stock::expire_due(db, attempt.now)?;
    Ok(read_basket(db, &query)?)
}

/// The lines to order and the cart they come from (if they do).
type OrderedLines = (Vec<(Sku, Quantity)>, Option<CartId>);

/// Reads the lines: from the customer's cart (key-value), or as the request gave them.
fn load_lines(
    kv: &impl KeyValue,
    request: &PlaceOrder,
    now: DateTime<Utc>,
) -> Result<OrderedLines, PlaceOrderError> {
    match &request.source {
        LineSource::Lines(lines) => Ok((lines.clone(), None)),
        LineSource::Cart(id) => {
            let cart = load_cart(kv, *id, now)?.ok_or(PlaceOrderError::UnknownCart(*id))?;
            if cart
                .customer_id
                .as_ref()
                .is_some_and(|owner| owner != &request.customer)
            {
                return Err(PlaceOrderError::UnknownCart(*id));
            }
            if cart.lines().is_empty() {
                return Err(PlaceOrderError::EmptyCart);
            }
            let lines = cart
                .lines()
                .iter()
                .map(|line| (line.sku.clone(), line.quantity))
                .collect();
            Ok((lines, Some(*id)))
        }
    }
}

/// Holds every line of the priced quote at its store, all or none, until the payment window
/// closes (online) or for the hold after confirmation (pay at pickup).
fn reserve(
    db: &impl Sql,
    request: &PlaceOrder,
    policy: OrderPolicy,
    priced: &Priced,
    lines: &[(Sku, Quantity)],
    now: DateTime<Utc>,
) -> Result<ReservationId, PlaceOrderError> {
    let held_lines = priced
        .frozen
        .reservation_lines()
        .map_err(|_| PlaceOrderError::DuplicateLine)?;
    let store = &priced.frozen.store;
    let until = match request.payment_method {
        PaymentMethod::PayAtPickup => now + policy.hold_after_confirmation,
        PaymentMethod::Online => policy.payment_window.expires_at(now),
    };
    let held = stock::hold_within(db, store, &held_lines, until, now)
        .map_err(|err| out_of_stock(db, store, lines, err, now))?;
    Ok(held.id)
}

/// Takes the coupon uses and flash-sale units the price counted on, within their limits.
fn take_limits(
    db: &impl Sql,
    order: OrderId,
    request: &PlaceOrder,
    priced: &Priced,
    found: &BasketFacts,
) -> Result<(), PlaceOrderError> {
    let frozen = &priced.frozen;
    if frozen.coupons.is_empty() && frozen.flash_sales.is_empty() {
        return Ok(());
    }
    let (rules, facts) = found.rules_and_facts(
        frozen.currency,
        &found.at(&frozen.store),
        Some(&request.customer),
    )?;
    limits::take_within(db, order, &request.customer, frozen, &rules, &facts)?;
    Ok(())
}

/// Writes the order (its lines named as read with the basket) and renders its answer.
fn write_order(
    db: &impl Sql,
    new_order: &NewOrder<'_>,
    found: &BasketFacts,
    now: DateTime<Utc>,
    answer: impl FnOnce(&Order) -> Result<SavedResponse, PlaceOrderError>,
) -> Result<SavedResponse, PlaceOrderError> {
    let names = found
        .products
        .iter()
        .map(|(sku, product)| (sku.clone(), product.name.clone()))
        .collect();
    let written = orders::insert_placed(db, new_order, &names, now)?;
    answer(&written)
}

/// Pickup: the chosen store, if it offers pickup. Delivery: the nearest store whose radius
/// covers the address and that has every line available (`choose_delivering_store`), from
/// the stores and levels read with the basket.
fn choose_store(
    request: &PlaceOrder,
    lines: &[(Sku, Quantity)],
    found: &BasketFacts,
) -> Result<StoreId, PlaceOrderError> {
    match &request.fulfilment {
        FulfilmentMode::Pickup(PickupAt { store_id: store }) => match found.stores.first() {
            Some(open) if open.pickup_enabled && &open.id == store => Ok(open.id.clone()),
            _ => Err(PlaceOrderError::UnknownPickupStore(store.clone())),
        },
        FulfilmentMode::Delivery(DeliverTo {
            location: point, ..
        }) => {
            let reach: Vec<_> = found.stores.iter().map(|store| store.reach()).collect();
            nearest_delivering_store(&reach, *point).map_err(PlaceOrderError::NotDeliverable)?;
            // The stores whose radius covers the point, nearest first (ties: smaller id).
            let near: Vec<(u32, &CatalogStore)> =
                nearest_first(&found.stores, *point, |store| (&store.id, store.location))
                    .into_iter()
                    .filter(|(distance, store)| store.reach().covers(*distance))
                    .collect();
            let mut levels = Vec::with_capacity(near.len());
            for (_, store) in &near {
                levels.push(found.at(&store.id).levels()?);
            }
            let availability: Vec<LineAvailability> = lines
                .iter()
                .map(|(sku, quantity)| LineAvailability {
                    sku: sku.clone(),
                    requested: quantity.get(),
                    stores: near
                        .iter()
                        .zip(&levels)
                        .map(|((distance_m, store), levels)| NearbyStock {
                            store: store.id.clone(),
                            name: store.name.clone(),
                            distance_m: *distance_m,
                            available: levels.get(sku).map_or(0, |l| l.level.available()),
                        })
                        .collect(),
                })
                .collect();
            choose_delivering_store(&availability).ok_or(PlaceOrderError::NoStoreHasEverything(
                availability
                    .into_iter()
                    .map(|mut line| {
                        line.stores.retain(|s| s.available > 0);
                        line
                    })
                    .collect(),
            ))
        }
    }
}

/// The delivery store rule: among the stores that deliver to the address (each line's
/// `stores`, nearest first), the nearest that has every line's units available; equal
/// distances go to the smaller store id, as `geo::nearest_delivering_store` decides.
pub fn choose_delivering_store(lines: &[LineAvailability]) -> Option<StoreId> {
    let first = lines.first()?;
    first
        .stores
        .iter()
        .filter(|candidate| {
            lines.iter().all(|line| {
                line.stores
                    .iter()
                    .any(|s| s.store == candidate.store && s.available >= i64::from(line.requested))
            })
        })
        .min_by(|a, b| {
            a.distance_m
                .cmp(&b.distance_m)
                .then_with(|| a.store.as_str().cmp(b.store.as_str()))
        })
        .map(|s| s.store.clone())
}

/// The confirmed quote when it is still valid and prices exactly these lines for this
/// customer from this store; otherwise a fresh quote from what was read, refused as a
/// conflict when the customer had confirmed a different total.
fn price(
    pricer: &impl Pricer,
    request: &PlaceOrder,
    confirmed: Option<&Priced>,
    lines: &[(Sku, Quantity)],
    store: &StoreId,
    found: &BasketFacts,
    now: DateTime<Utc>,
) -> Result<Priced, PlaceOrderError> {
    if let Some(confirmed) = confirmed
        && confirmed.frozen.is_valid_at(now)
        && confirmed.frozen.prices(lines, &request.customer, store)
    {
        let frozen = confirmed
            .frozen
            .clone()
            .check()
            .map_err(PlaceOrderError::QuoteInconsistent)?;
        return Ok(Priced {
            frozen,
            document: confirmed.document.clone(),
        });
    }
    let fresh = pricer.price(&PriceAsk {
        customer: &request.customer,
        lines,
        store,
        fulfilment: &request.fulfilment,
        coupon_codes: &request.coupon_codes,
        found,
    })?;
    let frozen = fresh
        .frozen
        .clone()
        .check()
        .map_err(PlaceOrderError::QuoteInconsistent)?;
    if let Some(id) = request.confirmed_quote {
        let same_total =
            confirmed.is_some_and(|c| c.frozen.total.rounded() == frozen.total.rounded());
        if !same_total {
            pricer.keep(&fresh)?;
            return Err(PlaceOrderError::QuoteChanged {
                confirmed: id,
                new_quote: Box::new(fresh.document),
            });
        }
    }
    Ok(Priced {
        frozen,
        document: fresh.document,
    })
}

/// A reservation refused for want of stock becomes the list of where else each line is.
fn out_of_stock(
    db: &impl Sql,
    store: &StoreId,
    lines: &[(Sku, Quantity)],
    err: StockError,
    now: DateTime<Utc>,
) -> PlaceOrderError {
    let StockError::Short(_) = &err else {
        return err.into();
    };
    let origin = match load_store(db, store) {
        Ok(Some(found)) => found.location,
        Ok(None) => return err.into(),
        Err(store_error) => return store_error.into(),
    };
    let mut availability = Vec::with_capacity(lines.len());
    for (sku, quantity) in lines {
        match stock::pickup_availability_near(db, sku, origin, now) {
            Ok(mut stores) => {
                stores.retain(|s| s.available > 0);
                availability.push(LineAvailability {
                    sku: sku.clone(),
                    requested: quantity.get(),
                    stores,
                });
            }
            Err(other) => return other.into(),
        }
    }
    PlaceOrderError::OutOfStock {
        store: store.clone(),
        lines: availability,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(store: &str, distance_m: u32, available: i64) -> NearbyStock {
        NearbyStock {
            store: StoreId::parse(store).unwrap(),
            name: store.to_owned(),
            distance_m,
            available,
        }
    }

    fn wanted(sku: &str, requested: u32, stores: Vec<NearbyStock>) -> LineAvailability {
        LineAvailability {
            sku: Sku::parse(sku).unwrap(),
            requested,
            stores,
        }
    }

    #[test]
    fn delivery_goes_from_the_nearest_store_that_has_every_line() {
        let lines = [
            wanted(
                "TEA-1",
                2,
                vec![at("NEAR", 500, 5), at("MID", 1500, 2), at("FAR", 4000, 9)],
            ),
            wanted(
                "MILK-1",
                1,
                vec![at("NEAR", 500, 0), at("MID", 1500, 1), at("FAR", 4000, 9)],
            ),
        ];
        assert_eq!(
            choose_delivering_store(&lines),
            Some(StoreId::parse("MID").unwrap())
        );
    }

    #[test]
    fn no_store_is_chosen_when_none_has_every_line() {
        let lines = [
            wanted("TEA-1", 2, vec![at("NEAR", 500, 5), at("FAR", 4000, 1)]),
            wanted("MILK-1", 1, vec![at("NEAR", 500, 0), at("FAR", 4000, 3)]),
        ];
        assert_eq!(choose_delivering_store(&lines), None);
    }

    #[test]
    fn equal_distances_go_to_the_smaller_store_id() {
        let lines = [wanted(
            "TEA-1",
            1,
            vec![at("B-STORE", 900, 3), at("A-STORE", 900, 3)],
        )];
        assert_eq!(
            choose_delivering_store(&lines),
            Some(StoreId::parse("A-STORE").unwrap())
        );
    }
}

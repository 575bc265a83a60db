//! The cart function (`/cart/...`): create a cart, add an item, set a quantity, remove an item,
//! get it, abandon it, and merge a guest cart into a customer's cart. Carts live in key-value
//! (`o2o_domain::cart::repository`), skus and stores are checked against the catalog tables,
//! and every rule is `o2o_domain::Cart`'s. This file is the routing table; each handler reads
//! and validates the request, calls the domain, and writes once, after every check has passed.
//!
//! A signed-in customer's cart is theirs alone: anyone else asking for it is told it does not
//! exist (404). A guest cart (made without a token) is reached by its unguessable id, and a
//! customer who signs in merges it into their own cart.
//!
//! Every change is a read-modify-write of the cart's document, run under
//! `cart::repository::under_write_lock`, so that concurrent changes all apply (issue 10).

mod wire;

use o2o_domain::auth::Principal;
use o2o_domain::cart::repository::{
    delete_cart, load_cart, load_cart_to_change, save_cart, under_write_lock,
};
use o2o_domain::catalog::repository::{product_is_sold, store_exists};
use o2o_domain::{Cart, CartId, Quantity, Sku, StoreId};
use o2o_edge::auth::{customer, principal};
use o2o_edge::edge_context::{now, seconds_variable};
use o2o_edge::json_body::parse_json;
use o2o_edge::respond::{created, finish, json, no_content};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::{SpinKeyValue, SpinSql};
use o2o_edge::{ApiError, FieldContext};
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use wire::{AddItem, CreateCart, MergeCarts, SetQuantity, cart_error, to_wire, to_wire_merge};

/// A cart lives a week after its last change unless `cart_ttl_seconds` says otherwise.
const DEFAULT_CART_TTL_SECONDS: i64 = 7 * 24 * 60 * 60;

#[http_component]
fn handle(req: Request) -> Response {
    serve("cart", req, routing_table)
}

/// The routing table.
fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.post("/cart", |r, p| finish(create_cart(r, p)));
    router.get("/cart/:id", |r, p| finish(get_cart(r, p)));
    router.delete("/cart/:id", |r, p| finish(abandon_cart(r, p)));
    router.post("/cart/:id/items", |r, p| finish(add_item(r, p)));
    router.put("/cart/:id/items/:sku", |r, p| finish(set_quantity(r, p)));
    router.delete("/cart/:id/items/:sku", |r, p| finish(remove_item(r, p)));
    router.post("/cart/:id/merge", |r, p| finish(merge_guest_cart(r, p)));
    refuse_unrouted(
        &mut router,
        &[
            "/cart",
            "/cart/:id",
            "/cart/:id/items",
            "/cart/:id/items/:sku",
            "/cart/:id/merge",
        ],
        "cart",
    );
    router.handle(req)
}

fn cart_ttl() -> chrono::Duration {
    seconds_variable("cart_ttl_seconds", DEFAULT_CART_TTL_SECONDS)
}

/// The cart id of the path; one that cannot be a cart id is simply not found.
fn path_cart_id(params: &Params) -> Result<CartId, ApiError> {
    params
        .get("id")
        .and_then(CartId::parse)
        .ok_or_else(|| ApiError::not_found("no such cart"))
}

fn path_sku(params: &Params) -> Result<Sku, ApiError> {
    Sku::parse(params.get("sku").unwrap_or_default()).field("sku")
}

/// The live cart `id`, if `caller` may use it: its customer, or anyone for a guest cart.
/// Someone else's cart is not found, exactly like a cart that never existed.
fn load_live_cart(
    kv: &SpinKeyValue,
    id: CartId,
    now: chrono::DateTime<chrono::Utc>,
    caller: &Principal,
) -> Result<Cart, ApiError> {
    visible(load_cart(kv, id, now)?, id, caller)
}

/// `load_live_cart` for a change, inside `under_write_lock`.
fn load_cart_for_change(
    kv: &SpinKeyValue,
    id: CartId,
    now: chrono::DateTime<chrono::Utc>,
    caller: &Principal,
) -> Result<Cart, ApiError> {
    visible(load_cart_to_change(kv, id, now)?, id, caller)
}

fn visible(cart: Option<Cart>, id: CartId, caller: &Principal) -> Result<Cart, ApiError> {
    cart.filter(|cart| caller.may_see(cart.customer_id.as_ref(), &[]))
        .ok_or_else(|| ApiError::not_found(format!("no cart {id} (or it expired)")))
}

/// Loads cart `id` for `caller`, applies `change` and saves it, under the carts' write lock;
/// the cart as saved.
fn change_cart(
    id: CartId,
    caller: &Principal,
    now: chrono::DateTime<chrono::Utc>,
    db: &SpinSql,
    change: impl FnOnce(&mut Cart) -> Result<(), ApiError>,
) -> Result<Cart, ApiError> {
    let kv = SpinKeyValue::open_default()?;
    under_write_lock(db, || {
        let mut cart = load_cart_for_change(&kv, id, now, caller)?;
        change(&mut cart)?;
        save_cart(&kv, &cart)?;
        Ok(cart)
    })
}

fn create_cart(req: Request, _: Params) -> Result<Response, ApiError> {
    if !req.body().is_empty() {
        let CreateCart {} = parse_json(&req)?;
    }
    // A guest's cart without a token; a customer's with one (a staff key is refused: it acts
    // for the shop, never as a shopper).
    let customer_id = match principal(&req)? {
        Principal::Anonymous => None,
        _ => Some(customer(&req)?),
    };
    let kv = SpinKeyValue::open_default()?;
    let cart = Cart::new(customer_id, now(), cart_ttl());
    save_cart(&kv, &cart)?;
    created(&format!("/cart/{}", cart.id), &to_wire(&cart))
}

fn get_cart(req: Request, params: Params) -> Result<Response, ApiError> {
    let id = path_cart_id(&params)?;
    let kv = SpinKeyValue::open_default()?;
    json(
        200,
        &to_wire(&load_live_cart(&kv, id, now(), &principal(&req)?)?),
    )
}

fn abandon_cart(req: Request, params: Params) -> Result<Response, ApiError> {
    let id = path_cart_id(&params)?;
    let caller = principal(&req)?;
    let kv = SpinKeyValue::open_default()?;
    let db = SpinSql::open_default()?;
    under_write_lock(&db, || {
        load_cart_for_change(&kv, id, now(), &caller)?;
        delete_cart(&kv, id).map_err(ApiError::from)
    })?;
    Ok(no_content())
}

fn add_item(req: Request, params: Params) -> Result<Response, ApiError> {
    let id = path_cart_id(&params)?;
    let body: AddItem = parse_json(&req)?;
    let sku = Sku::parse(&body.sku).field("sku")?;
    let quantity = Quantity::try_from(body.quantity).field("quantity")?;
    let store = body
        .preferred_store
        .as_deref()
        .map(StoreId::parse)
        .transpose()
        .field("preferred_store")?;

    let (now, ttl) = (now(), cart_ttl());
    let db = SpinSql::open_default()?;
    // Who may use the cart is answered (by `change_cart`) before what the catalog says of
    // the sku.
    let cart = change_cart(id, &principal(&req)?, now, &db, |cart| {
        if !product_is_sold(&db, &sku)? {
            return Err(ApiError::unprocessable(
                "sku",
                format!("{sku} is not in the catalog"),
            ));
        }
        if let Some(store) = &store
            && !store_exists(&db, store)?
        {
            return Err(ApiError::unprocessable(
                "preferred_store",
                format!("{} is not one of our stores", store.as_str()),
            ));
        }
        cart.add(sku, quantity, store, now, ttl).map_err(cart_error)
    })?;
    json(200, &to_wire(&cart))
}

fn set_quantity(req: Request, params: Params) -> Result<Response, ApiError> {
    let id = path_cart_id(&params)?;
    let sku = path_sku(&params)?;
    let body: SetQuantity = parse_json(&req)?;
    let quantity = Quantity::try_from(body.quantity).field("quantity")?;
    let (now, ttl) = (now(), cart_ttl());
    let db = SpinSql::open_default()?;
    let cart = change_cart(id, &principal(&req)?, now, &db, |cart| {
        cart.set_quantity(&sku, quantity, now, ttl)
            .map_err(cart_error)
    })?;
    json(200, &to_wire(&cart))
}

fn remove_item(req: Request, params: Params) -> Result<Response, ApiError> {
    let id = path_cart_id(&params)?;
    let sku = path_sku(&params)?;
    let (now, ttl) = (now(), cart_ttl());
    let db = SpinSql::open_default()?;
    let cart = change_cart(id, &principal(&req)?, now, &db, |cart| {
        cart.remove(&sku, now, ttl).map_err(cart_error)
    })?;
    json(200, &to_wire(&cart))
}

/// Merges the guest cart named in the body into the signed-in customer's cart of the path
/// (at sign-in: the guest's id is all the front end needs to carry over). Both carts are read
/// and written under the carts' write lock, so an add to the guest cart lands either before
/// the merge (and is carried over) or after it (and finds the guest cart gone). A cart that is
/// not a guest cart answers exactly like one that does not exist: nothing is learnt about
/// another customer's cart.
fn merge_guest_cart(req: Request, params: Params) -> Result<Response, ApiError> {
    let id = path_cart_id(&params)?;
    customer(&req)?;
    let body: MergeCarts = parse_json(&req)?;
    let guest_id = CartId::parse(&body.guest_cart_id)
        .ok_or_else(|| ApiError::invalid_field("guest_cart_id", "is not a cart id"))?;
    let (now, ttl) = (now(), cart_ttl());
    let caller = principal(&req)?;
    let kv = SpinKeyValue::open_default()?;
    let db = SpinSql::open_default()?;
    let (cart, outcome) = under_write_lock(&db, || {
        let mut cart = load_cart_for_change(&kv, id, now, &caller)?;
        let guest =
            load_cart_to_change(&kv, guest_id, now)?.filter(|guest| guest.customer_id.is_none());
        let Some(guest) = guest else {
            if cart.has_merged(guest_id) {
                return Ok((cart, Default::default()));
            }
            return Err(ApiError::unprocessable(
                "guest_cart_id",
                format!("no guest cart {guest_id} (or it expired)"),
            ));
        };
        let outcome = cart.merge_guest(&guest, now, ttl).map_err(cart_error)?;
        save_cart(&kv, &cart)?;
        delete_cart(&kv, guest_id)?;
        Ok((cart, outcome))
    })?;
    json(200, &to_wire_merge(&cart, &outcome))
}

//! What is being priced, gathered from the stores: the lines (from the cart in key-value or
//! the request), their catalog rows, the store whose prices apply (the pickup store, or the
//! nearest store that delivers to the address: `o2o_domain::geo`'s reach rule), the customer's
//! tier, and the pricing rules and facts (`o2o_domain::pricing::repository::basket_facts`,
//! one statement). Only reads: a request that fails here has written nothing.

use chrono::{DateTime, Utc};
use o2o_domain::cart::repository::load_cart;
use o2o_domain::geo::{StoreReach, nearest_delivering_store};
use o2o_domain::order::{DeliverTo, FulfilmentMode, PickupAt};
use o2o_domain::pricing::repository::basket_facts::{
    BasketFacts, BasketQuery, FulfilledBy, read_basket,
};
use o2o_domain::pricing::{
    BasketLine, CouponCode, CustomerContext, Fulfilment, PricingInput, PricingRules,
};
use o2o_domain::storage::{KeyValue, Sql};
use o2o_domain::{CartId, CustomerId, Quantity, Sku, StoreId};
use o2o_edge::ApiError;

/// A quote request, every value parsed.
pub struct QuoteRequest {
    pub source: LineSource,
    pub customer: Option<CustomerId>,
    pub fulfilment: FulfilmentMode,
    /// Delivery only: price from this store rather than the nearest that reaches the point.
    pub deliver_from: Option<StoreId>,
    pub coupon_codes: Vec<CouponCode>,
}

pub enum LineSource {
    Cart(CartId),
    Lines(Vec<(Sku, Quantity)>),
}

impl QuoteRequest {
    /// Where the basket's facts are read for.
    pub fn fulfilled_by(&self) -> FulfilledBy<'_> {
        match &self.fulfilment {
            FulfilmentMode::Pickup(pickup) => FulfilledBy::Pickup(&pickup.store_id),
            FulfilmentMode::Delivery(delivery) => FulfilledBy::Delivery {
                point: delivery.location,
                pinned: self.deliver_from.as_ref(),
            },
        }
    }
}

/// Everything `price_basket` needs, and what the quote says about where it was priced.
pub struct Basket {
    pub cart_id: Option<CartId>,
    pub store: StoreId,
    pub delivery_distance_m: Option<u32>,
    pub input: PricingInput,
    pub rules: PricingRules,
}

/// Gathers the basket of `request` at `now`: its lines, then one read of the database
/// (`read_basket`).
pub fn gather(
    kv: &impl KeyValue,
    db: &impl Sql,
    request: &QuoteRequest,
    now: DateTime<Utc>,
) -> Result<Basket, ApiError> {
    let (cart_id, customer, lines) = match &request.source {
        LineSource::Cart(id) => {
            // Someone else's cart is no cart at all, as in the cart function: a customer's
            // cart is priced for that customer only; a guest cart for whoever holds its id.
            let cart = load_cart(kv, *id, now)?
                .filter(|cart| cart.customer_id.is_none() || cart.customer_id == request.customer)
                .ok_or_else(|| {
                    ApiError::unprocessable("cart_id", format!("no cart {id} (or it expired)"))
                })?;
            let customer = request.customer.clone();
            if cart.lines().is_empty() {
                return Err(ApiError::unprocessable("cart_id", "the cart is empty"));
            }
            let lines = cart
                .lines()
                .iter()
                .map(|line| (line.sku.clone(), line.quantity))
                .collect();
            (Some(*id), customer, lines)
        }
        LineSource::Lines(lines) => (None, request.customer.clone(), lines.clone()),
    };

    let skus: Vec<Sku> = lines.iter().map(|(sku, _)| sku.clone()).collect();
    let found = read_basket(
        db,
        &BasketQuery {
            skus: &skus,
            customer: customer.as_ref(),
            coupon_codes: &request.coupon_codes,
            fulfilled: request.fulfilled_by(),
            now,
            placing: None,
        },
    )?;
    assemble(&found, request, cart_id, customer, lines)
}

/// The basket of `lines` for `customer` from what `read_basket` found for `request`: what
/// place-order prices with, having read the basket inside its own transaction.
pub fn assemble(
    found: &BasketFacts,
    request: &QuoteRequest,
    cart_id: Option<CartId>,
    customer: Option<CustomerId>,
    lines: Vec<(Sku, Quantity)>,
) -> Result<Basket, ApiError> {
    let basket_lines = lines
        .into_iter()
        .enumerate()
        .map(|(index, (sku, quantity))| {
            let Some(product) = found.products.get(&sku) else {
                return Err(match cart_id {
                    Some(_) => ApiError::unprocessable(
                        "cart_id",
                        format!("{sku} in the cart is no longer sold"),
                    ),
                    None => ApiError::unprocessable(
                        format!("lines[{index}].sku"),
                        format!("{sku} is not in the catalog"),
                    ),
                });
            };
            Ok(BasketLine {
                sku,
                quantity,
                list_price: product.list_price,
                category: product.category.clone(),
                brand: product.brand.clone(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    // The quote is in the currency of its products; a basket mixing currencies is refused by
    // pricing's own check.
    let currency = basket_lines
        .first()
        .map(|line| line.list_price.currency())
        .ok_or_else(|| ApiError::unprocessable("lines", "there is nothing to price"))?;

    let (store, fulfilment, delivery_distance_m) = match &request.fulfilment {
        FulfilmentMode::Pickup(PickupAt { store_id: id }) => {
            let store = found.stores.first().ok_or_else(|| {
                ApiError::unprocessable(
                    "fulfilment.store_id",
                    format!("{} is not one of our stores", id.as_str()),
                )
            })?;
            if !store.pickup_enabled {
                return Err(ApiError::unprocessable(
                    "fulfilment.store_id",
                    format!("{} does not offer pickup", id.as_str()),
                ));
            }
            (store.id.clone(), Fulfilment::Pickup, None)
        }
        FulfilmentMode::Delivery(DeliverTo {
            location: address, ..
        }) => {
            let pinned = &request.deliver_from;
            let reach: Vec<StoreReach> = found
                .stores
                .iter()
                .map(|store| store.reach())
                .filter(|reach| pinned.as_ref().is_none_or(|id| &reach.store == id))
                .collect();
            let field = if pinned.is_some() {
                "store_id"
            } else {
                "fulfilment.location"
            };
            let chosen = nearest_delivering_store(&reach, *address)
                .map_err(|why| ApiError::unprocessable(field, why))?;
            (
                chosen.store,
                Fulfilment::Delivery {
                    distance_m: chosen.distance_m,
                },
                Some(chosen.distance_m),
            )
        }
    };

    let (rules, facts) = found.rules_and_facts(currency, &found.at(&store), customer.as_ref())?;
    let tier = found.tier.clone();
    let input = PricingInput {
        currency,
        lines: basket_lines,
        customer: customer.map(|id| CustomerContext { id, tier }),
        store: Some(store.clone()),
        fulfilment,
        coupon_codes: request.coupon_codes.clone(),
        facts,
    };
    Ok(Basket {
        cart_id,
        store,
        delivery_distance_m,
        input,
        rules,
    })
}

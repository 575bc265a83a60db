//! The order function's wire: request bodies as they arrive (strict: unknown fields are
//! refused) and their parsing into domain values, each failure naming its field; orders as
//! `o2o_contract::Order`; and the one mapping of place-order and order errors to problems.

use o2o_contract::{FulfilmentMode, Money as WireMoney};
use o2o_domain::order::lifecycle::{OrderError, PaymentConfirmation};
use o2o_domain::order::limits::LimitError;
use o2o_domain::order::{
    self, LineAvailability, LineSource, Order, PaymentMethod, PlaceOrder, PlaceOrderError,
};
use o2o_domain::pricing::CouponCode;
use o2o_domain::stock::StockError;
use o2o_domain::{CartId, Currency, CustomerId, Money, QuoteId};
use o2o_edge::line_list::{LineBody, parse_lines};
use o2o_edge::{ApiError, FieldContext};
use o2o_quoting::fulfilment;
use serde::Deserialize;
use serde_json::{Map, Value, json};

const MAX_COUPON_CODES: usize = 10;
const MAX_REASON_LEN: usize = 500;
const MAX_REFERENCE_LEN: usize = 128;

/// `POST /orders`: either `cart_id` or `lines`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrderBody {
    pub cart_id: Option<String>,
    pub lines: Option<Vec<LineBody>>,
    pub fulfilment: FulfilmentMode,
    pub quote_id: Option<String>,
    pub payment_method: String,
    #[serde(default)]
    pub coupon_codes: Vec<String>,
}

/// `POST /orders/{id}/cancel`, body optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    pub reason: Option<String>,
}

impl CancelBody {
    pub fn reason(&self) -> Result<Option<String>, ApiError> {
        match self.reason.as_deref().map(str::trim) {
            Some(reason) if reason.chars().count() > MAX_REASON_LEN => Err(
                ApiError::invalid_field("reason", format!("at most {MAX_REASON_LEN} characters")),
            ),
            Some("") | None => Ok(None),
            Some(reason) => Ok(Some(reason.to_owned())),
        }
    }
}

/// `POST /orders/{id}/payment`: what the payment provider confirms.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    pub payment_reference: String,
    pub amount: WireMoney,
}

impl PaymentBody {
    pub fn parse(self) -> Result<PaymentConfirmation, ApiError> {
        let reference = self.payment_reference.trim();
        if reference.is_empty()
            || reference.len() > MAX_REFERENCE_LEN
            || !reference.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(ApiError::invalid_field(
                "payment_reference",
                format!("1 to {MAX_REFERENCE_LEN} visible ASCII characters"),
            ));
        }
        let currency = Currency::parse(&self.amount.currency).field("amount.currency")?;
        Ok(PaymentConfirmation {
            reference: reference.to_owned(),
            amount: Money::parse(&self.amount.amount, currency).field("amount.amount")?,
        })
    }
}

/// Every value of the body parsed once; a value outside its domain is a 400 naming it.
pub fn parse_place_order(
    body: PlaceOrderBody,
    customer: CustomerId,
) -> Result<PlaceOrder, ApiError> {
    let source = match (body.cart_id, body.lines) {
        (Some(cart), None) => LineSource::Cart(
            CartId::parse(&cart)
                .ok_or_else(|| ApiError::invalid_field("cart_id", "is not a cart id"))?,
        ),
        (None, Some(lines)) => {
            let parsed = parse_lines(&lines)?;
            for (i, (sku, _)) in parsed.iter().enumerate() {
                if parsed[..i].iter().any(|(earlier, _)| earlier == sku) {
                    return Err(ApiError::invalid_field(
                        format!("lines[{i}].sku"),
                        "appears in an earlier line; put its units in one line",
                    ));
                }
            }
            LineSource::Lines(parsed)
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::BadRequest {
                field: Some("lines".into()),
                detail: "give either cart_id or lines, not both".into(),
            });
        }
        (None, None) => {
            return Err(ApiError::BadRequest {
                field: Some("cart_id".into()),
                detail: "give cart_id or lines".into(),
            });
        }
    };
    let fulfilment = fulfilment::from_wire(&body.fulfilment)?;
    let payment_method = PaymentMethod::parse(&body.payment_method).ok_or_else(|| {
        ApiError::invalid_field("payment_method", "must be online or pay-at-pickup")
    })?;
    if payment_method == PaymentMethod::PayAtPickup
        && matches!(fulfilment, order::FulfilmentMode::Delivery(_))
    {
        return Err(ApiError::invalid_field(
            "payment_method",
            "pay-at-pickup is for orders collected at a store",
        ));
    }
    let confirmed_quote = body
        .quote_id
        .as_deref()
        .map(|raw| {
            QuoteId::parse(raw)
                .ok_or_else(|| ApiError::invalid_field("quote_id", "is not a quote id"))
        })
        .transpose()?;
    if body.coupon_codes.len() > MAX_COUPON_CODES {
        return Err(ApiError::invalid_field(
            "coupon_codes",
            format!("at most {MAX_COUPON_CODES} codes"),
        ));
    }
    let coupon_codes = body
        .coupon_codes
        .iter()
        .enumerate()
        .map(|(i, code)| CouponCode::parse(code).field(&format!("coupon_codes[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PlaceOrder {
        customer,
        source,
        fulfilment,
        confirmed_quote,
        payment_method,
        coupon_codes,
    })
}

/// The order as the contract (`wit/orders.wit`) shapes it.
pub fn to_wire(order: &Order) -> o2o_contract::Order {
    let fulfilment = fulfilment::to_wire(&order.fulfilment);
    let timeline = order
        .timeline
        .iter()
        .map(|change| o2o_contract::OrderStatusChange {
            status: change.status.into(),
            at: change.at.clone(),
            note: change.note.clone(),
        })
        .collect();
    o2o_contract::Order {
        id: order.id.to_string(),
        customer_id: order.customer.as_str().to_owned(),
        status: order.status.into(),
        payment_method: match order.payment_method {
            PaymentMethod::Online => o2o_contract::PaymentMethod::Online,
            PaymentMethod::PayAtPickup => o2o_contract::PaymentMethod::PayAtPickup,
        },
        store_id: order.store.as_str().to_owned(),
        fulfilment,
        lines: order
            .lines
            .iter()
            .map(|line| o2o_contract::OrderLine {
                line: line.line,
                sku: line.sku.as_str().to_owned(),
                name: line.name.clone(),
                quantity: line.quantity.get(),
                store_id: order.store.as_str().to_owned(),
                unit_price: WireMoney::from(&line.unit_price),
                discount: WireMoney::from(&line.discount),
                total: WireMoney::from(&line.total),
                reservation_id: Some(order.reservation.to_string()),
            })
            .collect(),
        quote_id: Some(order.quote_id.to_string()),
        coupon_codes: order.coupon_codes.clone(),
        subtotal: WireMoney::from(&order.subtotal),
        discount_total: WireMoney::from(&order.discount_total),
        delivery_fee: WireMoney::from(&order.delivery_fee),
        total: WireMoney::from(&order.total),
        placed_at: order.placed_at.clone(),
        updated_at: order.updated_at.clone(),
        payment_due_at: order.payment_due_at.clone(),
        paid_at: order.paid_at.clone(),
        timeline,
    }
}

fn availability(lines: &[LineAvailability]) -> Value {
    json!(
        lines
            .iter()
            .map(|line| json!({
                "sku": line.sku.as_str(),
                "requested": line.requested,
                "available_at": line.stores.iter().map(|s| json!({
                    "store_id": s.store.as_str(),
                    "name": s.name,
                    "distance_m": s.distance_m,
                    "available": s.available,
                })).collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>()
    )
}

fn conflict(
    slug: &'static str,
    title: &'static str,
    field: Option<&str>,
    detail: String,
    extensions: &[(&str, Value)],
) -> ApiError {
    let mut map = Map::new();
    for (key, value) in extensions {
        map.insert((*key).to_owned(), value.clone());
    }
    ApiError::ConflictWithDetails {
        slug,
        title,
        field: field.map(str::to_owned),
        detail,
        extensions: map,
    }
}

/// The one mapping of place-order failures to problems.
pub fn place_order_error(err: PlaceOrderError) -> ApiError {
    let detail = err.to_string();
    match err {
        PlaceOrderError::UnknownCart(_) | PlaceOrderError::EmptyCart => {
            ApiError::unprocessable("cart_id", detail)
        }
        PlaceOrderError::UnknownPickupStore(_) => {
            ApiError::unprocessable("fulfilment.store_id", detail)
        }
        PlaceOrderError::NotDeliverable(_) => {
            ApiError::unprocessable("fulfilment.location", detail)
        }
        PlaceOrderError::NoStoreHasEverything(lines) => conflict(
            "not-available-for-delivery",
            "Not available for delivery",
            Some("fulfilment.location"),
            detail,
            &[("lines", availability(&lines))],
        ),
        PlaceOrderError::OutOfStock { store, lines } => conflict(
            "out-of-stock",
            "Out of stock",
            Some("lines"),
            format!("{detail}: see where else each line is available"),
            &[
                ("store_id", json!(store.as_str())),
                ("lines", availability(&lines)),
            ],
        ),
        PlaceOrderError::QuoteChanged { new_quote, .. } => conflict(
            "quote-changed",
            "The price changed",
            Some("quote_id"),
            detail,
            &[("new_quote", *new_quote)],
        ),
        PlaceOrderError::Limit(limit) => {
            let (field, detail) = match &limit {
                LimitError::CouponRefused { .. } => ("coupon_codes", limit.to_string()),
                _ => ("lines", limit.to_string()),
            };
            conflict(
                "promotion-exhausted",
                "Promotion no longer available",
                Some(field),
                detail,
                &[],
            )
        }
        PlaceOrderError::Pricing { status, problem } => ApiError::Relayed {
            status,
            problem: *problem,
        },
        PlaceOrderError::DuplicateLine => ApiError::invalid_field("lines", detail),
        PlaceOrderError::KeyRefused(outcome) => o2o_edge::idempotent::refusal(outcome),
        PlaceOrderError::QuoteInconsistent(_) => {
            ApiError::Storage(o2o_domain::storage::StoreError::Corrupt(detail))
        }
        PlaceOrderError::Stock(StockError::UnknownSku(sku)) => {
            ApiError::unprocessable("lines", format!("{sku} is not in the catalog"))
        }
        PlaceOrderError::Stock(other) => ApiError::Conflict {
            field: Some("lines".into()),
            detail: other.to_string(),
        },
        PlaceOrderError::Store(store) => ApiError::Storage(store),
    }
}

/// The one mapping of order changes refused to problems.
pub fn order_error(err: OrderError) -> ApiError {
    match err {
        OrderError::NotFound(id) => ApiError::not_found(format!("no order {id}")),
        err @ OrderError::Transition(_) => ApiError::Conflict {
            field: Some("status".into()),
            detail: err.to_string(),
        },
        err @ OrderError::AmountMismatch { .. } => ApiError::unprocessable("amount", err),
        err @ OrderError::PaidWithAnotherReference(_) => ApiError::Conflict {
            field: Some("payment_reference".into()),
            detail: err.to_string(),
        },
        OrderError::Store(store) => ApiError::Storage(store),
    }
}

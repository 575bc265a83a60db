//! The quote's wire: the `POST /quote` body as it arrives (strict: unknown fields are refused)
//! and its parsing into domain values, each failure naming its field. The quote document it
//! answers is `o2o_quoting`'s, which place-order shares.

use o2o_domain::order::FulfilmentMode;
use o2o_domain::pricing::CouponCode;
use o2o_domain::{CartId, CustomerId, StoreId};
use o2o_edge::line_list::{LineBody, parse_lines};
use o2o_edge::{ApiError, FieldContext};
use o2o_quoting::basket::{LineSource, QuoteRequest};
use o2o_quoting::fulfilment;
use serde::Deserialize;

/// The most coupon codes one quote may carry.
pub const MAX_COUPON_CODES: usize = 10;

/// `POST /quote`: either `cart_id` or `lines`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteBody {
    pub cart_id: Option<String>,
    pub lines: Option<Vec<LineBody>>,
    pub fulfilment: o2o_contract::FulfilmentMode,
    #[serde(default)]
    pub coupon_codes: Vec<String>,
    /// Delivery only: deliver from this store rather than the nearest that reaches the
    /// address (as place-order prices from the nearest store that has every line); it must reach it.
    pub store_id: Option<String>,
}

/// Every value of the body parsed once; a value outside its domain is a 400 naming it.
/// `customer` is the signed-in customer the quote prices for (`None`: a guest).
pub fn parse_body(body: QuoteBody, customer: Option<CustomerId>) -> Result<QuoteRequest, ApiError> {
    let source = match (body.cart_id, body.lines) {
        (Some(cart), None) => LineSource::Cart(
            CartId::parse(&cart)
                .ok_or_else(|| ApiError::invalid_field("cart_id", "is not a cart id"))?,
        ),
        (None, Some(lines)) => {
            let parsed = parse_lines(&lines)?;
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
    let deliver_from = body
        .store_id
        .as_deref()
        .map(StoreId::parse)
        .transpose()
        .field("store_id")?;
    if deliver_from.is_some() && matches!(fulfilment, FulfilmentMode::Pickup(_)) {
        return Err(ApiError::invalid_field(
            "store_id",
            "only for delivery; a pickup store is fulfilment.store_id",
        ));
    }
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
    Ok(QuoteRequest {
        source,
        customer,
        fulfilment,
        deliver_from,
        coupon_codes,
    })
}

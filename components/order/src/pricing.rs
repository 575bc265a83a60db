//! Pricing for place-order, by Spin service chaining to the quote function
//! (`http://quote.spin.internal`, allowed in spin.toml): the quote function stays the one
//! place that prices and keeps snapshots, and its answer is frozen here into the domain's
//! `FrozenQuote`. A problem the quote function answers (an unknown sku, an address no store
//! reaches) is passed on to the client as it came.

use chrono::DateTime;
use o2o_domain::order::{FrozenLine, FrozenQuote, PlaceOrderError, PriceAsk, Priced, Pricer};
use o2o_domain::pricing::{CouponCode, PromotionId};
use o2o_domain::store::StoreError;
use o2o_domain::{CartId, Currency, CustomerId, Money, Quantity, QuoteId, Sku, StoreId};
use serde_json::{Value, json};
use spin_sdk::http::{Method, Request, Response, run, send};

const QUOTE_URL: &str = "http://quote.spin.internal/quote";

/// The quote function, reached in-process by Spin, asked on behalf of the customer placing the
/// order: their `Authorization` header goes along, so that the quote function prices for the
/// same verified customer (member prices, coupons) and lets them read their own snapshot.
pub struct ChainedQuote {
    pub authorization: String,
}

fn unavailable(what: impl std::fmt::Display) -> PlaceOrderError {
    PlaceOrderError::Store(StoreError::Unavailable(format!("quote function: {what}")))
}

fn call(request: Request) -> Result<Response, PlaceOrderError> {
    run(send::<_, Response>(request)).map_err(unavailable)
}

impl Pricer for ChainedQuote {
    fn price(&self, ask: &PriceAsk<'_>) -> Result<Priced, PlaceOrderError> {
        let mut body = json!({
            "lines": ask.lines.iter().map(|(sku, quantity)| json!({
                "sku": sku.as_str(),
                "quantity": quantity.get(),
            })).collect::<Vec<_>>(),
            "fulfilment": ask.fulfilment_document,
            "coupon_codes": ask.coupon_codes.iter().map(CouponCode::as_str).collect::<Vec<_>>(),
        });
        if ask.fulfilment_document.get("mode").and_then(Value::as_str) == Some("delivery") {
            body["store_id"] = json!(ask.store.as_str());
        }
        let response = call(
            Request::builder()
                .method(Method::Post)
                .uri(QUOTE_URL)
                .header("content-type", "application/json")
                .header("authorization", self.authorization.as_str())
                .body(body.to_string().into_bytes())
                .build(),
        )?;
        let status = *response.status();
        let document: Value = serde_json::from_slice(response.body()).map_err(unavailable)?;
        if status != 201 {
            return Err(PlaceOrderError::Pricing {
                status,
                problem: Box::new(document),
            });
        }
        freeze(document)
    }

    fn snapshot(&self, id: QuoteId) -> Result<Option<Priced>, PlaceOrderError> {
        let response = call(
            Request::builder()
                .method(Method::Get)
                .uri(format!("{QUOTE_URL}/{id}"))
                .header("authorization", self.authorization.as_str())
                .build(),
        )?;
        match *response.status() {
            200 => {
                let document: Value =
                    serde_json::from_slice(response.body()).map_err(unavailable)?;
                freeze(document).map(Some)
            }
            404 => Ok(None),
            other => Err(unavailable(format!("GET quote answered {other}"))),
        }
    }
}

/// The quote function's answer as the domain's frozen quote.
fn freeze(document: Value) -> Result<Priced, PlaceOrderError> {
    let quote: o2o_contract::Quote =
        serde_json::from_value(document.clone()).map_err(unavailable)?;
    let bad = |what: &str| unavailable(format!("unreadable {what} in quote {}", quote.id));
    let currency = Currency::parse(&quote.currency).map_err(|_| bad("currency"))?;
    let money = |m: &o2o_contract::Money, what: &str| {
        Money::parse(&m.amount, currency).map_err(|_| bad(what))
    };
    let lines = quote
        .lines
        .iter()
        .map(|line| {
            let subtotal = money(&line.subtotal, "line subtotal")?;
            let total = money(&line.total, "line total")?;
            Ok(FrozenLine {
                sku: Sku::parse(&line.sku).map_err(|_| bad("sku"))?,
                quantity: Quantity::new(line.quantity).map_err(|_| bad("quantity"))?,
                unit_price: money(&line.unit_price, "unit price")?,
                discount: subtotal
                    .checked_sub(&total)
                    .map_err(|_| bad("line discount"))?,
                total,
            })
        })
        .collect::<Result<Vec<_>, PlaceOrderError>>()?;
    let coupons = quote
        .adjustments
        .iter()
        .filter(|a| a.kind == o2o_contract::AdjustmentKind::Coupon)
        .map(|a| CouponCode::parse(&a.promotion_id).map_err(|_| bad("coupon code")))
        .collect::<Result<Vec<_>, _>>()?;
    let flash_sales = quote
        .flash_sales
        .iter()
        .filter(|usage| usage.units > 0)
        .map(|usage| {
            Ok((
                PromotionId::parse(&usage.promotion_id).map_err(|_| bad("flash sale id"))?,
                usage.units,
            ))
        })
        .collect::<Result<Vec<_>, PlaceOrderError>>()?;
    let frozen = FrozenQuote {
        id: QuoteId::parse(&quote.id).ok_or_else(|| bad("id"))?,
        cart_id: quote.cart_id.as_deref().and_then(CartId::parse),
        customer: quote
            .customer_id
            .as_deref()
            .map(CustomerId::parse)
            .transpose()
            .map_err(|_| bad("customer"))?,
        store: StoreId::parse(&quote.store_id).map_err(|_| bad("store"))?,
        currency,
        lines,
        subtotal: money(&quote.subtotal, "subtotal")?,
        discount_total: money(&quote.discount_total, "discount total")?,
        delivery_fee: money(&quote.delivery.charged, "delivery fee")?,
        total: money(&quote.total, "total")?,
        coupons,
        flash_sales,
        valid_until: DateTime::parse_from_rfc3339(&quote.valid_until)
            .map_err(|_| bad("valid_until"))?
            .to_utc(),
    };
    Ok(Priced { frozen, document })
}

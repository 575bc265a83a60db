//! Pricing for place-order, in-process: the same `o2o_quoting::make_quote` the quote function
//! answers with, so pricing and quote snapshots keep one home without Spin service chaining
//! (Fermyon Cloud has none, issue 11). A confirmed quote is read back from its snapshot in
//! key-value. The document is frozen here into the domain's `FrozenQuote`. A problem pricing
//! answers (an unknown sku, an address no store reaches) is passed on to the client as the
//! quote function would answer it.

use chrono::{DateTime, Utc};
use o2o_domain::order::{FrozenLine, FrozenQuote, PlaceOrderError, PriceAsk, Priced, Pricer};
use o2o_domain::pricing::{CouponCode, PromotionId};
use o2o_domain::storage::{KeyValue, StoreError};
use o2o_domain::{CartId, Currency, CustomerId, Money, Quantity, QuoteId, Sku, StoreId};
use o2o_edge::ApiError;
use o2o_quoting::basket::{LineSource, QuoteRequest};
use o2o_quoting::snapshot::{load_quote, save_quote};
use o2o_quoting::{make_quote_from, quote_ttl};
use serde_json::Value;

/// Prices with the stores of the request, for the customer placing the order, at `now`.
pub struct InProcessQuote<'a, K> {
    pub kv: &'a K,
    pub customer: &'a CustomerId,
    pub now: DateTime<Utc>,
}

fn unavailable(what: impl std::fmt::Display) -> PlaceOrderError {
    PlaceOrderError::Store(StoreError::Unavailable(format!("pricing: {what}")))
}

/// A refusal of pricing as place-order passes it on: the problem the quote function would
/// answer; a storage failure stays one.
fn refused(err: ApiError) -> PlaceOrderError {
    match err {
        ApiError::Storage(store) => PlaceOrderError::Store(store),
        other => PlaceOrderError::Pricing {
            status: other.status(),
            problem: Box::new(other.to_json()),
        },
    }
}

impl<K: KeyValue> Pricer for InProcessQuote<'_, K> {
    fn price(&self, ask: &PriceAsk<'_>) -> Result<Priced, PlaceOrderError> {
        let request = QuoteRequest {
            source: LineSource::Lines(ask.lines.to_vec()),
            customer: Some(ask.customer.clone()),
            fulfilment: ask.fulfilment.clone(),
            // Priced from the store place-order chose (for a delivery, the nearest that has
            // every line; for a pickup, the store named, which `fulfilment` names too).
            deliver_from: Some(ask.store.clone()),
            coupon_codes: ask.coupon_codes.to_vec(),
        };
        let quote = make_quote_from(ask.found, &request, self.now, quote_ttl()).map_err(refused)?;
        freeze(serde_json::to_value(&quote).map_err(unavailable)?)
    }

    /// The customer's own snapshot (or a guest's, as the quote function lets them read it).
    fn snapshot(&self, id: QuoteId) -> Result<Option<Priced>, PlaceOrderError> {
        let quote = load_quote(self.kv, id, self.now)?.filter(|quote| {
            quote
                .customer_id
                .as_deref()
                .is_none_or(|owner| owner == self.customer.as_str())
        });
        match quote {
            Some(quote) => freeze(serde_json::to_value(&quote).map_err(unavailable)?).map(Some),
            None => Ok(None),
        }
    }

    fn keep(&self, quote: &Priced) -> Result<(), PlaceOrderError> {
        let document: o2o_contract::Quote =
            serde_json::from_value(quote.document.clone()).map_err(unavailable)?;
        save_quote(self.kv, &document)?;
        Ok(())
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

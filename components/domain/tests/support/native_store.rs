//! What the domain's integration tests and benchmarks share: the native stores of
//! `o2o-test-stores` (SQLite with every migration applied, key-value in memory; one adapter for
//! every native test), and a fixed-price pricer for place-order (list prices, no promotions:
//! the pricing engine has its own tests).

#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use o2o_domain::order::{FrozenLine, FrozenQuote, PlaceOrderError, PriceAsk, Priced, Pricer};
use o2o_domain::{Currency, Money, QuoteId};
// Not every test binary that includes this file uses both.
#[allow(unused_imports)]
pub use o2o_test_stores::{MemoryKv, NativeSql};
use rust_decimal::Decimal;

/// Prices every line at a fixed unit price, no discounts, pickup free: enough to drive the
/// workflow; the pricing engine is tested on its own.
pub struct FixedPricer {
    pub unit_price: Money,
    pub now: DateTime<Utc>,
}

impl FixedPricer {
    pub fn at(unit_price: &str, now: DateTime<Utc>) -> Self {
        FixedPricer {
            unit_price: Money::parse(unit_price, Currency::CNY).expect("price"),
            now,
        }
    }
}

impl Pricer for FixedPricer {
    fn price(&self, ask: &PriceAsk<'_>) -> Result<Priced, PlaceOrderError> {
        let zero = Money::zero(Currency::CNY);
        let lines: Vec<FrozenLine> = ask
            .lines
            .iter()
            .map(|(sku, quantity)| FrozenLine {
                sku: sku.clone(),
                quantity: *quantity,
                unit_price: self.unit_price,
                discount: zero,
                total: self
                    .unit_price
                    .checked_mul(Decimal::from(quantity.get()))
                    .expect("small")
                    .rounded(),
            })
            .collect();
        let total = lines
            .iter()
            .try_fold(zero, |sum, l| sum.checked_add(&l.total))
            .expect("small");
        let frozen = FrozenQuote {
            id: QuoteId::new(self.now),
            cart_id: None,
            customer: Some(ask.customer.clone()),
            store: ask.store.clone(),
            currency: Currency::CNY,
            lines,
            subtotal: total,
            discount_total: zero,
            delivery_fee: zero,
            total,
            coupons: ask.coupon_codes.to_vec(),
            flash_sales: Vec::new(),
            valid_until: self.now + Duration::minutes(15),
        };
        Ok(Priced {
            document: serde_json::json!({"id": frozen.id.to_string(), "total": total.amount_string()}),
            frozen,
        })
    }

    fn snapshot(&self, _: QuoteId) -> Result<Option<Priced>, PlaceOrderError> {
        Ok(None)
    }

    /// A fixed price has no snapshots to keep: nothing is kept, as nothing is read back.
    fn keep(&self, _: &Priced) -> Result<(), PlaceOrderError> {
        Ok(())
    }
}

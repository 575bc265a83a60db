//! Place-order latency of the domain workflow, natively: the whole list of steps (load the
//! cart, choose the store, price with a fixed-price pricer, reserve, take a coupon use, write
//! the order with its event and its key's answer in one transaction, clear the cart) over in-memory SQLite with every migration applied (the host's file-backed
//! SQLite is measured by the host benchmark). A benchmark, not a test: it prints p50/p99 and the rate and
//! asserts nothing. The pricing engine has its own benchmark (quote_bench).
//!
//! Run: `cargo run -p o2o-domain --release --example place_order_bench [orders]` (default 2,000).

// A benchmark: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/native_store.rs"]
mod native_store;

use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use native_store::{FixedPricer, MemoryKv, NativeSql};
use o2o_domain::cart::repository::save_cart;
use o2o_domain::idempotency::{IdempotencyKey, RequestHash, SavedResponse, ScopedKey};
use o2o_domain::order::{
    Attempt, FulfilmentMode, LineSource, OrderPolicy, PaymentMethod, PickupAt, PlaceOrder,
    place_order,
};
use o2o_domain::stock::ReservationTtl;
use o2o_domain::{Cart, CustomerId, Quantity, Sku, StoreId};

fn percentile(sorted: &[StdDuration], p: f64) -> StdDuration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let orders: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let db = NativeSql::with_schema();
    db.batch(
        "INSERT INTO products (sku, name, category, brand, list_price) VALUES
             ('TEA-1', 'Tea', 'tea', 'B', '10.00'), ('TEA-2', 'Tea 2', 'tea', 'B', '12.00'),
             ('CUP-1', 'Cup', 'cups', 'B', '30.00');
         INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, delivery_radius_km)
             VALUES ('SH-1', 'One', '1 Rd', 'Shanghai', 31.23, 121.47, '{}', 5);
         INSERT INTO stock_levels (store_id, sku, on_hand) VALUES
             ('SH-1', 'TEA-1', 1000000), ('SH-1', 'TEA-2', 1000000), ('SH-1', 'CUP-1', 1000000);",
    );
    let kv = MemoryKv::default();
    let now = Utc::now();
    let pricer = FixedPricer::at("10.00", now);
    let policy = OrderPolicy {
        payment_window: ReservationTtl::new(Some(1800)).unwrap(),
        hold_after_confirmation: Duration::days(7),
    };
    let customer = CustomerId::parse("cust-bench").unwrap();
    let mut latencies = Vec::with_capacity(orders);
    let started = Instant::now();
    for n in 0..orders {
        let mut cart = Cart::new(Some(customer.clone()), now, Duration::days(7));
        for sku in ["TEA-1", "TEA-2", "CUP-1"] {
            cart.add(
                Sku::parse(sku).unwrap(),
                Quantity::new(1).unwrap(),
                None,
                now,
                Duration::days(7),
            )
            .unwrap();
        }
        save_cart(&kv, &cart).unwrap();
        let request = PlaceOrder {
            customer: customer.clone(),
            source: LineSource::Cart(cart.id),
            fulfilment: FulfilmentMode::Pickup(PickupAt {
                store_id: StoreId::parse("SH-1").unwrap(),
            }),
            confirmed_quote: None,
            payment_method: PaymentMethod::Online,
            coupon_codes: vec![],
        };
        let at = Instant::now();
        let key = ScopedKey::new(
            "customer:cust-bench",
            "POST /orders",
            IdempotencyKey::parse(&format!("bench-{n}")).unwrap(),
        );
        let hash = RequestHash::of("POST /orders", cart.id.to_string().as_bytes());
        let attempt = Attempt {
            key: &key,
            hash: &hash,
            now,
        };
        place_order(&kv, &db, &pricer, &request, policy, &attempt, |order| {
            Ok(SavedResponse {
                status: 201,
                body: order.id.to_string(),
            })
        })
        .expect("placed");
        latencies.push(at.elapsed());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "place-order natively (3 lines, in-memory SQLite): {orders} orders, p50 {:?}, p99 {:?}, {:.0} orders/s",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        orders as f64 / elapsed.as_secs_f64()
    );
}

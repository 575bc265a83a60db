//! Quote latency through the host: the real `o2o_quote.wasm` on the Spin-compatible host,
//! in-process (no sockets), a 5-line and a 50-line basket priced against 20 active promotions
//! of every kind the test kit builds, with a coupon and delivery bands. The native counterpart
//! is `cargo run -p o2o-domain --release --example quote_bench`. A benchmark, not a test: it
//! prints p50/p99 and asserts nothing; scripts/bench.sh runs it.
//!
//! Run: `cargo run -p o2o-e2e --profile host --bin quote-bench [runs]` (default 300 per basket;
//! build the .wasm first with scripts/build).

use std::time::{Duration, Instant};

use o2o_e2e::{
    CatalogBuilder, a_buy_x_get_y, a_catalog, a_coupon, a_flash_sale, a_free_delivery,
    a_percentage_off, a_quote, a_spend_threshold, spawn_app,
};

const PRODUCTS: usize = 50;
const CATEGORIES: [&str; 4] = ["tea", "cups", "snacks", "gifts"];

fn sku(index: usize) -> String {
    format!("SKU-{index:03}")
}

/// 50 products over four categories, one store, 20 promotions, a coupon, two delivery bands.
fn a_busy_shop() -> CatalogBuilder {
    let mut catalog = a_catalog()
        .with_store("SH-1")
        .with_coupon(a_coupon("WELCOME10").amount_off("10.00"))
        .with_delivery_band(3_000, "6.00")
        .with_delivery_band(5_000, "8.00");
    for i in 0..PRODUCTS {
        let price = format!("{}.{:02}", 5 + i * 3, (i * 37) % 100);
        catalog = catalog.with_priced_product(&sku(i), CATEGORIES[i % CATEGORIES.len()], &price);
    }
    for (i, category) in CATEGORIES.iter().enumerate() {
        catalog = catalog
            .with_promotion(a_percentage_off(&format!("PCT-{i}"), "5").on_categories(&[*category]))
            .with_promotion(
                a_buy_x_get_y(&format!("BXGY-{i}"), 2, 1).on_skus(&[&sku(i * 7), &sku(i * 7 + 1)]),
            )
            .with_promotion(
                a_flash_sale(&format!("FLASH-{i}"), "3.90", 1_000).on_skus(&[&sku(i * 11 + 2)]),
            )
            .with_promotion(
                a_spend_threshold(
                    &format!("MANJIAN-{i}"),
                    &[
                        ("100.00", "10.00"),
                        ("200.00", "30.00"),
                        ("500.00", "80.00"),
                    ],
                )
                .priority(i as i64),
            );
    }
    for i in 0..4 {
        catalog = catalog.with_promotion(a_free_delivery(&format!("FREE-{i}"), "99.00"));
    }
    catalog
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|raw| raw.parse().expect("runs: a positive number"))
        .unwrap_or(300);
    let app = spawn_app(a_busy_shop()).await;
    for lines in [5usize, 50] {
        let basket: Vec<(String, i64)> = (0..lines).map(|i| (sku(i), 1 + (i % 3) as i64)).collect();
        let refs: Vec<(&str, i64)> = basket.iter().map(|(s, q)| (s.as_str(), *q)).collect();
        let request = a_quote()
            .for_lines(&refs)
            .pickup_at("SH-1")
            .with_coupons(&["WELCOME10"]);
        // Warm-up: the first requests compile and cache the component.
        for _ in 0..20 {
            app.quote(&request).await.expect(201);
        }
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            let response = app.quote(&request).await;
            times.push(started.elapsed());
            assert_eq!(response.status, 201, "{}", response.body);
        }
        times.sort();
        println!(
            "host quote, {lines:>2} lines, 20 promotions: p50 {:>8.3} ms  p99 {:>8.3} ms  ({runs} runs, in-process POST /quote)",
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
        );
    }
}

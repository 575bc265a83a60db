//! The periodic work runs by itself (issue 11): `scripts/jobs`, which `scripts/up` starts next
//! to the app, makes its own key and calls the sweeps and the webhook delivery run on an
//! interval. Given an app on loopback with a subscriber, when an order is placed and a hold
//! runs out, then the webhook arrives and the units come back with no call from the test.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use o2o_e2e::order_kit::an_order;
use o2o_e2e::stock_kit::{a_reservation_at, a_stock_level};
use o2o_e2e::webhooks_kit::{Receiver, a_subscription, webhooks_allowed};
use o2o_e2e::{TEST_ADMIN_KEY, a_catalog, repo_root, spawn_app};

/// The jobs script against `base`, every second, for at most 60 runs.
fn start_jobs(base: &str) -> Child {
    Command::new("bash")
        .arg(repo_root().join("scripts/jobs"))
        .arg(base)
        .env("SPIN_VARIABLE_ADMIN_API_KEY", TEST_ADMIN_KEY)
        .env("JOB_INTERVAL_SECONDS", "1")
        .env("JOB_ROUNDS", "60")
        .spawn()
        .expect("bash runs scripts/jobs")
}

/// Waits, at most `limit`, for `done`.
async fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    done()
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_are_delivered_and_holds_expire_with_no_manual_call() {
    // Given the app on loopback, a subscriber to order.placed and the jobs running
    let receiver = Receiver::start();
    let app = spawn_app(webhooks_allowed(
        a_catalog()
            .with_priced_product("TEA-1", "tea", "10.00")
            .with_store("SH-1"),
        &[],
    ))
    .await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 10));
    app.subscribe(&a_subscription(&receiver.url("/hooks")).to(&["order.placed"]))
        .await
        .expect(201);
    let server = app
        .app
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .expect("the host serves HTTP");
    let mut jobs = start_jobs(&format!("http://{}", server.local_addr()));

    // When an order is placed, and a staff hold of 2 units runs past its minute
    app.place_order("jobs-1", &an_order().for_lines(&[("TEA-1", 1)]))
        .await
        .expect(201);
    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 2).ttl_seconds(60))
        .await
        .expect(201);
    app.advance_clock(Duration::from_secs(61));

    // Then, with no call from here, the subscriber gets order.placed and the hold expires
    let delivered = eventually(Duration::from_secs(30), || {
        receiver
            .received()
            .iter()
            .any(|r| r.json()["type"] == "order.placed")
    })
    .await;
    let expired = eventually(Duration::from_secs(30), || {
        app.stored_level("SH-1", "TEA-1").reserved == 1
    })
    .await;
    jobs.kill().expect("the jobs stop");
    jobs.wait().expect("the jobs are reaped");
    server.shutdown().await;
    assert!(delivered, "order.placed was not delivered by the jobs");
    assert!(expired, "the staff hold did not expire by the jobs");
}

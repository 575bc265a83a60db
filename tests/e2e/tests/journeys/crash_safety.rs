//! Crash safety of place-order (issue 11): the order function is killed (its instance traps,
//! as a crashed or timed-out instance stops, with no code running after it) at its 1st host
//! call, then at its 2nd, and so on until an attempt gets through untouched. After every kill
//! the stores hold nothing half-done, and the same Idempotency-Key retried places exactly one
//! order: never a 409 "in flight" that outlives the request.

use o2o_e2e::order_kit::an_order;
use o2o_e2e::stock_kit::{a_stock_level, assert_stock_invariant};
use o2o_e2e::{TestApp, a_catalog, a_coupon, spawn_app};

/// What every order leaves, and nothing else: for `orders` orders of 1 oolong and 2 seeds
/// with the WELCOME10 coupon, each held at SH-1.
#[track_caller]
fn the_stores_hold_exactly(app: &TestApp, orders: i64, when: &str) {
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM orders"),
        orders,
        "orders, {when}"
    );
    for (sku, per_order) in [("TEA-OOLONG", 1), ("SNK-SEEDS", 2)] {
        assert_eq!(
            app.stored_level("SH-1", sku).reserved,
            orders * per_order,
            "{sku} held, {when}"
        );
    }
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM reservations WHERE status = 'held'"),
        orders,
        "reservations, {when}"
    );
    assert_eq!(
        app.scalar::<i64>("SELECT COALESCE(SUM(uses), 0) FROM coupon_redemptions"),
        orders,
        "coupon uses, {when}"
    );
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM order_consumptions"),
        orders,
        "consumptions, {when}"
    );
    assert_eq!(
        app.outbox_events("order.placed").len() as i64,
        orders,
        "order.placed events, {when}"
    );
    assert_eq!(
        app.scalar::<i64>(
            "SELECT COUNT(*) FROM idempotency_requests WHERE response_status IS NOT NULL"
        ),
        orders,
        "answered keys, {when}"
    );
    assert_eq!(
        app.scalar::<i64>(
            "SELECT COUNT(*) FROM idempotency_requests WHERE response_status IS NULL"
        ),
        0,
        "keys left in flight, {when}"
    );
    assert_stock_invariant(app);
}

#[tokio::test(flavor = "multi_thread")]
async fn place_order_killed_at_any_host_call_leaves_nothing_half_done() {
    let app = spawn_app(
        a_catalog()
            .with_priced_product("TEA-OOLONG", "tea", "98.00")
            .with_priced_product("SNK-SEEDS", "snacks", "19.90")
            .with_store("SH-1")
            .with_coupon(a_coupon("WELCOME10").amount_off("10.00")),
    )
    .await;
    app.with_stock(a_stock_level("SH-1", "TEA-OOLONG", 1_000));
    app.with_stock(a_stock_level("SH-1", "SNK-SEEDS", 1_000));

    let mut placed = 0;
    let mut kill_at: u64 = 1;
    loop {
        // Given a cart of 1 oolong and 2 seeds, ordered with the coupon
        let cart = app.create_cart(Some("cust-1")).await;
        app.add_to_cart(&cart, "TEA-OOLONG", 1).await.expect(200);
        app.add_to_cart(&cart, "SNK-SEEDS", 2).await.expect(200);
        let order = an_order().for_cart(&cart).with_coupons(&["WELCOME10"]);
        let key = format!("crash-{kill_at}");

        // When the order function is killed at its kill_at-th host call
        let traps_before = app.app.faults().traps_fired();
        app.app.faults().trap_at_host_call("order", kill_at);
        let answer = app.place_order(&key, &order).await;
        app.app.faults().clear();
        if app.app.faults().traps_fired() == traps_before {
            // past the last host call: the attempt went through untouched
            answer.expect(201);
            placed += 1;
            the_stores_hold_exactly(&app, placed, "after an attempt nothing killed");
            break;
        }
        assert_eq!(
            answer.status, 500,
            "killed at call {kill_at}: {}",
            answer.body
        );

        // Then nothing is half-done: whatever committed is a whole order
        let committed = app.scalar::<i64>("SELECT COUNT(*) FROM orders") - placed;
        assert!(
            committed == 0 || committed == 1,
            "killed at call {kill_at}: {committed} orders"
        );
        the_stores_hold_exactly(
            &app,
            placed + committed,
            &format!("killed at call {kill_at}"),
        );

        // And the same key retried places exactly one order
        let retried = app.place_order(&key, &order).await.expect(201);
        placed += 1;
        the_stores_hold_exactly(&app, placed, &format!("the retry after call {kill_at}"));
        let again = app.place_order(&key, &order).await.expect(201);
        assert_eq!(again.body["id"], retried.body["id"]);
        kill_at += 1;
    }
    assert!(
        kill_at > 10,
        "place-order makes its host calls ({}), each of which was killed once",
        kill_at - 1
    );
}

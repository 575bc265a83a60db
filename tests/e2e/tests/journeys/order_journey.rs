//! Place-order journeys through the built `o2o_order.wasm` (pricing in-process with the quote
//! function's code): orders for pickup and for delivery from a cart, exactly once per
//! Idempotency-Key, two customers racing for the last units, confirmed quotes honoured or
//! refused as changed, signed payments (and bad, replayed or wrong-amount ones refused),
//! cancellation and expiry giving stock and coupon uses back, and a failure at every step of
//! the workflow leaving nothing behind. Each journey ends by asserting the stock invariant
//! `0 <= reserved <= on_hand`.

use std::time::Duration;

use o2o_e2e::access_kit::Who;
use o2o_e2e::order_kit::an_order;
use o2o_e2e::stock_kit::{a_stock_level, assert_stock_invariant};
use o2o_e2e::{
    CatalogBuilder, TEST_STORE_LOCATION, TestApp, a_catalog, a_coupon, amount, spawn_app,
};
use serde_json::{Value, json};

/// Two stores: SH-1 at the test location and SH-2 about 2.2 km north, both delivering within
/// 5 km; oolong 98.00 and seeds 19.90; a WELCOME10 coupon (10.00 off).
fn a_shop() -> CatalogBuilder {
    a_catalog()
        .with_priced_product("TEA-OOLONG", "tea", "98.00")
        .with_priced_product("SNK-SEEDS", "snacks", "19.90")
        .with_store_at("SH-1", TEST_STORE_LOCATION.0, TEST_STORE_LOCATION.1, 5.0)
        .with_store_at(
            "SH-2",
            TEST_STORE_LOCATION.0 + 0.02,
            TEST_STORE_LOCATION.1,
            5.0,
        )
        .with_coupon(a_coupon("WELCOME10").amount_off("10.00"))
        .with_delivery_band(5_000, "6.00")
}

async fn a_stocked_shop() -> TestApp {
    let app = spawn_app(a_shop()).await;
    app.with_stock(a_stock_level("SH-1", "TEA-OOLONG", 10));
    app.with_stock(a_stock_level("SH-1", "SNK-SEEDS", 10));
    app.with_stock(a_stock_level("SH-2", "TEA-OOLONG", 10));
    app.with_stock(a_stock_level("SH-2", "SNK-SEEDS", 10));
    app
}

async fn a_cart_with(app: &TestApp, customer: &str, items: &[(&str, i64)]) -> String {
    let cart = app.create_cart(Some(customer)).await;
    for (sku, quantity) in items {
        app.add_to_cart(&cart, sku, *quantity).await.expect(200);
    }
    cart
}

fn cents(money: &Value) -> i64 {
    let raw = amount(money);
    let (whole, fraction) = raw.split_once('.').expect("two decimals");
    whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap()
}

fn count(app: &TestApp, sql: &str) -> i64 {
    app.app
        .sqlite("default")
        .query_scalar::<i64>(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Money invariant of an order: every line's unit price x quantity - discount is its total,
/// the line totals and the delivery fee make the order total, and no total is negative.
fn assert_order_adds_up(order: &Value) {
    let mut lines = 0;
    for line in order["lines"].as_array().unwrap() {
        let quantity = line["quantity"].as_i64().unwrap();
        assert_eq!(
            cents(&line["unit_price"]) * quantity - cents(&line["discount"]),
            cents(&line["total"]),
            "{line}"
        );
        assert!(cents(&line["total"]) >= 0);
        lines += cents(&line["total"]);
    }
    assert_eq!(
        lines + cents(&order["delivery_fee"]),
        cents(&order["total"])
    );
}

#[tokio::test]
async fn an_order_for_pickup_from_a_cart_holds_the_goods_and_clears_the_cart() {
    // Given a customer's cart with 2 oolong and 1 bag of seeds
    let app = a_stocked_shop().await;
    let cart = a_cart_with(&app, "cust-1", &[("TEA-OOLONG", 2), ("SNK-SEEDS", 1)]).await;

    // When they order it for pickup at SH-1 with the welcome coupon
    let placed = app
        .place_order(
            "key-pickup-1",
            &an_order()
                .for_cart(&cart)
                .pickup_at("SH-1")
                .with_coupons(&["WELCOME10"]),
        )
        .await
        .expect(201);

    // Then the order waits for its payment at the quoted prices, less the coupon
    let order = &placed.body;
    assert_eq!(order["status"], "pending-payment");
    assert_eq!(order["store_id"], "SH-1");
    assert_eq!(amount(&order["total"]), "205.90");
    assert_eq!(order["coupon_codes"], serde_json::json!(["WELCOME10"]));
    assert!(order["payment_due_at"].is_string());
    assert_eq!(order["timeline"][0]["status"], "pending-payment");
    assert_order_adds_up(order);
    let location = placed.header("location").unwrap().to_owned();
    assert_eq!(
        location,
        format!("/orders/{}", order["id"].as_str().unwrap())
    );
    // the goods are held at SH-1, the coupon use is counted, the cart is gone
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 2);
    assert_eq!(app.stored_level("SH-1", "SNK-SEEDS").reserved, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COALESCE(SUM(uses), 0) FROM coupon_redemptions"
        ),
        1
    );
    app.get_cart(&cart).await.expect_problem(404, None);
    assert_eq!(app.outbox_events("order.placed").len(), 1);
    // and the customer can read it back and find it in their list
    let read = app
        .get_order(order["id"].as_str().unwrap())
        .await
        .expect(200);
    assert_eq!(read.body, *order);
    let list = app.customer_orders("cust-1", "").await.expect(200);
    assert_eq!(list.body["items"][0]["id"], order["id"]);
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn delivery_comes_from_the_nearest_store_that_has_every_line() {
    // Given SH-1 (nearest) has no seeds left, SH-2 has everything
    let app = a_stocked_shop().await;
    app.with_stock(a_stock_level("SH-1", "SNK-SEEDS", 0));

    // When a customer near SH-1 orders both for delivery
    let placed = app
        .place_order(
            "key-delivery-1",
            &an_order()
                .for_lines(&[("TEA-OOLONG", 1), ("SNK-SEEDS", 2)])
                .delivered_near_the_test_store(),
        )
        .await
        .expect(201);

    // Then SH-2 fulfils it, with its delivery fee
    assert_eq!(placed.body["store_id"], "SH-2");
    assert_eq!(amount(&placed.body["delivery_fee"]), "6.00");
    assert_order_adds_up(&placed.body);
    assert_eq!(app.stored_level("SH-2", "SNK-SEEDS").reserved, 2);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 0);

    // And when no store has every line, the customer is told where each line is
    app.with_stock(a_stock_level("SH-2", "SNK-SEEDS", 0));
    let refused = app
        .place_order(
            "key-delivery-2",
            &an_order()
                .for_lines(&[("TEA-OOLONG", 1), ("SNK-SEEDS", 2)])
                .delivered_near_the_test_store(),
        )
        .await
        .expect_problem(409, Some("fulfilment.location"));
    assert_eq!(
        refused.body["type"],
        "urn:o2o:problem:not-available-for-delivery"
    );
    assert_eq!(
        refused.body["lines"][0]["available_at"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        refused.body["lines"][1]["available_at"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // And an address no store reaches is not deliverable, as the quote says
    let far = app
        .place_order(
            "key-delivery-3",
            &an_order()
                .for_lines(&[("TEA-OOLONG", 1)])
                .delivered_to(TEST_STORE_LOCATION.0 + 0.5, TEST_STORE_LOCATION.1),
        )
        .await
        .expect_problem(422, Some("fulfilment.location"));
    assert!(
        far.body["detail"]
            .as_str()
            .unwrap()
            .contains("not deliverable")
    );
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn the_same_idempotency_key_and_body_gives_the_same_order_and_no_second_effect() {
    let app = a_stocked_shop().await;
    let order = an_order().for_lines(&[("TEA-OOLONG", 3)]);

    let first = app.place_order("key-retry", &order).await.expect(201);
    let second = app.place_order("key-retry", &order).await.expect(201);

    assert_eq!(first.body, second.body);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders"), 1);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 3);

    // the same key with another body is refused and changes nothing
    app.place_order("key-retry", &an_order().for_lines(&[("TEA-OOLONG", 1)]))
        .await
        .expect_problem(422, Some("Idempotency-Key"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders"), 1);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 3);
}

#[tokio::test]
async fn two_customers_racing_for_the_last_units_one_wins_and_the_other_is_told_where_else() {
    // Given SH-1 has 3 oolong and SH-2 has 10
    let app = a_stocked_shop().await;
    app.with_stock(a_stock_level("SH-1", "TEA-OOLONG", 3));

    // When two customers order 2 each for pickup at SH-1 at once
    let a = an_order()
        .for_customer("cust-a")
        .for_lines(&[("TEA-OOLONG", 2)]);
    let b = an_order()
        .for_customer("cust-b")
        .for_lines(&[("TEA-OOLONG", 2)]);
    let (first, second) =
        tokio::join!(app.place_order("race-a", &a), app.place_order("race-b", &b));

    // Then exactly one order is placed and the other is told SH-2 has it
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    let loser = if first.status == 409 { first } else { second };
    assert_eq!(loser.body["type"], "urn:o2o:problem:out-of-stock");
    let elsewhere = loser.body["lines"][0]["available_at"].as_array().unwrap();
    assert!(
        elsewhere
            .iter()
            .any(|s| s["store_id"] == "SH-2" && s["available"] == 10)
    );
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders"), 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM idempotency_requests"), 1);
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn a_confirmed_quote_is_honoured_and_a_changed_basket_is_a_conflict_with_the_new_quote() {
    let app = a_stocked_shop().await;
    let cart = a_cart_with(&app, "cust-1", &[("TEA-OOLONG", 1)]).await;
    let quote = app
        .quote(
            &o2o_e2e::a_quote()
                .for_cart(&cart)
                .for_customer("cust-1")
                .pickup_at("SH-1"),
        )
        .await
        .expect(201);
    let quote_id = quote.body["id"].as_str().unwrap().to_owned();

    // The price goes up after the customer saw the quote: the quote is still honoured
    app.app
        .sqlite("default")
        .execute(
            "UPDATE products SET list_price = '120.00' WHERE sku = 'TEA-OOLONG'",
            &[],
        )
        .unwrap();
    // but the customer adds a line: the confirmed quote no longer prices the cart
    app.add_to_cart(&cart, "SNK-SEEDS", 1).await.expect(200);
    let changed = app
        .place_order(
            "key-q1",
            &an_order().for_cart(&cart).confirming_quote(&quote_id),
        )
        .await
        .expect_problem(409, Some("quote_id"));
    assert_eq!(changed.body["type"], "urn:o2o:problem:quote-changed");
    assert_eq!(amount(&changed.body["new_quote"]["total"]), "139.90");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders"), 0);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 0);

    // Confirming the new quote places the order at its total
    let new_quote = changed.body["new_quote"]["id"].as_str().unwrap();
    let placed = app
        .place_order(
            "key-q2",
            &an_order().for_cart(&cart).confirming_quote(new_quote),
        )
        .await
        .expect(201);
    assert_eq!(amount(&placed.body["total"]), "139.90");
    assert_eq!(placed.body["quote_id"], new_quote);
}

#[tokio::test]
async fn a_confirmed_quote_with_a_coupon_takes_that_coupon_without_it_being_named_again() {
    let app = a_stocked_shop().await;
    let cart = a_cart_with(&app, "cust-1", &[("TEA-OOLONG", 2)]).await;
    let quote = app
        .quote(
            &o2o_e2e::a_quote()
                .for_cart(&cart)
                .for_customer("cust-1")
                .pickup_at("SH-1")
                .with_coupons(&["WELCOME10"]),
        )
        .await
        .expect(201);
    let placed = app
        .place_order(
            "key-coupon-confirmed",
            &an_order()
                .for_cart(&cart)
                .confirming_quote(quote.body["id"].as_str().unwrap()),
        )
        .await
        .expect(201);
    assert_eq!(placed.body["total"], quote.body["total"]);
    assert_eq!(placed.body["coupon_codes"], json!(["WELCOME10"]));
    assert_eq!(
        count(
            &app,
            "SELECT COALESCE(SUM(uses), 0) FROM coupon_redemptions"
        ),
        1
    );
}

#[tokio::test]
async fn an_unexpired_confirmed_quote_fixes_the_price_even_if_the_catalog_changed() {
    let app = a_stocked_shop().await;
    let cart = a_cart_with(&app, "cust-1", &[("TEA-OOLONG", 1)]).await;
    let quote = app
        .quote(
            &o2o_e2e::a_quote()
                .for_cart(&cart)
                .for_customer("cust-1")
                .pickup_at("SH-1"),
        )
        .await
        .expect(201);
    app.app
        .sqlite("default")
        .execute(
            "UPDATE products SET list_price = '120.00' WHERE sku = 'TEA-OOLONG'",
            &[],
        )
        .unwrap();
    let placed = app
        .place_order(
            "key-honour",
            &an_order()
                .for_cart(&cart)
                .confirming_quote(quote.body["id"].as_str().unwrap()),
        )
        .await
        .expect(201);
    assert_eq!(amount(&placed.body["total"]), "98.00");
}

#[tokio::test]
async fn a_signed_payment_pays_the_order_and_bad_replayed_or_wrong_payments_are_refused() {
    let app = a_stocked_shop().await;
    let order = app
        .place_order("key-pay", &an_order().for_lines(&[("TEA-OOLONG", 1)]))
        .await
        .expect(201)
        .body;
    let id = order["id"].as_str().unwrap();

    // a signature made with another secret
    let mut forged = app.signed_payment("pay-1", "98.00");
    forged.signature = o2o_domain::signature::sign(
        b"not-the-secret",
        forged.timestamp.parse().unwrap(),
        &forged.body,
    );
    app.send_payment(id, &forged)
        .await
        .expect_problem(401, Some("x-o2o-signature"));
    // a signature older than the 5-minute window
    let stale = app.signed_payment("pay-1", "98.00");
    app.advance_clock(Duration::from_secs(6 * 60));
    app.send_payment(id, &stale)
        .await
        .expect_problem(401, Some("x-o2o-timestamp"));
    // the wrong amount
    let short = app.signed_payment("pay-1", "97.99");
    app.send_payment(id, &short)
        .await
        .expect_problem(422, Some("amount"));
    assert_eq!(
        app.get_order(id).await.expect(200).body["status"],
        "pending-payment"
    );

    // the right payment pays it
    let payment = app.signed_payment("pay-1", "98.00");
    let paid = app.send_payment(id, &payment).await.expect(200);
    assert_eq!(paid.body["status"], "paid");
    assert!(paid.body["paid_at"].is_string());
    assert_eq!(app.outbox_events("order.paid").len(), 1);
    // the very same signed message again is a replay
    app.send_payment(id, &payment)
        .await
        .expect_problem(401, Some("x-o2o-signature"));
    // the provider's retry a moment later, signed anew, changes nothing
    app.advance_clock(Duration::from_secs(2));
    let retry = app.pay(&order, "pay-1").await.expect(200);
    assert_eq!(retry.body["status"], "paid");
    assert_eq!(app.outbox_events("order.paid").len(), 1);
    // a second payment with another reference is refused
    app.pay(&order, "pay-2")
        .await
        .expect_problem(409, Some("payment_reference"));
    // a paid order's goods stay held past the payment window
    app.advance_clock(Duration::from_secs(2 * 60 * 60));
    app.sweep_reservations().await.expect(200);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 1);
}

#[tokio::test]
async fn cancelling_gives_the_stock_and_the_coupon_use_back_and_other_moves_are_refused() {
    let app = a_stocked_shop().await;
    app.app
        .sqlite("default")
        .execute(
            "UPDATE coupons SET total_limit = 1 WHERE code = 'WELCOME10'",
            &[],
        )
        .unwrap();
    let order = app
        .place_order(
            "key-cancel",
            &an_order()
                .for_lines(&[("TEA-OOLONG", 2)])
                .with_coupons(&["WELCOME10"]),
        )
        .await
        .expect(201)
        .body;
    let id = order["id"].as_str().unwrap();
    assert_eq!(count(&app, "SELECT SUM(uses) FROM coupon_redemptions"), 1);
    // the only use is taken: another customer's order cannot have the coupon
    let other = app
        .quote(
            &o2o_e2e::a_quote()
                .for_lines(&[("TEA-OOLONG", 1)])
                .for_customer("cust-2")
                .pickup_at("SH-1")
                .with_coupons(&["WELCOME10"]),
        )
        .await
        .expect(201);
    assert_eq!(other.body["rejected_coupons"][0]["code"], "WELCOME10");

    let cancelled = app
        .cancel_order(id, Some("changed my mind"))
        .await
        .expect(200);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 0);
    assert_eq!(count(&app, "SELECT SUM(uses) FROM coupon_redemptions"), 0);
    assert_eq!(app.outbox_events("order.cancelled").len(), 1);
    // a cancelled order moves no further
    app.cancel_order(id, None)
        .await
        .expect_problem(409, Some("status"));
    app.pay(&order, "pay-late")
        .await
        .expect_problem(409, Some("status"));
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn a_paid_cancel_says_a_refund_is_owed_and_pay_at_pickup_starts_confirmed() {
    let app = a_stocked_shop().await;
    let order = app
        .place_order(
            "key-paid-cancel",
            &an_order().for_lines(&[("TEA-OOLONG", 1)]),
        )
        .await
        .expect(201)
        .body;
    app.pay(&order, "pay-9").await.expect(200);
    let cancelled = app
        .cancel_order(order["id"].as_str().unwrap(), None)
        .await
        .expect(200);
    let note = cancelled.body["timeline"][2]["note"].as_str().unwrap();
    assert!(note.contains("refund of 98.00 CNY is owed"), "{note}");

    let at_pickup = app
        .place_order(
            "key-pap",
            &an_order().for_lines(&[("SNK-SEEDS", 1)]).paid_at_pickup(),
        )
        .await
        .expect(201);
    assert_eq!(at_pickup.body["status"], "confirmed");
    assert!(at_pickup.body["payment_due_at"].is_null());
    // its goods stay held past any payment window
    app.advance_clock(Duration::from_secs(2 * 60 * 60));
    app.sweep_reservations().await.expect(200);
    assert_eq!(app.stored_level("SH-1", "SNK-SEEDS").reserved, 1);
}

#[tokio::test]
async fn an_unpaid_order_expires_with_its_reservation_after_the_payment_window() {
    let app = a_stocked_shop().await;
    let order = app
        .place_order("key-expire", &an_order().for_lines(&[("TEA-OOLONG", 4)]))
        .await
        .expect(201)
        .body;
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 4);

    app.advance_clock(Duration::from_secs(31 * 60));
    let swept = app.sweep_orders().await.expect(200);
    assert_eq!(swept.body["expired"], 1);

    let expired = app
        .get_order(order["id"].as_str().unwrap())
        .await
        .expect(200);
    assert_eq!(expired.body["status"], "expired");
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 0);
    app.pay(&order, "pay-too-late")
        .await
        .expect_problem(409, Some("status"));
    assert_stock_invariant(&app);
}

/// Sabotage: a failure injected at each step of place-order leaves no reservation, no coupon
/// use, no order row and no event behind, and the key can be retried.
#[tokio::test]
async fn a_failure_at_any_step_of_place_order_leaves_nothing_behind() {
    let steps = [
        ("reserve", "UPDATE stock_levels SET reserved = reserved +"),
        ("take limits", "INSERT INTO order_consumptions"),
        ("write the order", "INSERT INTO order_lines"),
        ("append order.placed", "INSERT INTO outbox"),
    ];
    for (step, statement) in steps {
        let app = a_stocked_shop().await;
        let cart = a_cart_with(&app, "cust-1", &[("TEA-OOLONG", 2)]).await;
        let order = an_order().for_cart(&cart).with_coupons(&["WELCOME10"]);
        app.app.faults().fail_sql_matching_once(statement);

        app.place_order("key-sabotage", &order)
            .await
            .expect_problem(503, None);

        assert_eq!(
            app.stored_level("SH-1", "TEA-OOLONG").reserved,
            0,
            "after {step}"
        );
        assert_eq!(
            count(
                &app,
                "SELECT COALESCE(SUM(uses), 0) FROM coupon_redemptions"
            ),
            0,
            "after {step}"
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM order_consumptions"),
            0,
            "after {step}"
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM orders"),
            0,
            "after {step}"
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM order_lines"),
            0,
            "after {step}"
        );
        assert_eq!(app.outbox_events("order.placed").len(), 0, "after {step}");
        app.get_cart(&cart).await.expect(200);
        // the key was given back: the retry places the order
        app.place_order("key-sabotage", &order).await.expect(201);
        assert_eq!(
            app.stored_level("SH-1", "TEA-OOLONG").reserved,
            2,
            "retry after {step}"
        );
    }

    // The last step, clearing the cart, fails: the order stands (a payment may already have
    // reached it) and the cart is left as it was
    let app = a_stocked_shop().await;
    let cart = a_cart_with(&app, "cust-1", &[("TEA-OOLONG", 2)]).await;
    // cart operations of place-order: read the cart, then (after the order is written) delete it
    app.app.faults().fail_kv_op_on(2, "cart:");
    app.place_order(
        "key-last",
        &an_order().for_cart(&cart).with_coupons(&["WELCOME10"]),
    )
    .await
    .expect(201);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders"), 1);
    assert_eq!(app.outbox_events("order.placed").len(), 1);
    app.get_cart(&cart).await.expect(200);
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn bad_place_order_requests_are_refused_naming_the_field_and_write_nothing() {
    let app = a_stocked_shop().await;
    let good = an_order().for_lines(&[("TEA-OOLONG", 1)]);
    app.place_order_raw(
        &Who::customer("cust-1"),
        None,
        good.to_json().to_string().into_bytes(),
    )
    .await
    .expect_problem(400, Some("Idempotency-Key"));
    for (field, order) in [
        (
            "payment_method",
            good.clone().with_field("payment_method", "cash".into()),
        ),
        (
            "lines[0].quantity",
            an_order().for_lines(&[("TEA-OOLONG", 0)]),
        ),
        (
            "lines[1].sku",
            an_order().for_lines(&[("TEA-OOLONG", 1), ("TEA-OOLONG", 2)]),
        ),
        (
            "customer_id",
            good.clone().with_field("customer_id", "".into()),
        ),
        (
            "quote_id",
            good.clone().with_field("quote_id", "nope".into()),
        ),
        (
            "payment_method",
            good.clone()
                .delivered_near_the_test_store()
                .paid_at_pickup(),
        ),
    ] {
        app.place_order(&format!("bad-{field}"), &order)
            .await
            .expect_problem(400, Some(field));
    }
    app.place_order("bad-json", &good.clone().with_field("surprise", 1.into()))
        .await
        .expect_problem(400, Some("surprise"));
    app.place_order("unknown-sku", &an_order().for_lines(&[("NOPE-1", 1)]))
        .await
        .expect_problem(422, Some("lines[0].sku"));
    app.place_order("unknown-store", &good.clone().pickup_at("SH-404"))
        .await
        .expect_problem(422, Some("fulfilment.store_id"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders"), 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM idempotency_requests"), 0);
    assert_eq!(
        count(&app, "SELECT COALESCE(SUM(reserved), 0) FROM stock_levels"),
        0
    );
    app.get_order("0190a1b2-0000-7000-8000-000000000000")
        .await
        .expect_problem(404, None);
}

//! Refund journeys through the built `o2o_refund.wasm`, on orders placed and paid through the
//! order function: partial refunds by line with the goods back on hand at the fulfilling store,
//! automatic approval under `refund_auto_approve_max` and staff approval above it, the payment
//! provider's signed completion (and bad signatures refused), refunds over what remains refused
//! with the amount that remains, exactly once per Idempotency-Key and under concurrent
//! requests, the delivery fee and coupon rules of a whole-order refund, and bad input refused
//! naming the field with nothing written. Each journey ends by asserting that money is
//! conserved (paid − refunded = net, never more refunded than paid, per line and per order)
//! and the stock invariant `0 <= reserved <= on_hand`.
//!
//! The dispatch function is built at the same time as this one: until it lands, an order is
//! moved to delivered or collected by `hand_over_by_sql` (the reservation committed through the
//! stock function, the status set with SQL), as dispatch would leave it.

use std::time::Duration;

use o2o_e2e::access_kit::Who;
use o2o_e2e::concurrency_kit::IN_FLIGHT;
use o2o_e2e::order_kit::an_order;
use o2o_e2e::refund_kit::a_refund;
use o2o_e2e::stock_kit::{a_stock_level, assert_stock_invariant};
use o2o_e2e::{
    CatalogBuilder, TEST_STORE_LOCATION, TestApp, a_catalog, a_coupon, amount, spawn_app,
};
use serde_json::Value;

/// SH-1 at the test location, delivering within 5 km for 6.00; oolong 98.00 and seeds 19.90;
/// a WELCOME10 coupon (10.00 off, shared over the lines, so that line totals do not divide
/// evenly by their quantities).
fn a_shop() -> CatalogBuilder {
    a_catalog()
        .with_priced_product("TEA-OOLONG", "tea", "98.00")
        .with_priced_product("SNK-SEEDS", "snacks", "19.90")
        .with_store_at("SH-1", TEST_STORE_LOCATION.0, TEST_STORE_LOCATION.1, 5.0)
        .with_coupon(a_coupon("WELCOME10").amount_off("10.00"))
        .with_delivery_band(5_000, "6.00")
}

/// The shop with 10 of each at SH-1 and refunds up to 50.00 approved automatically.
async fn a_stocked_shop() -> TestApp {
    let app = spawn_app(a_shop().with_variable("refund_auto_approve_max", "50.00")).await;
    app.with_stock(a_stock_level("SH-1", "TEA-OOLONG", 10));
    app.with_stock(a_stock_level("SH-1", "SNK-SEEDS", 10));
    app
}

/// cust-1's paid order of 1 oolong and 3 bags of seeds with WELCOME10, for pickup at SH-1.
async fn a_paid_order(app: &TestApp, key: &str) -> Value {
    let placed = app
        .place_order(
            key,
            &an_order()
                .for_lines(&[("TEA-OOLONG", 1), ("SNK-SEEDS", 3)])
                .with_coupons(&["WELCOME10"]),
        )
        .await
        .expect(201);
    app.pay(&placed.body, &format!("psp-{key}"))
        .await
        .expect(200)
        .body
}

/// The same order, collected by the customer (see the file's note on dispatch).
async fn a_collected_order(app: &TestApp, key: &str) -> Value {
    let order = a_paid_order(app, key).await;
    app.hand_over_by_sql(&order, "collected").await;
    order
}

/// cust-1's paid delivery order of 1 oolong and 3 bags of seeds with WELCOME10, not delivered.
async fn a_paid_delivery_with_the_coupon(app: &TestApp, key: &str) -> Value {
    let placed = app
        .place_order(
            key,
            &an_order()
                .for_lines(&[("TEA-OOLONG", 1), ("SNK-SEEDS", 3)])
                .with_coupons(&["WELCOME10"])
                .delivered_near_the_test_store(),
        )
        .await
        .expect(201);
    app.pay(&placed.body, &format!("psp-{key}"))
        .await
        .expect(200)
        .body
}

/// Staff member staff-7 asks back `lines` of `order` under `key`: the refund made.
async fn staff_asks_back(app: &TestApp, key: &str, order: &Value, lines: &[(&str, i64)]) -> Value {
    app.request_refund_as_staff(key, "staff-7", &a_refund(id(order)).of(lines))
        .await
        .expect(201)
        .body
}

/// The coupon uses taken and not given back.
fn coupon_uses(app: &TestApp) -> i64 {
    count(app, "SELECT COALESCE(SUM(uses), 0) FROM coupon_redemptions")
}

fn cents(money: &Value) -> i64 {
    let raw = amount(money);
    let (whole, fraction) = raw.split_once('.').expect("two decimals");
    whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap()
}

fn line<'a>(order: &'a Value, sku: &str) -> &'a Value {
    order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == sku)
        .unwrap_or_else(|| panic!("no {sku} line in {order}"))
}

fn id(value: &Value) -> &str {
    value["id"].as_str().expect("id")
}

fn count(app: &TestApp, sql: &str) -> i64 {
    app.app
        .sqlite("default")
        .query_scalar::<i64>(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Money invariant: per line the refunds (all but rejected ones) never exceed its total, all of
/// them never exceed the order total, and the order's summary says paid − refunded = net.
async fn assert_money_conserved(app: &TestApp, order: &Value) {
    let summary = app.refunds_of(id(order)).await.expect(200).body;
    let refunds = summary["items"].as_array().unwrap();
    let held = |r: &&Value| r["status"] != "rejected";
    for order_line in order["lines"].as_array().unwrap() {
        let refunded: i64 = refunds
            .iter()
            .filter(held)
            .flat_map(|r| r["lines"].as_array().unwrap().iter())
            .filter(|l| l["sku"] == order_line["sku"])
            .map(|l| cents(&l["amount"]))
            .sum();
        assert!(
            refunded <= cents(&order_line["total"]),
            "line {order_line} refunded {refunded}"
        );
    }
    let all: i64 = refunds
        .iter()
        .filter(held)
        .map(|r| cents(&r["total"]))
        .sum();
    assert!(
        all <= cents(&order["total"]),
        "{all} refunded of {}",
        order["total"]
    );
    let completed: i64 = refunds
        .iter()
        .filter(|r| r["status"] == "completed")
        .map(|r| cents(&r["total"]))
        .sum();
    assert_eq!(cents(&summary["paid"]), cents(&order["total"]));
    assert_eq!(cents(&summary["refunded"]), completed);
    assert_eq!(
        cents(&summary["paid"]) - cents(&summary["refunded"]),
        cents(&summary["net"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partial_refund_under_the_threshold_is_approved_at_once_and_the_goods_go_back_on_hand() {
    // Given cust-1 collected 1 oolong and 3 bags of seeds, paid with a coupon shared over both
    let app = a_stocked_shop().await;
    let order = a_collected_order(&app, "order-partial").await;
    let seeds = line(&order, "SNK-SEEDS");
    let seeds_total = cents(&seeds["total"]);
    assert_ne!(
        seeds_total % 3,
        0,
        "the coupon makes the line not divide evenly"
    );
    assert_eq!(app.stored_level("SH-1", "SNK-SEEDS").on_hand, 7);

    // When they ask back one bag, bringing it back to the store
    let refund = app
        .request_refund(
            "refund-partial",
            &a_refund(id(&order))
                .of(&[("SNK-SEEDS", 1)])
                .with_goods_returned(),
        )
        .await
        .expect(201);

    // Then it is worth what one bag was paid (floor of the line total over 3, to the cent),
    // under 50.00, so approved at once; the bag is back on hand at SH-1
    let body = &refund.body;
    assert_eq!(cents(&body["total"]), seeds_total / 3);
    assert_eq!(cents(&body["lines"][0]["amount"]), seeds_total / 3);
    assert_eq!(cents(&body["delivery_fee"]), 0);
    assert_eq!(body["status"], "approved");
    assert_eq!(body["decided_by"], "auto");
    assert_eq!(body["requested_by"], "customer:cust-1");
    assert_eq!(body["lines"][0]["line"], seeds["line"]);
    assert_eq!(
        refund.header("location"),
        Some(format!("/refunds/{}", id(body)).as_str())
    );
    assert_eq!(app.stored_level("SH-1", "SNK-SEEDS").on_hand, 8);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").on_hand, 9);
    assert_eq!(app.outbox_events("refund.requested").len(), 1);
    assert_eq!(app.outbox_events("refund.approved").len(), 1);
    assert!(
        app.outbox_events("refund.completed").is_empty(),
        "online: the provider completes it"
    );
    // the refund reads back as it was answered, and the order's summary shows it pending
    assert_eq!(app.get_refund(id(body)).await.expect(200).body, *body);
    let summary = app.refunds_of(id(&order)).await.expect(200).body;
    assert_eq!(summary["items"][0]["id"], body["id"]);
    assert_eq!(cents(&summary["pending"]), seeds_total / 3);
    assert_eq!(cents(&summary["refunded"]), 0);

    // And the last two bags take the remainder: the line is refunded exactly
    let rest = app
        .request_refund(
            "refund-partial-rest",
            &a_refund(id(&order)).of(&[("SNK-SEEDS", 2)]),
        )
        .await
        .expect(201);
    assert_eq!(cents(&rest.body["total"]), seeds_total - seeds_total / 3);
    assert_money_conserved(&app, &order).await;
    assert_stock_invariant(&app);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_approve_a_refund_over_the_threshold_and_the_signed_callback_completes_it() {
    // Given a collected order whose oolong line was paid more than 50.00
    let app = a_stocked_shop().await;
    let order = a_collected_order(&app, "order-staff").await;
    let oolong_total = cents(&line(&order, "TEA-OOLONG")["total"]);
    assert!(oolong_total > 5000);

    // When the customer asks it back with the tin returned, it waits for staff
    let requested = app
        .request_refund(
            "refund-staff",
            &a_refund(id(&order))
                .of(&[("TEA-OOLONG", 1)])
                .with_goods_returned(),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(requested["status"], "requested");
    assert_eq!(cents(&requested["total"]), oolong_total);
    assert_eq!(
        app.stored_level("SH-1", "TEA-OOLONG").on_hand,
        9,
        "not back before approval"
    );
    let refund = id(&requested).to_owned();

    // approving needs a staff member; a completion before approval is refused
    app.approve_refund(None, &refund)
        .await
        .expect_problem(401, Some("x-api-key"));
    app.complete_refund(&requested, "psp-refund-early")
        .await
        .expect_problem(409, Some("status"));

    // Then staff approve: the tin is back on hand, the approval is audited
    let approved = app
        .approve_refund(Some("staff-7"), &refund)
        .await
        .expect(200)
        .body;
    assert_eq!(approved["status"], "approved");
    let staff_7 = app.actor("staff-7", "refund-approve").await;
    assert_eq!(approved["decided_by"], staff_7.as_str());
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").on_hand, 10);
    assert!(
        app.audit_entries()
            .iter()
            .any(|(actor, action, subject)| *actor == staff_7
                && action == "refund.approve"
                && subject == &refund)
    );
    // a second approval is an illegal move
    app.approve_refund(Some("staff-7"), &refund)
        .await
        .expect_problem(409, Some("status"));

    // A completion with a bad signature, or the wrong amount, changes nothing
    let mut forged = app.signed_refund_completion("psp-refund-1", amount(&approved["total"]));
    forged.signature = format!("sha256={}", "0".repeat(64));
    app.send_refund_completion(&refund, &forged)
        .await
        .expect_problem(401, Some("x-o2o-signature"));
    let short = app.signed_refund_completion("psp-refund-1", "1.00");
    app.send_refund_completion(&refund, &short)
        .await
        .expect_problem(422, Some("amount"));
    assert_eq!(
        app.get_refund(&refund).await.expect(200).body["status"],
        "approved"
    );

    // And the provider's signed callback completes it, once
    let signed = app.signed_refund_completion("psp-refund-1", amount(&approved["total"]));
    let completed = app
        .send_refund_completion(&refund, &signed)
        .await
        .expect(200)
        .body;
    assert_eq!(completed["status"], "completed");
    assert_eq!(completed["refund_reference"], "psp-refund-1");
    let statuses: Vec<&str> = completed["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["requested", "approved", "completed"]);
    // The answer is the WIT record `after-sales.refund` (with more fields besides)
    let as_wit: o2o_contract::Refund =
        serde_json::from_value(completed.clone()).expect("the WIT refund record");
    assert_eq!(as_wit.status, o2o_contract::RefundStatus::Completed);
    assert_eq!(as_wit.lines.len(), 1);
    assert_eq!(app.outbox_events("refund.completed").len(), 1);
    // the same signed message again is a replay; the provider's retry signed anew is a no-op;
    // another reference is refused
    app.send_refund_completion(&refund, &signed)
        .await
        .expect_problem(401, Some("x-o2o-signature"));
    app.advance_clock(Duration::from_secs(1));
    app.complete_refund(&completed, "psp-refund-1")
        .await
        .expect(200);
    app.complete_refund(&completed, "psp-refund-2")
        .await
        .expect_problem(409, Some("refund_reference"));
    assert_eq!(app.outbox_events("refund.completed").len(), 1);

    // paid − refunded = net
    let summary = app.refunds_of(id(&order)).await.expect(200).body;
    assert_eq!(cents(&summary["refunded"]), oolong_total);
    assert_eq!(
        cents(&summary["net"]),
        cents(&order["total"]) - oolong_total
    );
    assert_money_conserved(&app, &order).await;
    assert_stock_invariant(&app);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refund_over_what_remains_is_refused_with_the_amount_remaining() {
    let app = a_stocked_shop().await;
    let order = a_collected_order(&app, "order-over").await;
    let seeds_total = cents(&line(&order, "SNK-SEEDS")["total"]);
    app.request_refund(
        "refund-over-1",
        &a_refund(id(&order)).of(&[("SNK-SEEDS", 2)]),
    )
    .await
    .expect(201);
    let before = app.count_rows("refunds");

    // When 2 more of the 3 bags are asked back
    let refused = app
        .request_refund(
            "refund-over-2",
            &a_refund(id(&order)).of(&[("SNK-SEEDS", 2)]),
        )
        .await
        .expect_problem(409, Some("lines[0].quantity"));

    // Then the answer says what remains: 1 bag, worth the line total less two floors
    assert_eq!(
        refused.body["type"],
        "urn:o2o:problem:refund-exceeds-remaining"
    );
    assert_eq!(refused.body["remaining"]["units"], 1);
    assert_eq!(refused.body["remaining"]["sku"], "SNK-SEEDS");
    assert_eq!(
        cents(&refused.body["remaining"]["amount"]),
        seeds_total - 2 * (seeds_total / 3)
    );
    assert_eq!(app.count_rows("refunds"), before, "nothing written");
    // and more units than the line ever had are refused the same way
    app.request_refund(
        "refund-over-3",
        &a_refund(id(&order)).of(&[("TEA-OOLONG", 2)]),
    )
    .await
    .expect_problem(409, Some("lines[0].quantity"));
    // the key of a refused request is free again: the same key with what remains succeeds
    app.request_refund(
        "refund-over-2",
        &a_refund(id(&order)).of(&[("SNK-SEEDS", 1)]),
    )
    .await
    .expect(201);
    assert_money_conserved(&app, &order).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_idempotency_key_and_body_gives_the_same_refund_and_no_second_effect() {
    let app = a_stocked_shop().await;
    let order = a_collected_order(&app, "order-retry").await;
    let refund = a_refund(id(&order))
        .of(&[("SNK-SEEDS", 1)])
        .with_goods_returned();

    let first = app
        .request_refund("refund-retry", &refund)
        .await
        .expect(201);
    let second = app
        .request_refund("refund-retry", &refund)
        .await
        .expect(201);

    assert_eq!(first.body, second.body);
    assert_eq!(app.count_rows("refunds"), 1);
    assert_eq!(
        app.stored_level("SH-1", "SNK-SEEDS").on_hand,
        8,
        "one bag back, once"
    );
    assert_eq!(app.outbox_events("refund.requested").len(), 1);
    // the same key with another body is refused and changes nothing
    app.request_refund(
        "refund-retry",
        &a_refund(id(&order)).of(&[("SNK-SEEDS", 2)]),
    )
    .await
    .expect_problem(422, Some("Idempotency-Key"));
    assert_eq!(app.count_rows("refunds"), 1);
    assert_money_conserved(&app, &order).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refund_requests_never_refund_more_than_the_line() {
    // Given a line of 3 bags, when 50 requests for one bag each arrive at once
    let app = a_stocked_shop().await;
    let order = a_collected_order(&app, "order-race").await;
    let seeds_total = cents(&line(&order, "SNK-SEEDS")["total"]);
    let ask = a_refund(id(&order)).of(&[("SNK-SEEDS", 1)]);
    let mut requests = Vec::new();
    for i in 0..IN_FLIGHT {
        requests.push(
            app.request_as(
                &Who::customer("cust-1"),
                "POST",
                "/refunds",
                Some(ask.to_json()),
                &[("idempotency-key", &format!("race-{i}"))],
            )
            .await,
        );
    }
    let answers = app.all_at_once(requests).await;

    // Then exactly three are made, the others told nothing remains, and the three together
    // give back exactly what the line was paid
    let made: Vec<&Value> = answers
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| &r.body)
        .collect();
    assert_eq!(made.len(), 3, "{answers:?}");
    for refused in answers.iter().filter(|r| r.status != 201) {
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert_eq!(refused.body["remaining"]["units"], 0);
    }
    let sum: i64 = made.iter().map(|r| cents(&r["total"])).sum();
    assert_eq!(sum, seeds_total);
    assert_eq!(
        app.count_rows("refunds"),
        3,
        "every 201 is a refund kept, and only those"
    );
    assert_money_conserved(&app, &order).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_order_refunded_before_delivery_returns_the_delivery_fee_and_the_coupon_use() {
    // Given a paid delivery order with the coupon, not delivered yet
    let app = a_stocked_shop().await;
    let order = a_paid_delivery_with_the_coupon(&app, "order-whole").await;
    assert_eq!(amount(&order["delivery_fee"]), "6.00");
    assert_eq!(coupon_uses(&app), 1);

    // When staff refund one line, then the other (the goods never left the store)
    let first = staff_asks_back(&app, "whole-1", &order, &[("SNK-SEEDS", 3)]).await;
    assert_eq!(cents(&first["delivery_fee"]), 0, "not the whole order yet");
    let staff_7 = app.actor("staff-7", "refund-approve").await;
    assert_eq!(first["requested_by"], format!("staff:{staff_7}"));
    assert!(
        app.audit_entries()
            .iter()
            .any(|(actor, action, subject)| *actor == staff_7
                && action == "refund.request"
                && subject == id(&first)),
        "a staff request is audited"
    );
    let last = staff_asks_back(&app, "whole-2", &order, &[("TEA-OOLONG", 1)]).await;

    // Then the refund completing the order carries the delivery fee, and all together are
    // exactly the order total
    assert_eq!(last["completes_order"], true);
    assert_eq!(amount(&last["delivery_fee"]), "6.00");
    assert_eq!(
        cents(&first["total"]) + cents(&last["total"]),
        cents(&order["total"])
    );
    // the coupon use comes back when approved refunds cover the whole order, not before
    assert_eq!(coupon_uses(&app), 1);
    app.approve_refund(Some("staff-7"), id(&last))
        .await
        .expect(200);
    // (the seeds' refund, above the automatic threshold, waits for staff: until it is approved
    // the order is not wholly refunded)
    assert_eq!(first["status"], "requested");
    assert_eq!(coupon_uses(&app), 1);
    app.approve_refund(Some("staff-7"), id(&first))
        .await
        .expect(200);
    assert_eq!(coupon_uses(&app), 0);
    // goods cannot come back from an order that never reached the customer
    app.request_refund(
        "whole-3",
        &a_refund(id(&order))
            .of(&[("TEA-OOLONG", 1)])
            .with_goods_returned(),
    )
    .await
    .expect_problem(422, Some("goods_returned"));
    assert_money_conserved(&app, &order).await;
    assert_stock_invariant(&app);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_order_refunded_after_delivery_keeps_the_delivery_fee() {
    let app = a_stocked_shop().await;
    let placed = app
        .place_order(
            "order-delivered",
            &an_order()
                .for_lines(&[("SNK-SEEDS", 2)])
                .delivered_near_the_test_store(),
        )
        .await
        .expect(201);
    let order = app
        .pay(&placed.body, "psp-delivered")
        .await
        .expect(200)
        .body;
    app.hand_over_by_sql(&order, "delivered").await;

    let refund = app
        .request_refund(
            "delivered-all",
            &a_refund(id(&order))
                .of(&[("SNK-SEEDS", 2)])
                .with_goods_returned(),
        )
        .await
        .expect(201)
        .body;

    assert_eq!(refund["completes_order"], true);
    assert_eq!(cents(&refund["delivery_fee"]), 0);
    assert_eq!(
        cents(&refund["total"]),
        cents(&order["total"]) - cents(&order["delivery_fee"])
    );
    assert_money_conserved(&app, &order).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pay_at_pickup_refunds_are_paid_back_at_the_store_once_collected() {
    let app = a_stocked_shop().await;
    let order = app
        .place_order(
            "order-till",
            &an_order().for_lines(&[("SNK-SEEDS", 2)]).paid_at_pickup(),
        )
        .await
        .expect(201)
        .body;
    // Nothing was paid before collection: nothing to refund
    app.request_refund("till-early", &a_refund(id(&order)).of(&[("SNK-SEEDS", 1)]))
        .await
        .expect_problem(409, Some("order_id"));

    app.hand_over_by_sql(&order, "collected").await;
    let refund = app
        .request_refund("till-1", &a_refund(id(&order)).of(&[("SNK-SEEDS", 1)]))
        .await
        .expect(201)
        .body;

    assert_eq!(refund["status"], "completed");
    assert_eq!(refund["refund_reference"], "store:SH-1");
    assert_eq!(app.outbox_events("refund.completed").len(), 1);
    let summary = app.refunds_of(id(&order)).await.expect(200).body;
    assert_eq!(cents(&summary["refunded"]), cents(&refund["total"]));
    assert_money_conserved(&app, &order).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_refund_frees_its_units_and_moves_no_further() {
    let app = a_stocked_shop().await;
    let order = a_collected_order(&app, "order-reject").await;
    let requested = app
        .request_refund("reject-1", &a_refund(id(&order)).of(&[("TEA-OOLONG", 1)]))
        .await
        .expect(201)
        .body;

    let rejected = app
        .reject_refund("staff-7", id(&requested), "photo shows no damage")
        .await
        .expect(200)
        .body;

    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["note"], "photo shows no damage");
    app.approve_refund(Some("staff-7"), id(&requested))
        .await
        .expect_problem(409, Some("status"));
    app.complete_refund(&requested, "psp-x")
        .await
        .expect_problem(409, Some("status"));
    // the tin may be asked back again
    app.request_refund("reject-2", &a_refund(id(&order)).of(&[("TEA-OOLONG", 1)]))
        .await
        .expect(201);
    assert_money_conserved(&app, &order).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_problem_naming_the_field_and_nothing_is_written() {
    let app = a_stocked_shop().await;
    let order = a_collected_order(&app, "order-bad").await;
    let keys_before = app.count_rows("idempotency_requests");
    let good = a_refund(id(&order)).of(&[("SNK-SEEDS", 1)]);

    // no Idempotency-Key
    app.request_refund_raw(
        &Who::customer("cust-1"),
        None,
        good.to_json().to_string().into_bytes(),
    )
    .await
    .expect_problem(400, Some("Idempotency-Key"));
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            good.clone().with_field("order_id", "nope".into()).to_json(),
            400,
            "order_id",
        ),
        (good.clone().of(&[]).to_json(), 400, "lines"),
        (
            good.clone().of(&[("SNK-SEEDS", 0)]).to_json(),
            400,
            "lines[0].quantity",
        ),
        (
            good.clone().of(&[("snk seeds", 1)]).to_json(),
            400,
            "lines[0].sku",
        ),
        (
            good.clone()
                .of(&[("SNK-SEEDS", 1), ("SNK-SEEDS", 1)])
                .to_json(),
            400,
            "lines[1].sku",
        ),
        (
            good.clone().with_field("reason", " ".into()).to_json(),
            400,
            "reason",
        ),
        (
            good.clone()
                .with_field("goods_returned", "yes".into())
                .to_json(),
            400,
            "goods_returned",
        ),
        (
            good.clone().with_field("refund_all", true.into()).to_json(),
            400,
            "refund_all",
        ),
        // the customer is the token's, never the body's
        (
            good.clone()
                .with_field("customer_id", "cust-2".into())
                .to_json(),
            400,
            "customer_id",
        ),
        (
            good.clone().of(&[("TEA-GREEN", 1)]).to_json(),
            422,
            "lines[0].sku",
        ),
    ];
    for (i, (body, status, field)) in cases.into_iter().enumerate() {
        app.request_refund_raw(
            &Who::customer("cust-1"),
            Some(&format!("bad-{i}")),
            body.to_string().into_bytes(),
        )
        .await
        .expect_problem(status, Some(field));
    }
    // someone else's order is no order of theirs
    app.request_refund("bad-other", &good.clone().by_customer("cust-2"))
        .await
        .expect_problem(404, None);
    // an order that does not exist, a refund that does not exist
    app.request_refund(
        "bad-missing",
        &a_refund("01900000-0000-7000-8000-000000000000").of(&[("SNK-SEEDS", 1)]),
    )
    .await
    .expect_problem(404, None);
    app.get_refund("01900000-0000-7000-8000-000000000000")
        .await
        .expect_problem(404, None);
    app.send_as(&Who::customer("cust-1"), "GET", "/refunds", None)
        .await
        .expect_problem(400, Some("order_id"));

    assert_eq!(app.count_rows("refunds"), 0);
    assert_eq!(app.count_rows("refund_lines"), 0);
    assert_eq!(
        app.count_rows("idempotency_requests"),
        keys_before,
        "every key given back"
    );
    assert_eq!(app.stored_level("SH-1", "SNK-SEEDS").on_hand, 7);
    assert!(app.outbox_events("refund.requested").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn coupon_uses_come_back_only_when_approved_refunds_cover_every_unit() {
    // Given a paid delivery order with the coupon, and no refund approved without staff
    let app = spawn_app(a_shop().with_variable("refund_auto_approve_max", "0.00")).await;
    app.with_stock(a_stock_level("SH-1", "TEA-OOLONG", 10));
    app.with_stock(a_stock_level("SH-1", "SNK-SEEDS", 10));
    let order = a_paid_delivery_with_the_coupon(&app, "order-rejected").await;

    // When one bag is asked back, then the rest of the order (which, counting that pending
    // bag, completes it), and the bag's refund is rejected before the rest is approved
    let bag = staff_asks_back(&app, "rej-1", &order, &[("SNK-SEEDS", 1)]).await;
    let rest = staff_asks_back(
        &app,
        "rej-2",
        &order,
        &[("SNK-SEEDS", 2), ("TEA-OOLONG", 1)],
    )
    .await;
    assert_eq!(rest["completes_order"], true);
    app.reject_refund("staff-7", id(&bag), "not damaged")
        .await
        .expect(200);
    app.approve_refund(Some("staff-7"), id(&rest))
        .await
        .expect(200);

    // Then one bag is still the customer's: the coupon use stays taken
    assert_eq!(coupon_uses(&app), 1);

    // And when that bag is refunded after all, the order is wholly refunded and it comes back
    let last_bag = staff_asks_back(&app, "rej-3", &order, &[("SNK-SEEDS", 1)]).await;
    app.approve_refund(Some("staff-7"), id(&last_bag))
        .await
        .expect(200);
    assert_eq!(coupon_uses(&app), 0);
}

//! The whole life of one order through every function, with no SQL shortcuts (issue 6, "Done
//! when"): a customer orders for delivery with a coupon and pays; staff start fulfilment and
//! hand the goods to a courier; the courier's signed update delivers it; the customer gets one
//! tin back with the goods returned; they review the order, one line badly, which opens a
//! complaint that staff resolve. At the end: stock is conserved (on hand and reserved add up),
//! money is conserved (paid − refunded = net, no double refund under a retried key or
//! concurrent requests), and each state machine refuses illegal moves.

use o2o_e2e::dispatch_kit::{STAFF, a_courier};
use o2o_e2e::feedback_kit::a_review_of;
use o2o_e2e::order_kit::an_order;
use o2o_e2e::refund_kit::a_refund;
use o2o_e2e::stock_kit::a_stock_level;
use o2o_e2e::{TEST_STORE_LOCATION, a_catalog, a_coupon, amount, spawn_app};
use serde_json::Value;

fn cents(money: &Value) -> i64 {
    let (whole, fraction) = amount(money).split_once('.').expect("two decimals");
    whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap()
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn order_pay_dispatch_deliver_refund_review_and_resolve_with_stock_and_money_conserved() {
    // Given a store with 10 tins of oolong and 10 bags of seeds, a courier, and a coupon
    let app = spawn_app(
        a_catalog()
            .with_priced_product("TEA-OOLONG", "tea", "98.00")
            .with_priced_product("SNK-SEEDS", "snacks", "19.90")
            .with_store_at("SH-1", TEST_STORE_LOCATION.0, TEST_STORE_LOCATION.1, 5.0)
            .with_coupon(a_coupon("WELCOME10").amount_off("10.00"))
            .with_delivery_band(5_000, "6.00"),
    )
    .await;
    app.with_stock(a_stock_level("SH-1", "TEA-OOLONG", 10));
    app.with_stock(a_stock_level("SH-1", "SNK-SEEDS", 10));
    app.add_courier(&a_courier("COURIER-1", "SH-1"))
        .await
        .expect(201);

    // When cust-1 orders 2 tins and 3 bags for delivery with the coupon, and pays
    let cart = app.create_cart(Some("cust-1")).await;
    app.add_to_cart(&cart, "TEA-OOLONG", 2).await.expect(200);
    app.add_to_cart(&cart, "SNK-SEEDS", 3).await.expect(200);
    let placed = app
        .place_order(
            "order-1",
            &an_order()
                .for_cart(&cart)
                .delivered_near_the_test_store()
                .with_coupons(&["WELCOME10"]),
        )
        .await
        .expect(201)
        .body;
    let order = id(&placed);
    let paid = app.pay(&placed, "psp-order-1").await.expect(200).body;
    assert_eq!(paid["status"], "paid");
    let paid_cents = cents(&paid["total"]);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 2);

    // Staff start fulfilment and hand it to the courier: the goods leave the store
    let shipment = id(&app.start_fulfilment(&order).await.expect(201).body);
    app.start_fulfilment(&order)
        .await
        .expect_problem(409, Some("status"));
    app.assign_courier(&shipment, Some("COURIER-1"))
        .await
        .expect(200);
    let oolong = app.stored_level("SH-1", "TEA-OOLONG");
    assert_eq!(
        (oolong.on_hand, oolong.reserved),
        (8, 0),
        "committed when it left"
    );

    // The courier's signed update delivers it; a replay and a step backwards are refused
    let delivered = app.signed_courier_update(&shipment, "COURIER-1", "delivered");
    app.send_courier_update(&delivered).await.expect(200);
    app.send_courier_update(&delivered)
        .await
        .expect_problem(401, Some("x-o2o-signature"));
    app.courier_reports(&shipment, "COURIER-1", "out-for-delivery")
        .await
        .expect_problem(409, Some("status"));
    let tracked = app.get_order(&order).await.expect(200).body;
    assert_eq!(tracked["status"], "delivered");
    let timeline: Vec<&str> = tracked["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        timeline,
        [
            "pending-payment",
            "paid",
            "fulfilling",
            "out-for-delivery",
            "delivered"
        ]
    );
    // a delivered order cannot be paid again or cancelled
    app.pay(&placed, "psp-order-1b")
        .await
        .expect_problem(409, Some("payment_reference"));
    app.cancel_order(&order, None)
        .await
        .expect_problem(409, Some("status"));

    // The customer sends one tin back: staff approve it, the tin is back on hand
    let one_tin = a_refund(&order)
        .of(&[("TEA-OOLONG", 1)])
        .with_goods_returned();
    let requested = app
        .request_refund("refund-1", &one_tin)
        .await
        .expect(201)
        .body;
    let retried = app
        .request_refund("refund-1", &one_tin)
        .await
        .expect(201)
        .body;
    assert_eq!(requested, retried, "the same key gives the same refund");
    let refund = id(&requested);
    let approved = if requested["status"] == "approved" {
        requested.clone()
    } else {
        app.approve_refund(Some("staff-7"), &refund)
            .await
            .expect(200)
            .body
    };
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").on_hand, 9);
    app.complete_refund(&approved, "psp-refund-1")
        .await
        .expect(200);
    app.approve_refund(Some("staff-7"), &refund)
        .await
        .expect_problem(409, Some("status"));

    // Two requests at once for the last tin: at most one holds it
    let last_tin = a_refund(&order).of(&[("TEA-OOLONG", 1)]);
    let (a, b) = tokio::join!(
        app.request_refund("refund-2a", &last_tin),
        app.request_refund("refund-2b", &last_tin)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    // and one more is refused with what remains: nothing of that line
    let refused = app
        .request_refund("refund-3", &last_tin)
        .await
        .expect_problem(409, Some("lines[0].quantity"));
    assert_eq!(refused.body["remaining"]["units"], 0);

    // They review it: the seeds get one star, which opens a complaint staff resolve once
    let review = app
        .submit_feedback(
            &a_review_of(&order, "cust-1")
                .line(0, 5)
                .line_saying(1, 1, "<b>stale</b>")
                .store_rating(4)
                .delivery_rating(5),
        )
        .await
        .expect(201)
        .body;
    let complaint = id(&review["complaint"]);
    assert_eq!(app.outbox_events("feedback.complaint").len(), 1);
    app.resolve_complaint(Some(STAFF), &complaint, "replaced with a fresh bag")
        .await
        .expect(200);
    app.resolve_complaint(Some(STAFF), &complaint, "again")
        .await
        .expect_problem(409, None);
    app.submit_feedback(&a_review_of(&order, "cust-1").line(0, 4))
        .await
        .expect_problem(409, Some("lines[0].line"));

    // Then stock is conserved: 2 tins sold, 1 back; 3 bags sold; nothing held
    let oolong = app.stored_level("SH-1", "TEA-OOLONG");
    let seeds = app.stored_level("SH-1", "SNK-SEEDS");
    assert_eq!((oolong.on_hand, oolong.reserved), (9, 0));
    assert_eq!((seeds.on_hand, seeds.reserved), (7, 0));

    // And money is conserved: paid − refunded = net, never more than was paid
    let summary = app.refunds_of(&order).await.expect(200).body;
    assert_eq!(cents(&summary["paid"]), paid_cents);
    let completed: i64 = summary["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "completed")
        .map(|r| cents(&r["total"]))
        .sum();
    assert_eq!(cents(&summary["refunded"]), completed);
    assert_eq!(cents(&summary["net"]), paid_cents - completed);
    let held: i64 = summary["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "rejected")
        .map(|r| cents(&r["total"]))
        .sum();
    let oolong_line = placed["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == "TEA-OOLONG")
        .unwrap();
    assert_eq!(
        held,
        cents(&oolong_line["total"]),
        "both tins, exactly the line"
    );
}

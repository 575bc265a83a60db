//! Races through the host with 50 requests in flight, each repeated `race_rounds()` times:
//! the four holes the black-box concurrency tests found (an Idempotency-Key shared across
//! customers, pickup-code guesses in parallel, a rate limit passed by a burst, cart adds lost),
//! the other "at most N" rules of the API (coupon uses, flash-sale units, one review per
//! order line), and one document many staff change at once (a store price). Each journey checks that the rule held and that every 2xx answer is kept in
//! state: a 200 for a change that did not happen is lost data.

use std::collections::HashSet;

use o2o_e2e::access_kit::Who;
use o2o_e2e::concurrency_kit::{IN_FLIGHT, count_status, race_rounds, statuses};
use o2o_e2e::order_kit::an_order;
use o2o_e2e::stock_kit::{a_stock_level, assert_stock_invariant};
use o2o_e2e::{CatalogBuilder, TestApp, a_catalog, spawn_app};
use serde_json::{Value, json};

/// One store, SH-1, with 50 products TEA-0 .. TEA-49 at 10.00 each.
fn a_shop_of_50_teas() -> CatalogBuilder {
    (0..IN_FLIGHT)
        .fold(a_catalog(), |catalog, i| {
            catalog.with_priced_product(&format!("TEA-{i}"), "tea", "10.00")
        })
        .with_store("SH-1")
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("a string: {v}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn customers_sharing_an_idempotency_key_each_place_an_order_of_their_own() {
    let app = spawn_app(a_shop_of_50_teas()).await;
    app.with_stock(a_stock_level("SH-1", "TEA-0", 100_000));
    for round in 0..race_rounds() {
        // Given customer A placed an order with key K
        let key = format!("shared-key-{round}");
        let first = an_order()
            .for_lines(&[("TEA-0", 1)])
            .for_customer(&format!("cust-a{round}"));
        let placed = app.place_order(&key, &first).await.expect(201);
        let a_order = text(&placed.body["id"]);

        // When 50 other customers send the same key at once, half of them with A's very body
        // and half with a body of their own
        let mut requests = Vec::new();
        for i in 0..IN_FLIGHT {
            let customer = format!("cust-r{round}-{i}");
            let body = if i % 2 == 0 {
                first.to_json()
            } else {
                an_order().for_lines(&[("TEA-0", 2)]).to_json()
            };
            requests.push(
                app.request_as(
                    &Who::customer(&customer),
                    "POST",
                    "/orders",
                    Some(body),
                    &[("idempotency-key", &key)],
                )
                .await,
            );
        }
        let answers = app.all_at_once(requests).await;

        // Then every one of them is an order of his own: none sees A's order, none is told the
        // key is taken
        let mut orders = HashSet::new();
        for (i, answer) in answers.iter().enumerate() {
            assert_eq!(answer.status, 201, "customer {i}: {}", answer.body);
            assert_eq!(answer.body["customer_id"], format!("cust-r{round}-{i}"));
            assert_ne!(text(&answer.body["id"]), a_order);
            orders.insert(text(&answer.body["id"]));
        }
        assert_eq!(orders.len(), IN_FLIGHT, "fifty different orders");

        // And A's retry still replays A's order, exactly once
        let again = app.place_order(&key, &first).await.expect(201);
        assert_eq!(text(&again.body["id"]), a_order);
    }
    let placed_per_round = 1 + IN_FLIGHT as i64;
    assert_eq!(
        app.count_rows("orders"),
        placed_per_round * race_rounds() as i64
    );
    assert_stock_invariant(&app);
}

/// A pickup order of 1 tea at SH-1, paid and ready: (shipment id, its pickup code).
async fn a_shipment_waiting_for_pickup(app: &TestApp, key: &str) -> (String, String) {
    let placed = app
        .place_order(key, &an_order().for_lines(&[("TEA-0", 1)]))
        .await
        .expect(201);
    app.pay(&placed.body, &format!("psp-{key}"))
        .await
        .expect(200);
    let started = app
        .start_fulfilment(&text(&placed.body["id"]))
        .await
        .expect(201);
    let shipment = text(&started.body["id"]);
    let ready = app.ready_for_pickup(&shipment).await.expect(200);
    (shipment, text(&ready.body["pickup_code"]))
}

/// 50 collection attempts at once on `shipment`: the right `code` at `right_at`, if any, and
/// wrong codes everywhere else.
async fn collect_at_once(
    app: &TestApp,
    shipment: &str,
    code: &str,
    right_at: Option<usize>,
) -> Vec<o2o_e2e::TestResponse> {
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let path = format!("/dispatch/shipments/{shipment}/collection");
    let mut requests = Vec::new();
    for i in 0..IN_FLIGHT {
        let guess = if right_at == Some(i) { code } else { wrong };
        requests.push(
            app.request_as(
                &Who::staff("counter", "dispatch"),
                "POST",
                &path,
                Some(json!({ "pickup_code": guess })),
                &[],
            )
            .await,
        );
    }
    app.all_at_once(requests).await
}

/// Answers that judged a wrong code (422, "n more tries"), as opposed to a locked collection
/// (409).
fn wrong_code_judgements(answers: &[o2o_e2e::TestResponse]) -> usize {
    answers
        .iter()
        .filter(|a| a.status == 422 && text(&a.body["detail"]).contains("more tries"))
        .count()
}

/// The shop of 50 teas, where the counter's key is not held back by the rate limit while it
/// takes hundreds of guesses.
fn a_busy_counter() -> o2o_e2e::AppConfig {
    a_shop_of_50_teas().with_variable("rate_limit_requests", "1000000")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_pickup_code_guesses_are_judged_at_most_five_times() {
    let app = spawn_app(a_busy_counter()).await;
    app.with_stock(a_stock_level("SH-1", "TEA-0", 100_000));
    for round in 0..race_rounds() {
        // Given goods waiting for pickup
        let (shipment, code) = a_shipment_waiting_for_pickup(&app, &format!("guess-{round}")).await;

        // When 50 wrong codes arrive at once
        let answers = collect_at_once(&app, &shipment, &code, None).await;

        // Then five are judged wrong, the rest find the collection locked
        assert_eq!(
            wrong_code_judgements(&answers),
            5,
            "{:?}",
            statuses(&answers)
        );
        assert_eq!(
            count_status(&answers, 409),
            IN_FLIGHT - 5,
            "{:?}",
            statuses(&answers)
        );
        let tries: i64 = app
            .app
            .sqlite("default")
            .query_scalar(
                "SELECT pickup_attempts FROM shipments WHERE id = ?",
                &[spin_test_host::SqlValue::Text(shipment.clone())],
            )
            .unwrap();
        assert_eq!(tries, 5);

        // And the right code afterwards is refused too
        app.collect(&shipment, &code)
            .await
            .expect_problem(409, Some("pickup_code"));
        assert_eq!(
            app.shipment(&shipment).await.body["shipment"]["status"],
            "ready-for-pickup"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_right_pickup_code_among_parallel_guesses_never_follows_five_wrong_ones() {
    let app = spawn_app(a_busy_counter()).await;
    app.with_stock(a_stock_level("SH-1", "TEA-0", 100_000));
    for round in 0..race_rounds() {
        let (shipment, code) = a_shipment_waiting_for_pickup(&app, &format!("mix-{round}")).await;

        // When the right code is the 16th of 50 attempts at once
        let answers = collect_at_once(&app, &shipment, &code, Some(15)).await;

        // Then at most five wrong codes were judged, and the right one either collected
        // (before the lock) or was refused with the lock
        assert!(
            wrong_code_judgements(&answers) <= 5,
            "{:?}",
            statuses(&answers)
        );
        let collected = answers[15].status == 200;
        let status = app.shipment(&shipment).await.body["shipment"]["status"].clone();
        if collected {
            assert_eq!(status, "collected");
        } else {
            assert_eq!(answers[15].status, 409, "{}", answers[15].body);
            assert_eq!(status, "ready-for-pickup");
            assert_eq!(wrong_code_judgements(&answers), 5);
        }
        assert_eq!(count_status(&answers, 200), usize::from(collected));
    }
    assert_stock_invariant(&app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_requests_never_passes_the_rate_limit() {
    let app = spawn_app(
        a_shop_of_50_teas()
            .with_variable("rate_limit_requests", "30")
            .with_variable("rate_limit_window_seconds", "3600"),
    )
    .await;
    for round in 0..race_rounds() {
        // Given a customer allowed 30 requests an hour
        let customer = Who::customer(&format!("cust-burst-{round}"));

        // When 50 of their requests arrive at once
        let mut requests = Vec::new();
        for _ in 0..IN_FLIGHT {
            requests.push(
                app.request_as(&customer, "GET", "/orders?limit=1", None, &[])
                    .await,
            );
        }
        let answers = app.all_at_once(requests).await;

        // Then exactly 30 are served and 20 are told to retry later
        assert_eq!(count_status(&answers, 200), 30, "{:?}", statuses(&answers));
        assert_eq!(count_status(&answers, 429), 20, "{:?}", statuses(&answers));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_adds_to_one_cart_are_all_kept() {
    let app = spawn_app(a_shop_of_50_teas()).await;
    for round in 0..race_rounds() {
        // Given a customer's cart and a guest's cart
        let customer = format!("cust-cart-{round}");
        let cart = app.create_cart(Some(&customer)).await;
        let guest = app.create_cart(None).await;

        // When 50 adds arrive at once: of one tea to the customer's cart, and of 50 different
        // teas to the guest's
        let mut requests = Vec::new();
        for i in 0..IN_FLIGHT {
            let (who, target, sku) = if i % 2 == 0 {
                (Who::customer(&customer), &cart, "TEA-0".to_owned())
            } else {
                (Who::Nobody, &guest, format!("TEA-{i}"))
            };
            requests.push(
                app.request_as(
                    &who,
                    "POST",
                    &format!("/cart/{target}/items"),
                    Some(json!({ "sku": sku, "quantity": 1 })),
                    &[],
                )
                .await,
            );
        }
        let answers = app.all_at_once(requests).await;

        // Then every add that was answered 200 is in its cart
        let added = |parity: usize| {
            answers
                .iter()
                .enumerate()
                .filter(|(i, a)| i % 2 == parity && a.status == 200)
                .count()
        };
        let customer_cart = app.get_cart(&cart).await.expect(200).body;
        let units: i64 = customer_cart["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["quantity"].as_i64().unwrap())
            .sum();
        assert_eq!(units as usize, added(0), "{customer_cart}");
        let guest_cart = app.get_cart(&guest).await.expect(200).body;
        assert_eq!(
            guest_cart["lines"].as_array().unwrap().len(),
            added(1),
            "{guest_cart}"
        );
        assert_eq!(
            added(0) + added(1),
            IN_FLIGHT,
            "none refused: {:?}",
            statuses(&answers)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_guest_cart_merged_while_adds_arrive_loses_no_answered_add() {
    let app = spawn_app(a_shop_of_50_teas()).await;
    for round in 0..race_rounds() {
        // Given a guest cart with one tea and the customer's own cart
        let customer = format!("cust-merge-{round}");
        let guest = app.create_cart(None).await;
        app.add_to_cart(&guest, "TEA-0", 1).await.expect(200);
        let cart = app.create_cart(Some(&customer)).await;

        // When the customer signs in (merge) while 49 adds to the guest cart are in flight
        let mut requests = vec![
            app.request_as(
                &Who::customer(&customer),
                "POST",
                &format!("/cart/{cart}/merge"),
                Some(json!({ "guest_cart_id": guest })),
                &[],
            )
            .await,
        ];
        for i in 1..IN_FLIGHT {
            requests.push(
                app.request_as(
                    &Who::Nobody,
                    "POST",
                    &format!("/cart/{guest}/items"),
                    Some(json!({ "sku": format!("TEA-{i}"), "quantity": 1 })),
                    &[],
                )
                .await,
            );
        }
        let answers = app.all_at_once(requests).await;

        // Then the merge went through, and every add answered 200 is in the customer's cart:
        // added before the merge, it was carried over; after it, the guest cart is gone (404)
        answers[0].clone().expect(200);
        let merged = app.get_cart(&cart).await.expect(200).body;
        let skus: HashSet<String> = merged["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| text(&l["sku"]))
            .collect();
        assert!(skus.contains("TEA-0"));
        for (i, answer) in answers.iter().enumerate().skip(1) {
            match answer.status {
                200 => assert!(skus.contains(&format!("TEA-{i}")), "add {i} lost: {merged}"),
                404 => {}
                other => panic!("add {i}: {other} {}", answer.body),
            }
        }
        assert_eq!(app.get_cart(&guest).await.status, 404);
    }
}

#[tokio::test]
async fn a_write_refused_by_a_constraint_is_a_conflict_not_a_retry() {
    // Given a shop whose database refuses the next courier insert as SQLite refuses a
    // duplicate
    let app = spawn_app(a_shop_of_50_teas()).await;
    app.app.faults().fail_sql_matching_once_with(
        "INSERT INTO couriers",
        "UNIQUE constraint failed: couriers.id",
    );

    // When staff add a courier
    let refused = app
        .add_courier(&o2o_e2e::dispatch_kit::a_courier("CR-1", "SH-1"))
        .await;

    // Then the answer is a 409 (a retry cannot succeed), not a 503 asking for one
    let refused = refused.expect_problem(409, None);
    assert_eq!(refused.body["type"], "urn:o2o:problem:conflict");
    assert!(refused.header("retry-after").is_none());
}

/// Sends 50 `POST /orders` at once, one per customer `cust-<tag>-<i>`, each for one TEA-0 at
/// SH-1 with `coupons`.
async fn fifty_customers_order_at_once(
    app: &TestApp,
    tag: &str,
    coupons: &[&str],
) -> Vec<o2o_e2e::TestResponse> {
    let mut requests = Vec::new();
    for i in 0..IN_FLIGHT {
        let body = an_order()
            .for_lines(&[("TEA-0", 1)])
            .with_coupons(coupons)
            .to_json();
        requests.push(
            app.request_as(
                &Who::customer(&format!("cust-{tag}-{i}")),
                "POST",
                "/orders",
                Some(body),
                &[("idempotency-key", &format!("{tag}-{i}"))],
            )
            .await,
        );
    }
    app.all_at_once(requests).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_coupon_limited_to_ten_uses_is_used_exactly_ten_times_by_fifty_customers_at_once() {
    let app = spawn_app(
        a_shop_of_50_teas()
            .with_coupon(o2o_e2e::a_coupon("TEN").amount_off("1.00").used_at_most(10)),
    )
    .await;
    app.with_stock(a_stock_level("SH-1", "TEA-0", 1_000));

    let answers = fifty_customers_order_at_once(&app, "coupon", &["TEN"]).await;

    // Every order placed with the coupon is one of its ten uses, and no more were taken
    let with_coupon = answers
        .iter()
        .filter(|a| a.status == 201 && a.body["coupon_codes"] == json!(["TEN"]))
        .count();
    let uses = app.scalar::<i64>("SELECT COALESCE(SUM(uses), 0) FROM coupon_redemptions");
    assert_eq!(
        uses, 10,
        "a 10-use coupon, 50 buyers: every use taken, none more"
    );
    assert_eq!(uses as usize, with_coupon, "{:?}", statuses(&answers));
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM order_consumptions WHERE kind = 'coupon'"),
        uses
    );
    // The total the limit is checked against (kept by 0014's triggers) agrees.
    assert_eq!(
        app.scalar::<i64>("SELECT uses FROM coupon_use_totals WHERE code = 'TEN'"),
        uses
    );
    // and the others were told, not silently charged more
    for answer in answers.iter().filter(|a| a.status != 201) {
        assert!(
            matches!(answer.status, 409 | 422),
            "{} {}",
            answer.status,
            answer.body
        );
    }
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM orders") as usize,
        count_status(&answers, 201)
    );
    assert_stock_invariant(&app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flash_sale_of_ten_units_sells_exactly_ten_to_fifty_customers_at_once() {
    let app = spawn_app(
        a_shop_of_50_teas()
            .with_promotion(o2o_e2e::a_flash_sale("FLASH", "5.00", 10).on_skus(&["TEA-0"])),
    )
    .await;
    app.with_stock(a_stock_level("SH-1", "TEA-0", 1_000));

    let answers = fifty_customers_order_at_once(&app, "flash", &[]).await;

    // Every unit sold at the flash price (a line of 5.00 in all) is one of the ten, and the
    // count says so
    let at_flash_price = answers
        .iter()
        .filter(|a| a.status == 201 && a.body["lines"][0]["total"]["amount"] == "5.00")
        .count();
    let sold = app.scalar::<i64>("SELECT COALESCE(SUM(units), 0) FROM flash_sale_sales");
    assert_eq!(
        sold, 10,
        "a 10-unit flash sale, 50 buyers: every unit sold, none more"
    );
    assert_eq!(sold as usize, at_flash_price, "{:?}", statuses(&answers));
    assert_eq!(
        app.scalar::<i64>("SELECT units FROM flash_sale_totals WHERE promotion_id = 'FLASH'"),
        sold,
        "the total the cap is checked against agrees"
    );
    for answer in answers.iter().filter(|a| a.status != 201) {
        assert!(
            matches!(answer.status, 409 | 422),
            "{} {}",
            answer.status,
            answer.body
        );
    }
    assert_stock_invariant(&app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_units_are_held_by_exactly_ten_of_fifty_orders_at_once() {
    let app = spawn_app(a_shop_of_50_teas()).await;
    app.with_stock(a_stock_level("SH-1", "TEA-0", 10));

    let answers = fifty_customers_order_at_once(&app, "last-units", &[]).await;

    // One unit each: every order placed holds one, and no more than ten were held
    assert_eq!(count_status(&answers, 201), 10, "{:?}", statuses(&answers));
    assert_eq!(app.stored_level("SH-1", "TEA-0").reserved, 10);
    assert_eq!(app.scalar::<i64>("SELECT COUNT(*) FROM orders"), 10);
    for answer in answers.iter().filter(|a| a.status != 201) {
        assert_eq!(answer.status, 409, "{}", answer.body);
    }
    assert_stock_invariant(&app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_reviews_of_one_order_line_at_once_keep_exactly_one() {
    let app = spawn_app(a_busy_counter()).await;
    app.with_stock(a_stock_level("SH-1", "TEA-0", 1_000));
    let (shipment, code) = a_shipment_waiting_for_pickup(&app, "review-race").await;
    app.collect(&shipment, &code).await.expect(200);
    let order = app.scalar::<String>("SELECT order_id FROM shipments");

    // When the customer's review of line 0 is sent 50 times at once
    let mut requests = Vec::new();
    for i in 0..IN_FLIGHT {
        let review = o2o_e2e::feedback_kit::a_review_of(&order, "cust-1").line_saying(
            0,
            4,
            &format!("try {i}"),
        );
        requests.push(
            app.request_as(
                &Who::customer("cust-1"),
                "POST",
                "/feedback",
                Some(review.to_json()),
                &[],
            )
            .await,
        );
    }
    let answers = app.all_at_once(requests).await;

    // Then one is kept, and every other is told the line was already reviewed
    assert_eq!(count_status(&answers, 201), 1, "{:?}", statuses(&answers));
    assert_eq!(
        count_status(&answers, 409),
        IN_FLIGHT - 1,
        "{:?}",
        statuses(&answers)
    );
    assert_eq!(
        app.scalar::<i64>("SELECT COUNT(*) FROM feedback_reviews"),
        1
    );
    let kept = answers.iter().find(|a| a.status == 201).unwrap();
    let text_kept = app.scalar::<String>("SELECT text FROM feedback_reviews");
    assert_eq!(kept.body["reviews"][0]["text"], text_kept.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_placed_while_adds_arrive_loses_no_add_and_leaves_no_ordered_unit() {
    let app = spawn_app(a_shop_of_50_teas()).await;
    for i in 0..IN_FLIGHT {
        app.with_stock(a_stock_level("SH-1", &format!("TEA-{i}"), 1_000));
    }
    for round in 0..race_rounds() {
        // Given the customer's cart with one tea
        let customer = format!("cust-checkout-{round}");
        let cart = app.create_cart(Some(&customer)).await;
        app.add_to_cart(&cart, "TEA-0", 1).await.expect(200);

        // When the order is placed from the cart while 49 adds of one unit arrive
        let mut requests = vec![
            app.request_as(
                &Who::customer(&customer),
                "POST",
                "/orders",
                Some(an_order().for_cart(&cart).to_json()),
                &[("idempotency-key", &format!("checkout-{round}"))],
            )
            .await,
        ];
        for i in 1..IN_FLIGHT {
            requests.push(
                app.request_as(
                    &Who::customer(&customer),
                    "POST",
                    &format!("/cart/{cart}/items"),
                    Some(json!({ "sku": format!("TEA-{}", i % 5), "quantity": 1 })),
                    &[],
                )
                .await,
            );
        }
        let answers = app.all_at_once(requests).await;

        // Then every unit answered 200 is either in the order or still in the cart, once
        let order = answers[0].clone().expect(201).body;
        let cart_now = app.get_cart(&cart).await;
        let units_in = |lines: &Value, sku: &str| -> i64 {
            lines
                .as_array()
                .map(|lines| {
                    lines
                        .iter()
                        .filter(|l| l["sku"] == sku)
                        .map(|l| l["quantity"].as_i64().unwrap())
                        .sum()
                })
                .unwrap_or(0)
        };
        for sku in (0..5).map(|i| format!("TEA-{i}")) {
            let added = answers
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(i, a)| a.status == 200 && format!("TEA-{}", i % 5) == sku)
                .count() as i64
                + i64::from(sku == "TEA-0");
            let kept = units_in(&order["lines"], &sku) + units_in(&cart_now.body["lines"], &sku);
            assert_eq!(
                kept, added,
                "{sku}: order {} cart {}",
                order["lines"], cart_now.body
            );
        }
    }
    assert_stock_invariant(&app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_price_changes_of_one_store_price_at_once_are_each_kept_in_turn() {
    // One staff key sends every round: its rate limit out of the way.
    let app = spawn_app(a_shop_of_50_teas().with_variable("rate_limit_requests", "100000")).await;
    let staff = Who::staff(o2o_e2e::catalog_kit::TEST_STAFF, "catalog");
    let path = "/admin/stores/SH-1/prices/TEA-0";
    let mut last = Value::Null;
    for round in 0..race_rounds() {
        // When 50 staff changes of SH-1's price of TEA-0, each to a price of its own, arrive
        // at once
        let sent: Vec<String> = (0..IN_FLIGHT)
            .map(|i| format!("{}.{:02}", 10 + round, i))
            .collect();
        let mut requests = Vec::new();
        for price in &sent {
            requests.push(
                app.request_as(&staff, "PUT", path, Some(json!({ "price": price })), &[])
                    .await,
            );
        }
        let answers = app.all_at_once(requests).await;

        // Then every one is answered 200 with its own price, and made one after the other:
        // the audit log holds each, the price before it being the one the previous left
        assert_eq!(
            count_status(&answers, 200),
            IN_FLIGHT,
            "{:?}",
            statuses(&answers)
        );
        for (answer, price) in answers.iter().zip(&sent) {
            assert_eq!(answer.body["price"], price.as_str());
        }
        let changes: Vec<_> = app
            .audit_changes()
            .into_iter()
            .filter(|(_, action, subject, ..)| {
                action == "catalog.store-price.set" && subject == "SH-1/TEA-0"
            })
            .skip(round * IN_FLIGHT)
            .collect();
        assert_eq!(changes.len(), IN_FLIGHT);
        let mut written = HashSet::new();
        for (_, _, _, before, after) in &changes {
            assert_eq!(before, &last, "a change that did not see the one before it");
            written.insert(text(&after["price"]));
            last = after.clone();
        }
        assert_eq!(written, sent.iter().cloned().collect::<HashSet<_>>());
        // and the price kept is the one the last change left
        let kept = app.scalar::<String>(
            "SELECT price FROM store_prices WHERE store_id = 'SH-1' AND sku = 'TEA-0'",
        );
        assert_eq!(last["price"], kept.as_str());
    }
}

//! Feedback journeys through the built `o2o_feedback.wasm`: a buyer reviews the lines of an
//! order they received, rates the store and the delivery; each line is reviewed once; product
//! and store pages aggregate the ratings (average to 2 places, distribution 1–5, recent
//! reviews page by page); a low rating opens a complaint (event in the outbox, item in the
//! staff queue) that staff resolve once, audited; and whatever is refused — someone else's
//! order, an order not received yet, bad input — writes nothing.
//!
//! Orders are placed and paid through the order function; until the dispatch function lands,
//! each journey then moves its order to `delivered` or `collected` with SQL
//! (`TestApp::mark_order_received`).

use o2o_e2e::access_kit::Who;
use o2o_e2e::feedback_kit::a_review_of;
use o2o_e2e::order_kit::an_order;
use o2o_e2e::stock_kit::a_stock_level;
use o2o_e2e::{CatalogBuilder, TEST_STORE_LOCATION, TestApp, a_catalog, spawn_app};
use serde_json::{Value, json};
use spin_test_host::SqlValue;

/// One store SH-1 delivering within 5 km, oolong and seeds in stock.
fn a_shop() -> CatalogBuilder {
    a_catalog()
        .with_priced_product("TEA-OOLONG", "tea", "98.00")
        .with_priced_product("SNK-SEEDS", "snacks", "19.90")
        .with_store_at("SH-1", TEST_STORE_LOCATION.0, TEST_STORE_LOCATION.1, 5.0)
        .with_delivery_band(5_000, "6.00")
}

async fn a_stocked_shop() -> TestApp {
    let app = spawn_app(a_shop()).await;
    app.with_stock(a_stock_level("SH-1", "TEA-OOLONG", 50));
    app.with_stock(a_stock_level("SH-1", "SNK-SEEDS", 50));
    app
}

/// An order of 1 oolong (line 0) and 2 bags of seeds (line 1) by `customer`, paid.
async fn a_paid_order(app: &TestApp, customer: &str, delivery: bool) -> Value {
    let order = an_order()
        .for_customer(customer)
        .for_lines(&[("TEA-OOLONG", 1), ("SNK-SEEDS", 2)]);
    let order = if delivery {
        order.delivered_near_the_test_store()
    } else {
        order.pickup_at("SH-1")
    };
    let key = format!("key-{customer}-{}", app.count_rows("orders"));
    let placed = app.place_order(&key, &order).await.expect(201).body;
    assert_eq!(placed["lines"][0]["sku"], "TEA-OOLONG");
    assert_eq!(placed["lines"][1]["sku"], "SNK-SEEDS");
    app.pay(&placed, &format!("psp-{key}")).await.expect(200);
    placed
}

/// A paid order moved to `delivered` (delivery) or `collected` (pickup), returning its id.
async fn a_received_order(app: &TestApp, customer: &str, delivery: bool) -> String {
    let order = a_paid_order(app, customer, delivery).await;
    let id = order["id"].as_str().unwrap().to_owned();
    app.mark_order_received(&id, if delivery { "delivered" } else { "collected" });
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn the_buyer_of_a_delivered_order_reviews_its_lines_the_store_and_the_delivery() {
    // Given cust-1's order, delivered
    let app = a_stocked_shop().await;
    let order = a_received_order(&app, "cust-1", true).await;

    // When they review both lines, the store's service and the delivery
    let response = app
        .submit_feedback(
            &a_review_of(&order, "cust-1")
                .line_saying(0, 5, "Fragrant, lovely second steep")
                .line(1, 4)
                .store_rating(5)
                .delivery_rating(4),
        )
        .await
        .expect(201);

    // Then each line has its review and no complaint was opened
    let body = &response.body;
    assert_eq!(body["order_id"], order);
    assert_eq!(body["store_id"], "SH-1");
    let reviews = body["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 2);
    assert_eq!(
        (reviews[0]["line"].clone(), reviews[0]["sku"].clone()),
        (json!(0), json!("TEA-OOLONG"))
    );
    assert_eq!(reviews[0]["rating"], 5);
    assert_eq!(reviews[0]["text"], "Fragrant, lovely second steep");
    assert_eq!(reviews[1]["text"], Value::Null);
    assert_eq!(body["store_rating"], 5);
    assert_eq!(body["delivery_rating"], 4);
    assert_eq!(body["complaint"], Value::Null);
    assert!(app.outbox_events("feedback.complaint").is_empty());

    // And the product page shows the review, without the order or the customer
    let page = app
        .product_feedback("TEA-OOLONG", "")
        .await
        .expect(200)
        .body;
    assert_eq!(page["ratings"]["count"], 1);
    assert_eq!(page["items"][0]["text"], "Fragrant, lovely second steep");
    assert!(page["items"][0].get("customer_id").is_none());
    assert!(page["items"][0].get("order_id").is_none());

    // And the store page its service and delivery ratings
    let store = app.store_feedback("SH-1", "").await.expect(200).body;
    assert_eq!(store["service"]["count"], 1);
    assert_eq!(store["service"]["average"], "5.00");
    assert_eq!(store["delivery"]["average"], "4.00");
    assert_eq!(store["products"]["count"], 2);
    assert_eq!(store["products"]["average"], "4.50");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_line_is_reviewed_once_and_a_second_review_of_it_is_a_409() {
    // Given cust-1 reviewed line 0 of their collected order and rated the store
    let app = a_stocked_shop().await;
    let order = a_received_order(&app, "cust-1", false).await;
    app.submit_feedback(&a_review_of(&order, "cust-1").line(0, 5).store_rating(4))
        .await
        .expect(201);
    let before = app.feedback_written();

    // When they review line 0 again (with line 1 beside it), or rate the store again
    app.submit_feedback(&a_review_of(&order, "cust-1").line(1, 3).line(0, 2))
        .await
        .expect_problem(409, Some("lines[1].line"));
    app.submit_feedback(&a_review_of(&order, "cust-1").store_rating(1))
        .await
        .expect_problem(409, Some("store_rating"));

    // Then nothing was written: not line 1's review, not the low ratings' complaints
    assert_eq!(app.feedback_written(), before);

    // And line 1 on its own is still open to review
    app.submit_feedback(&a_review_of(&order, "cust-1").line(1, 3))
        .await
        .expect(201);
    assert_eq!(app.count_rows("feedback_reviews"), 2);

    // And reviews cannot be edited
    app.send(
        "PUT",
        "/feedback",
        Some(a_review_of(&order, "cust-1").line(0, 1).to_json()),
    )
    .await
    .expect_problem(405, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_reviews_of_one_line_sent_at_once_make_one_review() {
    // Given cust-1's collected order
    let app = a_stocked_shop().await;
    let order = a_received_order(&app, "cust-1", false).await;
    let first = a_review_of(&order, "cust-1").line(0, 1).store_rating(1);
    let second = a_review_of(&order, "cust-1").line(0, 2).store_rating(2);

    // When both are sent at the same time (a double tap)
    let (a, b) = tokio::join!(app.submit_feedback(&first), app.submit_feedback(&second));

    // Then one is written with its one complaint, and the other is a 409
    let mut statuses = vec![a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![201, 409], "{} / {}", a.body, b.body);
    assert_eq!(app.feedback_written(), (1, 1, 1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn product_and_store_pages_aggregate_the_average_and_distribution_of_every_review() {
    // Given three buyers rated the oolong 5, 4 and 4 stars and the store 3, 5 and 4
    let app = a_stocked_shop().await;
    for (customer, oolong, store) in [("cust-1", 5, 3), ("cust-2", 4, 5), ("cust-3", 4, 4)] {
        let order = a_received_order(&app, customer, false).await;
        app.submit_feedback(
            &a_review_of(&order, customer)
                .line(0, oolong)
                .line(1, 3)
                .store_rating(store),
        )
        .await
        .expect(201);
    }

    // When anyone reads the oolong's page
    let page = app
        .product_feedback("TEA-OOLONG", "")
        .await
        .expect(200)
        .body;

    // Then it has 3 ratings averaging 13/3 = 4.33 (2 places, half away from zero)
    assert_eq!(page["sku"], "TEA-OOLONG");
    assert_eq!(page["ratings"]["count"], 3);
    assert_eq!(page["ratings"]["average"], "4.33");
    assert_eq!(
        page["ratings"]["distribution"],
        json!({"1": 0, "2": 0, "3": 0, "4": 2, "5": 1})
    );
    let stars: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rating"].as_i64().unwrap())
        .collect();
    assert_eq!(stars, vec![4, 4, 5], "newest first");
    assert_eq!(page["next_cursor"], Value::Null);

    // And the store's service averages 4.00 over 3 ratings
    let store = app.store_feedback("SH-1", "").await.expect(200).body;
    assert_eq!(store["service"]["count"], 3);
    assert_eq!(store["service"]["average"], "4.00");
    assert_eq!(
        store["service"]["distribution"],
        json!({"1": 0, "2": 0, "3": 1, "4": 1, "5": 1})
    );
    assert_eq!(store["delivery"]["count"], 0);
    assert_eq!(store["delivery"]["average"], Value::Null);

    // And the store's 6 line reviews come 4 per page
    let first = app
        .store_feedback("SH-1", "?limit=4")
        .await
        .expect(200)
        .body;
    assert_eq!(first["items"].as_array().unwrap().len(), 4);
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = app
        .store_feedback("SH-1", &format!("?limit=4&cursor={cursor}"))
        .await
        .expect(200)
        .body;
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    assert_eq!(second["next_cursor"], Value::Null);
    let mut ids: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6, "every review once over the pages");

    // And a product nobody reviewed has no average; unknown ones are 404s
    app.product_feedback("SNK-NOPE", "")
        .await
        .expect_problem(404, None);
    app.store_feedback("SH-NOPE", "")
        .await
        .expect_problem(404, None);
    app.product_feedback("TEA-OOLONG", "?limit=0")
        .await
        .expect_problem(400, Some("limit"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_star_review_opens_a_complaint_that_staff_resolve_once() {
    // Given cust-1 gives the seeds of their delivered order 1 star
    let app = a_stocked_shop().await;
    let order = a_received_order(&app, "cust-1", true).await;
    let response = app
        .submit_feedback(&a_review_of(&order, "cust-1").line(0, 5).line_saying(
            1,
            1,
            "stale, soft seeds",
        ))
        .await
        .expect(201);

    // Then a complaint is open, about product quality, saying why
    let complaint = response.body["complaint"].clone();
    assert_eq!(complaint["status"], "open");
    assert_eq!(complaint["category"], "product-quality");
    assert_eq!(complaint["order_id"], order);
    assert_eq!(complaint["reasons"], json!(["line 1 (SNK-SEEDS) rated 1"]));
    let id = complaint["id"].as_str().unwrap().to_owned();

    // And `feedback.complaint` is in the outbox
    let events = app.outbox_events("feedback.complaint");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["complaint_id"], id.as_str());
    assert_eq!(events[0]["order_id"], order);
    assert_eq!(events[0]["store_id"], "SH-1");

    // And in the staff queue of open complaints
    let queue = app
        .complaint_queue("staff-7", "?status=open")
        .await
        .expect(200);
    let items = queue.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());

    // When staff resolve it with a note
    app.resolve_complaint(None, &id, "refunded")
        .await
        .expect_problem(401, Some("x-api-key"));
    let resolved = app
        .resolve_complaint(Some("staff-7"), &id, "Refunded the seeds; batch pulled")
        .await
        .expect(200)
        .body;

    // Then it is resolved, by whom and how, in the audit log, and gone from the open queue
    let staff_7 = app.actor("staff-7", "refund-approve").await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolved_by"], staff_7.as_str());
    assert_eq!(
        resolved["resolution_note"],
        "Refunded the seeds; batch pulled"
    );
    assert!(app.audit_entries().contains(&(
        staff_7.clone(),
        "feedback.complaint.resolve".to_owned(),
        id.clone()
    )));
    let open = app
        .complaint_queue("staff-7", "?status=open")
        .await
        .expect(200);
    assert!(open.body["items"].as_array().unwrap().is_empty());
    let done = app
        .complaint_queue("staff-7", "?status=resolved")
        .await
        .expect(200);
    assert_eq!(done.body["items"][0]["id"], id.as_str());

    // And resolving it again is a 409 that changes nothing
    app.resolve_complaint(Some("staff-8"), &id, "again")
        .await
        .expect_problem(409, None);
    let after = app
        .complaint_queue("staff-7", "?status=resolved")
        .await
        .expect(200);
    assert_eq!(after.body["items"][0]["resolved_by"], staff_7.as_str());
    assert_eq!(app.audit_entries().len(), 1);

    // And unknown complaints, a bad status filter and a missing note are refused
    app.resolve_complaint(Some("staff-7"), "01900000-0000-7000-8000-000000000000", "x")
        .await
        .expect_problem(404, None);
    app.complaint_queue("staff-7", "?status=closed")
        .await
        .expect_problem(400, Some("status"));
    app.resolve_complaint(Some("staff-7"), &id, "  ")
        .await
        .expect_problem(400, Some("note"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_explicit_complaint_is_opened_whatever_the_ratings() {
    let app = a_stocked_shop().await;
    let order = a_received_order(&app, "cust-1", true).await;

    let response = app
        .submit_feedback(
            &a_review_of(&order, "cust-1")
                .line(0, 4)
                .delivery_rating(4)
                .complaining("damaged", "the tin arrived dented"),
        )
        .await
        .expect(201);

    assert_eq!(response.body["complaint"]["category"], "damaged");
    assert_eq!(
        response.body["complaint"]["description"],
        "the tin arrived dented"
    );
    assert_eq!(app.outbox_events("feedback.complaint").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_cannot_review_another_customers_order() {
    // Given cust-1's delivered order
    let app = a_stocked_shop().await;
    let order = a_received_order(&app, "cust-1", true).await;
    let before = app.feedback_written();

    // When cust-2 reviews it with a 1-star rating
    let refused = app
        .submit_feedback(&a_review_of(&order, "cust-2").line(0, 1))
        .await
        .expect_problem(422, Some("order_id"));

    // Then it is refused as if the order did not exist, and nothing is written
    let unknown = app
        .submit_feedback(&a_review_of("01900000-0000-7000-8000-000000000000", "cust-2").line(0, 1))
        .await
        .expect_problem(422, Some("order_id"));
    assert_eq!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .replace(&order, "X"),
        unknown.body["detail"]
            .as_str()
            .unwrap()
            .replace("01900000-0000-7000-8000-000000000000", "X")
    );
    assert_eq!(app.feedback_written(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_not_yet_delivered_or_collected_cannot_be_reviewed() {
    // Given cust-1's order, paid but still at the store
    let app = a_stocked_shop().await;
    let order = a_paid_order(&app, "cust-1", false).await;
    let id = order["id"].as_str().unwrap();

    // When they review it
    let refused = app
        .submit_feedback(&a_review_of(id, "cust-1").line(0, 1))
        .await
        .expect_problem(422, Some("order_id"));

    // Then they are told it is not received yet, and nothing is written
    assert!(refused.body["detail"].as_str().unwrap().contains("paid"));
    assert_eq!(app.feedback_written(), (0, 0, 0, 0));

    // And once collected, a pickup order has no delivery to rate and no line 7
    app.mark_order_received(id, "collected");
    app.submit_feedback(&a_review_of(id, "cust-1").line(0, 5).delivery_rating(5))
        .await
        .expect_problem(422, Some("delivery_rating"));
    app.submit_feedback(&a_review_of(id, "cust-1").line(0, 5).line(7, 5))
        .await
        .expect_problem(422, Some("lines[1].line"));
    assert_eq!(app.feedback_written(), (0, 0, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn review_text_with_markup_is_stored_and_returned_exactly_as_written() {
    let app = a_stocked_shop().await;
    let order = a_received_order(&app, "cust-1", false).await;
    let text = "<script>alert(\"x\")</script> & <b>'bold'</b> \\ 好喝";

    app.submit_feedback(&a_review_of(&order, "cust-1").line_saying(0, 4, text))
        .await
        .expect(201);

    // Stored as given
    let stored = app
        .app
        .sqlite("default")
        .execute("SELECT text FROM feedback_reviews", &[])
        .unwrap();
    assert_eq!(stored, vec![vec![SqlValue::Text(text.to_owned())]]);
    // And sent back as a JSON string (JSON is the escaping), never as HTML
    let page = app.product_feedback("TEA-OOLONG", "").await.expect(200);
    assert_eq!(page.header("content-type"), Some("application/json"));
    assert_eq!(page.body["items"][0]["text"], text);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_400_naming_the_field_with_nothing_written() {
    let app = a_stocked_shop().await;
    let order = a_received_order(&app, "cust-1", true).await;
    let review = || a_review_of(&order, "cust-1");
    let cases: Vec<(Value, &str)> = vec![
        (review().line(0, 6).to_json(), "lines[0].rating"),
        (review().line(0, 5).line(1, 0).to_json(), "lines[1].rating"),
        (review().line(-1, 5).to_json(), "lines[0].line"),
        (review().line(0, 5).line(0, 4).to_json(), "lines[1].line"),
        (
            review().line_saying(0, 5, &"x".repeat(2_001)).to_json(),
            "lines[0].text",
        ),
        (review().store_rating(9).to_json(), "store_rating"),
        (review().delivery_rating(-2).to_json(), "delivery_rating"),
        (review().to_json(), "lines"),
        (
            review()
                .line(0, 5)
                .with_field("order_id", json!("nope"))
                .to_json(),
            "order_id",
        ),
        (
            review()
                .line(0, 5)
                .with_field("customer_id", json!(""))
                .to_json(),
            "customer_id",
        ),
        (
            review().complaining("rude", "they were rude").to_json(),
            "complaint.category",
        ),
        (
            review().complaining("staff", " ").to_json(),
            "complaint.description",
        ),
        (
            review().line(0, 5).with_field("stars", json!(5)).to_json(),
            "stars",
        ),
        (
            review()
                .with_field("lines", json!([{"line": 0, "rating": "five"}]))
                .to_json(),
            "lines[0].rating",
        ),
    ];

    for (body, field) in cases {
        app.send_as(
            &Who::customer("cust-1"),
            "POST",
            "/feedback",
            Some(body.clone()),
        )
        .await
        .expect_problem(400, Some(field));
        assert_eq!(app.feedback_written(), (0, 0, 0, 0), "{body}");
    }
    // 2,000 characters is still fine
    app.submit_feedback(&review().line_saying(0, 5, &"好".repeat(2_000)))
        .await
        .expect(201);
}

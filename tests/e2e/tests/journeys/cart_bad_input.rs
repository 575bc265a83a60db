//! Bad input to the cart: every case gets a clear 4xx `application/problem+json` naming the
//! field at fault, and nothing is written to the key-value store.

use o2o_e2e::access_kit::Who;
use o2o_e2e::{TestApp, a_catalog, spawn_app};
use serde_json::{Value, json};

/// A shop with one cart holding one line; the cart id is returned.
async fn a_shop_with_a_cart() -> (TestApp, String) {
    let app = spawn_app(
        a_catalog()
            .with_products(&["TEA-1", "TEA-2"])
            .with_retired_product("OLD-1")
            .with_store("SH-1"),
    )
    .await;
    let cart = app.create_cart(None).await;
    app.add_to_cart(&cart, "TEA-1", 1).await.expect(200);
    (app, cart)
}

/// Sends a raw body to add-item and checks the problem and that nothing changed.
async fn add_item_is_refused(body: &str, status: u16, field: Option<&str>) {
    let (app, cart) = a_shop_with_a_cart().await;
    let before = app.key_value_snapshot();
    let request = http::Request::post(format!("/cart/{cart}/items"))
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap();

    app.send_raw(request).await.expect_problem(status, field);

    assert_eq!(
        app.key_value_snapshot(),
        before,
        "nothing is written for {body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_a_400() {
    add_item_is_refused(r#"{"sku": "TEA-2", "quantity": "#, 400, None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_type_is_a_400_naming_the_field() {
    add_item_is_refused(
        r#"{"sku": "TEA-2", "quantity": "two"}"#,
        400,
        Some("quantity"),
    )
    .await;
    add_item_is_refused(r#"{"sku": 7, "quantity": 1}"#, 400, Some("sku")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_unknown_field_is_a_400_naming_it() {
    add_item_is_refused(r#"{"sku": "TEA-2"}"#, 400, Some("quantity")).await;
    add_item_is_refused(
        r#"{"sku": "TEA-2", "quantity": 1, "qty": 1}"#,
        400,
        Some("qty"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quantity_outside_1_to_999_is_a_400() {
    for quantity in [0, -1, 1000] {
        let body = json!({ "sku": "TEA-2", "quantity": quantity }).to_string();
        add_item_is_refused(&body, 400, Some("quantity")).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn adding_to_a_line_beyond_999_units_is_a_422() {
    add_item_is_refused(
        r#"{"sku": "TEA-1", "quantity": 999}"#,
        422,
        Some("quantity"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_or_retired_sku_is_a_422_naming_it() {
    add_item_is_refused(r#"{"sku": "NOPE-1", "quantity": 1}"#, 422, Some("sku")).await;
    add_item_is_refused(r#"{"sku": "OLD-1", "quantity": 1}"#, 422, Some("sku")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_value_that_is_not_a_sku_code_is_a_400_naming_it() {
    add_item_is_refused(r#"{"sku": "tea 2", "quantity": 1}"#, 400, Some("sku")).await;
    add_item_is_refused(r#"{"sku": "", "quantity": 1}"#, 400, Some("sku")).await;
    let body = r#"{"sku": "TEA-2", "quantity": 1, "preferred_store": "sh 1"}"#;
    add_item_is_refused(body, 400, Some("preferred_store")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_preferred_store_is_a_422_naming_it() {
    let body = r#"{"sku": "TEA-2", "quantity": 1, "preferred_store": "MARS-1"}"#;
    add_item_is_refused(body, 422, Some("preferred_store")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_over_64_kib_is_a_413() {
    let padding = "x".repeat(70 * 1024);
    let body = json!({ "sku": "TEA-2", "quantity": 1, "note": padding }).to_string();
    add_item_is_refused(&body, 413, None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_is_not_json_is_a_415() {
    let (app, cart) = a_shop_with_a_cart().await;
    let before = app.key_value_snapshot();
    let request = http::Request::post(format!("/cart/{cart}/items"))
        .header("content-type", "text/plain")
        .body(b"sku=TEA-2".to_vec())
        .unwrap();

    app.send_raw(request).await.expect_problem(415, None);

    assert_eq!(app.key_value_snapshot(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_cart_is_a_404() {
    let (app, _) = a_shop_with_a_cart().await;
    let before = app.key_value_snapshot();
    let unknown = "01934f6e-0000-7000-8000-000000000000";

    app.get_cart(unknown).await.expect_problem(404, None);
    app.add_to_cart(unknown, "TEA-2", 1)
        .await
        .expect_problem(404, None);
    app.get_cart("not-a-cart-id")
        .await
        .expect_problem(404, None);

    assert_eq!(app.key_value_snapshot(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_a_line_the_cart_does_not_hold_is_a_404() {
    let (app, cart) = a_shop_with_a_cart().await;
    let before = app.key_value_snapshot();

    app.set_quantity(&cart, "TEA-2", 3)
        .await
        .expect_problem(404, None);
    app.remove_item(&cart, "TEA-2")
        .await
        .expect_problem(404, None);
    app.set_quantity(&cart, "TEA-1", 0)
        .await
        .expect_problem(400, Some("quantity"));

    assert_eq!(app.key_value_snapshot(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_101st_line_is_a_422_and_the_cart_keeps_100() {
    let skus: Vec<String> = (0..101).map(|i| format!("SKU-{i:03}")).collect();
    let sku_refs: Vec<&str> = skus.iter().map(String::as_str).collect();
    let app = spawn_app(a_catalog().with_products(&sku_refs)).await;
    let cart = app.create_cart(None).await;
    for sku in &skus[..100] {
        app.add_to_cart(&cart, sku, 1).await.expect(200);
    }
    let before = app.key_value_snapshot();

    app.add_to_cart(&cart, &skus[100], 1)
        .await
        .expect_problem(422, Some("sku"));

    assert_eq!(app.key_value_snapshot(), before);
    let lines = app.get_cart(&cart).await.body["lines"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(lines, 100);
}

#[tokio::test(flavor = "multi_thread")]
async fn merge_refuses_what_cannot_be_merged() {
    let (app, guest) = a_shop_with_a_cart().await;
    let other_guest = app.create_cart(None).await;
    let customer = app.create_cart(Some("cust-1")).await;
    let other_customer = app.create_cart(Some("cust-2")).await;
    let before = app.key_value_snapshot();

    // by a guest, into a guest cart, from a customer's cart, from itself, from nowhere
    let merge = |into: &str| format!("/cart/{into}/merge");
    let body = || Some(json!({ "guest_cart_id": guest }));
    app.send("POST", &merge(&other_guest), body())
        .await
        .expect_problem(401, Some("authorization"));
    app.send_as(
        &Who::customer("cust-1"),
        "POST",
        &merge(&other_guest),
        body(),
    )
    .await
    .expect_problem(422, Some("id"));
    app.merge_carts(&customer, &other_customer)
        .await
        .expect_problem(422, Some("guest_cart_id"));
    app.merge_carts(&customer, &customer)
        .await
        .expect_problem(422, Some("guest_cart_id"));
    app.merge_carts(&customer, "01934f6e-0000-7000-8000-000000000000")
        .await
        .expect_problem(422, Some("guest_cart_id"));
    app.merge_carts(&customer, "nope")
        .await
        .expect_problem(400, Some("guest_cart_id"));

    assert_eq!(app.key_value_snapshot(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_named_in_the_body_is_refused_and_no_cart_is_made() {
    let app = spawn_app(a_catalog()).await;

    // The owner of a cart is the bearer token's customer, never a body field
    let response = app
        .send("POST", "/cart", Some(json!({ "customer_id": "cust-1" })))
        .await
        .expect_problem(400, Some("customer_id"));

    assert!(response.body["detail"].is_string());
    assert!(app.key_value_snapshot().is_empty());
    app.send("POST", "/cart", Some(json!({ "customer": "x" })))
        .await
        .expect_problem(400, Some("customer"));
    assert!(app.key_value_snapshot().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_method_is_a_405_problem() {
    let (app, cart) = a_shop_with_a_cart().await;

    let response = app
        .send("PATCH", &format!("/cart/{cart}"), Some(Value::Null))
        .await;

    response.expect_problem(405, None);
}

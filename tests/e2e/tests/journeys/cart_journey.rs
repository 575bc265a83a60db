//! The cart's journeys through the built `o2o_cart.wasm`: a guest fills a cart, changes and
//! removes lines, signs in and has the guest cart merged into theirs; carts expire; a merge
//! that fails half-way can be retried without counting anything twice.

use std::time::Duration;

use o2o_e2e::{a_catalog, lines_of, spawn_app};
use serde_json::json;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_fills_a_cart_then_signs_in_and_it_merges_into_their_cart() {
    // Given a shop selling tea and snacks
    let app = spawn_app(
        a_catalog()
            .with_products(&["TEA-OOLONG-250G", "TEA-LONGJING-250G", "SNK-DRIED-MANGO"])
            .with_store("SH-JINGAN"),
    )
    .await;

    // When a guest creates a cart and adds two items
    let guest = app.create_cart(None).await;
    app.add_to_cart(&guest, "TEA-OOLONG-250G", 2)
        .await
        .expect(200);
    let added = app
        .send(
            "POST",
            &format!("/cart/{guest}/items"),
            Some(
                json!({ "sku": "SNK-DRIED-MANGO", "quantity": 1, "preferred_store": "SH-JINGAN" }),
            ),
        )
        .await
        .expect(200);
    assert_eq!(added.body["lines"][1]["preferred_store"], "SH-JINGAN");
    assert_eq!(added.body["item_count"], 3);

    // ... changes one and removes the other
    app.set_quantity(&guest, "TEA-OOLONG-250G", 5)
        .await
        .expect(200);
    app.remove_item(&guest, "SNK-DRIED-MANGO").await.expect(200);

    // Then the cart holds exactly that
    let cart = app.get_cart(&guest).await.expect(200).body;
    assert_eq!(lines_of(&cart), vec![("TEA-OOLONG-250G".to_owned(), 5)]);
    assert_eq!(cart["customer_id"], serde_json::Value::Null);

    // When the guest signs in to a customer cart that already holds some of the same tea
    let customer = app.create_cart(Some("cust-42")).await;
    app.add_to_cart(&customer, "TEA-OOLONG-250G", 1)
        .await
        .expect(200);
    app.add_to_cart(&customer, "TEA-LONGJING-250G", 1)
        .await
        .expect(200);
    let merged = app.merge_carts(&customer, &guest).await.expect(200).body;

    // Then quantities are summed into the customer's cart and the guest cart is gone
    assert_eq!(
        lines_of(&merged["cart"]),
        vec![
            ("TEA-OOLONG-250G".to_owned(), 6),
            ("TEA-LONGJING-250G".to_owned(), 1)
        ]
    );
    assert_eq!(merged["cart"]["customer_id"], "cust-42");
    assert_eq!(merged["capped"], json!([]));
    app.get_cart(&guest).await.expect_problem(404, None);
    assert_eq!(app.get_cart(&customer).await.body, merged["cart"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_created_cart_is_empty_and_located() {
    let app = spawn_app(a_catalog()).await;

    let created = app.send("POST", "/cart", None).await.expect(201);

    let id = created.body["id"].as_str().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/cart/{id}").as_str())
    );
    assert_eq!(created.body["lines"], json!([]));
    assert_eq!(created.body["item_count"], 0);
    assert!(
        created.body["expires_at"].as_str().unwrap() > created.body["created_at"].as_str().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn merge_caps_summed_quantities_at_999() {
    let app = spawn_app(a_catalog().with_product("BEV-WATER-24")).await;
    let guest = app.create_cart(None).await;
    app.add_to_cart(&guest, "BEV-WATER-24", 600)
        .await
        .expect(200);
    let customer = app.create_cart(Some("cust-1")).await;
    app.add_to_cart(&customer, "BEV-WATER-24", 500)
        .await
        .expect(200);

    let merged = app.merge_carts(&customer, &guest).await.expect(200).body;

    assert_eq!(
        lines_of(&merged["cart"]),
        vec![("BEV-WATER-24".to_owned(), 999)]
    );
    assert_eq!(merged["capped"], json!(["BEV-WATER-24"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_merge_retried_after_a_failure_counts_the_guest_cart_once() {
    let app = spawn_app(a_catalog().with_product("TEA-1")).await;
    let guest = app.create_cart(None).await;
    app.add_to_cart(&guest, "TEA-1", 2).await.expect(200);
    let customer = app.create_cart(Some("cust-7")).await;

    // The merge reads both carts (cart ops 1, 2), writes the customer's (3), deletes the
    // guest's (4): sabotage the delete, after the customer's cart was written.
    app.app.faults().fail_kv_op_on(4, "cart:");
    app.merge_carts(&customer, &guest)
        .await
        .expect_problem(503, None);
    app.app.faults().clear();

    let retried = app.merge_carts(&customer, &guest).await.expect(200).body;
    assert_eq!(lines_of(&retried["cart"]), vec![("TEA-1".to_owned(), 2)]);
    app.get_cart(&guest).await.expect_problem(404, None);

    // And merging again after success is still the same answer
    let again = app.merge_carts(&customer, &guest).await.expect(200).body;
    assert_eq!(lines_of(&again["cart"]), vec![("TEA-1".to_owned(), 2)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_merge_whose_write_fails_changes_nothing() {
    let app = spawn_app(a_catalog().with_product("TEA-1")).await;
    let guest = app.create_cart(None).await;
    app.add_to_cart(&guest, "TEA-1", 2).await.expect(200);
    let customer = app.create_cart(Some("cust-7")).await;
    let before = app.key_value_snapshot();

    app.app.faults().fail_kv_op_on(3, "cart:");
    app.merge_carts(&customer, &guest)
        .await
        .expect_problem(503, None);

    assert_eq!(app.key_value_snapshot(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cart_expires_a_ttl_after_its_last_change() {
    let app = spawn_app(a_catalog().with_product("TEA-1")).await;
    let cart = app.create_cart(None).await;

    // Each change renews the default 7-day life
    app.advance_clock(6 * DAY);
    app.add_to_cart(&cart, "TEA-1", 1).await.expect(200);
    app.advance_clock(6 * DAY);
    app.get_cart(&cart).await.expect(200);

    // A week after the last change it is gone, for reads and writes alike, and its key with it
    app.advance_clock(DAY + Duration::from_secs(1));
    app.get_cart(&cart).await.expect_problem(404, None);
    app.add_to_cart(&cart, "TEA-1", 1)
        .await
        .expect_problem(404, None);
    assert!(app.key_value_snapshot().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cart_ttl_comes_from_the_spin_variable() {
    let app = spawn_app(a_catalog().with_variable("cart_ttl_seconds", "60")).await;
    let cart = app.create_cart(None).await;

    app.advance_clock(Duration::from_secs(59));
    app.get_cart(&cart).await.expect(200);
    app.advance_clock(Duration::from_secs(2));
    app.get_cart(&cart).await.expect_problem(404, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_abandoned_cart_is_deleted() {
    let app = spawn_app(a_catalog()).await;
    let cart = app.create_cart(None).await;

    app.send("DELETE", &format!("/cart/{cart}"), None)
        .await
        .expect(204);

    app.get_cart(&cart).await.expect_problem(404, None);
    app.send("DELETE", &format!("/cart/{cart}"), None)
        .await
        .expect_problem(404, None);
}

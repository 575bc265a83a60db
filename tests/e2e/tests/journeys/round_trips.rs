//! What a request costs in round trips to the stores, counted by the host (each Spin host call
//! is a network round trip with Redis or libSQL behind Spin): a guest's cart read is one
//! key-value read and opens no database; a signed-in request opens one SQLite connection, which
//! the rate limit and the handler share.

use o2o_e2e::access_kit::Who;
use o2o_e2e::{a_catalog, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_cart_read_is_one_key_value_read_and_opens_no_database() {
    let app = spawn_app(a_catalog().with_product("TEA-1").with_store("SH-1")).await;
    let cart = app.create_cart(None).await;
    app.add_to_cart(&cart, "TEA-1", 2).await.expect(200);

    app.get_cart(&cart).await.expect(200);

    let calls = app.app.last_host_calls("cart").expect("the cart answered");
    assert_eq!(
        (calls.sql_opens, calls.sql, calls.kv_opens, calls.kv),
        (0, 0, 1, 1),
        "no SQLite, one key-value get: {calls:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_in_request_opens_one_database_connection_for_its_count_and_its_work() {
    let app = spawn_app(a_catalog().with_product("TEA-1").with_store("SH-1")).await;
    let cart = app.create_cart(Some("cust-1")).await;

    // A change of the customer's cart: counted by the rate limit, then the cart's write lock
    // and the catalog check, all on one connection
    app.send_as(
        &Who::customer("cust-1"),
        "POST",
        &format!("/cart/{cart}/items"),
        Some(serde_json::json!({"sku": "TEA-1", "quantity": 1})),
    )
    .await
    .expect(200);

    let calls = app.app.last_host_calls("cart").expect("the cart answered");
    assert_eq!(calls.sql_opens, 1, "{calls:?}");
    assert!(calls.sql >= 4, "count, lock, check, commit: {calls:?}");
}

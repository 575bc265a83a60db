//! What a request costs in round trips to the stores, counted by the host (each Spin host call
//! is a network round trip with Redis or libSQL behind Spin; issue 12's budgets): a guest's
//! cart read is one key-value read and opens no database; a signed-in request opens one SQLite
//! connection, which the rate limit and the handler share; a quote costs at most 4 statements
//! and placing an order at most 12, all but the rate limit's in its one transaction, whatever
//! the number of lines (clearing the cart it came from takes the carts' lock after, two more);
//! the schema check rides on a statement the request runs anyway, and a database that lacks
//! the schema, or a migration, is brought up by the first statement that finds out.

use o2o_e2e::access_kit::Who;
use o2o_e2e::{AppConfig, a_catalog, spawn_app};

/// The schema check when no statement of the request carries it.
const SCHEMA_CHECK: &str = "SELECT COUNT(*) FROM schema_migrations";

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

// ---- budgets (issue 12): what a shopper's request may cost, whatever its size ----

/// A shop where a quote touches every kind of fact: member prices, a coupon with uses, a
/// flash sale with sales, a stock markdown, delivery bands and 60 products with stock.
fn a_shop_with_every_kind_of_rule() -> o2o_e2e::CatalogBuilder {
    let mut catalog = a_catalog()
        .with_store("SH-1")
        .with_member_tier("gold", Some("5"))
        .with_customer("cust-1", Some("gold"))
        .with_coupon(o2o_e2e::a_coupon("WELCOME10").amount_off("10.00"))
        .with_coupon(o2o_e2e::a_coupon("SAVE5").percentage_off("5", None))
        .with_delivery_band(3_000, "6.00")
        .with_promotion(o2o_e2e::a_flash_sale("FLASH", "1.00", 10_000).on_skus(&["SKU-00"]))
        .with_promotion(o2o_e2e::a_stock_markdown("CLEAR", "30", 60).on_skus(&["SKU-01"]))
        .with_promotion(o2o_e2e::a_spend_threshold(
            "MANJIAN",
            &[("100.00", "10.00")],
        ));
    for i in 0..60 {
        catalog = catalog.with_product(&format!("SKU-{i:02}"));
    }
    catalog
}

fn lines(count: usize) -> Vec<(String, i64)> {
    (0..count).map(|i| (format!("SKU-{i:02}"), 1)).collect()
}

async fn stocked(app: &o2o_e2e::TestApp) {
    for i in 0..60 {
        app.with_stock(o2o_e2e::stock_kit::a_stock_level(
            "SH-1",
            &format!("SKU-{i:02}"),
            1_000,
        ));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quote_costs_at_most_four_statements_whatever_its_size() {
    let app = spawn_app(a_shop_with_every_kind_of_rule()).await;
    stocked(&app).await;
    for (who, count) in [
        (Some("cust-1"), 5),
        (Some("cust-1"), 50),
        (None, 5),
        (None, 50),
    ] {
        let basket = lines(count);
        let refs: Vec<(&str, i64)> = basket.iter().map(|(s, q)| (s.as_str(), *q)).collect();
        let mut quote = o2o_e2e::a_quote()
            .for_lines(&refs)
            .delivered_to(
                o2o_e2e::TEST_STORE_LOCATION.0 + 0.005,
                o2o_e2e::TEST_STORE_LOCATION.1,
            )
            .with_coupons(&["WELCOME10", "SAVE5"]);
        if let Some(customer) = who {
            quote = quote.for_customer(customer);
        }
        app.quote(&quote).await.expect(201);
        let calls = app
            .app
            .last_host_calls("quote")
            .expect("the quote answered");
        assert!(
            calls.sql <= 4,
            "{who:?}, {count} lines: {:#?}",
            calls.statements
        );
        assert!(
            !calls.statements.iter().any(|s| s == SCHEMA_CHECK),
            "the schema check rides on a statement the quote runs anyway: {:#?}",
            calls.statements
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn placing_an_order_costs_at_most_twelve_statements_all_in_one_transaction() {
    let app = spawn_app(a_shop_with_every_kind_of_rule()).await;
    stocked(&app).await;
    for (n, count) in [5, 50].into_iter().enumerate() {
        let basket = lines(count);
        let refs: Vec<(&str, i64)> = basket.iter().map(|(s, q)| (s.as_str(), *q)).collect();
        // Delivery (the store chosen among those that reach the point), a coupon and a flash
        // sale: every kind of write place-order makes.
        let order = o2o_e2e::order_kit::an_order()
            .for_lines(&refs)
            .delivered_near_the_test_store()
            .with_coupons(&["WELCOME10"]);
        app.place_order(&format!("budget-{n}"), &order)
            .await
            .expect(201);
        assert_within_budget(&app, &format!("{count} lines, delivered"), 0);
    }
    // From a cart, picked up: the same, and then the cart is cleared under the carts' lock
    // (an empty transaction around its key-value change), after the order's commit.
    let cart = app.create_cart(Some("cust-1")).await;
    for (sku, _) in lines(50) {
        app.add_to_cart(&cart, &sku, 1).await.expect(200);
    }
    let order = o2o_e2e::order_kit::an_order()
        .for_cart(&cart)
        .pickup_at("SH-1");
    app.place_order("budget-cart", &order).await.expect(201);
    assert_within_budget(&app, "50 lines from a cart, picked up", 2);
    let calls = app
        .app
        .last_host_calls("order")
        .expect("the order answered");
    assert_eq!(
        calls.statements[calls.statements.len() - 2..],
        ["BEGIN IMMEDIATE", "COMMIT"],
        "the cart's lock after the order's commit"
    );
    app.get_cart(&cart).await.expect(404);
}

/// At most 12 statements, plus `cart_lock` for clearing a cart, and every one but the rate
/// limit's count (the edge's, before any handler) and the cart's lock in the one transaction.
fn assert_within_budget(app: &o2o_e2e::TestApp, what: &str, cart_lock: usize) {
    let calls = app
        .app
        .last_host_calls("order")
        .expect("the order answered");
    assert!(
        calls.statements.len() <= 12 + cart_lock,
        "{what}: {:#?}",
        calls.statements
    );
    assert_eq!(
        calls.statements_in_transaction().len(),
        calls.statements.len() - 1 - cart_lock,
        "{what}: {:#?}",
        calls.statements
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_database_is_migrated_by_the_first_statement_that_finds_no_table() {
    // No migrations run before serving: the database is empty, as on a first `spin up`.
    let app = spawn_app(AppConfig::default()).await;

    // A guest's quote: its one read finds no table, the migrations run, the read runs again
    app.quote(
        &o2o_e2e::a_quote()
            .for_lines(&[("TEA-1", 1)])
            .pickup_at("SH-1"),
    )
    .await
    .expect_problem(422, Some("lines[0].sku"));
    // and a customer's request: the rate limit's count finds its table in place.
    let cart = app.create_cart(Some("cust-1")).await;
    app.get_cart(&cart).await.expect(200);

    let ledger: i64 = app.scalar(SCHEMA_CHECK);
    assert!(ledger >= 14, "every migration recorded: {ledger}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_a_migration_behind_is_brought_up_by_the_statement_that_counts_the_ledger() {
    let app = spawn_app(a_catalog().with_product("TEA-1").with_store("SH-1")).await;
    let current: i64 = app.scalar(SCHEMA_CHECK);
    // As if the newest migration had not run yet (every migration is safe to re-run).
    app.app
        .sqlite("default")
        .execute("DELETE FROM schema_migrations WHERE version = 13", &[])
        .expect("forget one migration");

    app.quote(
        &o2o_e2e::a_quote()
            .for_lines(&[("TEA-1", 1)])
            .pickup_at("SH-1"),
    )
    .await
    .expect(201);

    assert_eq!(
        app.scalar::<i64>(SCHEMA_CHECK),
        current,
        "the migration ran again"
    );
    let calls = app
        .app
        .last_host_calls("quote")
        .expect("the quote answered");
    assert!(
        calls.statements.iter().any(|s| s == "BEGIN IMMEDIATE"),
        "the migrations ran in the quote's request: {:#?}",
        calls.statements
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_of_a_customers_orders_costs_the_same_statements_whatever_its_length() {
    let app = spawn_app(a_shop_with_every_kind_of_rule()).await;
    stocked(&app).await;
    for n in 0..12 {
        let order = o2o_e2e::order_kit::an_order().for_lines(&[("SKU-05", 1), ("SKU-06", 2)]);
        app.place_order(&format!("page-{n}"), &order)
            .await
            .expect(201);
    }
    let mut costs = Vec::new();
    for limit in [1, 12] {
        let page = app
            .customer_orders("cust-1", &format!("?limit={limit}"))
            .await
            .expect(200);
        assert_eq!(page.body["items"].as_array().map(Vec::len), Some(limit));
        let calls = app
            .app
            .last_host_calls("order")
            .expect("the order answered");
        costs.push(calls.statements.len());
    }
    // The rate limit's count, then the orders, their lines and their timelines.
    assert_eq!(costs, [4, 4], "a page of 1, of 12");
}

#[tokio::test(flavor = "multi_thread")]
async fn lines_reaching_their_reorder_point_raise_their_alerts_in_two_statements_together() {
    let app = spawn_app(a_shop_with_every_kind_of_rule()).await;
    for i in 0..60 {
        // Every third sku sits just above its reorder point.
        let level = o2o_e2e::stock_kit::a_stock_level("SH-1", &format!("SKU-{i:02}"), 20);
        app.with_stock(if i % 3 == 0 {
            level.reorder_point(19)
        } else {
            level
        });
    }
    let basket = lines(30);
    let refs: Vec<(&str, i64)> = basket.iter().map(|(s, q)| (s.as_str(), *q)).collect();
    let order = o2o_e2e::order_kit::an_order()
        .for_lines(&refs)
        .pickup_at("SH-1");
    app.place_order("alerts", &order).await.expect(201);

    assert_eq!(
        app.outbox_events("stock.low").len(),
        10,
        "one per level reached"
    );
    let calls = app
        .app
        .last_host_calls("order")
        .expect("the order answered");
    let alerts: Vec<&String> = calls
        .statements
        .iter()
        .filter(|s| s.contains("low_alert_armed =") || s.contains("INSERT INTO outbox"))
        .collect();
    // The flags of the ten, their events, and the order's own event.
    assert_eq!(alerts.len(), 3, "{alerts:#?}");
    assert!(calls.statements.len() <= 12 + 2, "{:#?}", calls.statements);
}

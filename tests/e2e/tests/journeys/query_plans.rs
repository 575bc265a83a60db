//! Every statement a shopper's request runs is bounded by what the request names (issue 12):
//! a shopper goes through the cart, quotes, orders (placed from lines and from a cart,
//! delivered and picked up, read, listed, paid, cancelled), availability near a point, a
//! refund request and the product reviews; every statement the host saw is then put to
//! SQLite's `EXPLAIN QUERY PLAN`, and a full scan of a table that grows with the catalog, the
//! customers or history (or of a store's whole part of one) fails the journey, naming the
//! statement and its plan. A table may be scanned only when it is one of the shop's few
//! settings tables; the request's own lists (`json_each` of a parameter) are walked whole.

use std::collections::{BTreeMap, BTreeSet};

use o2o_e2e::order_kit::an_order;
use o2o_e2e::refund_kit::a_refund;
use o2o_e2e::stock_kit::a_stock_level;
use o2o_e2e::{
    TEST_STORE_LOCATION, TestApp, a_catalog, a_coupon, a_flash_sale, a_quote, a_stock_markdown,
    spawn_app,
};

/// Tables as small as the shop's settings: a few rows each, whatever the shop's size.
const SETTINGS_TABLES: [&str; 8] = [
    "stores",
    "promotions",
    "delivery_fee_bands",
    "member_tiers",
    "pricing_settings",
    "schema_migrations",
    "webhook_subscriptions",
    "couriers",
];

/// Which table each name in a statement stands for: `FROM t`, `JOIN t`, `t AS a`, `t a`.
fn tables_by_name(statement: &str) -> BTreeMap<String, String> {
    const NOT_ALIASES: [&str; 16] = [
        "WHERE",
        "ON",
        "LEFT",
        "JOIN",
        "CROSS",
        "INNER",
        "ORDER",
        "GROUP",
        "LIMIT",
        "SET",
        "USING",
        "WHEN",
        "RETURNING",
        "VALUES",
        "SELECT",
        "UNION",
    ];
    let spaced: String = statement
        .chars()
        .map(|c| if "(),;".contains(c) { ' ' } else { c })
        .collect();
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut names = BTreeMap::new();
    for (i, token) in tokens.iter().enumerate() {
        let upper = token.to_ascii_uppercase();
        if !matches!(upper.as_str(), "FROM" | "JOIN" | "INTO" | "UPDATE") {
            continue;
        }
        let Some(table) = tokens.get(i + 1) else {
            continue;
        };
        if table.eq_ignore_ascii_case("SELECT") {
            continue;
        }
        names.insert((*table).to_owned(), (*table).to_owned());
        let alias = match tokens.get(i + 2) {
            Some(word) if word.eq_ignore_ascii_case("AS") => tokens.get(i + 3),
            other => other,
        };
        if let Some(alias) = alias
            && !NOT_ALIASES.contains(&alias.to_ascii_uppercase().as_str())
            && alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            names.insert((*alias).to_owned(), (*table).to_owned());
        }
    }
    names
}

/// The steps of `statement`'s plan that walk a growing table whole, or a store's whole part
/// of it (an index searched by the store alone, as a join led by the table instead of the
/// request's own list would).
fn growing_scans(app: &TestApp, statement: &str) -> Vec<String> {
    let plan = app
        .app
        .sqlite("default")
        .query_plan(statement)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let names = tables_by_name(statement);
    plan.iter()
        .filter_map(|step| {
            let (walk, rest) = step.split_once(' ')?;
            let name = rest.split_whitespace().next()?;
            let table = names.get(name)?;
            let whole = walk == "SCAN" && !rest.contains("VIRTUAL TABLE");
            let whole_store = walk == "SEARCH" && rest.ends_with("(store_id=?)");
            let growing = !SETTINGS_TABLES.contains(&table.as_str()) && table != "json_each";
            (growing && (whole || whole_store)).then(|| format!("{step} ({table})"))
        })
        .collect()
}

struct Seen<'a> {
    app: &'a TestApp,
    statements: BTreeSet<String>,
}

impl Seen<'_> {
    /// Keeps what the latest request of `component` ran.
    fn after(&mut self, component: &str) {
        let calls = self
            .app
            .app
            .last_host_calls(component)
            .unwrap_or_else(|| panic!("{component} answered nothing"));
        self.statements.extend(calls.statements);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_statement_of_a_shoppers_journey_scans_a_table_that_grows_with_the_shop() {
    let mut catalog = a_catalog()
        .with_store("SH-1")
        .with_member_tier("gold", Some("5"))
        .with_customer("cust-1", Some("gold"))
        .with_coupon(a_coupon("WELCOME10").amount_off("10.00"))
        .with_delivery_band(3_000, "6.00")
        .with_promotion(a_flash_sale("FLASH", "1.00", 10_000).on_skus(&["TEA-1"]))
        .with_promotion(a_stock_markdown("CLEAR", "30", 60).on_skus(&["TEA-2"]));
    for sku in ["TEA-1", "TEA-2", "CUP-1"] {
        catalog = catalog.with_product(sku);
    }
    let app = spawn_app(catalog).await;
    for sku in ["TEA-1", "TEA-2", "CUP-1"] {
        app.with_stock(a_stock_level("SH-1", sku, 100));
    }
    let mut seen = Seen {
        app: &app,
        statements: BTreeSet::new(),
    };
    let near = (TEST_STORE_LOCATION.0 + 0.005, TEST_STORE_LOCATION.1);

    // The cart, a guest's and the customer's, merged at sign-in.
    let guest = app.create_cart(None).await;
    app.add_to_cart(&guest, "TEA-1", 1).await.expect(200);
    seen.after("cart");
    let cart = app.create_cart(Some("cust-1")).await;
    seen.after("cart");
    app.add_to_cart(&cart, "TEA-2", 2).await.expect(200);
    seen.after("cart");
    app.set_quantity(&cart, "TEA-2", 3).await.expect(200);
    seen.after("cart");
    app.merge_carts(&cart, &guest).await.expect(200);
    seen.after("cart");
    app.get_cart(&cart).await.expect(200);
    seen.after("cart");

    // Quotes: picked up and delivered, from lines and from the cart.
    let quote = app
        .quote(
            &a_quote()
                .for_cart(&cart)
                .pickup_at("SH-1")
                .with_coupons(&["WELCOME10"]),
        )
        .await
        .expect(201);
    seen.after("quote");
    app.quote(
        &a_quote()
            .for_lines(&[("CUP-1", 1)])
            .delivered_to(near.0, near.1),
    )
    .await
    .expect(201);
    seen.after("quote");
    let quote_id = quote.body["id"].as_str().expect("quote id").to_owned();
    app.get_quote(&quote_id).await.expect(200);

    // Availability near a point.
    app.availability_near("TEA-1", near.0, near.1)
        .await
        .expect(200);
    seen.after("stock");

    // Orders: from the cart confirming the quote, and from lines delivered; read, listed,
    // paid, cancelled; a refund asked for; the reviews of a product read.
    let from_cart = app
        .place_order(
            "plans-1",
            &an_order()
                .for_cart(&cart)
                .pickup_at("SH-1")
                .confirming_quote(&quote_id)
                .with_coupons(&["WELCOME10"]),
        )
        .await
        .expect(201);
    seen.after("order");
    let delivered = app
        .place_order(
            "plans-2",
            &an_order()
                .for_lines(&[("CUP-1", 1)])
                .delivered_near_the_test_store(),
        )
        .await
        .expect(201);
    seen.after("order");
    let paid = from_cart.body.clone();
    let order_id = paid["id"].as_str().expect("order id").to_owned();
    app.get_order(&order_id).await.expect(200);
    seen.after("order");
    app.customer_orders("cust-1", "").await.expect(200);
    seen.after("order");
    app.pay(&paid, "pay-plans-1").await.expect(200);
    seen.after("order");
    let cancelled = delivered.body["id"].as_str().expect("order id").to_owned();
    app.cancel_order(&cancelled, Some("changed my mind"))
        .await
        .expect(200);
    seen.after("order");
    app.hand_over_by_sql(&paid, "collected").await;
    app.request_refund("plans-refund", &a_refund(&order_id).of(&[("TEA-2", 1)]))
        .await
        .expect(201);
    seen.after("refund");
    app.product_feedback("TEA-1", "").await.expect(200);
    seen.after("feedback");

    let mut failures = Vec::new();
    for statement in &seen.statements {
        let upper = statement.trim_start().to_ascii_uppercase();
        if ["BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"]
            .iter()
            .any(|word| upper.starts_with(word))
        {
            continue;
        }
        let scans = growing_scans(&app, statement);
        if !scans.is_empty() {
            failures.push(format!("{statement}\n    {}", scans.join("\n    ")));
        }
    }
    assert!(
        seen.statements.len() > 20,
        "the journey ran the shopper's statements: {}",
        seen.statements.len()
    );
    assert!(
        failures.is_empty(),
        "full scans of growing tables:\n{}",
        failures.join("\n")
    );
}

#[test]
fn names_in_a_statement_are_read_as_their_tables() {
    let names = tables_by_name(
        "SELECT l.sku FROM stores s CROSS JOIN (SELECT value FROM json_each(?)) b \
         LEFT JOIN stock_levels AS l ON l.store_id = s.id WHERE s.active = 1",
    );
    assert_eq!(names["s"], "stores");
    assert_eq!(names["l"], "stock_levels");
    assert_eq!(names["stock_levels"], "stock_levels");
    assert!(!names.contains_key("b"), "a subquery is no table");
}

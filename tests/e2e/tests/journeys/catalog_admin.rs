//! The operators' catalog through the built `o2o_catalog.wasm`: products, stores, member
//! tiers, customers and coupons created, read, updated, deactivated (or removed) and listed
//! page by page; a promotion, a price change, a tier price, a customer's move to another tier
//! and a coupon made through the API taken up by the very next quote; bad input refused
//! naming the field with nothing written; duplicates refused; every write audited with the row
//! before and after.

use o2o_e2e::catalog_kit::{
    TEST_STAFF, a_new_coupon, a_new_customer, a_new_promotion, a_new_store, a_new_tier, a_product,
};
use o2o_e2e::{QuoteRequestBuilder, TestApp, a_catalog, a_quote, amount, spawn_app};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn a_product_is_created_read_updated_deactivated_and_listed() {
    let app = spawn_app(a_catalog()).await;

    // When an operator creates a product
    let created = app
        .as_staff(
            "POST",
            "/admin/products",
            Some(a_product("TEA-1").priced("12.30").to_json()),
        )
        .await
        .expect(201);

    // Then it is at its location, as written
    assert_eq!(created.header("location"), Some("/admin/products/TEA-1"));
    let read = app
        .as_staff("GET", "/admin/products/TEA-1", None)
        .await
        .expect(200);
    assert_eq!(read.body, created.body);
    assert_eq!(read.body["list_price"], "12.30");
    assert_eq!(read.body["active"], true);

    // When it is renamed and then deactivated by PUT
    let renamed = a_product("TEA-1")
        .priced("12.30")
        .with("name", json!("Oolong 250 g"));
    app.as_staff(
        "PUT",
        "/admin/products/TEA-1",
        Some(renamed.to_update_json()),
    )
    .await
    .expect(200);
    let retired = renamed.with("active", json!(false));
    let after = app
        .as_staff(
            "PUT",
            "/admin/products/TEA-1",
            Some(retired.to_update_json()),
        )
        .await
        .expect(200);
    assert_eq!(after.body["name"], "Oolong 250 g");
    assert_eq!(after.body["active"], false);
    // ... it is kept, never deleted
    assert_eq!(app.count_rows("products"), 1);
    app.as_staff("GET", "/admin/products/NOPE-1", None)
        .await
        .expect_problem(404, None);
    app.as_staff(
        "PUT",
        "/admin/products/NOPE-1",
        Some(retired.to_update_json()),
    )
    .await
    .expect_problem(404, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn products_are_listed_page_by_page_and_filtered() {
    let app = spawn_app(a_catalog()).await;
    for (sku, category, brand) in [
        ("SNK-1", "snacks", "Three Squirrels"),
        ("TEA-1", "tea", "Tea House"),
        ("TEA-2", "tea", "Tea House"),
        ("TEA-3", "tea", "Other"),
    ] {
        let body = a_product(sku).in_category(category).of_brand(brand);
        app.as_staff("POST", "/admin/products", Some(body.to_json()))
            .await
            .expect(201);
    }

    // Two at a time: the cursor leads to the next page, and the last page has none
    let first = app
        .as_staff("GET", "/admin/products?limit=2", None)
        .await
        .expect(200);
    let skus = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["sku"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(skus(&first.body), ["SNK-1", "TEA-1"]);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .as_staff(
            "GET",
            &format!("/admin/products?limit=2&cursor={cursor}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(skus(&second.body), ["TEA-2", "TEA-3"]);
    let last = second.body["next_cursor"].as_str().unwrap();
    let empty = app
        .as_staff(
            "GET",
            &format!("/admin/products?limit=2&cursor={last}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(skus(&empty.body), Vec::<String>::new());
    assert!(empty.body["next_cursor"].is_null());

    // Filters by category and brand (percent-encoded), and a bounded limit
    let tea = app
        .as_staff("GET", "/admin/products?category=tea&brand=Tea+House", None)
        .await;
    assert_eq!(skus(&tea.expect(200).body), ["TEA-1", "TEA-2"]);
    let inactive = app
        .as_staff("GET", "/admin/products?active=false", None)
        .await;
    assert_eq!(skus(&inactive.expect(200).body), Vec::<String>::new());
    app.as_staff("GET", "/admin/products?limit=1000", None)
        .await
        .expect_problem(400, Some("limit"));
    app.as_staff("GET", "/admin/products?active=maybe", None)
        .await
        .expect_problem(400, Some("active"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_is_created_updated_closed_and_listed() {
    let app = spawn_app(a_catalog()).await;

    let created = app
        .as_staff("POST", "/admin/stores", Some(a_new_store("SH-9").to_json()))
        .await
        .expect(201);
    assert_eq!(created.header("location"), Some("/admin/stores/SH-9"));
    assert_eq!(
        created.body["opening_hours"]["mon"],
        json!(["09:00", "21:00"])
    );
    assert_eq!(created.body["pickup_enabled"], true);

    // Pickup off and a smaller radius, then closed
    let changed = a_new_store("SH-9")
        .with("pickup_enabled", json!(false))
        .with("delivery_radius_km", json!(2.5));
    let updated = app
        .as_staff("PUT", "/admin/stores/SH-9", Some(changed.to_update_json()))
        .await
        .expect(200);
    assert_eq!(updated.body["pickup_enabled"], false);
    assert_eq!(updated.body["delivery_radius_km"], 2.5);
    let closed = changed.with("active", json!(false));
    app.as_staff("PUT", "/admin/stores/SH-9", Some(closed.to_update_json()))
        .await
        .expect(200);

    let read = app
        .as_staff("GET", "/admin/stores/SH-9", None)
        .await
        .expect(200);
    assert_eq!(read.body["active"], false);
    let listed = app
        .as_staff("GET", "/admin/stores?city=Shanghai", None)
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let open = app
        .as_staff("GET", "/admin/stores?active=true", None)
        .await
        .expect(200);
    assert!(open.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_promotion_created_through_the_api_applies_to_the_next_quote() {
    let app = spawn_app(
        a_catalog()
            .with_priced_product("TEA-1", "tea", "98.00")
            .with_store("SH-1"),
    )
    .await;
    let request = a_quote().for_lines(&[("TEA-1", 1)]).pickup_at("SH-1");
    let before = app.quote(&request).await.expect(201).body;
    assert_eq!(amount(&before["total"]), "98.00");

    // When an operator starts 10 % off tea-1
    let promotion =
        a_new_promotion("TEA-TEN", "percentage-off", json!({"percent": "10"})).on_skus(&["TEA-1"]);
    let created = app
        .as_staff("POST", "/admin/promotions", Some(promotion.to_json()))
        .await
        .expect(201);
    assert_eq!(
        created.header("location"),
        Some("/admin/promotions/TEA-TEN")
    );

    // Then the next quote applies it
    let during = app.quote(&request).await.expect(201).body;
    assert_eq!(amount(&during["total"]), "88.20");

    // And when it is deactivated, the next quote no longer does
    let ended = promotion.with("active", json!(false));
    app.as_staff(
        "PUT",
        "/admin/promotions/TEA-TEN",
        Some(ended.to_update_json()),
    )
    .await
    .expect(200);
    let after = app.quote(&request).await.expect(201).body;
    assert_eq!(amount(&after["total"]), "98.00");
    let listed = app
        .as_staff("GET", "/admin/promotions?kind=percentage-off", None)
        .await;
    assert_eq!(
        listed.expect(200).body["items"][0]["parameters"]["percent"],
        "10"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_change_through_the_api_is_reflected_in_the_next_quote() {
    let app = spawn_app(a_catalog().with_store("SH-1").with_store("SH-2")).await;
    app.as_staff(
        "POST",
        "/admin/products",
        Some(a_product("TEA-1").priced("98.00").to_json()),
    )
    .await
    .expect(201);
    let at = |store: &str| a_quote().for_lines(&[("TEA-1", 1)]).pickup_at(store);
    assert_eq!(
        amount(&app.quote(&at("SH-1")).await.expect(201).body["total"]),
        "98.00"
    );

    // When the list price goes up to 105.00
    let dearer = a_product("TEA-1").priced("105.00");
    app.as_staff(
        "PUT",
        "/admin/products/TEA-1",
        Some(dearer.to_update_json()),
    )
    .await
    .expect(200);
    assert_eq!(
        amount(&app.quote(&at("SH-1")).await.expect(201).body["total"]),
        "105.00"
    );

    // When SH-2 sells it at its own price, only SH-2's quotes change
    app.as_staff(
        "PUT",
        "/admin/stores/SH-2/prices/TEA-1",
        Some(json!({"price": "95.00"})),
    )
    .await
    .expect(200);
    assert_eq!(
        amount(&app.quote(&at("SH-2")).await.expect(201).body["total"]),
        "95.00"
    );
    assert_eq!(
        amount(&app.quote(&at("SH-1")).await.expect(201).body["total"]),
        "105.00"
    );

    // And when the product is deactivated, the next quote no longer knows it
    let retired = dearer.with("active", json!(false));
    app.as_staff(
        "PUT",
        "/admin/products/TEA-1",
        Some(retired.to_update_json()),
    )
    .await
    .expect(200);
    app.quote(&at("SH-1")).await.expect(422);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_product_and_store_fields_are_refused_naming_the_field_with_nothing_written() {
    let app = spawn_app(a_catalog()).await;
    let product_cases = [
        ("sku", json!("not a sku!")),
        ("name", json!("   ")),
        ("category", json!("")),
        ("list_price", json!("abc")),
        ("list_price", json!("-1.00")),
        ("list_price", json!("1.001")),
        ("list_price", json!(12.3)),
        ("active", json!("yes")),
    ];
    for (field, value) in product_cases {
        let body = a_product("TEA-1").with(field, value);
        app.as_staff("POST", "/admin/products", Some(body.to_json()))
            .await
            .expect_problem(400, Some(field));
    }
    let store_cases = [
        ("latitude", json!(91.0)),
        ("longitude", json!(-181.0)),
        ("delivery_radius_km", json!(-1.0)),
        ("opening_hours", json!("always")),
        ("opening_hours.mon", json!({"mon": ["9am", "21:00"]})),
    ];
    for (field, value) in store_cases {
        let key = field.split('.').next().unwrap();
        let body = a_new_store("SH-9").with(key, value);
        app.as_staff("POST", "/admin/stores", Some(body.to_json()))
            .await
            .expect_problem(400, Some(field));
    }
    app.as_staff(
        "PUT",
        "/admin/stores/SH-9/prices/TEA-1",
        Some(json!({"price": "x"})),
    )
    .await
    .expect_problem(400, Some("price"));

    assert_eq!(app.count_rows("products"), 0);
    assert_eq!(app.count_rows("stores"), 0);
    assert_eq!(app.audit_changes().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_promotion_the_quote_could_not_read_is_refused_naming_the_field() {
    let app = spawn_app(a_catalog()).await;
    let cases = [
        ("kind", a_new_promotion("P-1", "half-price", json!({}))),
        (
            "parameters",
            a_new_promotion("P-1", "percentage-off", json!({"percent": "abc"})),
        ),
        (
            "parameters",
            a_new_promotion("P-1", "amount-off", json!({"percent": "10"})),
        ),
        (
            "parameters",
            a_new_promotion(
                "P-1",
                "spend-threshold-tiers",
                json!({"tiers": [{"spend": "x"}]}),
            ),
        ),
        (
            "ends_at",
            a_new_promotion("P-1", "percentage-off", json!({"percent": "10"}))
                .with("ends_at", json!("1999-01-01T00:00:00Z")),
        ),
        (
            "starts_at",
            a_new_promotion("P-1", "percentage-off", json!({"percent": "10"}))
                .with("starts_at", json!("tomorrow")),
        ),
        (
            "target_values",
            a_new_promotion("P-1", "percentage-off", json!({"percent": "10"}))
                .with("target_kind", json!("skus")),
        ),
        (
            "stacking",
            a_new_promotion("P-1", "percentage-off", json!({"percent": "10"}))
                .with("stacking", json!("sometimes")),
        ),
    ];
    for (field, body) in cases {
        app.as_staff("POST", "/admin/promotions", Some(body.to_json()))
            .await
            .expect_problem(400, Some(field));
    }
    assert_eq!(app.count_rows("promotions"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_product_or_promotion_with_the_same_id_is_a_conflict() {
    let app = spawn_app(a_catalog()).await;
    let product = a_product("TEA-1");
    app.as_staff("POST", "/admin/products", Some(product.to_json()))
        .await
        .expect(201);
    app.as_staff(
        "POST",
        "/admin/products",
        Some(product.priced("1.00").to_json()),
    )
    .await
    .expect_problem(409, Some("sku"));
    let read = app
        .as_staff("GET", "/admin/products/TEA-1", None)
        .await
        .expect(200);
    assert_eq!(read.body["list_price"], "10.00");

    let promotion = a_new_promotion("P-1", "free-delivery", json!({"minimum_spend": "99.00"}));
    app.as_staff("POST", "/admin/promotions", Some(promotion.to_json()))
        .await
        .expect(201);
    app.as_staff("POST", "/admin/promotions", Some(promotion.to_json()))
        .await
        .expect_problem(409, Some("id"));
    assert_eq!(app.count_rows("promotions"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_need_an_api_key_and_are_audited_with_before_and_after() {
    let app = spawn_app(a_catalog()).await;

    // Without an API key nothing is written
    app.send(
        "POST",
        "/admin/products",
        Some(a_product("TEA-1").to_json()),
    )
    .await
    .expect_problem(401, Some("x-api-key"));
    assert_eq!(app.count_rows("products"), 0);

    // With it, a create and an update each leave one audit row
    app.as_staff(
        "POST",
        "/admin/products",
        Some(a_product("TEA-1").to_json()),
    )
    .await
    .expect(201);
    let dearer = a_product("TEA-1").priced("11.00");
    app.as_staff(
        "PUT",
        "/admin/products/TEA-1",
        Some(dearer.to_update_json()),
    )
    .await
    .expect(200);

    let entries = app.audit_changes();
    assert_eq!(entries.len(), 2);
    let (actor, action, subject, before, after) = &entries[0];
    let staff = app.actor(TEST_STAFF, "catalog").await;
    assert_eq!(
        (actor.as_str(), action.as_str(), subject.as_str()),
        (staff.as_str(), "catalog.product.create", "TEA-1")
    );
    assert!(before.is_null());
    assert_eq!(after["list_price"], "10.00");
    let (_, action, _, before, after) = &entries[1];
    assert_eq!(action, "catalog.product.update");
    assert_eq!(before["list_price"], "10.00");
    assert_eq!(after["list_price"], "11.00");
}

// ---- member tiers, customers and coupons ----

/// Each line's unit price and why, of a quote the app gives for `request`.
async fn unit_prices(app: &TestApp, request: &QuoteRequestBuilder) -> Vec<(String, Value)> {
    let quote = app.quote(request).await.expect(201).body;
    quote["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| {
            (
                amount(&line["unit_price"]).to_owned(),
                line["unit_price_reason"].clone(),
            )
        })
        .collect()
}

/// The ids (or codes) of a list page, in order.
fn ids_of(page: &Value, key: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item[key].as_str().expect("an id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_tier_and_its_tier_prices_reach_the_next_quote_of_its_members() {
    let app = spawn_app(
        a_catalog()
            .with_priced_product("TEA-1", "tea", "98.00")
            .with_priced_product("TEA-2", "tea", "50.00")
            .with_store("SH-1"),
    )
    .await;

    // Given a gold tier at 5 % off and a customer on it, both made through the API
    let tier = a_new_tier("gold").with_discount("5");
    let created = app
        .as_staff("POST", "/admin/member-tiers", Some(tier.to_json()))
        .await
        .expect(201);
    assert_eq!(created.header("location"), Some("/admin/member-tiers/gold"));
    assert_eq!(created.body["discount_percent"], "5");
    let customer = app
        .as_staff(
            "POST",
            "/admin/customers",
            Some(a_new_customer("cust-1").on_tier("gold").to_json()),
        )
        .await
        .expect(201);
    assert_eq!(customer.header("location"), Some("/admin/customers/cust-1"));
    let basket = a_quote()
        .for_lines(&[("TEA-1", 1), ("TEA-2", 1)])
        .for_customer("cust-1")
        .pickup_at("SH-1");
    assert_eq!(
        unit_prices(&app, &basket).await,
        [
            ("93.10".to_owned(), json!("gold member: 5% off")),
            ("47.50".to_owned(), json!("gold member: 5% off")),
        ]
    );

    // When gold gets its own price for TEA-1, it wins over the discount in the next quote
    let set = app
        .as_staff(
            "PUT",
            "/admin/member-tiers/gold/prices/TEA-1",
            Some(json!({"price": "88.00"})),
        )
        .await
        .expect(200);
    assert_eq!(set.body["price"], "88.00");
    assert_eq!(
        unit_prices(&app, &basket).await[0],
        ("88.00".to_owned(), json!("gold member price"))
    );
    let prices = app
        .as_staff("GET", "/admin/member-tiers/gold/prices", None)
        .await
        .expect(200);
    assert_eq!(
        prices.body["items"],
        json!([{"tier_id": "gold", "sku": "TEA-1", "price": "88.00"}])
    );

    // When the tier's discount goes up to 10 %, the skus without a tier price follow
    let richer = tier.with_discount("10");
    let replaced = app
        .as_staff(
            "PUT",
            "/admin/member-tiers/gold",
            Some(richer.to_update_json()),
        )
        .await
        .expect(200);
    assert_eq!(replaced.body["discount_percent"], "10");
    let prices = unit_prices(&app, &basket).await;
    assert_eq!(prices[0].0, "88.00");
    assert_eq!(
        prices[1],
        ("45.00".to_owned(), json!("gold member: 10% off"))
    );

    // And when the tier price is removed, the discount applies to TEA-1 again
    app.as_staff("DELETE", "/admin/member-tiers/gold/prices/TEA-1", None)
        .await
        .expect(204);
    app.as_staff("DELETE", "/admin/member-tiers/gold/prices/TEA-1", None)
        .await
        .expect_problem(404, None);
    assert_eq!(unit_prices(&app, &basket).await[0].0, "88.20");
    let read = app
        .as_staff("GET", "/admin/member-tiers/gold", None)
        .await
        .expect(200);
    assert_eq!(
        read.body,
        json!({"id": "gold", "name": "Tier gold", "rank": 1, "discount_percent": "10"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn moving_a_customer_to_another_tier_changes_their_next_quote() {
    let app = spawn_app(
        a_catalog()
            .with_priced_product("TEA-1", "tea", "98.00")
            .with_store("SH-1"),
    )
    .await;
    for (id, percent) in [("silver", "2"), ("gold", "5")] {
        app.as_staff(
            "POST",
            "/admin/member-tiers",
            Some(a_new_tier(id).with_discount(percent).to_json()),
        )
        .await
        .expect(201);
    }
    let li = a_new_customer("cust-1")
        .with("name", json!("Li Wei"))
        .on_tier("silver");
    app.as_staff("POST", "/admin/customers", Some(li.to_json()))
        .await
        .expect(201);
    let basket = a_quote()
        .for_lines(&[("TEA-1", 1)])
        .for_customer("cust-1")
        .pickup_at("SH-1");
    assert_eq!(
        unit_prices(&app, &basket).await,
        [("96.04".to_owned(), json!("silver member: 2% off"))]
    );

    // When the customer moves up to gold, the very next quote is at gold's price
    let moved = app
        .as_staff(
            "PUT",
            "/admin/customers/cust-1",
            Some(li.clone().on_tier("gold").to_update_json()),
        )
        .await
        .expect(200);
    assert_eq!(moved.body["tier_id"], "gold");
    assert_eq!(
        unit_prices(&app, &basket).await,
        [("93.10".to_owned(), json!("gold member: 5% off"))]
    );

    // And when the membership ends, they pay the non-member price
    let lapsed = li.with("tier_id", Value::Null);
    app.as_staff(
        "PUT",
        "/admin/customers/cust-1",
        Some(lapsed.to_update_json()),
    )
    .await
    .expect(200);
    assert_eq!(unit_prices(&app, &basket).await[0].0, "98.00");
    let read = app
        .as_staff("GET", "/admin/customers/cust-1", None)
        .await
        .expect(200);
    assert_eq!(read.body["name"], "Li Wei");
    assert!(read.body["tier_id"].is_null());
    assert!(read.body["created_at"].is_string());

    // Customers are listed page by page and by tier
    for id in ["cust-2", "cust-3"] {
        let body = a_new_customer(id).on_tier("gold");
        app.as_staff("POST", "/admin/customers", Some(body.to_json()))
            .await
            .expect(201);
    }
    let gold = app
        .as_staff("GET", "/admin/customers?tier_id=gold", None)
        .await
        .expect(200);
    assert_eq!(ids_of(&gold.body, "id"), ["cust-2", "cust-3"]);
    let first = app
        .as_staff("GET", "/admin/customers?limit=2", None)
        .await
        .expect(200);
    assert_eq!(ids_of(&first.body, "id"), ["cust-1", "cust-2"]);
    let next = format!(
        "/admin/customers?limit=2&cursor={}",
        first.body["next_cursor"].as_str().unwrap()
    );
    let second = app.as_staff("GET", &next, None).await.expect(200);
    assert_eq!(ids_of(&second.body, "id"), ["cust-3"]);
    assert!(second.body["next_cursor"].is_null());
    let tiers = app
        .as_staff("GET", "/admin/member-tiers", None)
        .await
        .expect(200);
    assert_eq!(ids_of(&tiers.body, "id"), ["gold", "silver"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_tier_is_removed_only_once_no_customer_is_on_it() {
    let app = spawn_app(a_catalog().with_priced_product("TEA-1", "tea", "98.00")).await;
    app.as_staff(
        "POST",
        "/admin/member-tiers",
        Some(a_new_tier("gold").to_json()),
    )
    .await
    .expect(201);
    app.as_staff(
        "PUT",
        "/admin/member-tiers/gold/prices/TEA-1",
        Some(json!({"price": "90.00"})),
    )
    .await
    .expect(200);
    let customer = a_new_customer("cust-1").on_tier("gold");
    app.as_staff("POST", "/admin/customers", Some(customer.to_json()))
        .await
        .expect(201);

    // While a customer is on it, the tier stays, with its prices
    app.as_staff("DELETE", "/admin/member-tiers/gold", None)
        .await
        .expect_problem(409, Some("id"));
    assert_eq!(app.count_rows("member_tiers"), 1);
    assert_eq!(app.count_rows("tier_prices"), 1);

    // Once they are moved off it, it goes, prices and all, and the audit log keeps them
    let off = customer.clone().with("tier_id", Value::Null);
    app.as_staff("PUT", "/admin/customers/cust-1", Some(off.to_update_json()))
        .await
        .expect(200);
    app.as_staff("DELETE", "/admin/member-tiers/gold", None)
        .await
        .expect(204);
    app.as_staff("GET", "/admin/member-tiers/gold", None)
        .await
        .expect_problem(404, None);
    app.as_staff("GET", "/admin/member-tiers/gold/prices", None)
        .await
        .expect_problem(404, None);
    assert_eq!(app.count_rows("tier_prices"), 0);
    app.as_staff("DELETE", "/admin/member-tiers/gold", None)
        .await
        .expect_problem(404, None);
    let (_, action, subject, before, after) = app.audit_changes().pop().unwrap();
    assert_eq!(
        (action.as_str(), subject.as_str()),
        ("catalog.member-tier.remove", "gold")
    );
    assert_eq!(before["prices"][0]["price"], "90.00");
    assert!(after.is_null());

    // A customer cannot be put on a tier that is gone
    app.as_staff(
        "PUT",
        "/admin/customers/cust-1",
        Some(customer.on_tier("gold").to_update_json()),
    )
    .await
    .expect_problem(422, Some("tier_id"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coupon_created_through_the_api_applies_to_the_next_quote_until_it_is_stopped() {
    let app = spawn_app(
        a_catalog()
            .with_priced_product("TEA-1", "tea", "98.00")
            .with_priced_product("TEA-2", "tea", "20.00")
            .with_store("SH-1"),
    )
    .await;
    let basket = a_quote()
        .for_lines(&[("TEA-1", 1)])
        .pickup_at("SH-1")
        .with_coupons(&["save15"]);
    let before = app.quote(&basket).await.expect(201).body;
    assert_eq!(before["rejected_coupons"][0]["reason"], "unknown");

    // When an operator creates 15 % off, at most 10.00, from a spend of 50.00
    let coupon = a_new_coupon("save15")
        .percentage_off("15", Some("10.00"))
        .with("minimum_spend", json!("50.00"));
    let created = app
        .as_staff("POST", "/admin/coupons", Some(coupon.to_json()))
        .await
        .expect(201);
    assert_eq!(created.header("location"), Some("/admin/coupons/SAVE15"));
    assert_eq!(created.body["code"], "SAVE15");
    assert_eq!(created.body["uses"], 0);
    assert_eq!(created.body["active"], true);
    let read = app
        .as_staff("GET", "/admin/coupons/save15", None)
        .await
        .expect(200);
    assert_eq!(read.body, created.body);

    // Then the next quote takes 14.70 capped at 10.00 off
    let during = app.quote(&basket).await.expect(201).body;
    assert_eq!(during["adjustments"][0]["kind"], "coupon");
    assert_eq!(during["adjustments"][0]["promotion_id"], "SAVE15");
    assert_eq!(amount(&during["adjustments"][0]["amount"]), "10.00");
    assert_eq!(amount(&during["total"]), "88.00");
    assert_eq!(during["rejected_coupons"], json!([]));
    // ... and a basket under the minimum spend is told so
    let small = a_quote()
        .for_lines(&[("TEA-2", 1)])
        .pickup_at("SH-1")
        .with_coupons(&["SAVE15"]);
    let small = app.quote(&small).await.expect(201).body;
    assert_eq!(
        small["rejected_coupons"][0]["reason"],
        "minimum-spend-not-met"
    );

    // When it is limited to one use per customer, a guest must sign in to use it
    let limited = coupon.clone().with("per_customer_limit", json!(1));
    app.as_staff(
        "PUT",
        "/admin/coupons/SAVE15",
        Some(limited.to_update_json()),
    )
    .await
    .expect(200);
    let guest = app.quote(&basket).await.expect(201).body;
    assert_eq!(guest["rejected_coupons"][0]["reason"], "sign-in-required");

    // When it is stopped, the next quote no longer knows it
    let stopped = coupon.clone().with("active", json!(false));
    let replaced = app
        .as_staff(
            "PUT",
            "/admin/coupons/save15",
            Some(stopped.to_update_json()),
        )
        .await
        .expect(200);
    assert_eq!(replaced.body["active"], false);
    let after = app.quote(&basket).await.expect(201).body;
    assert_eq!(after["rejected_coupons"][0]["code"], "SAVE15");
    assert_eq!(after["rejected_coupons"][0]["reason"], "unknown");
    assert_eq!(amount(&after["total"]), "98.00");

    // And back on, but with a window that has ended, it is expired
    let lapsed = coupon
        .with("starts_at", json!("2001-01-01T00:00:00Z"))
        .with("ends_at", json!("2002-01-01T00:00:00Z"));
    app.as_staff(
        "PUT",
        "/admin/coupons/SAVE15",
        Some(lapsed.to_update_json()),
    )
    .await
    .expect(200);
    let expired = app.quote(&basket).await.expect(201).body;
    assert_eq!(expired["rejected_coupons"][0]["reason"], "expired");
    app.as_staff("PUT", "/admin/coupons/NOPE", Some(lapsed.to_update_json()))
        .await
        .expect_problem(404, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn coupons_are_listed_page_by_page_and_filtered_and_never_deleted() {
    let app = spawn_app(a_catalog()).await;
    for coupon in [
        a_new_coupon("A-10"),
        a_new_coupon("B-15").percentage_off("15", None),
        a_new_coupon("C-5").with("active", json!(false)),
    ] {
        app.as_staff("POST", "/admin/coupons", Some(coupon.to_json()))
            .await
            .expect(201);
    }
    let first = app
        .as_staff("GET", "/admin/coupons?limit=2", None)
        .await
        .expect(200);
    assert_eq!(ids_of(&first.body, "code"), ["A-10", "B-15"]);
    assert_eq!(first.body["next_cursor"], "B-15");
    let second = app
        .as_staff("GET", "/admin/coupons?limit=2&cursor=B-15", None)
        .await
        .expect(200);
    assert_eq!(ids_of(&second.body, "code"), ["C-5"]);
    assert!(second.body["next_cursor"].is_null());
    for (query, codes) in [
        ("kind=amount-off", vec!["A-10", "C-5"]),
        ("active=false", vec!["C-5"]),
        ("kind=amount-off&active=true", vec!["A-10"]),
    ] {
        let page = app
            .as_staff("GET", &format!("/admin/coupons?{query}"), None)
            .await
            .expect(200);
        assert_eq!(ids_of(&page.body, "code"), codes, "{query}");
    }
    let b = &first.body["items"][1];
    assert_eq!((&b["percent"], &b["amount"]), (&json!("15"), &Value::Null));
    app.as_staff("GET", "/admin/coupons?limit=0", None)
        .await
        .expect_problem(400, Some("limit"));

    // Coupons and customers are stopped or moved, never deleted
    app.as_staff("DELETE", "/admin/coupons/A-10", None)
        .await
        .expect_problem(405, None);
    app.as_staff("DELETE", "/admin/customers/cust-1", None)
        .await
        .expect_problem(405, None);
    assert_eq!(app.count_rows("coupons"), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_tier_customer_and_coupon_fields_are_refused_naming_the_field_with_nothing_written() {
    let app = spawn_app(a_catalog().with_product("TEA-1")).await;
    let tier_cases = [
        ("id", json!("not a tier!")),
        ("id", json!(7)),
        ("name", json!("  ")),
        ("rank", json!(-1)),
        ("discount_percent", json!("0")),
        ("discount_percent", json!("100")),
        ("discount_percent", json!("abc")),
        ("discount_percent", json!(5)),
        ("colour", json!("gold")),
    ];
    for (field, value) in tier_cases {
        let body = a_new_tier("gold").with(field, value);
        app.as_staff("POST", "/admin/member-tiers", Some(body.to_json()))
            .await
            .expect_problem(400, Some(field));
    }
    let customer_cases = [
        ("id", json!("a/b")),
        ("id", json!("")),
        ("name", json!("")),
        ("tier_id", json!("not a tier!")),
    ];
    for (field, value) in customer_cases {
        let body = a_new_customer("cust-1").with(field, value);
        app.as_staff("POST", "/admin/customers", Some(body.to_json()))
            .await
            .expect_problem(400, Some(field));
    }
    // A tier that does not exist is a state the request cannot be taken in
    app.as_staff(
        "POST",
        "/admin/customers",
        Some(a_new_customer("cust-1").on_tier("platinum").to_json()),
    )
    .await
    .expect_problem(422, Some("tier_id"));
    let coupon_cases = [
        ("code", a_new_coupon("NOT A CODE")),
        ("kind", a_new_coupon("C1").with("kind", json!("free-gift"))),
        ("amount", a_new_coupon("C1").with("amount", json!("0.00"))),
        ("amount", a_new_coupon("C1").with("amount", json!("-1.00"))),
        ("amount", a_new_coupon("C1").with("amount", json!(10))),
        ("percent", a_new_coupon("C1").with("percent", json!("10"))),
        (
            "amount",
            a_new_coupon("C1")
                .percentage_off("10", None)
                .with("amount", json!("5.00")),
        ),
        ("percent", a_new_coupon("C1").percentage_off("150", None)),
        (
            "max_discount",
            a_new_coupon("C1").percentage_off("10", Some("nope")),
        ),
        (
            "minimum_spend",
            a_new_coupon("C1").with("minimum_spend", json!("1.001")),
        ),
        (
            "ends_at",
            a_new_coupon("C1").with("ends_at", json!("1999-01-01T00:00:00Z")),
        ),
        (
            "starts_at",
            a_new_coupon("C1").with("starts_at", json!("yesterday")),
        ),
        (
            "total_limit",
            a_new_coupon("C1").with("total_limit", json!(0)),
        ),
        (
            "total_limit",
            a_new_coupon("C1").with("total_limit", json!(-3)),
        ),
        (
            "per_customer_limit",
            a_new_coupon("C1")
                .with("total_limit", json!(1))
                .with("per_customer_limit", json!(2)),
        ),
        (
            "stacking",
            a_new_coupon("C1").with("stacking", json!("sometimes")),
        ),
    ];
    for (field, body) in coupon_cases {
        app.as_staff("POST", "/admin/coupons", Some(body.to_json()))
            .await
            .expect_problem(400, Some(field));
    }
    // Tier prices: a bad price, an unknown tier or sku
    app.as_staff(
        "PUT",
        "/admin/member-tiers/gold/prices/TEA-1",
        Some(json!({"price": "-1.00"})),
    )
    .await
    .expect_problem(400, Some("price"));
    app.as_staff(
        "PUT",
        "/admin/member-tiers/gold/prices/TEA-1",
        Some(json!({"price": "9.00"})),
    )
    .await
    .expect_problem(404, None);

    for table in [
        "member_tiers",
        "tier_prices",
        "customers",
        "coupons",
        "audit_log",
    ] {
        assert_eq!(app.count_rows(table), 0, "{table}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_tier_customer_or_coupon_with_the_same_id_is_a_conflict() {
    let app = spawn_app(a_catalog()).await;
    let creates = [
        ("/admin/member-tiers", a_new_tier("gold"), "id"),
        ("/admin/customers", a_new_customer("cust-1"), "id"),
        ("/admin/coupons", a_new_coupon("SAVE10"), "code"),
    ];
    for (path, body, field) in creates {
        app.as_staff("POST", path, Some(body.to_json()))
            .await
            .expect(201);
        let again = body.with("name", json!("Again"));
        app.as_staff("POST", path, Some(again.to_json()))
            .await
            .expect_problem(409, Some(field));
    }
    // Codes are one whatever their case, as customers type them
    let lower = a_new_coupon("save10").with("amount", json!("50.00"));
    app.as_staff("POST", "/admin/coupons", Some(lower.to_json()))
        .await
        .expect_problem(409, Some("code"));
    let kept = app
        .as_staff("GET", "/admin/coupons/SAVE10", None)
        .await
        .expect(200);
    assert_eq!(
        (&kept.body["amount"], &kept.body["name"]),
        (&json!("10.00"), &json!("Coupon SAVE10"))
    );
    for table in ["member_tiers", "customers", "coupons"] {
        assert_eq!(app.count_rows(table), 1, "{table}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn membership_and_coupon_writes_need_an_api_key_and_are_audited_with_before_and_after() {
    let app = spawn_app(a_catalog().with_product("TEA-1")).await;

    // Without an API key nothing is written
    let anonymous = [
        (
            "POST",
            "/admin/member-tiers",
            Some(a_new_tier("gold").to_json()),
        ),
        (
            "POST",
            "/admin/customers",
            Some(a_new_customer("c-1").to_json()),
        ),
        ("POST", "/admin/coupons", Some(a_new_coupon("C1").to_json())),
        (
            "PUT",
            "/admin/member-tiers/gold/prices/TEA-1",
            Some(json!({"price": "9.00"})),
        ),
        ("DELETE", "/admin/member-tiers/gold", None),
    ];
    for (method, path, body) in anonymous {
        app.send(method, path, body)
            .await
            .expect_problem(401, Some("x-api-key"));
    }
    assert_eq!(app.audit_changes().len(), 0);

    // With it, every write leaves one audit row with the row before and after
    app.as_staff(
        "POST",
        "/admin/member-tiers",
        Some(a_new_tier("gold").to_json()),
    )
    .await
    .expect(201);
    let customer = a_new_customer("c-1");
    app.as_staff("POST", "/admin/customers", Some(customer.to_json()))
        .await
        .expect(201);
    app.as_staff(
        "PUT",
        "/admin/customers/c-1",
        Some(customer.on_tier("gold").to_update_json()),
    )
    .await
    .expect(200);
    app.as_staff(
        "PUT",
        "/admin/member-tiers/gold/prices/TEA-1",
        Some(json!({"price": "9.00"})),
    )
    .await
    .expect(200);
    let coupon = a_new_coupon("C1");
    app.as_staff("POST", "/admin/coupons", Some(coupon.to_json()))
        .await
        .expect(201);
    let stopped = coupon.with("active", json!(false));
    app.as_staff("PUT", "/admin/coupons/C1", Some(stopped.to_update_json()))
        .await
        .expect(200);

    let entries = app.audit_changes();
    let staff = app.actor(TEST_STAFF, "catalog").await;
    let staff = staff.as_str();
    let actions: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|(actor, action, subject, _, _)| (actor.as_str(), action.as_str(), subject.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            (staff, "catalog.member-tier.create", "gold"),
            (staff, "catalog.customer.create", "c-1"),
            (staff, "catalog.customer.update", "c-1"),
            (staff, "catalog.tier-price.set", "gold/TEA-1"),
            (staff, "catalog.coupon.create", "C1"),
            (staff, "catalog.coupon.update", "C1"),
        ]
    );
    let (_, _, _, before, after) = &entries[2];
    assert!(before["tier_id"].is_null());
    assert_eq!(after["tier_id"], "gold");
    let (_, _, _, before, after) = &entries[3];
    assert!(before.is_null());
    assert_eq!(after["price"], "9.00");
    let (_, _, _, before, after) = &entries[5];
    assert_eq!(
        (&before["active"], &after["active"]),
        (&json!(true), &json!(false))
    );
}

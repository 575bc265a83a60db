//! The operators' catalog through the built `o2o_catalog.wasm`: products and stores created,
//! read, updated, deactivated and listed page by page; a promotion and a price change made
//! through the API taken up by the very next quote; bad input refused naming the field with
//! nothing written; duplicates refused; every write audited with the row before and after.

use o2o_e2e::catalog_kit::{TEST_STAFF, a_new_promotion, a_new_store, a_product};
use o2o_e2e::{a_catalog, a_quote, amount, spawn_app};
use serde_json::json;

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
        .send("GET", "/admin/products/TEA-1", None)
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
    app.send("GET", "/admin/products/NOPE-1", None)
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
        .send("GET", "/admin/products?limit=2", None)
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
        .send(
            "GET",
            &format!("/admin/products?limit=2&cursor={cursor}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(skus(&second.body), ["TEA-2", "TEA-3"]);
    let last = second.body["next_cursor"].as_str().unwrap();
    let empty = app
        .send(
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
        .send("GET", "/admin/products?category=tea&brand=Tea+House", None)
        .await;
    assert_eq!(skus(&tea.expect(200).body), ["TEA-1", "TEA-2"]);
    let inactive = app.send("GET", "/admin/products?active=false", None).await;
    assert_eq!(skus(&inactive.expect(200).body), Vec::<String>::new());
    app.send("GET", "/admin/products?limit=1000", None)
        .await
        .expect_problem(400, Some("limit"));
    app.send("GET", "/admin/products?active=maybe", None)
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
        .send("GET", "/admin/stores/SH-9", None)
        .await
        .expect(200);
    assert_eq!(read.body["active"], false);
    let listed = app
        .send("GET", "/admin/stores?city=Shanghai", None)
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let open = app
        .send("GET", "/admin/stores?active=true", None)
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
        .send("GET", "/admin/promotions?kind=percentage-off", None)
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
    assert_eq!(app.count_rows("audit_log"), 0);
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
        .send("GET", "/admin/products/TEA-1", None)
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
async fn writes_need_a_staff_id_and_are_audited_with_before_and_after() {
    let app = spawn_app(a_catalog()).await;

    // Without x-staff-id nothing is written
    app.send(
        "POST",
        "/admin/products",
        Some(a_product("TEA-1").to_json()),
    )
    .await
    .expect_problem(400, Some("x-staff-id"));
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
    assert_eq!(
        (actor.as_str(), action.as_str(), subject.as_str()),
        (TEST_STAFF, "catalog.product.create", "TEA-1")
    );
    assert!(before.is_null());
    assert_eq!(after["list_price"], "10.00");
    let (_, action, _, before, after) = &entries[1];
    assert_eq!(action, "catalog.product.update");
    assert_eq!(before["list_price"], "10.00");
    assert_eq!(after["list_price"], "11.00");
}

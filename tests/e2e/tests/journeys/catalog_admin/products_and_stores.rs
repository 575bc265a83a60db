//! Products and stores as operators keep them: created, read, updated, deactivated or closed
//! (never deleted) and listed page by page with filters.

use o2o_e2e::catalog_kit::{a_new_store, a_product};
use o2o_e2e::{a_catalog, spawn_app};
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

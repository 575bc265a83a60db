//! Catalog writes the admin API refuses with nothing written: bad fields (products, stores,
//! store prices, promotions the quote could not read, tiers, tier prices, customers, coupons)
//! refused naming the field, and a second product, promotion, tier, customer or coupon with an
//! id (or coupon code, in any case) already taken refused as a conflict.

use o2o_e2e::catalog_kit::{
    a_new_coupon, a_new_customer, a_new_promotion, a_new_store, a_new_tier, a_product,
};
use o2o_e2e::{a_catalog, spawn_app};
use serde_json::json;

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

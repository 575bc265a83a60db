//! Coupons through the admin API: one created is taken up by the very next quote, within its
//! minimum spend, per-customer limit, active flag and window; coupons listed page by page and
//! filtered, and stopped rather than deleted.

use o2o_e2e::catalog_kit::a_new_coupon;
use o2o_e2e::{a_catalog, a_quote, amount, spawn_app};
use serde_json::{Value, json};

use super::ids_of;

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

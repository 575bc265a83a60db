//! Who may change the catalog and what it leaves behind: without an API key no catalog,
//! membership or coupon write happens, and with one every write leaves an audit row naming the
//! staff key, the action and the row before and after.

use o2o_e2e::catalog_kit::{TEST_STAFF, a_new_coupon, a_new_customer, a_new_tier, a_product};
use o2o_e2e::{a_catalog, spawn_app};
use serde_json::json;

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

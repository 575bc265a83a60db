//! Catalog changes a shopper sees at once: a promotion started or stopped, a list price
//! changed, a store's own price set and a product deactivated through the admin API, each
//! taken up by the very next quote.

use o2o_e2e::catalog_kit::{a_new_promotion, a_product};
use o2o_e2e::{a_catalog, a_quote, amount, spawn_app};
use serde_json::json;

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

//! Membership through the admin API: member tiers with their discount and tier prices,
//! customers put on a tier, moved to another or taken off, each change reaching that
//! customer's very next quote; tiers and customers listed page by page; a tier removed only
//! once no customer is on it.

use o2o_e2e::catalog_kit::{a_new_customer, a_new_tier};
use o2o_e2e::{QuoteRequestBuilder, TestApp, a_catalog, a_quote, amount, spawn_app};
use serde_json::{Value, json};

use super::ids_of;

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

//! The quote's journeys through the built `o2o_quote.wasm`: a customer's cart priced for pickup
//! and for delivery with the shop's 满减, a coupon and free delivery, every order-level discount
//! allocated to lines to the cent; unknown coupons rejected while the quote goes on; bad lines,
//! unknown skus and unreachable addresses refused with nothing written; a catalog change seen
//! by the next quote; the same inputs priced the same; snapshots that expire.

use std::time::Duration;

use o2o_e2e::stock_kit::a_stock_level;
use o2o_e2e::{
    CatalogBuilder, TEST_STORE_LOCATION, TestApp, a_buy_x_get_y, a_catalog, a_coupon, a_flash_sale,
    a_free_delivery, a_percentage_off, a_quote, a_spend_threshold, a_stock_markdown, amount,
    spawn_app,
};
use serde_json::Value;
use spin_test_host::SqlValue;

/// A tea shop at People's Square: oolong 98.00, longjing 168.00, sunflower seeds 19.90;
/// 满100减10 / 满200减30 on everything, free delivery from 99.00 of goods, a WELCOME10 coupon
/// (10.00 off) and delivery bands 6.00 up to 3 km, 8.00 up to 5 km.
fn a_tea_shop() -> CatalogBuilder {
    a_catalog()
        .with_priced_product("TEA-OOLONG-250G", "tea", "98.00")
        .with_priced_product("TEA-LONGJING-250G", "tea", "168.00")
        .with_priced_product("SNK-SUNFLOWER-500G", "snacks", "19.90")
        .with_store("SH-1")
        .with_promotion(
            a_spend_threshold("MANJIAN", &[("100.00", "10.00"), ("200.00", "30.00")])
                .named("Double 11 满减"),
        )
        .with_promotion(a_free_delivery("FREE-DELIVERY-99", "99.00"))
        .with_coupon(a_coupon("WELCOME10").amount_off("10.00"))
        .with_delivery_band(3_000, "6.00")
        .with_delivery_band(5_000, "8.00")
        .with_member_tier("gold", Some("5"))
        .with_customer("cust-gold", Some("gold"))
}

/// About 1.1 km north of the test store.
const NEARBY: (f64, f64) = (TEST_STORE_LOCATION.0 + 0.01, TEST_STORE_LOCATION.1);
/// About 30 km north: beyond every radius.
const FAR_AWAY: (f64, f64) = (TEST_STORE_LOCATION.0 + 0.27, TEST_STORE_LOCATION.1);

fn cents(money: &Value) -> i64 {
    let raw = amount(money);
    let (whole, fraction) = raw.split_once('.').expect("two decimals");
    assert_eq!(fraction.len(), 2, "{raw}");
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    whole.parse::<i64>().unwrap() * 100 + sign * fraction.parse::<i64>().unwrap()
}

/// Every order-level adjustment's allocations sum exactly to its amount, and the lines' totals
/// add up to the quote's goods total.
fn assert_allocations_add_up(quote: &Value) {
    for adjustment in quote["adjustments"].as_array().unwrap() {
        let id = adjustment["promotion_id"].as_str().unwrap();
        let allocated: i64 = quote["allocations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["promotion_id"] == id)
            .map(|a| cents(&a["amount"]))
            .sum();
        assert_eq!(
            allocated,
            cents(&adjustment["amount"]),
            "allocations of {id}"
        );
    }
    let lines: i64 = quote["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| cents(&l["total"]))
        .sum();
    assert_eq!(
        lines + cents(&quote["delivery"]["charged"]),
        cents(&quote["total"]),
        "line totals + delivery = total: {quote}"
    );
    assert_eq!(
        cents(&quote["subtotal"]) - cents(&quote["discount_total"])
            + cents(&quote["delivery"]["charged"]),
        cents(&quote["total"])
    );
}

async fn a_cart_with(app: &TestApp, customer: Option<&str>, lines: &[(&str, i64)]) -> String {
    let cart = app.create_cart(customer).await;
    for (sku, quantity) in lines {
        app.add_to_cart(&cart, sku, *quantity).await.expect(200);
    }
    cart
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cart_picked_up_gets_the_spend_threshold_and_the_coupon_allocated_to_the_cent() {
    // Given a cart of two oolong and one bag of seeds: 215.90
    let app = spawn_app(a_tea_shop()).await;
    let cart = a_cart_with(
        &app,
        None,
        &[("TEA-OOLONG-250G", 2), ("SNK-SUNFLOWER-500G", 1)],
    )
    .await;

    // When it is quoted for pickup with WELCOME10 and a code that does not exist
    let response = app
        .quote(
            &a_quote()
                .for_cart(&cart)
                .pickup_at("SH-1")
                .with_coupons(&["welcome10", "BOGUS"]),
        )
        .await
        .expect(201);
    let quote = &response.body;

    // Then 满200减30 and the coupon apply, the unknown code is rejected, pickup is free
    assert_eq!(amount(&quote["subtotal"]), "215.90");
    assert_eq!(amount(&quote["discount_total"]), "40.00");
    assert_eq!(amount(&quote["delivery"]["charged"]), "0.00");
    assert_eq!(amount(&quote["total"]), "175.90");
    assert_eq!(quote["adjustments"][0]["promotion_id"], "MANJIAN");
    assert_eq!(quote["adjustments"][0]["kind"], "spend-threshold-tiers");
    assert_eq!(amount(&quote["adjustments"][0]["amount"]), "30.00");
    assert!(
        quote["adjustments"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("满200减30")
    );
    assert_eq!(quote["adjustments"][1]["promotion_id"], "WELCOME10");
    assert_eq!(quote["adjustments"][1]["kind"], "coupon");
    assert_eq!(amount(&quote["adjustments"][1]["amount"]), "10.00");
    assert_eq!(quote["rejected_coupons"][0]["code"], "BOGUS");
    assert_eq!(quote["rejected_coupons"][0]["reason"], "unknown");
    assert_eq!(quote["rejected_coupons"].as_array().unwrap().len(), 1);
    assert_allocations_add_up(quote);

    // ... every line shows its list price and what it costs
    let line = &quote["lines"][0];
    assert_eq!(line["sku"], "TEA-OOLONG-250G");
    assert_eq!(amount(&line["list_price"]), "98.00");
    assert_eq!(amount(&line["unit_price"]), "98.00");
    assert_eq!(amount(&line["subtotal"]), "196.00");
    assert_eq!(line["store_id"], "SH-1");
    assert_eq!(quote["store_id"], "SH-1");
    assert_eq!(quote["cart_id"], cart.as_str());

    // ... and the snapshot can be read back at its location until it expires
    let id = quote["id"].as_str().unwrap();
    assert_eq!(response.header("location"), Some(&*format!("/quote/{id}")));
    let read = app.get_quote(id).await.expect(200);
    assert_eq!(&read.body, quote);
    assert!(
        app.key_value_snapshot()
            .contains_key(&format!("quote:{id}"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delivery_is_priced_from_the_nearest_store_and_waived_above_the_free_delivery_minimum() {
    let app = spawn_app(a_tea_shop()).await;

    // A basket over 99.00 delivered 1.1 km away: the 6.00 band, waived
    let big = app
        .quote(
            &a_quote()
                .for_lines(&[("TEA-OOLONG-250G", 2), ("SNK-SUNFLOWER-500G", 1)])
                .delivered_to(NEARBY.0, NEARBY.1),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(big["store_id"], "SH-1");
    let distance = big["delivery_distance_m"].as_u64().unwrap();
    assert!((1_050..1_200).contains(&distance), "{distance}");
    assert_eq!(amount(&big["delivery"]["fee"]), "6.00");
    assert_eq!(big["delivery"]["waived_by"], "FREE-DELIVERY-99");
    assert_eq!(amount(&big["delivery"]["charged"]), "0.00");
    assert_eq!(amount(&big["total"]), "185.90");
    assert_eq!(big["fulfilment"]["mode"], "delivery");
    assert_allocations_add_up(&big);

    // A small basket pays the fee and is told how far it is from free delivery and from 满减
    let small = app
        .quote(
            &a_quote()
                .for_lines(&[("SNK-SUNFLOWER-500G", 1)])
                .delivered_to(NEARBY.0, NEARBY.1),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(amount(&small["delivery"]["charged"]), "6.00");
    assert_eq!(amount(&small["total"]), "25.90");
    let hints: Vec<(&str, &str)> = small["hints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["promotion_id"].as_str().unwrap(), amount(&h["short_by"])))
        .collect();
    assert_eq!(
        hints,
        vec![("MANJIAN", "80.10"), ("FREE-DELIVERY-99", "79.10")]
    );
    assert_allocations_add_up(&small);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_pays_their_tier_price_and_the_quote_says_why() {
    let app = spawn_app(a_tea_shop()).await;

    let quote = app
        .quote(
            &a_quote()
                .for_lines(&[("TEA-OOLONG-250G", 1)])
                .for_customer("cust-gold")
                .pickup_at("SH-1"),
        )
        .await
        .expect(201)
        .body;

    let line = &quote["lines"][0];
    assert_eq!(amount(&line["list_price"]), "98.00");
    assert_eq!(amount(&line["unit_price"]), "93.10");
    assert_eq!(line["unit_price_reason"], "gold member: 5% off");
    assert_eq!(quote["customer_id"], "cust-gold");
    assert_eq!(amount(&quote["total"]), "93.10");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_lines_and_unreachable_addresses_are_refused_and_nothing_is_written() {
    let app = spawn_app(a_tea_shop()).await;
    let before = app.key_value_snapshot();

    // An unknown sku: 422 naming its line
    let unknown = app
        .quote(
            &a_quote()
                .for_lines(&[
                    ("TEA-OOLONG-250G", 1),
                    ("SNK-SUNFLOWER-500G", 1),
                    ("TEA-NOSUCH", 1),
                ])
                .pickup_at("SH-1"),
        )
        .await
        .expect_problem(422, Some("lines[2].sku"));
    assert!(
        unknown.body["detail"]
            .as_str()
            .unwrap()
            .contains("TEA-NOSUCH")
    );

    // Zero and negative quantities: 400 naming the quantity
    for quantity in [0, -3] {
        app.quote(
            &a_quote()
                .for_lines(&[("TEA-OOLONG-250G", 1), ("SNK-SUNFLOWER-500G", quantity)])
                .pickup_at("SH-1"),
        )
        .await
        .expect_problem(400, Some("lines[1].quantity"));
    }

    // An address beyond every store's radius: 422 naming the nearest store's distance
    let far = app
        .quote(
            &a_quote()
                .for_lines(&[("TEA-OOLONG-250G", 1)])
                .delivered_to(FAR_AWAY.0, FAR_AWAY.1),
        )
        .await
        .expect_problem(422, Some("fulfilment.location"));
    let detail = far.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("not deliverable") && detail.contains("SH-1") && detail.contains("30.0 km"),
        "{detail}"
    );

    // An unknown pickup store, an unknown cart, neither cart nor lines
    app.quote(
        &a_quote()
            .for_lines(&[("TEA-OOLONG-250G", 1)])
            .pickup_at("SH-NOPE"),
    )
    .await
    .expect_problem(422, Some("fulfilment.store_id"));
    app.quote(
        &a_quote()
            .for_cart("01936f3c-0000-7000-8000-000000000000")
            .pickup_at("SH-1"),
    )
    .await
    .expect_problem(422, Some("cart_id"));
    app.quote(&a_quote().pickup_at("SH-1"))
        .await
        .expect_problem(400, Some("cart_id"));

    assert_eq!(app.key_value_snapshot(), before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_price_change_is_reflected_in_the_next_quote() {
    let app = spawn_app(a_tea_shop()).await;
    let request = a_quote()
        .for_lines(&[("TEA-OOLONG-250G", 1)])
        .pickup_at("SH-1");

    // At 98.00 the basket is 2.00 short of 满100减10
    let before = app.quote(&request).await.expect(201).body;
    assert_eq!(amount(&before["total"]), "98.00");
    assert_eq!(before["hints"][0]["promotion_id"], "MANJIAN");
    assert_eq!(amount(&before["hints"][0]["short_by"]), "2.00");

    // When the operator raises the price to 105.00
    app.app
        .sqlite("default")
        .execute(
            "UPDATE products SET list_price = ? WHERE sku = ?",
            &[
                SqlValue::Text("105.00".into()),
                SqlValue::Text("TEA-OOLONG-250G".into()),
            ],
        )
        .unwrap();

    // Then the next quote is at the new price and reaches the tier
    let after = app.quote(&request).await.expect(201).body;
    assert_eq!(amount(&after["lines"][0]["list_price"]), "105.00");
    assert_eq!(amount(&after["discount_total"]), "10.00");
    assert_eq!(amount(&after["total"]), "95.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_inputs_give_the_same_quote() {
    let app = spawn_app(a_tea_shop()).await;
    let request = a_quote()
        .for_lines(&[
            ("TEA-LONGJING-250G", 1),
            ("TEA-OOLONG-250G", 3),
            ("SNK-SUNFLOWER-500G", 7),
        ])
        .with_coupons(&["WELCOME10"])
        .delivered_to(NEARBY.0, NEARBY.1);

    let strip = |mut quote: Value| {
        let object = quote.as_object_mut().unwrap();
        for volatile in ["id", "created_at", "valid_until"] {
            object.remove(volatile);
        }
        quote
    };
    let first = strip(app.quote(&request).await.expect(201).body);
    let second = strip(app.quote(&request).await.expect(201).body);
    assert_eq!(first, second);
    assert_allocations_add_up(&first);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quote_expires_after_its_ttl() {
    let app = spawn_app(a_tea_shop()).await;
    let quote = app
        .quote(
            &a_quote()
                .for_lines(&[("TEA-OOLONG-250G", 1)])
                .pickup_at("SH-1"),
        )
        .await
        .expect(201)
        .body;
    let id = quote["id"].as_str().unwrap();

    // Valid for the default 900 s
    let created = chrono_seconds(&quote["created_at"]);
    assert_eq!(chrono_seconds(&quote["valid_until"]) - created, 900);
    app.advance_clock(Duration::from_secs(899));
    app.get_quote(id).await.expect(200);

    // Then gone, and removed from key-value
    app.advance_clock(Duration::from_secs(2));
    app.get_quote(id).await.expect_problem(404, None);
    assert!(
        !app.key_value_snapshot()
            .contains_key(&format!("quote:{id}"))
    );
    app.get_quote("not-a-quote-id")
        .await
        .expect_problem(404, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_quote_ttl_is_a_spin_variable() {
    let app = spawn_app(a_tea_shop().with_variable("quote_ttl_seconds", "60")).await;
    let quote = app
        .quote(
            &a_quote()
                .for_lines(&[("TEA-OOLONG-250G", 1)])
                .pickup_at("SH-1"),
        )
        .await
        .expect(201)
        .body;

    app.advance_clock(Duration::from_secs(61));
    app.get_quote(quote["id"].as_str().unwrap())
        .await
        .expect_problem(404, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn line_promotions_apply_by_priority_and_stop_at_the_discount_ceiling() {
    // Given a mooncake flash sale (exclusive, first), buy 2 get 1 on snacks, 10 % off tea, and
    // a ceiling of 15 % of the subtotal
    let app = spawn_app(
        a_catalog()
            .with_priced_product("SNK-SEEDS", "snacks", "10.00")
            .with_priced_product("SNK-MOONCAKE", "snacks", "100.00")
            .with_priced_product("TEA-1", "tea", "50.00")
            .with_store("SH-1")
            .with_promotion(
                a_flash_sale("FLASH-MOONCAKE", "80.00", 5)
                    .on_skus(&["SNK-MOONCAKE"])
                    .priority(50)
                    .exclusive(),
            )
            .with_promotion(
                a_buy_x_get_y("SNACKS-B2G1", 2, 1)
                    .on_categories(&["snacks"])
                    .priority(20),
            )
            .with_promotion(a_percentage_off("TEA-10", "10").on_skus(&["TEA-1"]))
            .with_discount_ceiling("15"),
    )
    .await;

    // When 3 seeds, 1 mooncake and 2 teas (230.00) are quoted
    let quote = app
        .quote(
            &a_quote()
                .for_lines(&[("SNK-SEEDS", 3), ("SNK-MOONCAKE", 1), ("TEA-1", 2)])
                .pickup_at("SH-1"),
        )
        .await
        .expect(201)
        .body;

    // Then the flash sale takes 20.00 and keeps buy 2 get 1 off the mooncake, the free unit is
    // a bag of seeds, and the tea discount is cut to what is left under the 34.50 ceiling
    let adjustment = |line: usize| {
        let a = &quote["lines"][line]["adjustments"];
        assert_eq!(a.as_array().unwrap().len(), 1, "line {line}: {a}");
        (
            a[0]["promotion_id"].as_str().unwrap().to_owned(),
            amount(&a[0]["amount"]).to_owned(),
        )
    };
    assert_eq!(adjustment(0), ("SNACKS-B2G1".into(), "10.00".into()));
    assert_eq!(adjustment(1), ("FLASH-MOONCAKE".into(), "20.00".into()));
    assert_eq!(adjustment(2), ("TEA-10".into(), "4.50".into()));
    assert!(
        quote["lines"][2]["adjustments"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("discount ceiling")
    );
    assert_eq!(amount(&quote["subtotal"]), "230.00");
    assert_eq!(amount(&quote["discount_total"]), "34.50");
    assert_eq!(amount(&quote["total"]), "195.50");
    assert_eq!(quote["flash_sales"][0]["units"], 1);
    assert_eq!(quote["flash_sales"][0]["units_left"], 4);
    assert_allocations_add_up(&quote);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_storage_failure_while_reading_the_rules_is_a_503_and_writes_nothing() {
    let app = spawn_app(a_tea_shop()).await;
    let before = app.key_value_snapshot();

    app.app.faults().fail_sql_matching("FROM promotions");
    app.quote(
        &a_quote()
            .for_lines(&[("TEA-OOLONG-250G", 1)])
            .pickup_at("SH-1"),
    )
    .await
    .expect_problem(503, None);
    app.app.faults().clear();

    assert_eq!(app.key_value_snapshot(), before, "no snapshot was kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_promotion_the_catalog_holds_wrongly_fails_the_quote_instead_of_being_skipped() {
    let app = spawn_app(a_tea_shop()).await;
    app.app
        .sqlite("default")
        .execute(
            "UPDATE promotions SET parameters = ? WHERE id = ?",
            &[
                SqlValue::Text(r#"{"tiers": [{"spend": "lots", "off": "10.00"}]}"#.into()),
                SqlValue::Text("MANJIAN".into()),
            ],
        )
        .unwrap();

    let response = app
        .quote(
            &a_quote()
                .for_lines(&[("TEA-OOLONG-250G", 2)])
                .pickup_at("SH-1"),
        )
        .await
        .expect_problem(500, None);
    assert_eq!(response.body["type"], "urn:o2o:problem:storage-corrupt");
}

/// Seconds since the epoch of an RFC 3339 timestamp.
fn chrono_seconds(timestamp: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(timestamp.as_str().unwrap())
        .unwrap()
        .timestamp()
}

#[tokio::test(flavor = "multi_thread")]
async fn stock_driven_markdown_follows_the_live_stock_and_its_recent_sales() {
    // Given yogurt on a 30% clearance when a store holds more than 14 days of its sales
    let app = spawn_app(
        a_catalog()
            .with_priced_product("DAI-YOGURT", "dairy", "10.00")
            .with_store("SH-1")
            .with_promotion(a_stock_markdown("CLEARANCE", "30", 14).on_skus(&["DAI-YOGURT"])),
    )
    .await;
    let quote_yogurt = || async {
        app.quote(&a_quote().for_lines(&[("DAI-YOGURT", 1)]).pickup_at("SH-1"))
            .await
            .expect(201)
            .body
    };

    // No stock at the store: no markdown
    assert_eq!(amount(&quote_yogurt().await["total"]), "10.00");

    // 60 packs on hand and none sold in the last four weeks: it covers forever, cleared
    app.with_stock(a_stock_level("SH-1", "DAI-YOGURT", 60));
    assert_eq!(amount(&quote_yogurt().await["total"]), "7.00");

    // The till sells 56 packs: 4 left selling 2 a day covers 2 days, the markdown stops
    app.pos_sale("staff-1", "SH-1", "DAI-YOGURT", 56)
        .await
        .expect(200);
    assert_eq!(amount(&quote_yogurt().await["total"]), "10.00");

    // A delivery of 100 packs: 104 at 2 a day is 52 days of cover, cleared again
    app.receive("staff-1", "SH-1", "DAI-YOGURT", 100)
        .await
        .expect(200);
    assert_eq!(amount(&quote_yogurt().await["total"]), "7.00");
}

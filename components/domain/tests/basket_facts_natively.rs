//! What quoting or placing a basket reads, in one statement, on
//! SQLite with every migration (issue 12): the parts a quote needs come back for the basket's
//! skus, the customer and the codes entered, and nothing else; and neither statement scans a
//! table that grows with the catalog or with history.

// A test: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/native_store.rs"]
mod native_store;

use chrono::{TimeZone, Utc};
use native_store::NativeSql;
use o2o_domain::geo::GeoPoint;
use o2o_domain::pricing::repository::basket_facts::{
    BASKET_FACTS, BasketFacts, BasketQuery, FulfilledBy, read_basket,
};
use o2o_domain::pricing::{CouponCode, PricingRules};
use o2o_domain::{Currency, CustomerId, Sku, StoreId};

fn a_shop() -> NativeSql {
    let db = NativeSql::with_schema();
    db.batch(
        "INSERT INTO products (sku, name, category, brand, list_price) VALUES
             ('TEA-1', 'Tea', 'tea', 'B', '10.00'), ('TEA-2', 'Green tea', 'tea', 'B', '20.00'),
             ('CUP-1', 'Cup', 'cups', 'C', '5.00');
         INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, delivery_radius_km)
             VALUES ('SH-1', 'One', '1 Rd', 'Shanghai', 31.23, 121.47, '{}', 5),
                    ('SH-2', 'Two', '2 Rd', 'Shanghai', 31.30, 121.50, '{}', 0);
         INSERT INTO stock_levels (store_id, sku, on_hand) VALUES ('SH-1', 'TEA-1', 100), ('SH-2', 'TEA-1', 7);
         INSERT INTO store_prices (store_id, sku, price) VALUES ('SH-1', 'TEA-1', '9.00'), ('SH-1', 'CUP-1', '4.00');
         INSERT INTO member_tiers (id, name, discount_percent) VALUES ('gold', 'Gold', '5');
         INSERT INTO tier_prices (tier_id, sku, price) VALUES ('gold', 'TEA-1', '8.00'), ('gold', 'CUP-1', '3.00');
         INSERT INTO customers (id, name, tier_id) VALUES ('cust-1', 'One', 'gold');
         INSERT INTO coupons (code, name, kind, amount, starts_at, ends_at, total_limit)
             VALUES ('TEN', 'Ten', 'amount-off', '10.00', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 100),
                    ('FREE', 'Free', 'amount-off', '1.00', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', NULL);
         INSERT INTO coupon_redemptions (code, customer_id, uses) VALUES ('TEN', 'cust-1', 2), ('TEN', 'cust-2', 3),
             ('FREE', 'cust-1', 1);
         INSERT INTO promotions (id, name, kind, starts_at, ends_at, target_kind, target_values, priority, stacking, parameters)
             VALUES ('FLASH', 'Flash', 'flash-sale', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 'skus', '[\"TEA-1\"]', 1,
                     'stackable', '{\"price\": \"1.00\", \"total_cap\": 50}');
         INSERT INTO flash_sale_sales (promotion_id, customer_id, units) VALUES ('FLASH', 'cust-1', 4), ('FLASH', 'cust-9', 6);
         INSERT INTO delivery_fee_bands (up_to_m, fee) VALUES (5000, '8.00'), (3000, '6.00');
         INSERT INTO stock_sales_daily (store_id, sku, day, units) VALUES ('SH-1', 'TEA-1', '2026-11-20', 14),
             ('SH-1', 'TEA-1', '2026-09-01', 1000);",
    );
    db
}

fn sku(raw: &str) -> Sku {
    Sku::parse(raw).unwrap()
}

/// What a quote reads for `skus` (no order's extras).
fn read(
    db: &NativeSql,
    skus: &[Sku],
    customer: Option<&CustomerId>,
    coupon_codes: &[CouponCode],
    fulfilled: FulfilledBy<'_>,
    now: chrono::DateTime<Utc>,
) -> BasketFacts {
    let query = BasketQuery {
        skus,
        customer,
        coupon_codes,
        fulfilled,
        now,
        placing: None,
    };
    read_basket(db, &query).unwrap()
}

fn price_at(rules: &PricingRules, store: &StoreId, raw: &str) -> String {
    rules
        .store_prices
        .get(store, &sku(raw))
        .unwrap()
        .to_string()
}

#[test]
fn a_pickup_reads_everything_its_basket_needs_in_one_statement() {
    let db = a_shop();
    let skus = [sku("TEA-1"), sku("CUP-1"), sku("TEA-1"), sku("NOPE-1")];
    let customer = CustomerId::parse("cust-1").unwrap();
    let codes = [
        CouponCode::parse("TEN").unwrap(),
        CouponCode::parse("FREE").unwrap(),
        CouponCode::parse("UNKNOWN").unwrap(),
    ];
    let store = StoreId::parse("SH-1").unwrap();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    let found = read(
        &db,
        &skus,
        Some(&customer),
        &codes,
        FulfilledBy::Pickup(&store),
        now,
    );

    assert_eq!(
        found.products.keys().map(Sku::as_str).collect::<Vec<_>>(),
        ["CUP-1", "TEA-1"],
        "the basket's known skus, once each"
    );
    assert_eq!(found.stores.len(), 1);
    assert_eq!(found.tier.as_ref().map(|t| t.as_str()), Some("gold"));
    let (rules, facts) = found
        .rules_and_facts(Currency::CNY, &found.at(&store), Some(&customer))
        .unwrap();

    assert_eq!(price_at(&rules, &store, "TEA-1"), "9.00 CNY");
    assert_eq!(
        rules.member_tiers.values().next().unwrap().prices.len(),
        2,
        "the basket's tier prices only"
    );
    assert_eq!(
        rules.coupons.keys().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["FREE", "TEN"]
    );
    let ten = facts.coupon_redemptions[&codes[0]];
    assert_eq!(
        (ten.total, ten.by_customer),
        (5, 2),
        "every customer's uses from the totals row, and this customer's own"
    );
    let free = facts.coupon_redemptions[&codes[1]];
    assert_eq!((free.total, free.by_customer), (1, 1));
    let flash = rules.promotions[0].id.clone();
    assert_eq!(facts.flash_sale_units_left[&flash], 40);
    assert_eq!(facts.flash_sale_units_bought[&flash], 4);
    let cover = facts.stock[&sku("TEA-1")];
    assert_eq!(cover.on_hand, 100);
    assert_eq!(
        cover.average_daily_sales.to_string(),
        "0.50",
        "14 units over the last 28 days; the sale in September is outside the window"
    );
    assert!(
        !facts.stock.contains_key(&sku("CUP-1")),
        "not stocked at SH-1"
    );
    assert_eq!(
        rules
            .delivery_fees
            .bands
            .iter()
            .map(|b| b.up_to_m)
            .collect::<Vec<_>>(),
        [3000, 5000],
        "bands in distance order"
    );
}

#[test]
fn a_delivery_reads_the_stores_that_can_reach_the_point_with_their_prices() {
    let db = a_shop();
    // A third store that delivers, 40 km away: outside its 5 km radius.
    db.batch(
        "INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, delivery_radius_km)
             VALUES ('FAR-1', 'Far', '9 Rd', 'Suzhou', 31.30, 120.62, '{}', 5);",
    );
    let skus = [sku("TEA-1")];
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    let found = read(
        &db,
        &skus,
        None,
        &[],
        FulfilledBy::Delivery {
            point: GeoPoint::new(31.235, 121.47).unwrap(),
            pinned: None,
        },
        now,
    );
    assert_eq!(
        found
            .stores
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        ["SH-1"],
        "only stores that deliver, and only those whose radius can reach the point"
    );
    assert_eq!(found.tier, None, "a guest has no tier");
    // Out of every store's reach: the nearest delivering store comes back, to be named.
    let nowhere = read(
        &db,
        &skus,
        None,
        &[],
        FulfilledBy::Delivery {
            point: GeoPoint::new(31.30, 120.70).unwrap(),
            pinned: None,
        },
        now,
    );
    assert_eq!(
        nowhere
            .stores
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        ["FAR-1"]
    );

    let store = StoreId::parse("SH-1").unwrap();
    let (rules, facts) = found
        .rules_and_facts(Currency::CNY, &found.at(&store), None)
        .unwrap();
    assert_eq!(price_at(&rules, &store, "TEA-1"), "9.00 CNY");
    assert_eq!(facts.stock[&sku("TEA-1")].on_hand, 100);
    assert!(rules.member_tiers.is_empty());
    assert_eq!(
        facts.flash_sale_units_bought.len(),
        0,
        "a guest bought nothing"
    );
}

#[test]
fn a_corrupt_row_is_reported_naming_it() {
    let db = a_shop();
    db.batch("UPDATE tier_prices SET price = 'abc' WHERE sku = 'TEA-1'");
    let skus = [sku("TEA-1")];
    let customer = CustomerId::parse("cust-1").unwrap();
    let store = StoreId::parse("SH-1").unwrap();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    let found = read(
        &db,
        &skus,
        Some(&customer),
        &[],
        FulfilledBy::Pickup(&store),
        now,
    );
    let err = found
        .rules_and_facts(Currency::CNY, &found.at(&store), Some(&customer))
        .unwrap_err();
    assert!(err.to_string().contains("tier_prices[gold/TEA-1]"), "{err}");
}

/// Tables that grow with the catalog, the customers or history; a full scan of any of them
/// makes a request's cost follow the shop's size instead of the basket.
const GROWING: [&str; 13] = [
    "coupon_use_totals",
    "flash_sale_totals",
    "reservations",
    "idempotency_requests",
    "products",
    "store_prices",
    "tier_prices",
    "customers",
    "stock_levels",
    "stock_sales_daily",
    "stock_movements",
    "coupon_redemptions",
    "flash_sale_sales",
];

#[test]
fn the_statement_scans_no_table_that_grows_with_the_shop() {
    let db = a_shop();
    for statement in [BASKET_FACTS] {
        let plan = db.query_plan(statement);
        for step in &plan {
            let scanned = step.strip_prefix("SCAN ").map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            });
            if let Some(name) = scanned {
                // Aliases in these statements are one letter; name them by their table.
                let table = match name.as_str() {
                    "p" => "products",
                    "tp" => "tier_prices",
                    "sp" => "store_prices",
                    "l" => "stock_levels",
                    "d" => "stock_sales_daily",
                    "f" => "flash_sale_sales",
                    "r" => "coupon_redemptions",
                    "t" => "coupon_use_totals or flash_sale_totals",
                    "c" => "customers or coupons",
                    "pr" => "promotions",
                    "s" => "stores",
                    other => other,
                };
                assert!(
                    !GROWING.iter().any(|grows| table.contains(grows)),
                    "a full scan of {table} in {plan:#?}"
                );
            }
        }
        assert!(
            plan.iter().all(|step| !step.contains("stock_movements")),
            "raw history read: {plan:#?}"
        );
    }
}

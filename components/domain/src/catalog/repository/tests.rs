//! The catalog's writes against a real SQLite with the migrations, read back by the quote's
//! own loaders (`pricing::repository`): what the catalog writes is what the next quote uses,
//! and a refused write leaves no row and no audit entry.

use chrono::{TimeZone, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;
use crate::catalog::{
    CatalogError, CouponDraft, CouponRow, Customer, CustomerDraft, MemberTier, MemberTierDraft,
    ProductDraft,
};
use crate::ids::{CustomerId, StoreId};
use crate::money::{Currency, Money};
use crate::pricing::repository::basket_facts::{
    BasketFacts, BasketQuery, FulfilledBy, read_basket,
};
use crate::pricing::{CouponCode, CouponValue, PricingRules, TierId};
use crate::storage::StoreError;
use crate::values::Sku;
use o2o_test_stores::NativeSql as Sqlite;

/// SQLite in memory with the catalog's tables and what the basket read joins to.
fn with_catalog() -> Sqlite {
    Sqlite::with_migrations(&[
        "0001", "0002", "0003", "0004", "0005", "0011", "0013", "0014",
    ])
}

fn count(db: &Sqlite, table: &str) -> i64 {
    db.scalar(&format!("SELECT COUNT(*) FROM {table}"))
}

fn change() -> Change<'static> {
    Change {
        actor: "staff-1",
        now: Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap(),
    }
}

fn draft<T: DeserializeOwned>(body: Value) -> T {
    serde_json::from_value(body).unwrap()
}

fn a_tier(id: &str, discount: &str) -> MemberTier {
    draft::<MemberTierDraft>(json!({"name": id, "discount_percent": discount}))
        .validate(TierId::parse(id).unwrap())
        .unwrap()
}

fn a_customer(tier: Option<&str>) -> Customer {
    draft::<CustomerDraft>(json!({"name": "Li Wei", "tier_id": tier}))
        .validate(CustomerId::parse("cust-1").unwrap())
        .unwrap()
}

fn a_coupon(active: bool) -> CouponRow {
    draft::<CouponDraft>(json!({
        "name": "Save 15", "kind": "percentage-off", "percent": "15",
        "max_discount": "10.00", "minimum_spend": "50.00", "total_limit": 100,
        "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z",
        "stacking": "exclusive", "active": active,
    }))
    .validate(CouponCode::parse("save15").unwrap())
    .unwrap()
}

/// What a quote reads for `customer` (a basket of TEA-1) with `codes`, as it reads it.
fn read_for(db: &Sqlite, customer: Option<&CustomerId>, codes: &[CouponCode]) -> BasketFacts {
    let skus = [Sku::parse("TEA-1").unwrap()];
    let store = StoreId::parse("SH-1").unwrap();
    let query = BasketQuery {
        skus: &skus,
        customer,
        coupon_codes: codes,
        fulfilled: FulfilledBy::Pickup(&store),
        now: chrono::Utc::now(),
        placing: None,
    };
    read_basket(db, &query).unwrap()
}

fn rules_for(db: &Sqlite, customer: Option<&CustomerId>, codes: &[CouponCode]) -> PricingRules {
    let found = read_for(db, customer, codes);
    let store = StoreId::parse("SH-1").unwrap();
    found
        .rules_and_facts(Currency::CNY, &found.at(&store), customer)
        .unwrap()
        .0
}

fn tier_of(db: &Sqlite, customer: &CustomerId) -> Option<TierId> {
    read_for(db, Some(customer), &[]).tier
}

#[test]
fn a_coupon_written_by_the_catalog_is_the_coupon_the_quote_loads_until_it_is_stopped() {
    let db = with_catalog();
    let code = CouponCode::parse("SAVE15").unwrap();
    create_coupon(&db, &change(), &a_coupon(true)).unwrap();

    let rules = rules_for(&db, None, std::slice::from_ref(&code));
    let coupon = &rules.coupons[&code];
    assert_eq!(coupon.total_limit, Some(100));
    assert!(matches!(
        coupon.value,
        CouponValue::PercentageOff { max_discount: Some(cap), .. } if cap.amount_string() == "10.00"
    ));

    replace_coupon(&db, &change(), &a_coupon(false)).unwrap();
    assert!(rules_for(&db, None, &[code]).coupons.is_empty());
    assert_eq!(count(&db, "audit_log"), 2);
}

#[test]
fn a_customer_moved_to_another_tier_is_loaded_with_that_tiers_prices() {
    let db = with_catalog();
    let product = draft::<ProductDraft>(json!({
        "name": "Oolong", "category": "tea", "brand": "Anxi", "list_price": "98.00"
    }))
    .validate(Sku::parse("TEA-1").unwrap())
    .unwrap();
    create_product(&db, &change(), &product).unwrap();
    create_member_tier(&db, &change(), &a_tier("silver", "2")).unwrap();
    create_member_tier(&db, &change(), &a_tier("gold", "5")).unwrap();
    let gold = TierId::parse("gold").unwrap();
    let price = Money::parse("85.00", Currency::CNY).unwrap();
    set_tier_price(&db, &change(), &gold, &product.sku, &price).unwrap();
    create_customer(&db, &change(), &a_customer(Some("silver"))).unwrap();
    let id = CustomerId::parse("cust-1").unwrap();
    assert_eq!(tier_of(&db, &id).unwrap().as_str(), "silver");

    replace_customer(&db, &change(), &a_customer(Some("gold"))).unwrap();
    let tier = tier_of(&db, &id).unwrap();
    assert_eq!(tier, gold);
    let rules = rules_for(&db, Some(&id), &[]);
    let loaded = &rules.member_tiers[&gold];
    assert_eq!(loaded.discount.map(|d| d.to_string()), Some("5%".into()));
    assert_eq!(loaded.prices[&product.sku], price);

    replace_customer(&db, &change(), &a_customer(None)).unwrap();
    assert_eq!(tier_of(&db, &id), None);
}

#[test]
fn a_refused_write_leaves_no_row_and_no_audit_entry() {
    let db = with_catalog();
    // A customer on a tier that does not exist
    assert!(matches!(
        create_customer(&db, &change(), &a_customer(Some("gold"))),
        Err(CatalogError::Unknown { field, .. }) if field == "tier_id"
    ));
    assert_eq!(count(&db, "customers"), 0);

    // A tier that customers are on
    create_member_tier(&db, &change(), &a_tier("gold", "5")).unwrap();
    create_customer(&db, &change(), &a_customer(Some("gold"))).unwrap();
    let audited = count(&db, "audit_log");
    let gold = TierId::parse("gold").unwrap();
    assert!(matches!(
        remove_member_tier(&db, &change(), &gold),
        Err(CatalogError::InUse { field, .. }) if field == "id"
    ));
    assert_eq!(count(&db, "member_tiers"), 1);
    assert_eq!(count(&db, "audit_log"), audited);

    // A second coupon with the same code, whatever its case
    create_coupon(&db, &change(), &a_coupon(true)).unwrap();
    assert!(matches!(
        create_coupon(&db, &change(), &a_coupon(false)),
        Err(CatalogError::Duplicate { field, .. }) if field == "code"
    ));
    assert_eq!(count(&db, "coupons"), 1);
    assert_eq!(count(&db, "audit_log"), audited + 1);
}

fn a_product(sku: &str) -> crate::catalog::Product {
    draft::<ProductDraft>(json!({
        "name": "Oolong", "category": "tea", "brand": "Anxi", "list_price": "98.5"
    }))
    .validate(Sku::parse(sku).unwrap())
    .unwrap()
}

fn a_store(id: &str) -> crate::catalog::Store {
    draft::<crate::catalog::StoreDraft>(json!({
        "name": "Jing'an", "address": "1 Nanjing West Rd", "city": "Shanghai",
        "latitude": 31.2246, "longitude": 121.0, "opening_hours": {"mon": ["09:00", "21:00"]},
        "pickup_enabled": false, "delivery_radius_km": 5.0,
    }))
    .validate(StoreId::parse(id).unwrap())
    .unwrap()
}

fn a_promotion() -> crate::catalog::PromotionRow {
    draft::<crate::catalog::PromotionDraft>(json!({
        "name": "Tea week", "kind": "flash-sale",
        "starts_at": "2026-01-01T08:00:00+08:00", "ends_at": "2027-01-01T00:00:00Z",
        "target_kind": "brands", "target_values": ["Three Squirrels"], "priority": 7,
        "stacking": "exclusive",
        "parameters": {"price": "9.90", "total_cap": 100, "per_customer_limit": null},
    }))
    .validate("TEA-WEEK")
    .unwrap()
}

/// The audit log's entries, oldest first: (action, subject, before, after).
fn audit_entries(db: &Sqlite) -> Vec<(String, String, Value, Value)> {
    let mut statement = db
        .connection()
        .prepare("SELECT action, subject, before, after FROM audit_log ORDER BY id")
        .unwrap();
    statement
        .query_map([], |r| {
            let document = |i| {
                r.get::<_, String>(i)
                    .map(|t| serde_json::from_str(&t).unwrap())
            };
            Ok((r.get(0)?, r.get(1)?, document(2)?, document(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn every_record_answers_the_json_the_catalog_has_always_answered() {
    // Field names are the columns'; flags are booleans, amounts and percentages strings, times
    // RFC 3339 UTC strings, counts numbers, JSON columns JSON, NULL null.
    let db = with_catalog();
    let product = create_product(&db, &change(), &a_product("TEA-1")).unwrap();
    assert_eq!(
        serde_json::to_value(&product).unwrap(),
        json!({
            "sku": "TEA-1", "name": "Oolong", "category": "tea", "brand": "Anxi",
            "list_price": "98.50", "currency": "CNY", "active": true,
            "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z",
        })
    );
    let store = create_store(&db, &change(), &a_store("SH-1")).unwrap();
    assert_eq!(
        serde_json::to_value(&store).unwrap(),
        json!({
            "id": "SH-1", "name": "Jing'an", "address": "1 Nanjing West Rd", "city": "Shanghai",
            "latitude": 31.2246, "longitude": 121.0, "opening_hours": {"mon": ["09:00", "21:00"]},
            "pickup_enabled": false, "delivery_radius_km": 5.0, "active": true,
        })
    );
    let price = Money::parse("95", Currency::CNY).unwrap();
    let store_price = set_store_price(&db, &change(), &store.id, &product.sku, &price).unwrap();
    assert_eq!(
        serde_json::to_value(&store_price).unwrap(),
        json!({"store_id": "SH-1", "sku": "TEA-1", "price": "95.00"})
    );
    let promotion = create_promotion(&db, &change(), &a_promotion()).unwrap();
    assert_eq!(
        serde_json::to_value(&promotion).unwrap(),
        json!({
            "id": "TEA-WEEK", "name": "Tea week", "kind": "flash-sale",
            "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z",
            "target_kind": "brands", "target_values": ["Three Squirrels"], "priority": 7,
            "stacking": "exclusive",
            "parameters": {"price": "9.90", "total_cap": 100, "per_customer_limit": null},
            "active": true,
        })
    );
    let gold = create_member_tier(&db, &change(), &a_tier("gold", "7.50")).unwrap();
    assert_eq!(
        serde_json::to_value(&gold).unwrap(),
        json!({"id": "gold", "name": "gold", "rank": 0, "discount_percent": "7.5"})
    );
    let tier_price = set_tier_price(&db, &change(), &gold.id, &product.sku, &price).unwrap();
    assert_eq!(
        serde_json::to_value(&tier_price).unwrap(),
        json!({"tier_id": "gold", "sku": "TEA-1", "price": "95.00"})
    );
    let customer = create_customer(&db, &change(), &a_customer(None)).unwrap();
    assert_eq!(
        serde_json::to_value(&customer).unwrap(),
        json!({
            "id": "cust-1", "name": "Li Wei", "tier_id": null,
            "created_at": "2026-11-25T10:00:00Z",
        })
    );
    let coupon = create_coupon(&db, &change(), &a_coupon(true)).unwrap();
    assert_eq!(
        serde_json::to_value(&coupon).unwrap(),
        json!({
            "code": "SAVE15", "name": "Save 15", "kind": "percentage-off", "amount": null,
            "percent": "15", "max_discount": "10.00", "minimum_spend": "50.00",
            "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z",
            "total_limit": 100, "per_customer_limit": null, "stacking": "exclusive",
            "active": true, "uses": 0,
        })
    );
    let first = ListQuery {
        limit: 1,
        filters: vec![None, None],
        ..ListQuery::default()
    };
    let page = list_coupons(&db, &first).unwrap();
    assert_eq!(page.items, std::slice::from_ref(&coupon));
    assert_eq!(page.next_cursor.as_deref(), Some("SAVE15"));

    // The audit log keeps each record as it is answered
    let entries = audit_entries(&db);
    assert_eq!(entries.len(), 8);
    for (record, (action, _, before, after)) in [
        serde_json::to_value(&product).unwrap(),
        serde_json::to_value(&store).unwrap(),
        serde_json::to_value(&store_price).unwrap(),
        serde_json::to_value(&promotion).unwrap(),
        serde_json::to_value(&gold).unwrap(),
        serde_json::to_value(&tier_price).unwrap(),
        serde_json::to_value(&customer).unwrap(),
        serde_json::to_value(&coupon).unwrap(),
    ]
    .into_iter()
    .zip(entries)
    {
        assert_eq!((before, after), (Value::Null, record), "{action}");
    }
}

#[test]
fn a_removed_tier_is_audited_with_its_prices_and_a_removed_price_with_none_after() {
    let db = with_catalog();
    create_product(&db, &change(), &a_product("TEA-1")).unwrap();
    let gold = create_member_tier(&db, &change(), &a_tier("gold", "5")).unwrap();
    let price = Money::parse("90.00", Currency::CNY).unwrap();
    let sku = Sku::parse("TEA-1").unwrap();
    set_tier_price(&db, &change(), &gold.id, &sku, &price).unwrap();

    remove_member_tier(&db, &change(), &gold.id).unwrap();
    let (action, subject, before, after) = audit_entries(&db).pop().unwrap();
    assert_eq!(
        (action.as_str(), subject.as_str()),
        ("catalog.member-tier.remove", "gold")
    );
    assert_eq!(
        before,
        json!({
            "id": "gold", "name": "gold", "rank": 0, "discount_percent": "5",
            "prices": [{"tier_id": "gold", "sku": "TEA-1", "price": "90.00"}],
        })
    );
    assert_eq!(after, Value::Null);
    assert_eq!(
        (count(&db, "member_tiers"), count(&db, "tier_prices")),
        (0, 0)
    );

    let store = create_store(&db, &change(), &a_store("SH-1")).unwrap();
    set_store_price(&db, &change(), &store.id, &sku, &price).unwrap();
    remove_store_price(&db, &change(), &store.id, &sku).unwrap();
    let (action, subject, before, after) = audit_entries(&db).pop().unwrap();
    assert_eq!(
        (action.as_str(), subject.as_str()),
        ("catalog.store-price.remove", "SH-1/TEA-1")
    );
    assert_eq!(before["price"], "90.00");
    assert_eq!(after, Value::Null);
    assert!(matches!(
        remove_store_price(&db, &change(), &store.id, &sku),
        Err(CatalogError::NotFound(what)) if what == "no store price SH-1/TEA-1"
    ));
}

/// Reads one record of a catalog, answering only whether it could.
type Read = fn(&Sqlite) -> Result<(), CatalogError>;

#[test]
fn a_cell_that_is_not_what_its_column_holds_is_corrupt_data_not_text() {
    let store: Read = |db| get_store(db, &StoreId::parse("SH-1").unwrap()).map(|_| ());
    let promotion: Read = |db| get_promotion(db, &a_promotion().id).map(|_| ());
    let product: Read = |db| get_product(db, &Sku::parse("TEA-1").unwrap()).map(|_| ());
    let cases = [
        ("UPDATE stores SET opening_hours = 'mon to fri'", store),
        ("UPDATE stores SET opening_hours = '[]'", store),
        ("UPDATE promotions SET parameters = '[1]'", promotion),
        (
            "UPDATE promotions SET target_values = '{\"skus\": 1}'",
            promotion,
        ),
        ("UPDATE promotions SET priority = 'high'", promotion),
        ("UPDATE products SET list_price = 'abc'", product),
        ("UPDATE products SET created_at = 'yesterday'", product),
    ];
    for (sabotage, read) in cases {
        let db = with_catalog();
        create_store(&db, &change(), &a_store("SH-1")).unwrap();
        create_promotion(&db, &change(), &a_promotion()).unwrap();
        create_product(&db, &change(), &a_product("TEA-1")).unwrap();
        assert_eq!(read(&db), Ok(()), "{sabotage}");

        db.batch(sabotage);
        assert!(
            matches!(read(&db), Err(CatalogError::Store(StoreError::Corrupt(_)))),
            "{sabotage}: {:?}",
            read(&db)
        );
    }
}

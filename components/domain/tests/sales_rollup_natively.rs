//! Recent sales for stock-driven markdown come from a daily rollup kept with each sale
//! (issue 12): a POS sale and goods leaving for an online order add to their store, sku and
//! day in the transaction that records them, other movements add nothing, and the quote's
//! query reads the levels and the rollup of the basket's skus through their keys: it never
//! scans a table that grows with the catalog or with history.

// A test: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/native_store.rs"]
mod native_store;

use chrono::{DateTime, TimeZone, Utc};
use native_store::NativeSql;
use o2o_domain::pricing::repository::basket_facts::BASKET_FACTS;
use o2o_domain::stock::repository::{StockMove, commit, move_stock, reserve};
use o2o_domain::stock::{
    MovementKind, ReasonCode, ReservationLine, ReservationLines, ReservationTtl,
};
use o2o_domain::{Quantity, Sku, StoreId};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

fn a_shop() -> NativeSql {
    let db = NativeSql::with_schema();
    db.batch(
        "INSERT INTO products (sku, name, category, brand, list_price) VALUES ('TEA-1', 'Tea', 'tea', 'B', '10.00');
         INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, delivery_radius_km)
             VALUES ('SH-1', 'One', '1 Rd', 'Shanghai', 31.23, 121.47, '{}', 5);
         INSERT INTO stock_levels (store_id, sku, on_hand) VALUES ('SH-1', 'TEA-1', 100);",
    );
    db
}

fn a_move(kind: MovementKind, delta: i64) -> (StoreId, Sku, MovementKind, i64) {
    (
        StoreId::parse("SH-1").unwrap(),
        Sku::parse("TEA-1").unwrap(),
        kind,
        delta,
    )
}

fn record(
    db: &NativeSql,
    (store, sku, kind, delta): (StoreId, Sku, MovementKind, i64),
    when: DateTime<Utc>,
) {
    move_stock(
        db,
        &StockMove {
            store: &store,
            sku: &sku,
            delta,
            kind,
            reason: (kind == MovementKind::Adjustment).then_some(ReasonCode::Damaged),
            actor: "staff-1",
        },
        when,
    )
    .unwrap();
}

fn sold_on(db: &NativeSql, day: &str) -> i64 {
    db.scalar(&format!(
        "SELECT COALESCE(SUM(units), 0) FROM stock_sales_daily \
         WHERE store_id = 'SH-1' AND sku = 'TEA-1' AND day = '{day}'"
    ))
}

#[test]
fn sales_add_to_their_day_and_other_movements_add_nothing() {
    let db = a_shop();
    record(&db, a_move(MovementKind::PosSale, -3), at(20, 9));
    record(&db, a_move(MovementKind::PosSale, -2), at(20, 18));
    record(&db, a_move(MovementKind::PosSale, -1), at(21, 9));
    record(&db, a_move(MovementKind::Receipt, 40), at(21, 10));
    record(&db, a_move(MovementKind::Adjustment, -4), at(21, 11));

    // goods leaving for an online order count as sold the day they leave
    let store = StoreId::parse("SH-1").unwrap();
    let lines = ReservationLines::new(vec![ReservationLine {
        sku: Sku::parse("TEA-1").unwrap(),
        quantity: Quantity::new(5).unwrap(),
    }])
    .unwrap();
    let held = reserve(
        &db,
        &store,
        &lines,
        ReservationTtl::new(Some(600)).unwrap(),
        at(21, 12),
    )
    .unwrap();
    commit(&db, held.id, at(21, 12)).unwrap();

    assert_eq!(sold_on(&db, "2026-11-20"), 5);
    assert_eq!(sold_on(&db, "2026-11-21"), 6);
    // and the rollup agrees with the movements it summarises
    assert_eq!(
        db.scalar("SELECT SUM(units) FROM stock_sales_daily"),
        db.scalar(
            "SELECT -SUM(delta_on_hand) FROM stock_movements \
             WHERE kind IN ('pos-sale', 'reservation-commit')"
        )
    );
}

#[test]
fn the_quote_reads_the_baskets_stock_and_recent_sales_by_key_and_never_scans() {
    let db = a_shop();
    let plan = db.query_plan(BASKET_FACTS);
    assert!(
        plan.iter()
            .any(|step| step.starts_with("SEARCH l USING") && step.contains("sku=?")),
        "stock levels read by store and sku: {plan:?}"
    );
    assert!(
        plan.iter().all(|step| !step.contains("stock_movements")),
        "raw history read: {plan:?}"
    );
    // (the rollup is aliased `d` in the statement)
    assert!(
        plan.iter()
            .any(|step| step.starts_with("SEARCH d USING PRIMARY KEY")),
        "{plan:?}"
    );
}

//! The refund lifecycle natively over SQLite with every migration applied
//! (tests/support/native_store.rs): a delivered order written as the order function leaves
//! it, then requests, approvals and completions, and what a failure in the middle of one
//! leaves behind (sabotage: nothing, the step is one transaction). The end-to-end journeys
//! through the host prove the routes; these are the fast, precise ones.

// A test: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/native_store.rs"]
mod native_store;

use chrono::{DateTime, TimeZone, Utc};
use native_store::NativeSql;
use o2o_domain::refund::{
    self, RefundAsk, RefundCompletion, RefundError, RefundPolicy, RefundRefused, RefundRequest,
    RefundStatus, Requester,
};
use o2o_domain::{Currency, CustomerId, Money, OrderId, Quantity, Sku};

const ORDER: &str = "01930000-0000-7000-8000-000000000001";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
}

fn cny(amount: &str) -> Money {
    Money::parse(amount, Currency::CNY).unwrap()
}

/// SH-1 with 7 TEA-1 on hand, and cust-1's delivered online order of 3 TEA-1 paid 10.00 in
/// all (a line that does not divide evenly) plus a 6.00 delivery fee.
fn a_delivered_order() -> NativeSql {
    let db = NativeSql::with_schema();
    db.batch(&format!(
        "INSERT INTO products (sku, name, category, brand, list_price) VALUES ('TEA-1', 'Tea', 'tea', 'B', '3.50');
         INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, delivery_radius_km)
             VALUES ('SH-1', 'One', '1 Rd', 'Shanghai', 31.23, 121.47, '{{}}', 5);
         INSERT INTO stock_levels (store_id, sku, on_hand) VALUES ('SH-1', 'TEA-1', 7);
         INSERT INTO orders (id, customer_id, status, payment_method, store_id, fulfilment,
             reservation_id, quote_id, currency, subtotal, discount_total, delivery_fee, total,
             placed_at, updated_at, paid_at, payment_reference)
             VALUES ('{ORDER}', 'cust-1', 'delivered', 'online', 'SH-1',
             '{{\"mode\":\"delivery\",\"address\":{{\"line1\":\"1 Rd\",\"city\":\"Shanghai\",\"postal_code\":\"200001\",\"country\":\"CN\"}},\"location\":{{\"lat\":31.23,\"lon\":121.47}}}}',
             '01930000-0000-7000-8000-0000000000aa', '01930000-0000-7000-8000-0000000000bb',
             'CNY', '10.50', '0.50', '6.00', '16.00', '2026-11-25T10:00:00Z',
             '2026-11-25T11:00:00Z', '2026-11-25T10:01:00Z', 'psp-1');
         INSERT INTO order_lines (order_id, line, sku, name, quantity, unit_price, discount, total)
             VALUES ('{ORDER}', 0, 'TEA-1', 'Tea', 3, '3.50', '0.50', '10.00');"
    ));
    db
}

fn a_request(units: u32, goods_returned: bool) -> RefundRequest {
    RefundRequest {
        order: OrderId::parse(ORDER).unwrap(),
        requester: Requester::Customer(CustomerId::parse("cust-1").unwrap()),
        reason: "damaged".into(),
        ask: RefundAsk {
            lines: vec![(Sku::parse("TEA-1").unwrap(), Quantity::new(units).unwrap())],
            goods_returned,
        },
    }
}

fn policy(auto_approve_max: &str) -> RefundPolicy {
    RefundPolicy {
        auto_approve_max: cny(auto_approve_max),
    }
}

fn on_hand(db: &NativeSql) -> i64 {
    db.scalar("SELECT on_hand FROM stock_levels WHERE store_id = 'SH-1' AND sku = 'TEA-1'")
}

#[test]
fn refunds_of_a_line_in_any_steps_give_back_exactly_its_total_and_nothing_more() {
    let db = a_delivered_order();
    let amounts: Vec<String> = [1, 1, 1]
        .into_iter()
        .map(|units| {
            refund::request(&db, &a_request(units, false), policy("0.00"), now())
                .unwrap()
                .total
                .amount_string()
        })
        .collect();
    assert_eq!(amounts, ["3.33", "3.33", "3.34"]);
    assert_eq!(
        refund::request(&db, &a_request(1, false), policy("0.00"), now()),
        Err(RefundError::Refused(RefundRefused::ExceedsRemaining {
            index: 0,
            line: 0,
            sku: Sku::parse("TEA-1").unwrap(),
            asked: 1,
            remaining_units: 0,
            remaining_amount: cny("0.00"),
        }))
    );
    assert_eq!(db.scalar("SELECT COUNT(*) FROM refunds"), 3);
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM outbox WHERE event_type = 'refund.requested'"),
        3
    );
}

#[test]
fn an_approval_that_cannot_restock_leaves_the_refund_requested_and_nothing_on_hand() {
    let db = a_delivered_order();
    let requested = refund::request(&db, &a_request(2, true), policy("0.00"), now()).unwrap();
    assert_eq!(requested.status, RefundStatus::Requested);

    // Sabotage: the stock movement of the returned goods fails
    db.fail_matching("INSERT INTO stock_movements");
    assert!(matches!(
        refund::approve(&db, requested.id, "staff-7", now()),
        Err(RefundError::Store(_))
    ));

    // Nothing of the approval happened
    db.heal();
    let after = refund::lifecycle::get(&db, requested.id).unwrap();
    assert_eq!(after.status, RefundStatus::Requested);
    assert_eq!(on_hand(&db), 7);
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM outbox WHERE event_type = 'refund.approved'"),
        0
    );
    // and once the store works, the approval goes through whole
    let approved = refund::approve(&db, requested.id, "staff-7", now()).unwrap();
    assert_eq!(approved.status, RefundStatus::Approved);
    assert_eq!(on_hand(&db), 9);
}

#[test]
fn a_request_whose_automatic_approval_fails_writes_nothing() {
    let db = a_delivered_order();
    db.fail_matching("INSERT INTO stock_movements");

    assert!(refund::request(&db, &a_request(1, true), policy("50.00"), now()).is_err());

    db.heal();
    assert_eq!(db.scalar("SELECT COUNT(*) FROM refunds"), 0);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM refund_lines"), 0);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM outbox"), 0);
    assert_eq!(on_hand(&db), 7);
}

#[test]
fn completion_needs_the_refund_total_and_approval_and_is_final() {
    let db = a_delivered_order();
    let approved = refund::request(&db, &a_request(3, false), policy("50.00"), now()).unwrap();
    assert_eq!(approved.status, RefundStatus::Approved);
    assert_eq!(approved.total, cny("10.00"), "delivered: the fee stays");
    let completion = |amount: &str, reference: &str| RefundCompletion {
        reference: reference.into(),
        amount: cny(amount),
    };

    assert!(matches!(
        refund::complete(&db, approved.id, &completion("9.99", "psp-r"), now()),
        Err(RefundError::AmountMismatch { .. })
    ));
    let completed =
        refund::complete(&db, approved.id, &completion("10.00", "psp-r"), now()).unwrap();
    assert_eq!(completed.status, RefundStatus::Completed);
    // the provider's retry changes nothing; another reference is refused; no other move
    assert_eq!(
        refund::complete(&db, approved.id, &completion("10.00", "psp-r"), now()).unwrap(),
        completed
    );
    assert_eq!(
        refund::complete(&db, approved.id, &completion("10.00", "psp-other"), now()),
        Err(RefundError::CompletedWithAnotherReference("psp-r".into()))
    );
    assert!(matches!(
        refund::reject(&db, approved.id, "staff-7", "too late", now()),
        Err(RefundError::Transition(_))
    ));
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM outbox WHERE event_type = 'refund.completed'"),
        1
    );
}

#[test]
fn another_customer_cannot_refund_the_order() {
    let db = a_delivered_order();
    let mut request = a_request(1, false);
    request.requester = Requester::Customer(CustomerId::parse("cust-2").unwrap());

    assert_eq!(
        refund::request(&db, &request, policy("50.00"), now()),
        Err(RefundError::OrderNotFound(OrderId::parse(ORDER).unwrap()))
    );
    assert_eq!(db.scalar("SELECT COUNT(*) FROM refunds"), 0);
}

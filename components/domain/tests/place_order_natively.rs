//! The place-order workflow and the order lifecycle run natively over SQLite with every
//! migration applied (tests/support/native_store.rs): what each step leaves, what each
//! compensation takes back when a later step is sabotaged, and the moves after placement.
//! The end-to-end journeys through the host prove the same through the built wasm; these are
//! the fast, precise ones.

// A test: a failure should panic where it happens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/native_store.rs"]
mod native_store;

use chrono::{DateTime, Duration, TimeZone, Utc};
use native_store::{FixedPricer, MemoryKv, NativeSql};
use o2o_domain::cart::repository::save_cart;
use o2o_domain::idempotency::{IdempotencyKey, RequestHash, SavedResponse, ScopedKey};
use o2o_domain::order::lifecycle::{self, PaymentConfirmation};
use o2o_domain::order::{
    Attempt, FulfilmentMode, LineSource, OrderPolicy, OrderStatus, PaymentMethod, PickupAt,
    PlaceOrder, PlaceOrderError, PlaceOrderFailed, PlaceOutcome, Placed, Pricer, place_order,
};
use o2o_domain::pricing::CouponCode;
use o2o_domain::stock::ReservationTtl;
use o2o_domain::storage::KeyValue;

use o2o_domain::{Cart, CustomerId, Money, Quantity, Sku, StoreId};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
}

fn policy() -> OrderPolicy {
    OrderPolicy {
        payment_window: ReservationTtl::new(Some(30 * 60)).unwrap(),
        hold_after_confirmation: Duration::days(7),
    }
}

/// A store SH-1 with 10 TEA-1; a WELCOME coupon with one use left in all.
fn a_shop() -> NativeSql {
    let db = NativeSql::with_schema();
    db.batch(
        "INSERT INTO products (sku, name, category, brand, list_price) VALUES ('TEA-1', 'Tea', 'tea', 'B', '10.00');
         INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, delivery_radius_km)
             VALUES ('SH-1', 'One', '1 Rd', 'Shanghai', 31.23, 121.47, '{}', 5);
         INSERT INTO stock_levels (store_id, sku, on_hand) VALUES ('SH-1', 'TEA-1', 10);
         INSERT INTO coupons (code, name, kind, amount, starts_at, ends_at, total_limit)
             VALUES ('WELCOME', 'Welcome', 'amount-off', '1.00', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 1);",
    );
    db
}

fn a_cart(kv: &MemoryKv, units: u32) -> o2o_domain::CartId {
    let customer = CustomerId::parse("cust-1").unwrap();
    let mut cart = Cart::new(Some(customer), now(), Duration::days(7));
    cart.add(
        Sku::parse("TEA-1").unwrap(),
        Quantity::new(units).unwrap(),
        None,
        now(),
        Duration::days(7),
    )
    .unwrap();
    save_cart(kv, &cart).unwrap();
    cart.id
}

fn an_order(cart: o2o_domain::CartId, payment: PaymentMethod, coupon: bool) -> PlaceOrder {
    PlaceOrder {
        customer: CustomerId::parse("cust-1").unwrap(),
        source: LineSource::Cart(cart),
        fulfilment: FulfilmentMode::Pickup(PickupAt {
            store_id: StoreId::parse("SH-1").unwrap(),
        }),
        confirmed_quote: None,
        payment_method: payment,
        coupon_codes: if coupon {
            vec![CouponCode::parse("WELCOME").unwrap()]
        } else {
            vec![]
        },
    }
}

/// Places `request` under `key` (customer cust-1's, on `POST /orders`), answering with the
/// order's id.
fn place_with_key(
    kv: &impl KeyValue,
    db: &NativeSql,
    pricer: &impl Pricer,
    request: &PlaceOrder,
    key: &str,
) -> Result<PlaceOutcome, Box<PlaceOrderFailed>> {
    let key = ScopedKey::new(
        "customer:cust-1",
        "POST /orders",
        IdempotencyKey::parse(key).unwrap(),
    );
    let hash = RequestHash::of("POST /orders", format!("{:?}", request.source).as_bytes());
    let attempt = Attempt {
        key: &key,
        hash: &hash,
        now: now(),
    };
    place_order(kv, db, pricer, request, policy(), &attempt, |order| {
        Ok(SavedResponse {
            status: 201,
            body: order.id.to_string(),
        })
    })
}

/// Places `request` under a key of its own; the placed order.
fn place(
    kv: &impl KeyValue,
    db: &NativeSql,
    pricer: &impl Pricer,
    request: &PlaceOrder,
) -> Result<Placed, Box<PlaceOrderFailed>> {
    static KEYS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let key = format!(
        "key-{}",
        KEYS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    match place_with_key(kv, db, pricer, request, &key)? {
        PlaceOutcome::Placed(placed) => Ok(*placed),
        PlaceOutcome::Replayed(saved) => panic!("a fresh key replayed {saved:?}"),
    }
}

fn reserved(db: &NativeSql) -> i64 {
    db.scalar("SELECT reserved FROM stock_levels WHERE store_id = 'SH-1' AND sku = 'TEA-1'")
}

fn coupon_uses(db: &NativeSql) -> i64 {
    db.scalar("SELECT COALESCE(SUM(uses), 0) FROM coupon_redemptions")
}

fn nothing_left_behind(db: &NativeSql, step: &str) {
    assert_eq!(reserved(db), 0, "reservation left after {step}");
    assert_eq!(coupon_uses(db), 0, "coupon use left after {step}");
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM order_consumptions"),
        0,
        "{step}"
    );
    assert_eq!(db.scalar("SELECT COUNT(*) FROM orders"), 0, "{step}");
    assert_eq!(db.scalar("SELECT COUNT(*) FROM order_lines"), 0, "{step}");
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM order_status_history"),
        0,
        "{step}"
    );
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM outbox WHERE event_type = 'order.placed'"),
        0,
        "{step}"
    );
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM idempotency_requests"),
        0,
        "the key is free again after {step}"
    );
}

#[test]
fn a_placed_order_holds_its_goods_takes_its_coupon_use_and_clears_the_cart() {
    let (db, kv) = (a_shop(), MemoryKv::default());
    let cart = a_cart(&kv, 3);
    let pricer = FixedPricer::at("10.00", now());

    let placed = place(
        &kv,
        &db,
        &pricer,
        &an_order(cart, PaymentMethod::Online, true),
    )
    .unwrap();

    let order = lifecycle::get(&db, placed.order, now()).unwrap();
    assert_eq!(order.status, OrderStatus::PendingPayment);
    assert_eq!(
        order.total,
        Money::parse("30.00", o2o_domain::Currency::CNY).unwrap()
    );
    assert_eq!(reserved(&db), 3);
    assert_eq!(coupon_uses(&db), 1);
    assert!(!kv.contains(&format!("cart:{cart}")));
}

#[test]
fn sabotage_after_each_step_undoes_every_step_before_it() {
    for (step, fragment) in [
        ("transaction", "BEGIN IMMEDIATE"),
        ("read the basket", "SELECT json_object"),
        ("reserve", "UPDATE stock_levels SET reserved = reserved +"),
        ("reserve", "INSERT INTO reservation_lines"),
        (
            "take coupon uses and flash-sale units",
            "INSERT INTO order_consumptions",
        ),
        ("write the order", "INSERT INTO orders"),
        ("write the order", "INSERT INTO order_lines"),
        ("write the order", "INSERT INTO outbox"),
        (
            "keep the answer for the key",
            "INSERT INTO idempotency_requests",
        ),
        ("transaction", "COMMIT"),
    ] {
        let (db, kv) = (a_shop(), MemoryKv::default());
        let cart = a_cart(&kv, 2);
        db.fail_matching(fragment);
        let failed = place(
            &kv,
            &db,
            &FixedPricer::at("10.00", now()),
            &an_order(cart, PaymentMethod::Online, true),
        )
        .unwrap_err();
        assert_eq!(failed.step, step, "failing {fragment}");
        db.heal();
        nothing_left_behind(&db, step);
        assert!(
            kv.contains(&format!("cart:{cart}")),
            "the cart stays after {step}"
        );
    }
    // the last step, clearing the cart, failing leaves the order placed: it is committed and
    // may already be paid, so it is never undone (the cart stays for the customer)
    let (db, kv) = (a_shop(), MemoryKv::default());
    let cart = a_cart(&kv, 2);
    kv.fail_deletes();
    place(
        &kv,
        &db,
        &FixedPricer::at("10.00", now()),
        &an_order(cart, PaymentMethod::Online, true),
    )
    .expect("placed although the cart could not be cleared");
    assert!(kv.contains(&format!("cart:{cart}")));
    assert_eq!(db.scalar("SELECT COUNT(*) FROM orders"), 1);
    assert_eq!(coupon_uses(&db), 1);
}

#[test]
fn the_same_key_places_once_and_answers_the_second_time_with_the_first_answer() {
    let (db, kv) = (a_shop(), MemoryKv::default());
    let pricer = FixedPricer::at("10.00", now());
    let request = an_order(a_cart(&kv, 2), PaymentMethod::Online, false);
    let PlaceOutcome::Placed(placed) = place_with_key(&kv, &db, &pricer, &request, "k-1").unwrap()
    else {
        panic!("the first request places the order");
    };
    let again = place_with_key(&kv, &db, &pricer, &request, "k-1").unwrap();
    assert!(
        matches!(&again, PlaceOutcome::Replayed(saved) if saved == &placed.answer),
        "{again:?}"
    );
    assert_eq!(db.scalar("SELECT COUNT(*) FROM orders"), 1);
    assert_eq!(reserved(&db), 2);
}

#[test]
fn pay_at_pickup_holds_the_goods_for_the_hold_after_confirmation_and_online_for_the_payment_window()
{
    for (method, held_for) in [
        (PaymentMethod::PayAtPickup, Duration::days(7)),
        (PaymentMethod::Online, Duration::minutes(30)),
    ] {
        let (db, kv) = (a_shop(), MemoryKv::default());
        place(
            &kv,
            &db,
            &FixedPricer::at("10.00", now()),
            &an_order(a_cart(&kv, 2), method, false),
        )
        .unwrap();
        assert_eq!(
            db.scalar_text("SELECT expires_at FROM reservations"),
            (now() + held_for).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "{method:?}"
        );
    }
}

#[test]
fn the_last_coupon_use_goes_to_one_order_only_and_comes_back_when_it_is_cancelled() {
    let (db, kv) = (a_shop(), MemoryKv::default());
    let pricer = FixedPricer::at("10.00", now());
    let first = place(
        &kv,
        &db,
        &pricer,
        &an_order(a_cart(&kv, 1), PaymentMethod::Online, true),
    )
    .unwrap();

    let second = place(
        &kv,
        &db,
        &pricer,
        &an_order(a_cart(&kv, 1), PaymentMethod::Online, true),
    )
    .unwrap_err();
    assert!(
        matches!(second.error, PlaceOrderError::Limit(_)),
        "{:?}",
        second.error
    );
    assert_eq!(
        reserved(&db),
        1,
        "the refused order's reservation was released"
    );

    lifecycle::cancel(&db, first.order, Some("changed my mind"), now()).unwrap();
    assert_eq!(coupon_uses(&db), 0);
    assert_eq!(reserved(&db), 0);
    place(
        &kv,
        &db,
        &pricer,
        &an_order(a_cart(&kv, 1), PaymentMethod::Online, true),
    )
    .unwrap();
    assert_eq!(coupon_uses(&db), 1);
}

#[test]
fn payment_must_match_the_total_and_an_unpaid_order_expires_with_its_goods() {
    let (db, kv) = (a_shop(), MemoryKv::default());
    let pricer = FixedPricer::at("10.00", now());
    let placed = place(
        &kv,
        &db,
        &pricer,
        &an_order(a_cart(&kv, 2), PaymentMethod::Online, false),
    )
    .unwrap();
    let paying = |amount: &str| PaymentConfirmation {
        reference: "psp-1".into(),
        amount: Money::parse(amount, o2o_domain::Currency::CNY).unwrap(),
    };
    assert!(matches!(
        lifecycle::confirm_payment(
            &db,
            placed.order,
            &paying("19.99"),
            Duration::days(7),
            now()
        ),
        Err(lifecycle::OrderError::AmountMismatch { .. })
    ));

    let later = now() + Duration::minutes(31);
    assert_eq!(lifecycle::sweep_unpaid(&db, later, 100).unwrap(), 1);
    assert_eq!(
        lifecycle::get(&db, placed.order, later).unwrap().status,
        OrderStatus::Expired
    );
    assert_eq!(reserved(&db), 0);
    assert!(matches!(
        lifecycle::confirm_payment(
            &db,
            placed.order,
            &paying("20.00"),
            Duration::days(7),
            later
        ),
        Err(lifecycle::OrderError::Transition(_))
    ));
}

//! Stock journeys through the built stock component: reserve, release and commit; all lines or
//! none; expired reservations giving their units back (lazily and through the sweep); POS
//! sales, receipts and adjustments in the audit log; `stock.low` once per crossing of the
//! reorder point; availability near a point; bad input refused with nothing written; and the
//! concurrency proof: well over a hundred customers racing through the real HTTP server for 30
//! units hold exactly 30, and `0 <= reserved <= on_hand` holds throughout.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use o2o_e2e::stock_kit::{
    STOCK_CLERK, StoredLevel, a_reservation_at, a_stock_level, post_json_blocking,
};
use o2o_e2e::{TestApp, a_catalog, spawn_app};
use serde_json::json;
use spin_test_host::SqlValue;

async fn a_shop_with(products: &[&str]) -> TestApp {
    spawn_app(a_catalog().with_products(products).with_store("SH-1")).await
}

fn held(on_hand: i64, reserved: i64) -> StoredLevel {
    StoredLevel { on_hand, reserved }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reservation_holds_units_until_released_and_a_commit_ships_them() {
    let app = a_shop_with(&["TEA-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 10).safety_stock(1));

    // A customer holds 3: they are no longer available to anyone else.
    let first = app
        .reserve(&a_reservation_at("SH-1").line("TEA-1", 3))
        .await
        .expect(201);
    let first_id = first.body["id"].as_str().unwrap().to_owned();
    assert_eq!(first.body["status"], "held");
    assert_eq!(
        first.header("location"),
        Some(format!("/stock/reservations/{first_id}").as_str())
    );
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(10, 3));
    let levels = app.stock_levels("SH-1", &["TEA-1"]).await.expect(200);
    assert_eq!(levels.body["levels"][0]["available"], 6);

    // They change their mind: the units come back; releasing again changes nothing.
    let released = app.release_reservation(&first_id).await.expect(200);
    assert_eq!(released.body["status"], "released");
    app.release_reservation(&first_id).await.expect(200);
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(10, 0));

    // Another customer holds 4 and the goods leave the store: on hand and reserved both drop.
    let second = app
        .reserve(&a_reservation_at("SH-1").line("TEA-1", 4))
        .await
        .expect(201);
    let second_id = second.body["id"].as_str().unwrap().to_owned();
    let committed = app.commit_reservation(&second_id).await.expect(200);
    assert_eq!(committed.body["status"], "committed");
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(6, 0));

    // A committed reservation cannot be released, and a released one cannot be committed.
    app.release_reservation(&second_id)
        .await
        .expect_problem(409, None);
    app.commit_reservation(&first_id)
        .await
        .expect_problem(409, None);
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(6, 0));
    app.get_reservation(&second_id).await.expect(200);
    app.release_reservation("01936a7e-0000-7000-8000-000000000000")
        .await
        .expect_problem(404, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reservation_holds_all_its_lines_or_none() {
    let app = a_shop_with(&["TEA-1", "MILK-1", "RICE-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 10))
        .with_stock(a_stock_level("SH-1", "MILK-1", 2))
        .with_stock(a_stock_level("SH-1", "RICE-1", 5).safety_stock(4));

    let refused = app
        .reserve(
            &a_reservation_at("SH-1")
                .line("TEA-1", 5)
                .line("MILK-1", 3)
                .line("RICE-1", 2),
        )
        .await
        .expect_problem(409, Some("lines[1].quantity"));

    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("lines[1] MILK-1: 3 requested, 2 available"),
        "{detail}"
    );
    assert!(
        detail.contains("lines[2] RICE-1: 2 requested, 1 available"),
        "{detail}"
    );
    assert!(!detail.contains("TEA-1"), "{detail}");
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(10, 0));
    assert_eq!(app.stored_level("SH-1", "MILK-1"), held(2, 0));
    assert_eq!(app.count_rows("reservations"), 0);
    assert_eq!(app.count_rows("reservation_lines"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_reservation_gives_its_units_back_when_stock_is_next_read() {
    let app = a_shop_with(&["TEA-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 5));
    let reservation = app
        .reserve(&a_reservation_at("SH-1").line("TEA-1", 5))
        .await
        .expect(201);
    let id = reservation.body["id"].as_str().unwrap().to_owned();
    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 1))
        .await
        .expect_problem(409, Some("lines[0].quantity"));

    // The default time to live is 15 minutes.
    app.advance_clock(Duration::from_secs(14 * 60));
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(5, 5));
    app.advance_clock(Duration::from_secs(60));

    let levels = app.stock_levels("SH-1", &["TEA-1"]).await.expect(200);
    assert_eq!(levels.body["levels"][0]["available"], 5);
    assert_eq!(levels.body["levels"][0]["reserved"], 0);
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(5, 0));
    let expired = app.get_reservation(&id).await.expect(200);
    assert_eq!(expired.body["status"], "expired");
    // Too late to ship it; releasing it is a harmless no-op.
    app.commit_reservation(&id).await.expect_problem(409, None);
    app.release_reservation(&id).await.expect(200);
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(5, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_reservation_is_given_back_when_another_customer_reserves() {
    let app = a_shop_with(&["TEA-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 3));
    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 3).ttl_seconds(60))
        .await
        .expect(201);

    app.advance_clock(Duration::from_secs(61));

    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 3))
        .await
        .expect(201);
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(3, 3));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sweep_expires_due_reservations_and_says_how_many() {
    let app = a_shop_with(&["TEA-1", "MILK-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 10))
        .with_stock(a_stock_level("SH-1", "MILK-1", 10));
    for ttl in [60, 120] {
        app.reserve(
            &a_reservation_at("SH-1")
                .line("TEA-1", 2)
                .line("MILK-1", 1)
                .ttl_seconds(ttl),
        )
        .await
        .expect(201);
    }
    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 1).ttl_seconds(3600))
        .await
        .expect(201);

    let nothing_due = app.sweep_reservations().await.expect(200);
    assert_eq!(nothing_due.body["expired"], 0);

    app.advance_clock(Duration::from_secs(121));
    let swept = app.sweep_reservations().await.expect(200);

    assert_eq!(swept.body["expired"], 2);
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(10, 1));
    assert_eq!(app.stored_level("SH-1", "MILK-1"), held(10, 0));
    let again = app.sweep_reservations().await.expect(200);
    assert_eq!(again.body["expired"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn pos_sales_receipts_and_adjustments_are_audited_with_the_staff_member() {
    let app = a_shop_with(&["TEA-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 10));

    let sale = app
        .pos_sale("staff-7", "SH-1", "TEA-1", 2)
        .await
        .expect(200);
    assert_eq!(sale.body["level"]["on_hand"], 8);
    app.receive("staff-8", "SH-1", "TEA-1", 24)
        .await
        .expect(200);
    let adjusted = app
        .adjust("staff-9", "SH-1", "TEA-1", -3, "damaged")
        .await
        .expect(200);

    assert_eq!(adjusted.body["level"]["on_hand"], 29);
    assert_eq!(adjusted.body["reason_code"], "damaged");
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(29, 0));
    let subject = "SH-1/TEA-1".to_owned();
    assert_eq!(
        app.audit_entries(),
        vec![
            (
                app.actor("staff-7", "stock").await,
                "stock.pos-sale".into(),
                subject.clone()
            ),
            (
                app.actor("staff-8", "stock").await,
                "stock.receipt".into(),
                subject.clone()
            ),
            (
                app.actor("staff-9", "stock").await,
                "stock.adjustment".into(),
                subject
            ),
        ]
    );
    let reason: String = app
        .app
        .sqlite("default")
        .query_scalar(
            "SELECT reason_code FROM stock_movements WHERE kind = 'adjustment'",
            &[],
        )
        .unwrap();
    assert_eq!(reason, "damaged");
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_moves_without_an_api_key_are_refused_and_write_nothing() {
    let app = a_shop_with(&["TEA-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 10));

    let body = json!({ "store_id": "SH-1", "sku": "TEA-1", "quantity": 1 });
    app.staff_post(None, "/stock/sales", body)
        .await
        .expect_problem(401, Some("x-api-key"));
    app.adjust("staff-1", "SH-1", "TEA-1", -1, "because")
        .await
        .expect_problem(400, Some("reason_code"));
    app.adjust("staff-1", "SH-1", "TEA-1", 0, "lost")
        .await
        .expect_problem(400, Some("delta"));
    app.receive("staff-1", "SH-NOWHERE", "TEA-1", 1)
        .await
        .expect_problem(422, Some("store_id"));

    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(10, 0));
    assert!(app.audit_entries().is_empty());
    assert_eq!(app.count_rows("stock_movements"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_till_cannot_sell_units_held_for_online_orders() {
    let app = a_shop_with(&["TEA-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 5).safety_stock(2));
    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 3))
        .await
        .expect(201);

    // Safety stock is for the shelf: the till may sell it, but not the 3 units held online.
    app.pos_sale("staff-1", "SH-1", "TEA-1", 3)
        .await
        .expect_problem(409, Some("quantity"));
    app.adjust("staff-1", "SH-1", "TEA-1", -3, "lost")
        .await
        .expect_problem(409, Some("delta"));
    app.pos_sale("staff-1", "SH-1", "TEA-1", 2)
        .await
        .expect(200);

    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(3, 3));
    let actions: Vec<String> = app.audit_entries().into_iter().map(|(_, a, _)| a).collect();
    assert_eq!(actions, ["stock.reserve", "stock.pos-sale"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn stock_low_is_appended_once_per_crossing_of_the_reorder_point() {
    let app = a_shop_with(&["TEA-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 12).reorder_point(5));

    // 12 → 7 available: above the point, quiet.
    app.pos_sale("staff-1", "SH-1", "TEA-1", 5)
        .await
        .expect(200);
    assert!(app.outbox_events("stock.low").is_empty());
    // 7 → 5: the crossing raises one event; going lower raises no other.
    let held_two = app
        .reserve(&a_reservation_at("SH-1").line("TEA-1", 2))
        .await
        .expect(201);
    app.pos_sale("staff-1", "SH-1", "TEA-1", 1)
        .await
        .expect(200);
    app.adjust("staff-1", "SH-1", "TEA-1", -1, "damaged")
        .await
        .expect(200);
    let events = app.outbox_events("stock.low");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["store_id"], "SH-1");
    assert_eq!(events[0]["sku"], "TEA-1");
    assert_eq!(events[0]["available"], 5);
    assert_eq!(events[0]["reorder_point"], 5);

    // Released and restocked above the point, the alert re-arms; the next crossing raises again.
    let id = held_two.body["id"].as_str().unwrap();
    app.release_reservation(id).await.expect(200);
    app.receive("staff-2", "SH-1", "TEA-1", 10)
        .await
        .expect(200);
    assert_eq!(app.outbox_events("stock.low").len(), 1);
    app.pos_sale("staff-1", "SH-1", "TEA-1", 10)
        .await
        .expect(200);
    let events = app.outbox_events("stock.low");
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1]["available"], 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn availability_near_a_point_lists_stores_within_their_radius_nearest_first() {
    // People's Square; stores east of it along the same latitude.
    let (lat, lon) = (31.2304, 121.4737);
    let app = spawn_app(
        a_catalog()
            .with_product("TEA-1")
            .with_store_at("FAR-3KM", lat, 121.5053, 5.0)
            .with_store_at("NEAR-1KM", lat, 121.4842, 5.0)
            .with_store_at("MID-2KM", lat, 121.4947, 5.0)
            .with_store_at("SMALL-RADIUS", lat, 121.5000, 1.0)
            .with_store_at("PICKUP-ONLY", lat, lon, 0.0),
    )
    .await;
    app.with_stock(a_stock_level("FAR-3KM", "TEA-1", 4))
        .with_stock(a_stock_level("NEAR-1KM", "TEA-1", 7).safety_stock(2))
        .with_stock(a_stock_level("SMALL-RADIUS", "TEA-1", 9));

    let near = app.availability_near("TEA-1", lat, lon).await.expect(200);

    let stores: Vec<(&str, i64)> = near.body["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["store_id"].as_str().unwrap(),
                s["available"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stores,
        vec![("NEAR-1KM", 5), ("MID-2KM", 0), ("FAR-3KM", 4)]
    );
    assert_eq!(near.body["in_stock_at"], 2);
    let distances: Vec<u64> = near.body["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["distance_m"].as_u64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");

    app.availability_near("TEA-1", 91.0, lon)
        .await
        .expect_problem(400, Some("lat"));
    app.send("GET", "/stock/availability?sku=TEA-1&lat=31.2", None)
        .await
        .expect_problem(400, Some("lon"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_reservation_input_names_the_field_and_writes_nothing() {
    let app = a_shop_with(&["TEA-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 10));

    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 0))
        .await
        .expect_problem(400, Some("lines[0].quantity"));
    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 1).ttl_seconds(10))
        .await
        .expect_problem(400, Some("ttl_seconds"));
    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 1).line("TEA-1", 2))
        .await
        .expect_problem(400, Some("lines[1].sku"));
    app.reserve(&a_reservation_at("SH-1"))
        .await
        .expect_problem(400, Some("lines"));
    app.reserve(&a_reservation_at("SH-NOWHERE").line("TEA-1", 1))
        .await
        .expect_problem(422, Some("store_id"));
    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 1).line("GHOST-1", 1))
        .await
        .expect_problem(422, Some("lines[1].sku"));
    app.staff_post(
        Some(STOCK_CLERK),
        "/stock/reservations",
        json!({ "store_id": "SH-1", "lines": [], "hold": true }),
    )
    .await
    .expect_problem(400, Some("hold"));

    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(10, 0));
    assert_eq!(app.count_rows("reservations"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_storage_failure_while_reserving_leaves_nothing_behind() {
    let app = a_shop_with(&["TEA-1", "MILK-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 10))
        .with_stock(a_stock_level("SH-1", "MILK-1", 10));
    app.app
        .faults()
        .fail_sql_matching_once("INSERT INTO reservation_lines");

    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 2).line("MILK-1", 1))
        .await
        .expect_problem(503, None);

    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(10, 0));
    assert_eq!(app.stored_level("SH-1", "MILK-1"), held(10, 0));
    assert_eq!(app.count_rows("reservations"), 0);
    app.reserve(&a_reservation_at("SH-1").line("TEA-1", 2))
        .await
        .expect(201);
}

/// What a race of concurrent customers through the real HTTP server saw.
struct Race {
    statuses: Vec<u16>,
    samples: i64,
    most_reserved_seen: i64,
}

impl Race {
    fn count(&self, status: u16) -> usize {
        self.statuses.iter().filter(|s| **s == status).count()
    }
}

/// `customers` threads released at once by a barrier, each reserving one unit of `sku` at
/// SH-1 on a connection of its own, while another thread samples the level every 2 ms and
/// asserts `0 <= reserved <= on_hand` in every sample.
async fn race_for_one_unit_each(app: &TestApp, customers: usize, sku: &'static str) -> Race {
    let server = app
        .app
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .expect("the host serves HTTP");
    let addr = server.local_addr();
    // Every thread is the stock clerk's till, with the clerk's key.
    let key: &'static str = app.staff_key(STOCK_CLERK, "stock").await.key.leak();

    let db = app.app.sqlite("default");
    let running = Arc::new(AtomicBool::new(true));
    let (samples, worst) = (Arc::new(AtomicI64::new(0)), Arc::new(AtomicI64::new(0)));
    let sampler = {
        let (running, samples, worst) = (running.clone(), samples.clone(), worst.clone());
        std::thread::spawn(move || {
            while running.load(Ordering::SeqCst) {
                // A sample that meets the busy timeout is skipped; the count proves some ran.
                if let Ok(rows) = db.execute(
                    "SELECT on_hand, reserved FROM stock_levels WHERE store_id = 'SH-1' AND sku = ?",
                    &[SqlValue::Text(sku.to_owned())],
                ) && let Some([SqlValue::Integer(on_hand), SqlValue::Integer(reserved)]) =
                    rows.first().map(Vec::as_slice)
                {
                    samples.fetch_add(1, Ordering::SeqCst);
                    assert!(
                        0 <= *reserved && reserved <= on_hand,
                        "{reserved} reserved of {on_hand}"
                    );
                    worst.fetch_max(*reserved, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };

    let statuses = tokio::task::spawn_blocking(move || {
        let start = Arc::new(Barrier::new(customers));
        let threads: Vec<_> = (0..customers)
            .map(|_| {
                let start = start.clone();
                std::thread::spawn(move || {
                    let body = a_reservation_at("SH-1").line(sku, 1).to_json();
                    start.wait();
                    post_json_blocking(addr, "/stock/reservations", &[("x-api-key", key)], &body)
                        .expect("the server answers")
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|c| c.join().expect("customer thread"))
            .collect::<Vec<u16>>()
    })
    .await
    .unwrap();
    running.store(false, Ordering::SeqCst);
    sampler.join().expect("the invariant held in every sample");
    server.shutdown().await;
    Race {
        statuses,
        samples: samples.load(Ordering::SeqCst),
        most_reserved_seen: worst.load(Ordering::SeqCst),
    }
}

/// The invariant: more concurrent customers than units, one unit each, through the real HTTP
/// server: exactly as many hold as there are units, every other one is told 409. Replacing the
/// guarded update by a read, a check and a write makes this fail (the table's CHECK then
/// refuses the oversold rows: 503s instead of 409s).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_and_twenty_customers_racing_for_30_units_hold_exactly_30() {
    let app = a_shop_with(&["TEA-1"]).await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 30));

    let race = race_for_one_unit_each(&app, 120, "TEA-1").await;

    assert_eq!(race.count(201), 30, "statuses: {:?}", race.statuses);
    assert_eq!(race.count(409), 90, "statuses: {:?}", race.statuses);
    assert_eq!(app.stored_level("SH-1", "TEA-1"), held(30, 30));
    assert_eq!(app.count_rows("reservations"), 30);
    assert!(race.samples > 0, "the level was sampled during the race");
    assert!(race.most_reserved_seen <= 30);
}

/// The same race where the table's CHECK cannot help: 40 on hand, 10 of them safety stock.
/// Only the guarded update keeps the 31st customer out; a read-check-write version holds more
/// than 30 here.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_customers_never_reserve_into_safety_stock() {
    let app = a_shop_with(&["MILK-1"]).await;
    app.with_stock(a_stock_level("SH-1", "MILK-1", 40).safety_stock(10));

    let race = race_for_one_unit_each(&app, 100, "MILK-1").await;

    assert_eq!(race.count(201), 30, "statuses: {:?}", race.statuses);
    assert_eq!(race.count(409), 70, "statuses: {:?}", race.statuses);
    assert_eq!(app.stored_level("SH-1", "MILK-1"), held(40, 30));
    assert!(race.most_reserved_seen <= 30);
}

//! Dispatch journeys through the built `o2o_dispatch.wasm` (orders placed and paid through
//! `o2o_order.wasm`): a pickup order prepared and collected with its one-time code (a wrong code
//! refused, a bounded number of tries), a delivery handed to the least loaded courier with its
//! distance and ETA and delivered by a signed courier update, replayed and out-of-order updates
//! refused, a failed delivery bringing the goods back held for the order, a courier's route in
//! nearest-neighbour order, illegal moves refused with 409 and bad input with a 400 naming the
//! field and nothing written. Each journey ends by asserting `0 <= reserved <= on_hand`.

use o2o_e2e::dispatch_kit::{STAFF, a_courier};
use o2o_e2e::order_kit::{OrderRequestBuilder, an_order};
use o2o_e2e::stock_kit::{a_stock_level, assert_stock_invariant};
use o2o_e2e::{CatalogBuilder, TEST_STORE_LOCATION, TestApp, a_catalog, spawn_app};
use serde_json::{Value, json};

/// One store, SH-1, at the test location, delivering within 5 km; oolong at 98.00.
fn a_shop() -> CatalogBuilder {
    a_catalog()
        .with_priced_product("TEA-OOLONG", "tea", "98.00")
        .with_store_at("SH-1", TEST_STORE_LOCATION.0, TEST_STORE_LOCATION.1, 5.0)
        .with_delivery_band(5_000, "6.00")
}

/// The shop with 10 oolong on hand at SH-1.
async fn a_stocked_shop() -> TestApp {
    let app = spawn_app(a_shop()).await;
    app.with_stock(a_stock_level("SH-1", "TEA-OOLONG", 10));
    app
}

/// A point `km` kilometres north of the test store (a degree of latitude is ~111.195 km).
fn north_of_the_store(km: f64) -> (f64, f64) {
    (TEST_STORE_LOCATION.0 + km / 111.195, TEST_STORE_LOCATION.1)
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("a string: {v}"))
        .to_owned()
}

/// Places `order` under `key` and pays it; the paid order.
async fn a_paid_order(app: &TestApp, key: &str, order: &OrderRequestBuilder) -> Value {
    let placed = app.place_order(key, order).await.expect(201);
    let paid = app
        .pay(&placed.body, &format!("psp-{key}"))
        .await
        .expect(200);
    assert_eq!(paid.body["status"], "paid");
    paid.body
}

/// A paid order for 2 oolong collected at SH-1, its fulfilment started; (order id, shipment id).
async fn a_started_pickup(app: &TestApp, key: &str) -> (String, String) {
    let order = a_paid_order(app, key, &an_order().for_lines(&[("TEA-OOLONG", 2)])).await;
    let shipment = app.start_fulfilment(&text(&order["id"])).await.expect(201);
    (text(&order["id"]), text(&shipment.body["id"]))
}

/// A paid order for 2 oolong delivered `km` north of SH-1, its fulfilment started.
async fn a_started_delivery(app: &TestApp, key: &str, km: f64) -> (String, String) {
    let (lat, lon) = north_of_the_store(km);
    let order = a_paid_order(
        app,
        key,
        &an_order()
            .for_lines(&[("TEA-OOLONG", 2)])
            .delivered_to(lat, lon),
    )
    .await;
    let shipment = app.start_fulfilment(&text(&order["id"])).await.expect(201);
    assert_eq!(shipment.body["mode"], "delivery");
    (text(&order["id"]), text(&shipment.body["id"]))
}

fn statuses(timeline: &Value) -> Vec<String> {
    timeline
        .as_array()
        .expect("a timeline")
        .iter()
        .map(|step| text(&step["status"]))
        .collect()
}

#[tokio::test]
async fn a_pickup_order_is_collected_with_its_one_time_code_and_its_goods_leave_the_store() {
    // Given a paid order for 2 oolong to collect at SH-1
    let app = a_stocked_shop().await;
    let order = a_paid_order(
        &app,
        "pickup-1",
        &an_order().for_lines(&[("TEA-OOLONG", 2)]),
    )
    .await;
    let order_id = text(&order["id"]);

    // When staff start fulfilling it
    let started = app.start_fulfilment(&order_id).await.expect(201);
    let shipment = text(&started.body["id"]);
    assert_eq!(
        started.header("location"),
        Some(format!("/dispatch/shipments/{shipment}").as_str())
    );
    assert_eq!(started.body["status"], "picking");
    assert_eq!(started.body["mode"], "pickup");
    let staff = app.actor(STAFF, "dispatch").await;
    assert_eq!(started.body["started_by"], staff.as_str());

    // And the goods are ready: the answer shows the 6-digit code, once
    let ready = app.ready_for_pickup(&shipment).await.expect(200);
    assert_eq!(ready.body["status"], "ready-for-pickup");
    let code = text(&ready.body["pickup_code"]);
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    let read = app.shipment(&shipment).await.expect(200);
    assert_eq!(read.body["shipment"]["id"], shipment.as_str());
    assert!(
        read.body["shipment"]["pickup_code"].is_null(),
        "shown once: {}",
        read.body
    );
    let stored: String = app
        .app
        .sqlite("default")
        .query_scalar("SELECT pickup_code_hash FROM shipments", &[])
        .unwrap();
    assert_eq!(stored.len(), 64);
    assert!(!stored.contains(&code), "only a hash of the code is kept");

    // Then a wrong code is refused, naming the code, and nothing moves
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = app
        .collect(&shipment, wrong)
        .await
        .expect_problem(422, Some("pickup_code"));
    assert!(text(&refused.body["detail"]).contains("4 more tries"));
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").on_hand, 10);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 2);

    // And the right code collects: the reservation is committed, on hand and reserved drop
    let collected = app.collect(&shipment, &code).await.expect(200);
    assert_eq!(collected.body["status"], "collected");
    let level = app.stored_level("SH-1", "TEA-OOLONG");
    assert_eq!((level.on_hand, level.reserved), (8, 0));
    let reservation = app
        .get_reservation(&text(&order["lines"][0]["reservation_id"]))
        .await
        .expect(200);
    assert_eq!(reservation.body["status"], "committed");

    // And the tracking view shows both timelines
    let tracking = app.tracking(&order_id).await.expect(200);
    assert_eq!(tracking.body["order"]["status"], "collected");
    assert_eq!(
        statuses(&tracking.body["order"]["timeline"]),
        [
            "pending-payment",
            "paid",
            "fulfilling",
            "ready-for-pickup",
            "collected"
        ]
    );
    assert_eq!(
        statuses(&tracking.body["shipments"][0]["timeline"]),
        ["picking", "ready-for-pickup", "collected"]
    );
    let one = app.shipment(&shipment).await.expect(200);
    assert_eq!(one.body["order"]["status"], "collected");
    // the customer is told at each step, staff actions are audited
    for event in [
        "shipment.created",
        "shipment.ready-for-pickup",
        "shipment.delivered",
    ] {
        let events = app.outbox_events(event);
        assert_eq!(events.len(), 1, "{event}");
        assert_eq!(events[0]["customer_id"], "cust-1");
        assert!(!events[0].to_string().contains(&code), "no code in events");
    }
    assert_eq!(app.outbox_events("order.collected").len(), 1);
    let audited: Vec<String> = app
        .audit_entries()
        .into_iter()
        .filter(|(actor, _, _)| *actor == staff)
        .map(|(_, action, _)| action)
        .collect();
    assert_eq!(
        audited,
        [
            "dispatch.start",
            "dispatch.ready-for-pickup",
            "dispatch.collected"
        ]
    );

    // And collecting again is an illegal move
    app.collect(&shipment, &code)
        .await
        .expect_problem(409, Some("status"));
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn a_pay_at_pickup_order_is_fulfilled_from_confirmed_and_collected_with_its_code() {
    // Given an order to pay at the counter: confirmed, never paid online
    let app = a_stocked_shop().await;
    let placed = app
        .place_order(
            "pay-at-pickup",
            &an_order().for_lines(&[("TEA-OOLONG", 3)]).paid_at_pickup(),
        )
        .await
        .expect(201);
    assert_eq!(placed.body["status"], "confirmed");
    let order = text(&placed.body["id"]);

    // When staff start it, prepare it, and the customer shows the code
    let shipment = text(&app.start_fulfilment(&order).await.expect(201).body["id"]);
    let code = text(&app.ready_for_pickup(&shipment).await.expect(200).body["pickup_code"]);
    app.collect(&shipment, &code).await.expect(200);

    // Then the order went confirmed -> fulfilling -> ready -> collected and the goods left
    let read = app.get_order(&order).await.expect(200);
    assert_eq!(
        statuses(&read.body["timeline"]),
        ["confirmed", "fulfilling", "ready-for-pickup", "collected"]
    );
    let level = app.stored_level("SH-1", "TEA-OOLONG");
    assert_eq!((level.on_hand, level.reserved), (7, 0));
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn after_five_wrong_pickup_codes_collection_is_locked_even_for_the_right_one() {
    let app = a_stocked_shop().await;
    let (_, shipment) = a_started_pickup(&app, "pickup-locked").await;
    let code = text(&app.ready_for_pickup(&shipment).await.expect(200).body["pickup_code"]);
    let wrong = if code == "999999" { "999998" } else { "999999" };

    for left in (0..5).rev() {
        let refused = app
            .collect(&shipment, wrong)
            .await
            .expect_problem(422, Some("pickup_code"));
        assert!(text(&refused.body["detail"]).contains(&format!("{left} more tries")));
    }
    app.collect(&shipment, &code)
        .await
        .expect_problem(409, Some("pickup_code"));
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").reserved, 2);
    assert_stock_invariant(&app);

    // Staff check the customer and give a new code: the old one no longer opens anything,
    // the new one collects, and the reissue is audited
    let reissued = app.reissue_pickup_code(&shipment).await.expect(200).body;
    let fresh = text(&reissued["pickup_code"]);
    assert_eq!(fresh.len(), 6);
    assert_eq!(reissued["status"], "ready-for-pickup");
    if fresh != code {
        app.collect(&shipment, &code)
            .await
            .expect_problem(422, Some("pickup_code"));
    }
    app.collect(&shipment, &fresh).await.expect(200);
    assert!(app.audit_entries().iter().any(|(_, action, subject)| action
        == "dispatch.pickup-code-reissued"
        && *subject == shipment));
    // once collected there is nothing to give a code for
    app.reissue_pickup_code(&shipment)
        .await
        .expect_problem(409, Some("status"));
    assert_stock_invariant(&app);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_change_a_courier_and_only_active_couriers_with_room_take_deliveries() {
    let app = a_stocked_shop().await;
    app.add_courier(&a_courier("CR-1", "SH-1").capacity(1))
        .await
        .expect(201);
    let (_, first) = a_started_delivery(&app, "courier-1", 1.0).await;
    let (_, second) = a_started_delivery(&app, "courier-2", 2.0).await;

    // Off duty: the courier takes nothing
    let off = json!({"name": "Wang Fang", "capacity": 1, "active": false});
    let changed = app.update_courier("CR-1", &off).await.expect(200).body;
    assert_eq!(
        (&changed["active"], &changed["name"]),
        (&json!(false), &json!("Wang Fang"))
    );
    app.assign_courier(&first, None)
        .await
        .expect_problem(409, Some("courier_id"));

    // Back with room for one: two assignments at once, and only one gets the courier
    let on = json!({"name": "Wang Fang", "capacity": 1, "active": true});
    app.update_courier("CR-1", &on).await.expect(200);
    let (a, b) = tokio::join!(
        app.assign_courier(&first, Some("CR-1")),
        app.assign_courier(&second, Some("CR-1")),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
    let courier = app.courier("CR-1").await.expect(200).body;
    assert_eq!(
        (&courier["carrying"], &courier["capacity"]),
        (&json!(1), &json!(1))
    );

    // A wider capacity lets the second go; the changes are in the audit log
    let wider = json!({"name": "Wang Fang", "capacity": 2, "active": true});
    app.update_courier("CR-1", &wider).await.expect(200);
    let waiting = if a.status == 200 { &second } else { &first };
    app.assign_courier(waiting, None).await.expect(200);
    let changes = app
        .audit_entries()
        .into_iter()
        .filter(|(_, action, subject)| action == "dispatch.courier-updated" && subject == "CR-1")
        .count();
    assert_eq!(changes, 3);

    // Bad changes are refused naming the field; an unknown courier is a 404
    app.update_courier("CR-1", &json!({"name": "", "capacity": 2, "active": true}))
        .await
        .expect_problem(400, Some("name"));
    app.update_courier("CR-1", &json!({"name": "W", "capacity": 0, "active": true}))
        .await
        .expect_problem(400, Some("capacity"));
    app.update_courier(
        "CR-1",
        &json!({"name": "W", "capacity": 2, "active": true, "store_id": "SH-2"}),
    )
    .await
    .expect_problem(400, Some("store_id"));
    app.update_courier("CR-9", &wider)
        .await
        .expect_problem(404, None);
    app.courier("CR-9").await.expect_problem(404, None);
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn a_delivery_leaves_with_the_least_loaded_courier_with_an_eta_and_a_signed_update_delivers_it()
 {
    // Given two couriers at SH-1, and a paid order to deliver 3 km north
    let app = a_stocked_shop().await;
    app.add_courier(&a_courier("CR-1", "SH-1").capacity(1))
        .await
        .expect(201);
    app.add_courier(&a_courier("CR-2", "SH-1").capacity(2))
        .await
        .expect(201);
    let (order, shipment) = a_started_delivery(&app, "delivery-1", 3.0).await;

    // When staff hand it over without naming a courier
    let before = chrono::DateTime::from_timestamp(app.unix_now(), 0).unwrap();
    let out = app.assign_courier(&shipment, None).await.expect(200);

    // Then the least loaded courier (ties: the smaller id) takes it, 3 km at 15 km/h: 12 minutes
    assert_eq!(out.body["status"], "out-for-delivery");
    assert_eq!(out.body["courier_id"], "CR-1");
    let distance = out.body["distance_m"].as_i64().unwrap();
    assert!((2_995..=3_005).contains(&distance), "{distance}");
    let eta = chrono::DateTime::parse_from_rfc3339(&text(&out.body["eta"])).unwrap();
    let minutes = (eta.timestamp() - before.timestamp()) as f64 / 60.0;
    assert!((11.9..=12.1).contains(&minutes), "eta in {minutes} minutes");
    // and the goods left the store: the reservation is committed
    let level = app.stored_level("SH-1", "TEA-OOLONG");
    assert_eq!((level.on_hand, level.reserved), (8, 0));
    assert_eq!(
        app.get_order(&order).await.body["status"],
        "out-for-delivery"
    );
    let dispatched = app.outbox_events("shipment.dispatched");
    assert_eq!(dispatched[0]["courier_id"], "CR-1");
    assert_eq!(dispatched[0]["eta"], out.body["eta"]);

    // And a full courier is refused by name; without a name the other one takes the next
    let (_, second) = a_started_delivery(&app, "delivery-2", 1.0).await;
    app.assign_courier(&second, Some("CR-1"))
        .await
        .expect_problem(409, Some("courier_id"));
    let next = app.assign_courier(&second, None).await.expect(200);
    assert_eq!(next.body["courier_id"], "CR-2");
    let couriers = app.couriers_of("SH-1").await.expect(200);
    assert_eq!(couriers.body["items"][0]["carrying"], 1);
    assert_eq!(couriers.body["items"][1]["carrying"], 1);

    // When the courier reports it delivered, signed
    let delivered = app
        .courier_reports(&shipment, "CR-1", "delivered")
        .await
        .expect(200);

    // Then the shipment and the order are delivered, and the customer is told
    assert_eq!(delivered.body["shipment"]["status"], "delivered");
    assert_eq!(delivered.body["changed"], true);
    let tracking = app.tracking(&order).await.expect(200);
    assert_eq!(
        statuses(&tracking.body["order"]["timeline"]),
        [
            "pending-payment",
            "paid",
            "fulfilling",
            "out-for-delivery",
            "delivered"
        ]
    );
    assert_eq!(
        statuses(&tracking.body["shipments"][0]["timeline"]),
        ["picking", "out-for-delivery", "delivered"]
    );
    assert_eq!(app.outbox_events("shipment.delivered").len(), 1);
    assert_eq!(app.outbox_events("order.delivered").len(), 1);
    // CR-1 has room again
    let couriers = app.couriers_of("SH-1").await.expect(200);
    assert_eq!(couriers.body["items"][0]["carrying"], 0);
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn courier_updates_replayed_out_of_order_or_badly_signed_are_refused() {
    let app = a_stocked_shop().await;
    app.add_courier(&a_courier("CR-1", "SH-1"))
        .await
        .expect(201);
    let (order, shipment) = a_started_delivery(&app, "delivery-replay", 2.0).await;
    app.assign_courier(&shipment, Some("CR-1"))
        .await
        .expect(200);

    // A delivered update is applied once; the very same signed message again is a replay
    let update = app.signed_courier_update(&shipment, "CR-1", "delivered");
    app.send_courier_update(&update).await.expect(200);
    app.send_courier_update(&update)
        .await
        .expect_problem(401, Some("x-o2o-signature"));

    // The platform's retry, signed anew a second later, changes nothing
    app.advance_clock(std::time::Duration::from_secs(1));
    let retry = app
        .courier_reports(&shipment, "CR-1", "delivered")
        .await
        .expect(200);
    assert_eq!(retry.body["changed"], false);

    // A late out-for-delivery or failed never moves the shipment backwards
    for late in ["out-for-delivery", "failed"] {
        app.courier_reports(&shipment, "CR-1", late)
            .await
            .expect_problem(409, Some("status"));
    }

    // Another courier, a wrong signature, an old one: refused
    app.courier_reports(&shipment, "CR-9", "delivered")
        .await
        .expect_problem(422, Some("courier_id"));
    let mut forged = app.signed_courier_update(&shipment, "CR-1", "failed");
    forged.signature = o2o_domain::signature::sign(b"not-the-secret", app.unix_now(), &forged.body);
    app.send_courier_update(&forged)
        .await
        .expect_problem(401, Some("x-o2o-signature"));
    let stale = app.signed_courier_update(&shipment, "CR-1", "failed");
    app.advance_clock(std::time::Duration::from_secs(6 * 60));
    app.send_courier_update(&stale)
        .await
        .expect_problem(401, Some("x-o2o-timestamp"));

    assert_eq!(app.get_order(&order).await.body["status"], "delivered");
    assert_eq!(app.outbox_events("shipment.delivered").len(), 1);
    assert!(app.outbox_events("shipment.failed").is_empty());
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn a_failed_delivery_brings_the_goods_back_held_for_the_order_and_tells_the_customer() {
    // Given a delivery out with CR-1
    let app = a_stocked_shop().await;
    app.add_courier(&a_courier("CR-1", "SH-1"))
        .await
        .expect(201);
    let (order, shipment) = a_started_delivery(&app, "delivery-fails", 2.0).await;
    app.assign_courier(&shipment, None).await.expect(200);
    assert_eq!(app.stored_level("SH-1", "TEA-OOLONG").on_hand, 8);

    // When the courier reports it failed
    let failed = app
        .courier_reports(&shipment, "CR-1", "failed")
        .await
        .expect(200);

    // Then the goods are back on hand at SH-1 and held for the order, which is paid again
    assert_eq!(failed.body["shipment"]["status"], "failed");
    let level = app.stored_level("SH-1", "TEA-OOLONG");
    assert_eq!((level.on_hand, level.reserved), (10, 2));
    let read = app.get_order(&order).await.expect(200);
    assert_eq!(read.body["status"], "paid");
    assert_eq!(
        statuses(&read.body["timeline"]),
        [
            "pending-payment",
            "paid",
            "fulfilling",
            "out-for-delivery",
            "paid"
        ]
    );
    let held = text(&read.body["lines"][0]["reservation_id"]);
    assert_eq!(
        app.get_reservation(&held).await.expect(200).body["status"],
        "held"
    );
    // and the customer is told by an event
    let events = app.outbox_events("shipment.failed");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["customer_id"], "cust-1");
    assert_eq!(events[0]["order_id"], json!(order));

    // And staff can send it again: a new shipment, both in the tracking view
    let again = app.start_fulfilment(&order).await.expect(201);
    assert_ne!(again.body["id"], json!(shipment));
    let tracking = app.tracking(&order).await.expect(200);
    let shipments: Vec<String> = tracking.body["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| text(&s["status"]))
        .collect();
    assert_eq!(shipments, ["failed", "picking"]);
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn a_paid_order_cancelled_after_a_failed_delivery_gives_its_held_goods_back() {
    let app = a_stocked_shop().await;
    app.add_courier(&a_courier("CR-1", "SH-1"))
        .await
        .expect(201);
    let (order, shipment) = a_started_delivery(&app, "delivery-cancelled", 2.0).await;
    app.assign_courier(&shipment, None).await.expect(200);
    app.courier_reports(&shipment, "CR-1", "failed")
        .await
        .expect(200);

    app.cancel_order(&order, Some("not home twice"))
        .await
        .expect(200);

    let level = app.stored_level("SH-1", "TEA-OOLONG");
    assert_eq!((level.on_hand, level.reserved), (10, 0));
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn a_courier_route_visits_the_nearest_delivery_first() {
    // Given CR-1 carries deliveries 3 km, 1 km and 2 km north of the store
    let app = a_stocked_shop().await;
    app.with_stock(a_stock_level("SH-1", "TEA-OOLONG", 20));
    app.add_courier(&a_courier("CR-1", "SH-1"))
        .await
        .expect(201);
    let mut by_km = Vec::new();
    for (key, km) in [("route-3", 3.0), ("route-1", 1.0), ("route-2", 2.0)] {
        let (_, shipment) = a_started_delivery(&app, key, km).await;
        app.assign_courier(&shipment, Some("CR-1"))
            .await
            .expect(200);
        by_km.push((km, shipment));
    }

    // When their route is planned
    let route = app.courier_route("CR-1").await.expect(200);

    // Then the stops go 1 km, 2 km, 3 km out, 3 km in all
    let stops = route.body["stops"].as_array().unwrap();
    let order: Vec<String> = stops.iter().map(|s| text(&s["shipment_id"])).collect();
    let expected: Vec<String> = [1.0, 2.0, 3.0]
        .iter()
        .map(|km| by_km.iter().find(|(k, _)| k == km).unwrap().1.clone())
        .collect();
    assert_eq!(order, expected);
    assert_eq!(stops[0]["sequence"], 1);
    let total = route.body["total_distance_m"].as_i64().unwrap();
    assert!((2_995..=3_005).contains(&total), "{total}");
    for stop in stops {
        assert!(
            (995..=1_005).contains(&stop["leg_m"].as_i64().unwrap()),
            "{stop}"
        );
    }
    app.courier_route("CR-404").await.expect_problem(404, None);
}

#[tokio::test]
async fn illegal_moves_are_refused_with_409_and_change_nothing() {
    let app = a_stocked_shop().await;
    app.add_courier(&a_courier("CR-1", "SH-1"))
        .await
        .expect(201);

    // An unpaid order cannot be fulfilled
    let unpaid = app
        .place_order("unpaid", &an_order().for_lines(&[("TEA-OOLONG", 1)]))
        .await
        .expect(201);
    app.start_fulfilment(&text(&unpaid.body["id"]))
        .await
        .expect_problem(409, Some("status"));

    // Nor started twice
    let (order, pickup) = a_started_pickup(&app, "twice").await;
    app.start_fulfilment(&order)
        .await
        .expect_problem(409, Some("status"));
    // A pickup is not handed to a courier, and is not collected before it is ready
    app.assign_courier(&pickup, Some("CR-1"))
        .await
        .expect_problem(409, Some("status"));
    app.collect(&pickup, "123456")
        .await
        .expect_problem(409, Some("status"));
    // A delivery is not made ready for pickup, and a courier cannot deliver what they do not have
    let (_, delivery) = a_started_delivery(&app, "not-ready", 1.0).await;
    app.ready_for_pickup(&delivery)
        .await
        .expect_problem(409, Some("status"));
    app.courier_reports(&delivery, "CR-1", "delivered")
        .await
        .expect_problem(422, Some("courier_id"));

    assert_eq!(app.outbox_events("shipment.created").len(), 2);
    assert!(app.outbox_events("shipment.dispatched").is_empty());
    assert_stock_invariant(&app);
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field_and_writes_nothing() {
    let app = a_stocked_shop().await;
    let (order, shipment) = a_started_pickup(&app, "bad-input").await;
    app.add_courier(&a_courier("CR-1", "SH-1"))
        .await
        .expect(201);
    let written = || {
        [
            "shipments",
            "shipment_status_history",
            "couriers",
            "outbox",
            "audit_log",
        ]
        .map(|table| app.count_rows(table))
    };
    let before = written();

    // Staff routes need an API key
    app.staff_post(None, "/dispatch/shipments", json!({"order_id": order}))
        .await
        .expect_problem(401, Some("x-api-key"));
    // Values outside their domain, unknown and missing fields
    app.staff_post(
        Some(STAFF),
        "/dispatch/shipments",
        json!({"order_id": "42"}),
    )
    .await
    .expect_problem(400, Some("order_id"));
    app.staff_post(
        Some(STAFF),
        "/dispatch/shipments",
        json!({"order_id": order, "rush": true}),
    )
    .await
    .expect(400);
    app.collect(&shipment, "12ab56")
        .await
        .expect_problem(400, Some("pickup_code"));
    for (field, value) in [
        ("capacity", json!(0)),
        ("capacity", json!(51)),
        ("name", json!("")),
        ("id", json!("cr 2")),
        ("store_id", json!("")),
    ] {
        app.add_courier(&a_courier("CR-2", "SH-1").with_field(field, value))
            .await
            .expect_problem(400, Some(field));
    }
    app.staff_post(
        Some(STAFF),
        &format!("/dispatch/shipments/{shipment}/courier"),
        json!({"courier_id": "not a code"}),
    )
    .await
    .expect_problem(400, Some("courier_id"));
    app.courier_reports(&shipment, "CR-1", "lost")
        .await
        .expect_problem(400, Some("status"));
    app.tracking("not-an-order")
        .await
        .expect_problem(400, Some("order_id"));
    app.couriers_of("")
        .await
        .expect_problem(400, Some("store_id"));
    // Well-formed but unknown: 422 naming the field, or 404 for a path
    app.start_fulfilment("01900000-0000-7000-8000-000000000000")
        .await
        .expect_problem(422, Some("order_id"));
    app.add_courier(&a_courier("CR-3", "SH-404"))
        .await
        .expect_problem(422, Some("store_id"));
    app.add_courier(&a_courier("CR-1", "SH-1"))
        .await
        .expect_problem(409, Some("id"));
    app.shipment("01900000-0000-7000-8000-000000000000")
        .await
        .expect_problem(404, None);

    // (the signed "lost" report recorded its signature, which is not business data)
    assert_eq!(written(), before);
    assert_stock_invariant(&app);
}

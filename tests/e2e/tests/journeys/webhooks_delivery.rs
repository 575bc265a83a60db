//! Webhooks out through the built `o2o_webhooks.wasm`, to receivers the tests start on
//! loopback: a stock move's `stock.low` reaches its subscriber signed with the secret shown
//! once at creation; a failing receiver is retried after the backoff and then succeeds; after
//! the last attempt the delivery is a dead letter until staff redeliver it; an unreachable
//! receiver counts as a failed attempt; only active subscriptions of the event's type get it;
//! a run does at most a batch, and runs at the same time send each delivery once; without
//! `webhook_hosts` nothing leaves; bad input is refused naming the field with nothing written.

use std::time::Duration;

use o2o_domain::signature::SignatureError;
use o2o_e2e::stock_kit::a_stock_level;
use o2o_e2e::webhooks_kit::{Receiver, STAFF, a_subscription, webhooks_allowed};
use o2o_e2e::{CatalogBuilder, TestApp, a_catalog, spawn_app};
use serde_json::{Value, json};

fn a_shop() -> CatalogBuilder {
    a_catalog().with_products(&["TEA-1"]).with_store("SH-1")
}

async fn a_shop_with_webhooks(variables: &[(&str, &str)]) -> TestApp {
    spawn_app(webhooks_allowed(a_shop(), variables)).await
}

/// Creates a subscription and returns (its id, the secret shown at creation).
async fn subscribe(app: &TestApp, url: &str, event_types: &[&str]) -> (String, String) {
    let created = app
        .subscribe(&a_subscription(url).to(event_types))
        .await
        .expect(201);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let secret = created.body["secret"].as_str().expect("secret").to_owned();
    (id, secret)
}

/// Sells at SH-1 until available stock of TEA-1 crosses its reorder point: one `stock.low`.
async fn stock_runs_low(app: &TestApp) {
    app.with_stock(a_stock_level("SH-1", "TEA-1", 12).reorder_point(5));
    app.pos_sale("staff-1", "SH-1", "TEA-1", 8)
        .await
        .expect(200);
}

fn the_one(deliveries: &[Value]) -> &Value {
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    &deliveries[0]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stock_low_event_reaches_its_subscriber_signed_with_the_secret_shown_once() {
    let app = a_shop_with_webhooks(&[]).await;
    let receiver = Receiver::start();

    // Given an integrator subscribed to stock.low, with a secret the shop made
    let created = app
        .subscribe(&a_subscription(&receiver.url("/hooks/shop")).to(&["stock.low"]))
        .await
        .expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 6 + 64,
        "{secret}"
    );
    assert_eq!(
        created.header("location"),
        Some(format!("/webhooks/subscriptions/{id}").as_str())
    );
    assert_eq!(created.body["event_types"], json!(["stock.low"]));
    assert_eq!(created.body["active"], true);
    // The secret is shown once: never in a read, a listing or the audit log
    let read = app
        .as_webhooks_staff(
            Some(STAFF),
            "GET",
            &format!("/webhooks/subscriptions/{id}"),
            None,
        )
        .await
        .expect(200);
    assert!(read.body.get("secret").is_none(), "{}", read.body);
    let listed = app
        .as_webhooks_staff(Some(STAFF), "GET", "/webhooks/subscriptions", None)
        .await
        .expect(200);
    assert_eq!(listed.body["items"][0]["id"], id.as_str());
    assert_eq!(listed.body["next_cursor"], Value::Null);
    assert!(!listed.body.to_string().contains(&secret));
    // and the database keeps it sealed: a copy of it signs nothing
    let stored: String = app
        .app
        .sqlite("default")
        .query_scalar(
            "SELECT secret FROM webhook_subscriptions WHERE id = ?",
            &[spin_test_host::SqlValue::Text(id.clone())],
        )
        .expect("the stored secret");
    assert!(stored.starts_with("sealed:v1:"), "{stored}");
    assert!(!stored.contains(&secret[6..]));
    let audit = app.audit_entries();
    assert_eq!(
        audit,
        vec![(
            app.actor(STAFF, "webhooks").await,
            "webhooks.subscription-create".to_owned(),
            format!("webhook_subscriptions/{id}")
        )]
    );
    let audit_text: String = app
        .app
        .sqlite("default")
        .query_scalar("SELECT after FROM audit_log", &[])
        .unwrap();
    assert!(!audit_text.contains(&secret));

    // When stock runs low and the scheduler runs the deliveries
    stock_runs_low(&app).await;
    let run = app.run_deliveries().await;
    assert_eq!(
        run.body,
        json!({"handed_over": 1, "attempted": 1, "delivered": 1, "retrying": 0, "dead_lettered": 0})
    );

    // Then the receiver got the event envelope, signed with that secret
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/hooks/shop")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.verify_signature(&secret, app.app_now()), Ok(()));
    assert_eq!(
        request.verify_signature("whsec_not-the-secret-of-this-one", app.app_now()),
        Err(SignatureError::Mismatch)
    );
    let envelope = request.json();
    let event_id = envelope["id"].as_str().unwrap();
    assert_eq!(request.header("x-o2o-event-id"), Some(event_id));
    assert_eq!(request.header("x-o2o-event-type"), Some("stock.low"));
    assert_eq!(request.header("x-o2o-delivery-attempt"), Some("1"));
    assert_eq!(envelope["type"], "stock.low");
    assert_eq!(envelope["subject"], "SH-1/TEA-1");
    let data: Value = serde_json::from_str(envelope["data"].as_str().unwrap()).unwrap();
    assert_eq!(
        (&data["store_id"], &data["sku"], &data["available"]),
        (&json!("SH-1"), &json!("TEA-1"), &json!(4))
    );
    let outbox = app.outbox_events("stock.low");
    assert_eq!(outbox.len(), 1);

    // And the delivery is recorded; the next run sends nothing twice
    let delivery = the_one(&app.deliveries("").await).clone();
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["event_id"], event_id);
    assert_eq!(delivery["subscription_id"], id.as_str());
    assert_eq!(
        (&delivery["attempts"], &delivery["last_status"]),
        (&json!(1), &json!(200))
    );
    assert!(delivery["next_attempt_at"].is_null() && delivery["delivered_at"].is_string());
    let again = app.run_deliveries().await;
    assert_eq!(
        (&again.body["handed_over"], &again.body["attempted"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(receiver.received().len(), 1);
    let one = app
        .as_webhooks_staff(
            Some(STAFF),
            "GET",
            &format!("/webhooks/deliveries/{}", delivery["id"].as_str().unwrap()),
            None,
        )
        .await
        .expect(200);
    assert_eq!(one.body, delivery);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_receiver_is_retried_after_the_backoff_and_then_succeeds() {
    let app = a_shop_with_webhooks(&[]).await;
    let receiver = Receiver::answering(&[500]);
    let (_, secret) = subscribe(&app, &receiver.url("/hook"), &["stock.low"]).await;
    stock_runs_low(&app).await;

    // The first attempt meets a 500: a retry is scheduled 30 seconds on
    let run = app.run_deliveries().await;
    assert_eq!(
        (&run.body["attempted"], &run.body["retrying"]),
        (&json!(1), &json!(1))
    );
    let pending = the_one(&app.deliveries("status=pending").await).clone();
    assert_eq!(
        (&pending["attempts"], &pending["last_status"]),
        (&json!(1), &json!(500))
    );
    assert_eq!(pending["last_error"], "the receiver answered 500");
    let last =
        chrono::DateTime::parse_from_rfc3339(pending["last_attempt_at"].as_str().unwrap()).unwrap();
    let next =
        chrono::DateTime::parse_from_rfc3339(pending["next_attempt_at"].as_str().unwrap()).unwrap();
    assert_eq!((next - last).num_seconds(), 30);

    // Before then a run leaves it alone
    let early = app.run_deliveries().await;
    assert_eq!(early.body["attempted"], 0);
    assert_eq!(receiver.received().len(), 1);

    // After the backoff the retry is delivered: the same event, the same body, signed anew
    app.advance_clock(Duration::from_secs(31));
    let run = app.run_deliveries().await;
    assert_eq!(
        (&run.body["attempted"], &run.body["delivered"]),
        (&json!(1), &json!(1))
    );
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].body, received[1].body);
    assert_eq!(
        received[0].header("x-o2o-event-id"),
        received[1].header("x-o2o-event-id")
    );
    assert_eq!(received[1].header("x-o2o-delivery-attempt"), Some("2"));
    assert_eq!(received[1].verify_signature(&secret, app.app_now()), Ok(()));
    let delivered = the_one(&app.deliveries("status=delivered").await).clone();
    assert_eq!(
        (&delivered["attempts"], &delivered["last_status"]),
        (&json!(2), &json!(200))
    );
    assert!(delivered["last_error"].is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_last_attempt_a_delivery_is_a_dead_letter_until_staff_redeliver_it() {
    let app = a_shop_with_webhooks(&[("webhook_max_attempts", "3")]).await;
    let receiver = Receiver::answering(&[500, 503, 502]);
    let (_, secret) = subscribe(&app, &receiver.url("/hook"), &["stock.low"]).await;
    stock_runs_low(&app).await;

    // Three failures, 30 s then 60 s apart: the third makes it a dead letter
    assert_eq!(app.run_deliveries().await.body["retrying"], 1);
    app.advance_clock(Duration::from_secs(30));
    assert_eq!(app.run_deliveries().await.body["retrying"], 1);
    app.advance_clock(Duration::from_secs(60));
    let run = app.run_deliveries().await;
    assert_eq!(
        (&run.body["attempted"], &run.body["dead_lettered"]),
        (&json!(1), &json!(1))
    );
    let dead = the_one(&app.deliveries("status=dead").await).clone();
    assert_eq!(
        (&dead["attempts"], &dead["last_status"]),
        (&json!(3), &json!(502))
    );
    assert!(dead["dead_at"].is_string() && dead["next_attempt_at"].is_null());
    assert!(app.deliveries("status=pending").await.is_empty());

    // A dead letter is not retried however long one waits
    app.advance_clock(Duration::from_secs(24 * 3600));
    assert_eq!(app.run_deliveries().await.body["attempted"], 0);
    assert_eq!(receiver.received().len(), 3);

    // Redelivery is a staff action, audited; it re-queues the dead letter, due now
    let id = dead["id"].as_str().unwrap();
    app.redeliver(None, id)
        .await
        .expect_problem(401, Some("x-api-key"));
    let requeued = app.redeliver(Some(STAFF), id).await.expect(200);
    assert_eq!(
        (&requeued.body["status"], &requeued.body["attempts"]),
        (&json!("pending"), &json!(0))
    );
    assert_eq!(
        app.audit_entries()
            .last()
            .map(|(_, action, _)| action.clone()),
        Some("webhooks.delivery-redeliver".to_owned())
    );
    let run = app.run_deliveries().await;
    assert_eq!(run.body["delivered"], 1);
    let received = receiver.received();
    assert_eq!(received.len(), 4);
    assert_eq!(received[3].header("x-o2o-delivery-attempt"), Some("1"));
    assert_eq!(received[3].verify_signature(&secret, app.app_now()), Ok(()));
    assert_eq!(
        received[0].header("x-o2o-event-id"),
        received[3].header("x-o2o-event-id")
    );

    // Only a dead letter can be redelivered; an unknown one is not found
    app.redeliver(Some(STAFF), id)
        .await
        .expect_problem(409, None);
    app.redeliver(Some(STAFF), "01900000-0000-7000-8000-000000000000")
        .await
        .expect_problem(404, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_receiver_counts_as_a_failed_attempt() {
    let app = a_shop_with_webhooks(&[]).await;
    // A port that was free a moment ago and that nobody listens on now
    let closed = {
        let receiver = Receiver::start();
        receiver.url("/gone")
    };
    subscribe(&app, &closed, &["stock.low"]).await;
    stock_runs_low(&app).await;

    let run = app.run_deliveries().await;
    assert_eq!(
        (&run.body["attempted"], &run.body["retrying"]),
        (&json!(1), &json!(1))
    );
    let pending = the_one(&app.deliveries("status=pending").await).clone();
    assert_eq!(pending["attempts"], 1);
    assert!(pending["last_status"].is_null());
    assert!(
        pending["last_error"]
            .as_str()
            .unwrap()
            .starts_with("no answer"),
        "{pending}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn events_reach_only_the_active_subscriptions_of_their_type() {
    let app = a_shop_with_webhooks(&[]).await;
    let stock_watcher = Receiver::start();
    let order_watcher = Receiver::start();
    let former = Receiver::start();
    subscribe(
        &app,
        &stock_watcher.url("/stock"),
        &["stock.low", "order.placed"],
    )
    .await;
    subscribe(&app, &order_watcher.url("/orders"), &["order.placed"]).await;
    let (gone, _) = subscribe(&app, &former.url("/former"), &["stock.low"]).await;

    // One subscription is deactivated: kept for its history, shown inactive, quietly again
    app.deactivate_subscription(&gone).await.expect(204);
    app.deactivate_subscription(&gone).await.expect(204);
    let read = app
        .as_webhooks_staff(
            Some(STAFF),
            "GET",
            &format!("/webhooks/subscriptions/{gone}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(read.body["active"], false);
    assert!(read.body["deactivated_at"].is_string());
    let actions: Vec<String> = app.audit_entries().into_iter().map(|(_, a, _)| a).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "webhooks.subscription-deactivate")
            .count(),
        1
    );

    stock_runs_low(&app).await;
    app.append_outbox_event(
        "01900000-0000-7000-8000-0000000000a1",
        "order.placed",
        json!({"order_id": "o-1"}),
    );
    let run = app.run_deliveries().await;
    assert_eq!(
        (&run.body["handed_over"], &run.body["delivered"]),
        (&json!(2), &json!(3))
    );

    let types = |r: &Receiver| -> Vec<String> {
        r.received()
            .iter()
            .map(|q| q.header("x-o2o-event-type").unwrap().to_owned())
            .collect()
    };
    let mut stock_types = types(&stock_watcher);
    stock_types.sort();
    assert_eq!(stock_types, ["order.placed", "stock.low"]);
    assert_eq!(types(&order_watcher), ["order.placed"]);
    assert!(former.received().is_empty());
    assert_eq!(app.deliveries("event_type=order.placed").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_does_at_most_a_batch_and_the_next_run_goes_on() {
    let app = a_shop_with_webhooks(&[("webhook_batch_size", "2")]).await;
    let receiver = Receiver::start();
    subscribe(&app, &receiver.url("/hook"), &["order.placed"]).await;
    for n in 1..=3 {
        app.append_outbox_event(
            &format!("01900000-0000-7000-8000-00000000000{n}"),
            "order.placed",
            json!({ "order_id": format!("o-{n}") }),
        );
    }

    let first = app.run_deliveries().await;
    assert_eq!(
        (&first.body["handed_over"], &first.body["delivered"]),
        (&json!(2), &json!(2))
    );
    let second = app.run_deliveries().await;
    assert_eq!(
        (&second.body["handed_over"], &second.body["delivered"]),
        (&json!(1), &json!(1))
    );
    let third = app.run_deliveries().await;
    assert_eq!(
        (&third.body["handed_over"], &third.body["attempted"]),
        (&json!(0), &json!(0))
    );
    let ids: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.header("x-o2o-event-id").unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            "01900000-0000-7000-8000-000000000001",
            "01900000-0000-7000-8000-000000000002",
            "01900000-0000-7000-8000-000000000003"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_subscriptions_are_refused_naming_the_field_with_nothing_written() {
    let app = a_shop_with_webhooks(&[]).await;
    let url = "http://127.0.0.1:9/hook";
    let cases = [
        ("url", a_subscription("ftp://127.0.0.1/hook")),
        ("url", a_subscription("http:///hook")),
        ("url", a_subscription("127.0.0.1:9/hook")),
        ("url", a_subscription("http://user:pw@127.0.0.1:9/hook")),
        ("url", a_subscription(url).with("url", json!(42))),
        ("event_types", a_subscription(url).to(&[])),
        (
            "event_types[1]",
            a_subscription(url).to(&["stock.low", "order.shipped"]),
        ),
        (
            "event_types[1]",
            a_subscription(url).to(&["stock.low", "stock.low"]),
        ),
        ("secret", a_subscription(url).with_secret("too-short")),
        (
            "secret",
            a_subscription(url).with_secret("sealed:v1:looks-like-a-stored-value"),
        ),
        ("colour", a_subscription(url).with("colour", json!("red"))),
    ];
    for (field, body) in cases {
        app.subscribe(&body).await.expect_problem(400, Some(field));
    }
    // A host the operator has not allowed is a state the request cannot be taken in
    app.subscribe(&a_subscription("https://hooks.example.com/x"))
        .await
        .expect_problem(422, Some("url"));
    // Staff only
    app.as_webhooks_staff(
        None,
        "POST",
        "/webhooks/subscriptions",
        Some(a_subscription(url).to_json()),
    )
    .await
    .expect_problem(401, Some("x-api-key"));
    app.as_webhooks_staff(
        None,
        "DELETE",
        "/webhooks/subscriptions/01900000-0000-7000-8000-000000000000",
        None,
    )
    .await
    .expect_problem(401, Some("x-api-key"));

    for table in [
        "webhook_subscriptions",
        "webhook_subscription_events",
        "audit_log",
    ] {
        assert_eq!(app.count_rows(table), 0, "{table}");
    }

    // Unknown resources and bad queries
    app.as_webhooks_staff(
        Some(STAFF),
        "GET",
        "/webhooks/subscriptions/not-an-id",
        None,
    )
    .await
    .expect_problem(404, None);
    app.deactivate_subscription("01900000-0000-7000-8000-000000000000")
        .await
        .expect_problem(404, None);
    app.as_webhooks_staff(
        Some(STAFF),
        "GET",
        "/webhooks/deliveries?status=failed",
        None,
    )
    .await
    .expect_problem(400, Some("status"));
    app.as_webhooks_staff(Some(STAFF), "GET", "/webhooks/deliveries?limit=0", None)
        .await
        .expect_problem(400, Some("limit"));
    app.send("PUT", "/webhooks/subscriptions", None)
        .await
        .expect_problem(405, None);

    // A secret of the integrator's own is kept and not echoed back
    let chosen = app
        .subscribe(&a_subscription(url).with_secret("integrator-chosen-secret-0001"))
        .await
        .expect(201);
    assert!(chosen.body.get("secret").is_none());
    let names = app
        .as_webhooks_staff(Some(STAFF), "GET", "/webhooks/event-types", None)
        .await
        .expect(200);
    assert!(
        names.body["items"]
            .as_array()
            .unwrap()
            .contains(&json!("refund.completed"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_webhook_hosts_set_nothing_leaves_the_shop() {
    // The default webhook_hosts names a host that cannot exist: spin.toml grants nothing else
    let app = spawn_app(a_shop()).await;
    let receiver = Receiver::start();
    app.subscribe(&a_subscription(&receiver.url("/hook")))
        .await
        .expect_problem(422, Some("url"));

    // Even a subscription written behind the function's back is not reached: Spin (here the
    // host) refuses the outbound request, and the attempt counts as failed
    let db = app.app.sqlite("default");
    db.execute_batch(
        "INSERT INTO webhook_subscriptions (id, url, secret, active, created_by, created_at) \
         VALUES ('01900000-0000-7000-8000-0000000000b1', 'RECEIVER', \
         'whsec_0000000000000000000000000000', 1, 'sql', '2000-01-01T00:00:00Z'); \
         INSERT INTO webhook_subscription_events VALUES \
         ('01900000-0000-7000-8000-0000000000b1', 'stock.low');"
            .replace("RECEIVER", &receiver.url("/hook"))
            .as_str(),
    )
    .unwrap();
    stock_runs_low(&app).await;
    let run = app.run_deliveries().await;
    assert_eq!(
        (&run.body["attempted"], &run.body["retrying"]),
        (&json!(1), &json!(1))
    );
    assert!(receiver.received().is_empty());
    let pending = the_one(&app.deliveries("status=pending").await).clone();
    assert!(
        pending["last_error"]
            .as_str()
            .unwrap()
            .starts_with("no answer"),
        "{pending}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_at_the_same_time_send_each_delivery_once() {
    let app = a_shop_with_webhooks(&[]).await;
    let receiver = Receiver::start();
    subscribe(&app, &receiver.url("/hook"), &["order.placed"]).await;
    for n in 1..=6 {
        app.append_outbox_event(
            &format!("01900000-0000-7000-8000-00000000001{n}"),
            "order.placed",
            json!({ "order_id": format!("o-{n}") }),
        );
    }

    // Four schedulers fire at once: each delivery is claimed by one run only
    let (a, b, c, d) = tokio::join!(
        app.run_deliveries(),
        app.run_deliveries(),
        app.run_deliveries(),
        app.run_deliveries()
    );
    let delivered: i64 = [a, b, c, d]
        .iter()
        .map(|run| run.body["delivered"].as_i64().unwrap())
        .sum();
    assert_eq!(delivered, 6);
    let mut ids: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.header("x-o2o-event-id").unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!((receiver.received().len(), ids.len()), (6, 6));
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_are_listed_newest_first_page_by_page() {
    let app = a_shop_with_webhooks(&[]).await;
    let receiver = Receiver::start();
    let mut made = Vec::new();
    for path in ["/a", "/b", "/c"] {
        made.push(subscribe(&app, &receiver.url(path), &["stock.low"]).await.0);
    }
    let list = |query: String| {
        let app = &app;
        async move {
            app.as_webhooks_staff(
                Some(STAFF),
                "GET",
                &format!("/webhooks/subscriptions{query}"),
                None,
            )
            .await
            .expect(200)
            .body
        }
    };
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = list("?limit=2".into()).await;
    assert_eq!(ids(&first), [made[2].clone(), made[1].clone()]);
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = list(format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&second), [made[0].clone()]);
    assert_eq!(second["next_cursor"], Value::Null);
    app.as_webhooks_staff(
        Some(STAFF),
        "GET",
        "/webhooks/subscriptions?cursor=nope",
        None,
    )
    .await
    .expect_problem(400, Some("cursor"));
}

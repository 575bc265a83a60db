//! Who may call what (issue 7, "Done when"): every route of every function, called by every
//! kind of caller — nobody, the customer who owns the ids (A), another customer (B), staff
//! with each scope, a revoked key, an expired token and a token signed with another secret —
//! and each answer checked against the route's rule. Writes carry bodies that fail validation
//! or state checks once past the gate, so that the matrix changes nothing it later reads.
//!
//! Outcomes: `Pass` is any answer past authorization (a 2xx, or a 400/409/422 about the body
//! or the state; for staff routes also a 404 for an id that does not exist); `SignIn` is 401,
//! `Forbidden` 403, and `Hidden` is 404: something of another customer's is not there at all.

use chrono::Duration;
use o2o_domain::auth::token;
use o2o_domain::ids::CustomerId;
use o2o_e2e::access_kit::Who;
use o2o_e2e::dispatch_kit::a_courier;
use o2o_e2e::feedback_kit::a_review_of;
use o2o_e2e::order_kit::an_order;
use o2o_e2e::refund_kit::a_refund;
use o2o_e2e::stock_kit::a_stock_level;
use o2o_e2e::webhooks_kit::webhooks_allowed;
use o2o_e2e::{TEST_JWT_SECRET, TEST_STORE_LOCATION, TestApp, a_catalog, a_quote, spawn_app};
use serde_json::{Value, json};

const SCOPES: [&str; 7] = [
    "catalog",
    "stock",
    "dispatch",
    "refund-approve",
    "webhooks",
    "reports",
    "admin",
];
/// A well-formed id that names nothing.
const NOTHING: &str = "01900000-0000-7000-8000-000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Pass,
    SignIn,
    Forbidden,
    Hidden,
}
use Outcome::{Forbidden, Hidden, Pass, SignIn};

/// What each kind of caller gets from one route.
#[derive(Debug, Clone, Copy)]
struct Rule {
    nobody: Outcome,
    owner: Outcome,
    other_customer: Outcome,
    /// The scopes that pass (admin always does); other keys get `staff_otherwise`.
    staff_scopes: &'static [&'static str],
    staff_otherwise: Outcome,
    /// A 404 counts as passing (staff routes asked about an id that does not exist).
    missing_is_pass: bool,
}

/// Anyone: shoppers browse without signing in.
fn public() -> Rule {
    Rule {
        nobody: Pass,
        owner: Pass,
        other_customer: Pass,
        staff_scopes: &SCOPES,
        staff_otherwise: Pass,
        missing_is_pass: false,
    }
}

/// Staff whose key holds one of `scopes` (or admin).
fn staff(scopes: &'static [&'static str]) -> Rule {
    Rule {
        nobody: SignIn,
        owner: Forbidden,
        other_customer: Forbidden,
        staff_scopes: scopes,
        staff_otherwise: Forbidden,
        missing_is_pass: true,
    }
}

/// Customer A's thing: A and the staff of `scopes` see it; to everyone else it is not there
/// (`nobody`: 401 where a guest could never own one, 404 where guests own them too).
fn owned(scopes: &'static [&'static str], nobody: Outcome) -> Rule {
    Rule {
        nobody,
        owner: Pass,
        other_customer: Hidden,
        staff_scopes: scopes,
        staff_otherwise: Hidden,
        missing_is_pass: false,
    }
}

/// A customer's own action (staff keys never act as shoppers).
fn customers(other_customer: Outcome) -> Rule {
    Rule {
        nobody: SignIn,
        owner: Pass,
        other_customer,
        staff_scopes: &[],
        staff_otherwise: Forbidden,
        missing_is_pass: false,
    }
}

/// A webhook from a provider: its signature is the credential, keys and tokens are not.
fn signed() -> Rule {
    Rule {
        nobody: SignIn,
        owner: SignIn,
        other_customer: SignIn,
        staff_scopes: &[],
        staff_otherwise: SignIn,
        missing_is_pass: false,
    }
}

struct Route {
    method: &'static str,
    path: String,
    body: Option<Value>,
    rule: Rule,
}

fn route(method: &'static str, path: impl Into<String>, body: Option<Value>, rule: Rule) -> Route {
    Route {
        method,
        path: path.into(),
        body,
        rule,
    }
}

/// What customer A owns, and where.
struct Owned {
    cart: String,
    quote: String,
    order: String,
    shipment: String,
    refund: String,
    review: String,
    complaint: String,
}

/// A shop where customer A has a cart, a quote, and a collected order with its shipment, a
/// refund and a review that opened a complaint.
async fn a_shop_where_a_owns_things() -> (TestApp, Owned) {
    let app = spawn_app(webhooks_allowed(
        a_catalog()
            .with_priced_product("TEA-1", "tea", "10.00")
            .with_store_at("SH-1", TEST_STORE_LOCATION.0, TEST_STORE_LOCATION.1, 5.0)
            .with_member_tier("gold", Some("5"))
            .with_customer("cust-a", Some("gold")),
        &[],
    ))
    .await;
    app.with_stock(a_stock_level("SH-1", "TEA-1", 50));
    app.add_courier(&a_courier("CR-1", "SH-1"))
        .await
        .expect(201);

    let cart = app.create_cart(Some("cust-a")).await;
    app.add_to_cart(&cart, "TEA-1", 1).await.expect(200);
    let quote = app
        .quote(&a_quote().for_cart(&cart).pickup_at("SH-1"))
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let placed = app
        .place_order(
            "a-order",
            &an_order()
                .for_customer("cust-a")
                .for_lines(&[("TEA-1", 2)])
                .paid_at_pickup(),
        )
        .await
        .expect(201)
        .body;
    let order = placed["id"].as_str().unwrap().to_owned();
    let shipment = app.start_fulfilment(&order).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ready = app.ready_for_pickup(&shipment).await.expect(200).body;
    let code = ready["pickup_code"].as_str().expect("the code, once");
    app.collect(&shipment, code).await.expect(200);
    let submitted = app
        .submit_feedback(
            &a_review_of(&order, "cust-a")
                .line_saying(0, 1, "stale")
                .store_rating(5),
        )
        .await
        .expect(201)
        .body;
    let refund = app
        .request_refund("a-refund", &a_refund(&order).of(&[("TEA-1", 1)]))
        .await
        .expect(201)
        .body;
    let text = |v: &Value| v.as_str().expect("an id").to_owned();
    let owned = Owned {
        cart,
        quote,
        order,
        shipment,
        refund: text(&refund["id"]),
        review: text(&submitted["reviews"][0]["id"]),
        complaint: text(&submitted["complaint"]["id"]),
    };
    (app, owned)
}

/// Every route of spin.toml's functions, with A's ids where the rule is about ownership.
fn every_route(a: &Owned) -> Vec<Route> {
    let Owned {
        cart,
        quote,
        order,
        shipment,
        refund,
        review,
        complaint,
    } = a;
    let empty = || Some(json!({}));
    let pickup = json!({"mode": "pickup", "store_id": "SH-1"});
    let catalog_read = staff(&["catalog", "reports"]);
    let catalog_write = staff(&["catalog"]);
    let mut routes = vec![
        // quote
        route(
            "POST",
            "/quote",
            Some(json!({"lines": [{"sku": "TEA-1", "quantity": 1}], "fulfilment": pickup})),
            public(),
        ),
        route("GET", format!("/quote/{quote}"), None, owned(&[], Hidden)),
        // stock
        route(
            "GET",
            "/stock/availability?sku=TEA-1&lat=31.23&lon=121.47",
            None,
            public(),
        ),
        route(
            "GET",
            "/stock/levels?store=SH-1&sku=TEA-1",
            None,
            staff(&["stock"]),
        ),
        route(
            "POST",
            "/stock/reservations",
            Some(json!({"store_id": "SH-1", "lines": []})),
            staff(&["stock"]),
        ),
        route("POST", "/stock/reservations/sweep", None, staff(&["stock"])),
        route(
            "GET",
            format!("/stock/reservations/{NOTHING}"),
            None,
            staff(&["stock"]),
        ),
        route(
            "POST",
            format!("/stock/reservations/{NOTHING}/release"),
            None,
            staff(&["stock"]),
        ),
        route(
            "POST",
            format!("/stock/reservations/{NOTHING}/commit"),
            None,
            staff(&["stock"]),
        ),
        route("POST", "/stock/sales", empty(), staff(&["stock"])),
        route("POST", "/stock/receipts", empty(), staff(&["stock"])),
        route("POST", "/stock/adjustments", empty(), staff(&["stock"])),
        // orders
        route(
            "POST",
            "/orders",
            Some(json!({"lines": [], "fulfilment": pickup, "payment_method": "online"})),
            customers(Pass),
        ),
        route(
            "GET",
            "/orders",
            None,
            Rule {
                other_customer: Pass,
                staff_otherwise: Forbidden,
                ..owned(&["dispatch", "refund-approve", "reports"], SignIn)
            },
        ),
        route("POST", "/orders/sweep", None, staff(&["dispatch"])),
        route(
            "GET",
            format!("/orders/{order}"),
            None,
            owned(&["dispatch", "refund-approve", "reports"], SignIn),
        ),
        route(
            "POST",
            format!("/orders/{order}/cancel"),
            None,
            owned(&["dispatch"], SignIn),
        ),
        route(
            "POST",
            format!("/orders/{order}/payment"),
            empty(),
            signed(),
        ),
        // dispatch
        route(
            "POST",
            "/dispatch/shipments",
            Some(json!({"order_id": "42"})),
            staff(&["dispatch"]),
        ),
        route(
            "GET",
            format!("/dispatch/shipments?order_id={order}"),
            None,
            owned(&["dispatch", "reports"], SignIn),
        ),
        route(
            "GET",
            format!("/dispatch/shipments/{shipment}"),
            None,
            owned(&["dispatch", "reports"], SignIn),
        ),
        route(
            "POST",
            format!("/dispatch/shipments/{shipment}/ready"),
            empty(),
            staff(&["dispatch"]),
        ),
        route(
            "POST",
            format!("/dispatch/shipments/{shipment}/collection"),
            Some(json!({"pickup_code": "000000"})),
            staff(&["dispatch"]),
        ),
        route(
            "POST",
            format!("/dispatch/shipments/{shipment}/courier"),
            empty(),
            staff(&["dispatch"]),
        ),
        route(
            "POST",
            format!("/dispatch/shipments/{shipment}/pickup-code"),
            empty(),
            staff(&["dispatch"]),
        ),
        route("POST", "/dispatch/courier-updates", empty(), signed()),
        route("GET", "/dispatch/couriers/CR-1", None, staff(&["dispatch"])),
        route(
            "PUT",
            "/dispatch/couriers/CR-1",
            empty(),
            staff(&["dispatch"]),
        ),
        route("POST", "/dispatch/couriers", empty(), staff(&["dispatch"])),
        route(
            "GET",
            "/dispatch/couriers?store_id=SH-1",
            None,
            staff(&["dispatch"]),
        ),
        route(
            "GET",
            "/dispatch/couriers/CR-9/route",
            None,
            staff(&["dispatch"]),
        ),
        // refunds: more units than were bought, so that no refund is made
        route(
            "POST",
            "/refunds",
            Some(json!({
                "order_id": order, "lines": [{"sku": "TEA-1", "quantity": 5}],
                "reason": "matrix", "goods_returned": false
            })),
            Rule {
                staff_scopes: &["refund-approve"],
                ..customers(Hidden)
            },
        ),
        route(
            "GET",
            format!("/refunds?order_id={order}"),
            None,
            owned(&["refund-approve", "reports"], SignIn),
        ),
        route(
            "GET",
            format!("/refunds/{refund}"),
            None,
            owned(&["refund-approve", "reports"], SignIn),
        ),
        route(
            "POST",
            format!("/refunds/{refund}/approve"),
            None,
            staff(&["refund-approve"]),
        ),
        route(
            "POST",
            format!("/refunds/{refund}/reject"),
            Some(json!({"note": ""})),
            staff(&["refund-approve"]),
        ),
        route(
            "POST",
            format!("/refunds/{refund}/completion"),
            empty(),
            signed(),
        ),
        // feedback: A reviewed every line already; B is told the order is not theirs (422)
        route(
            "POST",
            "/feedback",
            Some(json!({"order_id": order, "lines": [{"line": 0, "rating": 5}]})),
            customers(Pass),
        ),
        route("GET", "/feedback/products/TEA-1", None, public()),
        route("GET", "/feedback/stores/SH-1", None, public()),
        route(
            "GET",
            format!("/feedback/reviews/{review}"),
            None,
            owned(&["refund-approve", "reports"], SignIn),
        ),
        route(
            "GET",
            "/feedback/complaints",
            None,
            staff(&["refund-approve", "reports"]),
        ),
        route(
            "GET",
            format!("/feedback/complaints/{complaint}"),
            None,
            staff(&["refund-approve", "reports"]),
        ),
        route(
            "POST",
            format!("/feedback/complaints/{complaint}/resolve"),
            Some(json!({"note": " "})),
            staff(&["refund-approve"]),
        ),
        // webhooks
        route("GET", "/webhooks/event-types", None, public()),
        route(
            "POST",
            "/webhooks/subscriptions",
            empty(),
            staff(&["webhooks"]),
        ),
        route("GET", "/webhooks/subscriptions", None, staff(&["webhooks"])),
        route(
            "GET",
            format!("/webhooks/subscriptions/{NOTHING}"),
            None,
            staff(&["webhooks"]),
        ),
        route(
            "DELETE",
            format!("/webhooks/subscriptions/{NOTHING}"),
            None,
            staff(&["webhooks"]),
        ),
        route(
            "POST",
            "/webhooks/deliveries/run",
            None,
            staff(&["webhooks"]),
        ),
        route("GET", "/webhooks/deliveries", None, staff(&["webhooks"])),
        route(
            "GET",
            format!("/webhooks/deliveries/{NOTHING}"),
            None,
            staff(&["webhooks"]),
        ),
        route(
            "POST",
            format!("/webhooks/deliveries/{NOTHING}/redeliver"),
            None,
            staff(&["webhooks"]),
        ),
        // access
        route("POST", "/admin/api-keys", empty(), staff(&["admin"])),
        route("GET", "/admin/api-keys", None, staff(&["admin"])),
        route("GET", "/admin/api-keys/key-nope", None, staff(&["admin"])),
        route(
            "DELETE",
            "/admin/api-keys/key-nope",
            None,
            staff(&["admin"]),
        ),
        route("GET", "/admin/audit", None, staff(&["admin"])),
    ];
    // the catalog: reads for catalog and reports, writes for catalog
    for path in [
        "/admin/products",
        "/admin/products/TEA-1",
        "/admin/stores",
        "/admin/stores/SH-1",
        "/admin/stores/SH-1/prices",
        "/admin/promotions",
        "/admin/promotions/NOPE",
        "/admin/member-tiers",
        "/admin/member-tiers/gold",
        "/admin/member-tiers/gold/prices",
        "/admin/customers",
        "/admin/customers/cust-a",
        "/admin/coupons",
        "/admin/coupons/NOPE",
    ] {
        routes.push(route("GET", path, None, catalog_read));
    }
    for (method, path) in [
        ("POST", "/admin/products"),
        ("PUT", "/admin/products/TEA-1"),
        ("POST", "/admin/stores"),
        ("PUT", "/admin/stores/SH-1"),
        ("PUT", "/admin/stores/SH-1/prices/TEA-1"),
        ("DELETE", "/admin/stores/SH-1/prices/TEA-1"),
        ("POST", "/admin/promotions"),
        ("PUT", "/admin/promotions/NOPE"),
        ("POST", "/admin/member-tiers"),
        ("PUT", "/admin/member-tiers/gold"),
        ("DELETE", "/admin/member-tiers/NOPE"),
        ("PUT", "/admin/member-tiers/gold/prices/TEA-1"),
        ("DELETE", "/admin/member-tiers/gold/prices/TEA-1"),
        ("POST", "/admin/customers"),
        ("PUT", "/admin/customers/cust-a"),
        ("POST", "/admin/coupons"),
        ("PUT", "/admin/coupons/NOPE"),
    ] {
        let body = (method != "DELETE").then(|| json!({}));
        routes.push(route(method, path, body, catalog_write));
    }
    // the cart last: A's own calls change A's cart, and the last one abandons it
    routes.extend([
        route("POST", "/cart", None, {
            Rule {
                nobody: Pass,
                other_customer: Pass,
                ..customers(Pass)
            }
        }),
        route("GET", format!("/cart/{cart}"), None, owned(&[], Hidden)),
        route(
            "POST",
            format!("/cart/{cart}/items"),
            Some(json!({"sku": "NOPE-1", "quantity": 1})),
            owned(&[], Hidden),
        ),
        route(
            "PUT",
            format!("/cart/{cart}/items/TEA-1"),
            Some(json!({"quantity": 1})),
            owned(&[], Hidden),
        ),
        route(
            "POST",
            format!("/cart/{cart}/merge"),
            Some(json!({"guest_cart_id": NOTHING})),
            Rule {
                nobody: SignIn,
                staff_otherwise: Forbidden,
                ..owned(&[], Hidden)
            },
        ),
        route(
            "DELETE",
            format!("/cart/{cart}/items/TEA-1"),
            None,
            owned(&[], Hidden),
        ),
        route("DELETE", format!("/cart/{cart}"), None, owned(&[], Hidden)),
    ]);
    routes
}

/// The outcome class of an answer.
fn outcome_of(status: u16, rule: &Rule) -> Outcome {
    match status {
        401 => SignIn,
        403 => Forbidden,
        404 if !rule.missing_is_pass => Hidden,
        _ => Pass,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_answers_each_kind_of_caller_by_its_rule() {
    let (app, a) = a_shop_where_a_owns_things().await;

    // The callers whose credentials do not hold
    let revoked = app.make_key("left the company", &["admin"]).await;
    app.send_as(
        &Who::staff("matrix-admin", "admin"),
        "DELETE",
        &format!("/admin/api-keys/{}", revoked.id),
        None,
    )
    .await
    .expect(200);
    let a_id = CustomerId::parse("cust-a").unwrap();
    let expired = token::issue(
        &a_id,
        TEST_JWT_SECRET.as_bytes(),
        app.app_now() - Duration::hours(2),
        Duration::hours(1),
    );
    let forged = token::issue(
        &a_id,
        b"not-the-shop-secret",
        app.app_now(),
        Duration::hours(1),
    );
    let mut callers: Vec<(String, Who)> = vec![
        ("nobody".into(), Who::Nobody),
        ("customer A".into(), Who::customer("cust-a")),
        ("customer B".into(), Who::customer("cust-b")),
    ];
    for scope in SCOPES {
        callers.push((format!("staff {scope}"), Who::staff("matrix", scope)));
    }
    callers.extend([
        ("revoked key".into(), Who::ApiKey(revoked.key.clone())),
        (
            "expired token".into(),
            Who::Authorization(format!("Bearer {expired}")),
        ),
        (
            "token of another secret".into(),
            Who::Authorization(format!("Bearer {forged}")),
        ),
    ]);

    let routes = every_route(&a);
    let mut wrong = Vec::new();
    let mut checked = 0;
    for route in &routes {
        for (i, (name, who)) in callers.iter().enumerate() {
            let rule = &route.rule;
            let expected = match who {
                Who::Nobody => rule.nobody,
                Who::Customer(c) if c == "cust-a" => rule.owner,
                Who::Customer(_) => rule.other_customer,
                Who::Staff { scope, .. } => {
                    if scope == "admin" || rule.staff_scopes.contains(&scope.as_str()) {
                        if rule.staff_scopes.is_empty() {
                            rule.staff_otherwise
                        } else {
                            Pass
                        }
                    } else {
                        rule.staff_otherwise
                    }
                }
                Who::ApiKey(_) | Who::Authorization(_) => SignIn,
            };
            let key = format!("matrix-{checked}-{i}");
            let response = app
                .send_as_with(
                    who,
                    route.method,
                    &route.path,
                    route.body.clone(),
                    &[("idempotency-key", key.as_str())],
                )
                .await;
            let got = outcome_of(response.status, rule);
            if got != expected {
                wrong.push(format!(
                    "{} {} as {name}: expected {expected:?}, got {} {}",
                    route.method, route.path, response.status, response.body
                ));
            }
            checked += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} answers broke their rule:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(
        routes.len(),
        routes_in_the_routing_tables(),
        "a route was added to a function without a row here"
    );
}

/// How many routes the functions' routing tables declare (`router.get(...)` and the like in
/// each `components/*/src/lib.rs`), so that a new route without a row here fails this test.
fn routes_in_the_routing_tables() -> usize {
    let components = o2o_e2e::repo_root().join("components");
    std::fs::read_dir(&components)
        .expect("components/")
        .map(|entry| entry.expect("an entry").path().join("src/lib.rs"))
        .filter_map(|lib| std::fs::read_to_string(lib).ok())
        .map(|source| {
            ["get(", "post(", "put(", "delete(", "post_async("]
                .iter()
                .map(|method| source.matches(&format!("router.{method}")).count())
                .sum::<usize>()
        })
        .sum()
}

/// An Idempotency-Key belongs to the caller who chose it (issue 10): customer A's keys, sent
/// by another customer or by staff with A's very bodies or with bodies of their own, neither
/// replay A's order or refund nor tell that the key was ever used.
#[tokio::test(flavor = "multi_thread")]
async fn an_idempotency_key_is_private_to_the_caller_who_chose_it() {
    let (app, a) = a_shop_where_a_owns_things().await;
    let a_order_body = an_order()
        .for_customer("cust-a")
        .for_lines(&[("TEA-1", 2)])
        .paid_at_pickup()
        .to_json();
    let a_refund_body = a_refund(&a.order).of(&[("TEA-1", 1)]).to_json();
    let own_order_body = an_order()
        .for_lines(&[("TEA-1", 1)])
        .paid_at_pickup()
        .to_json();
    let own_refund_body = a_refund(&a.order)
        .of(&[("TEA-1", 1)])
        .with_field("reason", json!("seal broken"))
        .to_json();

    // Each caller sends A's key once: with A's very body, or with a body of its own (a
    // caller's second body under one key would be its own key reused, rightly refused).
    let callers = [
        (
            "customer B",
            Who::customer("cust-b"),
            Who::customer("cust-c"),
        ),
        (
            "staff refund-approve",
            Who::staff("keys-1", "refund-approve"),
            Who::staff("keys-2", "refund-approve"),
        ),
        (
            "staff admin",
            Who::staff("admin-1", "admin"),
            Who::staff("admin-2", "admin"),
        ),
    ];
    let mut wrong = Vec::new();
    for (name, with_a_body, with_own_body) in &callers {
        for (path, key, a_id, a_body, own_body) in [
            (
                "/orders",
                "a-order",
                &a.order,
                &a_order_body,
                &own_order_body,
            ),
            (
                "/refunds",
                "a-refund",
                &a.refund,
                &a_refund_body,
                &own_refund_body,
            ),
        ] {
            for (who, body) in [(with_a_body, a_body), (with_own_body, own_body)] {
                let answer = app
                    .send_as_with(
                        who,
                        "POST",
                        path,
                        Some(body.clone()),
                        &[("idempotency-key", key)],
                    )
                    .await;
                // their own order or refund (201), or a refusal of their own (not A's order to
                // refund: 404; customers only: 403; nothing left of the line: 409), never A's
                // answer and never a word about the key
                let replayed = answer.body["id"].as_str() == Some(a_id.as_str());
                let key_revealed = answer.body["field"] == "Idempotency-Key";
                let own_answer = matches!(answer.status, 201 | 403 | 404 | 409);
                if replayed || key_revealed || !own_answer {
                    wrong.push(format!(
                        "POST {path} as {name} with A's key {key}: {} {}",
                        answer.status, answer.body
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // And A's own retries still replay A's order and refund
    let again = app
        .send_as_with(
            &Who::customer("cust-a"),
            "POST",
            "/orders",
            Some(a_order_body),
            &[("idempotency-key", "a-order")],
        )
        .await
        .expect(201);
    assert_eq!(again.body["id"], a.order.as_str());
}

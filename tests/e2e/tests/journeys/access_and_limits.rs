//! Staff keys and limits through the host (issue 7): the first admin key (the variable
//! `admin_api_key`) makes a scoped key, shown once and never again; the key works for its
//! scope only, and every staff write, the key's own making and revoking included, is in the
//! audit log that admins read; a revoked key opens nothing. A customer and a key each have a
//! fixed-window rate limit: 429 with `Retry-After` past it, served again in the next window,
//! and one caller's limit is not another's.

use std::time::Duration;

use o2o_e2e::access_kit::Who;
use o2o_e2e::catalog_kit::a_product;
use o2o_e2e::{TEST_ADMIN_KEY, a_catalog, spawn_app};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_makes_a_scoped_key_shown_once_reads_the_audit_log_and_revokes_the_key() {
    let app = spawn_app(a_catalog().with_store("SH-1")).await;
    let admin = Who::ApiKey(TEST_ADMIN_KEY.to_owned());

    // The admin makes a catalog key for the merchandising tool: its text is in this answer only
    let made = app
        .send_as(
            &admin,
            "POST",
            "/admin/api-keys",
            Some(json!({"name": "merchandising tool", "scopes": ["catalog"]})),
        )
        .await
        .expect(201);
    assert_eq!(made.header("cache-control"), Some("no-store"));
    let key = made.body["key"].as_str().expect("the key, once").to_owned();
    let id = made.body["id"].as_str().unwrap().to_owned();
    assert!(key.starts_with("o2o_sk_") && key.len() == 71);
    assert_eq!(made.body["scopes"], json!(["catalog"]));
    assert_eq!(made.body["created_by"], "admin-bootstrap");
    let read = app
        .send_as(&admin, "GET", &format!("/admin/api-keys/{id}"), None)
        .await
        .expect(200);
    let listed = app
        .send_as(&admin, "GET", "/admin/api-keys", None)
        .await
        .expect(200);
    for answer in [&read.body, &listed.body] {
        assert!(!answer.to_string().contains(&key), "shown once: {answer}");
    }
    assert_eq!(read.body["label"], &key[..13]);

    // The key works for its scope (as a bearer credential too) and for nothing else
    let tool = Who::ApiKey(key.clone());
    app.send_as(
        &tool,
        "POST",
        "/admin/products",
        Some(a_product("TEA-1").to_json()),
    )
    .await
    .expect(201);
    app.send_as(
        &Who::Authorization(format!("Bearer {key}")),
        "GET",
        "/admin/products/TEA-1",
        None,
    )
    .await
    .expect(200);
    app.send_as(&tool, "GET", "/stock/levels?store=SH-1&sku=TEA-1", None)
        .await
        .expect_problem(403, None);
    app.send_as(&tool, "GET", "/admin/audit", None)
        .await
        .expect_problem(403, None);

    // The audit log says who did what, when, and never holds a key
    let audit = app
        .send_as(&admin, "GET", "/admin/audit", None)
        .await
        .expect(200)
        .body;
    let entries = audit["items"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["subject"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("admin-bootstrap", "api-key.create", id.as_str()),
            (id.as_str(), "catalog.product.create", "TEA-1"),
        ]
    );
    assert!(entries[1]["at"].is_string());
    assert_eq!(entries[1]["after"]["sku"], "TEA-1");
    assert!(!audit.to_string().contains(&key));
    let only_the_tool = app
        .send_as(
            &admin,
            "GET",
            &format!("/admin/audit?actor={id}&action=catalog."),
            None,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(only_the_tool["items"].as_array().unwrap().len(), 1);
    app.send_as(&admin, "GET", "/admin/audit?limit=0", None)
        .await
        .expect_problem(400, Some("limit"));
    app.send_as(&admin, "GET", "/admin/audit?who=me", None)
        .await
        .expect_problem(400, Some("who"));

    // Bad keys are refused naming the field, and make nothing
    for body in [
        json!({"name": "x", "scopes": ["root"]}),
        json!({"name": "x", "scopes": []}),
        json!({"name": " ", "scopes": ["stock"]}),
        json!({"name": "x", "scopes": ["stock"], "expires": "never"}),
    ] {
        let problem = app
            .send_as(&admin, "POST", "/admin/api-keys", Some(body.clone()))
            .await
            .expect(400)
            .body;
        assert!(problem["field"].is_string(), "{body}: {problem}");
    }
    let keys = app
        .send_as(&admin, "GET", "/admin/api-keys", None)
        .await
        .expect(200)
        .body;
    assert_eq!(keys["items"].as_array().unwrap().len(), 1);

    // Revoked, the key opens nothing, and the revocation is audited
    let revoked = app
        .send_as(&admin, "DELETE", &format!("/admin/api-keys/{id}"), None)
        .await
        .expect(200)
        .body;
    assert_eq!(revoked["revoked_by"], "admin-bootstrap");
    app.send_as(&tool, "GET", "/admin/products/TEA-1", None)
        .await
        .expect_problem(401, Some("x-api-key"));
    app.send_as(&admin, "DELETE", "/admin/api-keys/key-nope", None)
        .await
        .expect_problem(404, None);
    let last = app
        .send_as(&admin, "GET", "/admin/audit?action=api-key.revoke", None)
        .await
        .expect(200)
        .body;
    assert_eq!(last["items"][0]["subject"], id.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_and_a_key_past_their_limit_get_429_until_the_next_window() {
    let app = spawn_app(
        a_catalog()
            .with_product("TEA-1")
            .with_store("SH-1")
            .with_variable("rate_limit_requests", "3")
            .with_variable("rate_limit_window_seconds", "60"),
    )
    .await;
    let alice = Who::customer("cust-alice");
    let cart = app.create_cart(Some("cust-alice")).await;

    // Three requests a minute: the create and two reads pass, the fourth is refused
    for _ in 0..2 {
        app.get_cart(&cart).await.expect(200);
    }
    let refused = app
        .send_as(&alice, "GET", &format!("/cart/{cart}"), None)
        .await
        .expect_problem(429, None);
    let retry_after: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");

    // Another customer, and a guest, are not held back by Alice's limit
    app.send_as(&Who::customer("cust-bob"), "POST", "/cart", None)
        .await
        .expect(201);
    app.send("POST", "/cart", None).await.expect(201);

    // A staff key has its own window
    let clerk = Who::staff("clerk", "stock");
    for _ in 0..3 {
        app.send_as(&clerk, "GET", "/stock/levels?store=SH-1&sku=TEA-1", None)
            .await
            .expect(200);
    }
    app.send_as(&clerk, "GET", "/stock/levels?store=SH-1&sku=TEA-1", None)
        .await
        .expect_problem(429, None);

    // In the next window both are served again
    app.advance_clock(Duration::from_secs(retry_after));
    app.get_cart(&cart).await.expect(200);
    app.send_as(&clerk, "GET", "/stock/levels?store=SH-1&sku=TEA-1", None)
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_that_are_not_credentials_are_a_401_naming_the_header_never_a_500() {
    let app = spawn_app(a_catalog().with_product("TEA-1").with_store("SH-1")).await;
    let long = format!("Bearer {}", "a".repeat(8_000));
    let forged_key = format!("o2o_sk_{}", "0".repeat(64));
    let cases: Vec<(Who, &str)> = vec![
        (Who::Authorization("Bearer".into()), "authorization"),
        (Who::Authorization("Bearer ".into()), "authorization"),
        (
            Who::Authorization("Basic Y3VzdDpwdw==".into()),
            "authorization",
        ),
        (Who::Authorization("Bearer a.b".into()), "authorization"),
        (Who::Authorization("Bearer ..".into()), "authorization"),
        (Who::Authorization("Bearer x.y.z".into()), "authorization"),
        (Who::Authorization(long), "authorization"),
        (
            Who::Authorization("Bearer o2o_sk_short".into()),
            "x-api-key",
        ),
        (Who::ApiKey("not-a-key".into()), "x-api-key"),
        (Who::ApiKey(forged_key.clone()), "x-api-key"),
        (
            Who::ApiKey(forged_key.to_uppercase().replace("O2O_SK_", "o2o_sk_")),
            "x-api-key",
        ),
    ];
    for (who, field) in cases {
        for (method, path) in [
            ("GET", "/stock/availability?sku=TEA-1&lat=31.23&lon=121.47"),
            ("POST", "/cart"),
            ("GET", "/orders"),
            ("GET", "/admin/products"),
        ] {
            let refused = app.send_as(&who, method, path, None).await;
            assert_eq!(
                refused.status, 401,
                "{who:?} {method} {path}: {}",
                refused.body
            );
            assert_eq!(refused.body["field"], field, "{who:?}");
        }
    }
    // A token and a key at once is one credential too many
    let both = http::Request::builder()
        .method("GET")
        .uri("/orders")
        .header(
            "authorization",
            format!("Bearer {}", app.token_for("cust-a")),
        )
        .header("x-api-key", TEST_ADMIN_KEY)
        .body(Vec::new())
        .unwrap();
    app.send_raw(both)
        .await
        .expect_problem(401, Some("authorization"));
    // and a 401 for a bearer token tells the client how to authenticate
    let refused = app
        .send_as(
            &Who::Authorization("Bearer x.y.z".into()),
            "GET",
            "/orders",
            None,
        )
        .await;
    assert_eq!(
        refused.header("www-authenticate"),
        Some("Bearer realm=\"o2o\"")
    );
    assert!(app.key_value_snapshot().is_empty(), "nothing was written");
}

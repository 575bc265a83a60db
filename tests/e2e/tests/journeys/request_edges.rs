//! What every function does with every request, whatever its route (issue 7's "Browser front
//! ends" and "Logs"): a request id echoed or made; CORS for the configured origins only, with
//! preflights answered without reaching a handler.

use o2o_e2e::{AppConfig, a_catalog, spawn_app};

/// One route of each function, answering anything at all (success or problem).
const ONE_ROUTE_EACH: [(&str, &str); 9] = [
    ("GET", "/cart/00000000-0000-7000-8000-000000000000"),
    ("GET", "/quote/00000000-0000-7000-8000-000000000000"),
    ("GET", "/stock/levels?store=SH-1&sku=TEA-1"),
    ("GET", "/orders/00000000-0000-7000-8000-000000000000"),
    (
        "GET",
        "/dispatch/shipments/00000000-0000-7000-8000-000000000000",
    ),
    ("GET", "/refunds/00000000-0000-7000-8000-000000000000"),
    ("GET", "/feedback/products/TEA-1"),
    ("GET", "/admin/products"),
    ("GET", "/webhooks/event-types"),
];

fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Vec::new()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_function_echoes_a_request_id_or_makes_one() {
    let app = spawn_app(a_catalog().with_product("TEA-1").with_store("SH-1")).await;
    for (method, path) in ONE_ROUTE_EACH {
        let echoed = app
            .send_raw(request(method, path, &[("x-request-id", "trace-7")]))
            .await;
        assert_eq!(echoed.header("x-request-id"), Some("trace-7"), "{path}");

        let made = app.send_raw(request(method, path, &[])).await;
        let id = made
            .header("x-request-id")
            .unwrap_or_else(|| panic!("{path}"));
        assert_eq!(id.len(), 36, "{path}: a uuid, got {id}");
        let other = app.send_raw(request(method, path, &[])).await;
        assert_ne!(
            other.header("x-request-id"),
            Some(id),
            "{path}: a new one each time"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configured_origin_gets_cors_headers_and_its_preflight_answered() {
    let app = spawn_app(AppConfig {
        catalog: Some(a_catalog().with_product("TEA-1").with_store("SH-1")),
        variables: vec![(
            "cors_allowed_origins".into(),
            "https://shop.example, https://pos.example".into(),
        )],
    })
    .await;
    for (method, path) in ONE_ROUTE_EACH {
        let from_shop = app
            .send_raw(request(method, path, &[("origin", "https://shop.example")]))
            .await;
        assert_eq!(
            from_shop.header("access-control-allow-origin"),
            Some("https://shop.example"),
            "{path}"
        );
        assert_eq!(from_shop.header("vary"), Some("Origin"), "{path}");

        let preflight = app
            .send_raw(request(
                "OPTIONS",
                path,
                &[
                    ("origin", "https://pos.example"),
                    ("access-control-request-method", "POST"),
                    (
                        "access-control-request-headers",
                        "content-type, idempotency-key",
                    ),
                ],
            ))
            .await
            .expect(204);
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            Some("https://pos.example")
        );
        let allowed = preflight.header("access-control-allow-headers").unwrap();
        assert!(allowed.contains("idempotency-key") && allowed.contains("authorization"));
    }

    // another origin gets no CORS headers at all, so the browser keeps its answer from it
    let elsewhere = app
        .send_raw(request(
            "GET",
            "/admin/products",
            &[("origin", "https://evil.example")],
        ))
        .await;
    assert_eq!(elsewhere.header("access-control-allow-origin"), None);
    let preflight = app
        .send_raw(request(
            "OPTIONS",
            "/orders",
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "POST"),
            ],
        ))
        .await
        .expect(204);
    assert_eq!(preflight.header("access-control-allow-methods"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_configured_origins_no_function_answers_cross_origin() {
    let app = spawn_app(a_catalog().with_product("TEA-1").with_store("SH-1")).await;
    for (method, path) in ONE_ROUTE_EACH {
        let response = app
            .send_raw(request(method, path, &[("origin", "https://shop.example")]))
            .await;
        assert_eq!(
            response.header("access-control-allow-origin"),
            None,
            "{path}"
        );
    }
}

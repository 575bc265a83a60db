//! The application as spin.toml declares it: every business step answers on its route (an
//! unknown path under it with its own 404 problem), and a fresh database gets its schema from the
//! first request that needs it, with no manual step.

use o2o_e2e::AppConfig;
use o2o_e2e::spawn_app;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn every_business_step_is_built_and_answers_on_its_own_route() {
    let app = spawn_app(AppConfig::default()).await;

    // None is a 501 any more; an unknown route under a step is that step's own 404 problem.
    for (path, component) in [
        ("/dispatch/nowhere", "dispatch"),
        ("/refunds/nowhere/at/all", "refund"),
        ("/feedback/nowhere/at/all", "feedback"),
    ] {
        let response = app.send("GET", path, None).await.expect_problem(404, None);
        assert!(
            response.body["detail"]
                .as_str()
                .unwrap()
                .contains(component),
            "{path} is served by {component}: {}",
            response.body
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_path_no_component_serves_is_a_404() {
    let app = spawn_app(AppConfig::default()).await;

    app.send("GET", "/nowhere", None).await.expect(404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_database_gets_its_schema_from_the_first_request() {
    // No migrations run beforehand: the cart applies them itself when it first needs SQL.
    let app = spawn_app(AppConfig::default()).await;
    let cart = app.create_cart(None).await;

    app.send(
        "POST",
        &format!("/cart/{cart}/items"),
        Some(json!({ "sku": "TEA-1", "quantity": 1 })),
    )
    .await
    .expect_problem(422, Some("sku"));

    // Every migration file has its row in the ledger (numbers may land out of order).
    let applied: i64 = app
        .app
        .sqlite("default")
        .query_scalar("SELECT COUNT(*) FROM schema_migrations", &[])
        .unwrap();
    let files = std::fs::read_dir(o2o_e2e::repo_root().join("migrations"))
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count() as i64;
    assert_eq!(
        applied, files,
        "every migration under migrations/ is applied"
    );
}

//! The application as spin.toml declares it: every business step answers on its route, the
//! steps not built yet with a 501 problem, and a fresh database gets its schema from the
//! first request that needs it, with no manual step.

use o2o_e2e::AppConfig;
use o2o_e2e::spawn_app;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn every_step_not_built_yet_answers_501_on_its_route() {
    let app = spawn_app(AppConfig::default()).await;

    for (path, component) in [("/dispatch/shipments", "dispatch")] {
        let response = app.send("GET", path, None).await.expect_problem(501, None);
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

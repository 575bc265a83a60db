//! The host's behaviour as a component sees it, driven in-process through the probe fixture:
//! routing and `spin-*` headers, key-value, SQLite, variables, outbound rules and service
//! chaining, traps, fault injection and the test clock.

mod support;

use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;
use spin_test_host::{HostOptions, SqlValue};
use support::*;

// ---------------------------------------------------------------- routing and headers

#[tokio::test(flavor = "multi_thread")]
async fn wildcard_route_sets_spin_headers_like_spin() {
    let app = spawn_probe();

    let reply = get(&app, "/probe/headers?x=1").await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let h = &reply.json()["headers"];
    assert_eq!(h["spin-path-info"], "/headers");
    assert_eq!(h["spin-component-route"], "/probe");
    assert_eq!(h["spin-raw-component-route"], "/probe/...");
    assert_eq!(h["spin-matched-route"], "/probe/...");
    assert_eq!(h["spin-base-path"], "/");
    assert_eq!(
        h["spin-full-url"],
        "http://127.0.0.1:3000/probe/headers?x=1"
    );
    assert_eq!(h["spin-client-addr"], "127.0.0.1:0");
}

#[tokio::test(flavor = "multi_thread")]
async fn exact_route_serves_only_its_own_path() {
    let app = spawn_probe();

    let exact = get(&app, "/exact").await;
    let below = get(&app, "/exact/more").await;

    assert_eq!(exact.status, 200);
    let h = &exact.json()["headers"];
    assert_eq!(h["spin-path-info"], "");
    assert_eq!(h["spin-component-route"], "/exact");
    assert_eq!(h["spin-matched-route"], "/exact");
    assert_eq!(below.status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn more_specific_wildcard_wins_over_its_parent() {
    let app = spawn_probe();

    let nested = get(&app, "/probe/nested/headers").await.json();
    let parent = get(&app, "/probe/headers").await.json();

    assert_eq!(nested["headers"]["spin-component-route"], "/probe/nested");
    assert_eq!(nested["headers"]["spin-path-info"], "/headers");
    assert_eq!(parent["headers"]["spin-component-route"], "/probe");
}

#[tokio::test(flavor = "multi_thread")]
async fn unmatched_path_and_private_component_get_404() {
    let app = spawn_probe();

    assert_eq!(get(&app, "/nowhere").await.status, 404);
    assert_eq!(get(&app, "/chained/headers").await.status, 404);
    assert_eq!(get(&app, "/").await.status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn request_method_query_and_body_reach_the_component() {
    let app = spawn_probe();

    let reply = send(&app, "PUT", "/probe/headers?a=b", b"12345")
        .await
        .json();

    assert_eq!(reply["method"], "PUT");
    assert_eq!(reply["query"], "a=b");
    assert_eq!(reply["body_len"], 5);
}

#[test]
fn listed_routes_exclude_private_ones() {
    let app = spawn_probe();

    let routes: Vec<String> = app
        .routes()
        .into_iter()
        .map(|r| format!("{}:{}:{}", r.component_id, r.path, r.wildcard))
        .collect();

    assert_eq!(
        routes,
        [
            "probe:/probe:true",
            "nested:/probe/nested:true",
            "exact:/exact:false",
            "locked:/locked:true"
        ]
    );
}

// ---------------------------------------------------------------- key-value

#[tokio::test(flavor = "multi_thread")]
async fn key_value_set_get_exists_delete_round_trip() {
    let app = spawn_probe();

    assert_eq!(
        post(&app, "/probe/kv/default/set/cart-1", "apples")
            .await
            .status,
        204
    );
    let got = get(&app, "/probe/kv/default/get/cart-1").await;
    let exists = get(&app, "/probe/kv/default/exists/cart-1").await;
    assert_eq!(
        post(&app, "/probe/kv/default/delete/cart-1", "")
            .await
            .status,
        204
    );
    let after = get(&app, "/probe/kv/default/get/cart-1").await;
    let exists_after = get(&app, "/probe/kv/default/exists/cart-1").await;

    assert_eq!((got.status, got.body.as_str()), (200, "apples"));
    assert_eq!(exists.body, "true");
    assert_eq!(after.status, 404);
    assert_eq!(exists_after.body, "false");
}

#[tokio::test(flavor = "multi_thread")]
async fn key_value_get_keys_lists_only_that_store() {
    let app = spawn_probe();
    post(&app, "/probe/kv/default/set/b", "1").await;
    post(&app, "/probe/kv/default/set/a", "2").await;
    post(&app, "/probe/kv/sessions/set/s", "3").await;

    let default_keys = get(&app, "/probe/kv/default/keys").await.json();
    let session_keys = get(&app, "/probe/kv/sessions/keys").await.json();

    assert_eq!(default_keys, json!(["a", "b"]));
    assert_eq!(session_keys, json!(["s"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn key_value_inspector_sees_and_seeds_component_data() {
    let app = spawn_probe();
    app.key_value("default")
        .set("seeded", b"{\"n\":1}")
        .unwrap();

    post(&app, "/probe/kv/default/set/written", "by component").await;
    let seeded = get(&app, "/probe/kv/default/get/seeded").await;

    assert_eq!(seeded.body, "{\"n\":1}");
    let kv = app.key_value("default");
    assert_eq!(
        kv.get("written").unwrap().as_deref(),
        Some(&b"by component"[..])
    );
    assert_eq!(
        kv.get_json::<serde_json::Value>("seeded").unwrap(),
        Some(json!({"n": 1}))
    );
    assert_eq!(kv.keys().unwrap(), ["seeded", "written"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_an_undeclared_store_is_access_denied() {
    let app = spawn_probe();

    let locked = get(&app, "/locked/kv/default/get/x").await;
    let unknown = get(&app, "/probe/kv/nope/get/x").await;

    assert_eq!(locked.status, 400);
    assert!(locked.body.contains("AccessDenied"), "{}", locked.body);
    assert!(unknown.body.contains("AccessDenied"), "{}", unknown.body);
}

#[test]
fn declaring_a_store_that_does_not_exist_fails_loading() {
    let message = load_error(HostOptions {
        key_value_stores: vec![],
        ..probe_options()
    });

    assert!(
        message.contains("unknown key_value_stores label \"sessions\""),
        "{message}"
    );
}

// ---------------------------------------------------------------- SQLite

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_round_trips_every_value_type() {
    let app = spawn_probe();

    let reply = sql(
        &app,
        "/probe/sql/default",
        json!([
            { "statement": "CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n)" },
            { "statement": "INSERT INTO v VALUES (?, ?, ?, ?, ?)",
              "params": [{"integer": -7}, {"real": 2.5}, {"text": "héllo"}, {"blob": [0, 255]}, {"null": null}] },
            { "statement": "SELECT i, r, t, b, n FROM v" }
        ]),
    )
    .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let select = &reply.json()["results"][2];
    assert_eq!(select["columns"], json!(["i", "r", "t", "b", "n"]));
    assert_eq!(
        select["rows"][0],
        json!([{"integer": -7}, {"real": 2.5}, {"text": "héllo"}, {"blob": [0, 255]}, {"null": null}])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_binds_numbered_parameters_by_position() {
    let app = spawn_probe();

    let reply = sql(
        &app,
        "/probe/sql/default",
        json!([{ "statement": "SELECT ?2 || ?1 AS s", "params": [{"text": "a"}, {"text": "b"}] }]),
    )
    .await;

    assert_eq!(
        reply.json()["results"][0]["rows"][0][0],
        json!({"text": "ba"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_errors_come_back_as_io_errors() {
    let app = spawn_probe();

    let bad = sql(
        &app,
        "/probe/sql/default",
        json!([{ "statement": "SELEC 1" }]),
    )
    .await;
    let two = sql(
        &app,
        "/probe/sql/default",
        json!([{ "statement": "SELECT 1; SELECT 2" }]),
    )
    .await;

    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Io("), "{}", bad.body);
    assert!(two.body.contains("Io("), "{}", two.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_transactions_commit_and_roll_back_within_a_request() {
    let app = spawn_probe();
    app.sqlite("default")
        .execute_batch("CREATE TABLE t (x INTEGER)")
        .unwrap();

    sql(
        &app,
        "/probe/sql/default",
        json!([{ "statement": "BEGIN" }, { "statement": "INSERT INTO t VALUES (1)" }, { "statement": "ROLLBACK" }]),
    )
    .await;
    sql(
        &app,
        "/probe/sql/default",
        json!([{ "statement": "BEGIN" }, { "statement": "INSERT INTO t VALUES (2)" }, { "statement": "COMMIT" }]),
    )
    .await;

    let values = app
        .sqlite("default")
        .execute("SELECT x FROM t", &[])
        .unwrap();
    assert_eq!(values, vec![vec![SqlValue::Integer(2)]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_transaction_left_open_is_rolled_back_after_the_request() {
    let app = spawn_probe();
    app.sqlite("default")
        .execute_batch("CREATE TABLE t (x INTEGER)")
        .unwrap();

    sql(
        &app,
        "/probe/sql/default",
        json!([{ "statement": "BEGIN" }, { "statement": "INSERT INTO t VALUES (1)" }]),
    )
    .await;

    let count: i64 = app
        .sqlite("default")
        .query_scalar("SELECT count(*) FROM t", &[])
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_sqlite_writers_wait_instead_of_failing() {
    let app = spawn_probe();
    app.sqlite("default")
        .execute_batch("CREATE TABLE t (x INTEGER)")
        .unwrap();

    let writers = (0..8).map(|i| {
        let app = app.clone();
        tokio::spawn(async move {
            sql(
                &app,
                "/probe/sql/default",
                json!([
                    { "statement": "BEGIN IMMEDIATE" },
                    { "statement": "INSERT INTO t VALUES (?)", "params": [{"integer": i}] },
                    { "statement": "COMMIT" }
                ]),
            )
            .await
        })
    });
    let replies = futures_join(writers).await;

    for r in &replies {
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let count: i64 = app
        .sqlite("default")
        .query_scalar("SELECT count(*) FROM t", &[])
        .unwrap();
    assert_eq!(count, 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn databases_are_separate_and_undeclared_ones_denied() {
    let app = spawn_probe();
    app.sqlite("analytics")
        .execute_batch("CREATE TABLE only_here (x)")
        .unwrap();

    let in_analytics = sql(
        &app,
        "/probe/sql/analytics",
        json!([{ "statement": "SELECT * FROM only_here" }]),
    )
    .await;
    let in_default = sql(
        &app,
        "/probe/sql/default",
        json!([{ "statement": "SELECT * FROM only_here" }]),
    )
    .await;
    let locked = sql(&app, "/locked/sql/default", json!([])).await;
    let undeclared = sql(&app, "/probe/sql/other", json!([])).await;

    assert_eq!(in_analytics.status, 200, "{}", in_analytics.body);
    assert!(
        in_default.body.contains("no such table"),
        "{}",
        in_default.body
    );
    assert!(locked.body.contains("AccessDenied"), "{}", locked.body);
    assert!(
        undeclared.body.contains("AccessDenied"),
        "{}",
        undeclared.body
    );
}

#[test]
fn declaring_a_database_that_does_not_exist_fails_loading() {
    let message = load_error(HostOptions {
        sqlite_databases: vec![],
        ..probe_options()
    });

    assert!(message.contains("uses database 'analytics'"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_statements_from_options_run_before_serving() {
    let dir = tempdir();
    let file = dir.join("seed.sql");
    std::fs::write(
        &file,
        "INSERT INTO seeded VALUES (2); INSERT INTO seeded VALUES (3);",
    )
    .unwrap();
    let app = spawn_probe_with(HostOptions {
        sqlite_statements: vec![
            "CREATE TABLE seeded (x INTEGER)".into(),
            format!("@{}", file.display()),
        ],
        ..probe_options()
    });

    let sum: i64 = app
        .sqlite("default")
        .query_scalar("SELECT sum(x) FROM seeded", &[])
        .unwrap();

    assert_eq!(sum, 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn state_dir_keeps_data_in_spin_named_files_across_restarts() {
    let dir = tempdir();
    let opts = || HostOptions {
        state_dir: Some(dir.clone()),
        ..probe_options()
    };
    {
        let app = spawn_probe_with(opts());
        post(&app, "/probe/kv/default/set/k", "kept").await;
        sql(
            &app,
            "/probe/sql/default",
            json!([{ "statement": "CREATE TABLE kept (x)" }]),
        )
        .await;
    }

    let app = spawn_probe_with(opts());
    let value = get(&app, "/probe/kv/default/get/k").await;
    let table = sql(
        &app,
        "/probe/sql/default",
        json!([{ "statement": "SELECT * FROM kept" }]),
    )
    .await;

    assert_eq!(value.body, "kept");
    assert_eq!(table.status, 200, "{}", table.body);
    assert!(dir.join("sqlite_key_value.db").exists());
    assert!(dir.join("sqlite_db.db").exists());
    assert!(dir.join("analytics.db").exists());
}

// ---------------------------------------------------------------- variables

/// Tests that read or write `SPIN_VARIABLE_*` take this lock (the environment is per process).
static ENV: Mutex<()> = Mutex::new(());

#[tokio::test(flavor = "multi_thread")]
async fn component_variables_expand_templates_over_app_variables() {
    let app = spawn_probe();

    assert_eq!(get(&app, "/probe/var/greeting").await.body, "hello");
    assert_eq!(get(&app, "/probe/var/banner").await.body, "hello from eu");
    assert_eq!(get(&app, "/probe/var/token").await.body, "t0ken");
    assert_eq!(get(&app, "/probe/var/literal").await.body, "plain");
}

#[tokio::test(flavor = "multi_thread")]
async fn explicit_variable_override_beats_default() {
    let mut opts = probe_options();
    opts.variables.insert("region".into(), "us".into());
    let app = spawn_probe_with(opts);

    assert_eq!(get(&app, "/probe/var/banner").await.body, "hello from us");
}

#[tokio::test(flavor = "multi_thread")]
async fn environment_supplies_variables_as_spin_variable_name() {
    let app = {
        let _env = ENV.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: every reader of SPIN_VARIABLE_API_TOKEN in this binary holds ENV.
        unsafe { std::env::set_var("SPIN_VARIABLE_API_TOKEN", "from-env") };
        let mut opts = probe_options();
        opts.variables.clear();
        let app = spawn_probe_with(opts);
        unsafe { std::env::remove_var("SPIN_VARIABLE_API_TOKEN") };
        app
    };

    assert_eq!(get(&app, "/probe/var/token").await.body, "from-env");
}

#[test]
fn missing_required_variable_fails_loading_with_its_name() {
    let _env = ENV.lock().unwrap_or_else(|p| p.into_inner());
    let mut opts = probe_options();
    opts.variables.clear();

    let message = load_error(opts);

    assert!(message.contains("required"), "{message}");
    assert!(message.contains("api_token"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn undeclared_and_invalid_variable_names_are_errors() {
    let app = spawn_probe();

    let undeclared = get(&app, "/probe/var/region").await;
    let invalid = get(&app, "/probe/var/Not-Valid").await;

    assert!(undeclared.body.contains("Undefined"), "{}", undeclared.body);
    assert!(invalid.body.contains("InvalidName"), "{}", invalid.body);
}

// ---------------------------------------------------------------- outbound HTTP

#[tokio::test(flavor = "multi_thread")]
async fn outbound_request_to_an_unlisted_host_is_denied() {
    let app = spawn_probe();

    let locked = post(&app, "/locked/fetch", "http://127.0.0.1:9/").await;
    let other_host = post(&app, "/probe/fetch", "https://example.com/").await;

    assert!(locked.body.contains("HttpRequestDenied"), "{}", locked.body);
    assert!(
        other_host.body.contains("HttpRequestDenied"),
        "{}",
        other_host.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn service_chaining_dispatches_to_a_private_component_in_process() {
    let app = spawn_probe();

    let reply = post(
        &app,
        "/probe/fetch",
        "http://chained.spin.internal/headers?q=1",
    )
    .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let outer = reply.json();
    assert_eq!(outer["status"], 200);
    let inner: serde_json::Value = serde_json::from_str(outer["body"].as_str().unwrap()).unwrap();
    assert_eq!(inner["headers"]["spin-path-info"], "/headers");
    assert_eq!(inner["headers"]["spin-matched-route"], "/...");
    assert_eq!(
        inner["headers"]["spin-full-url"],
        "http://chained.spin.internal/headers?q=1"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn service_chaining_needs_permission_for_the_target() {
    let app = spawn_probe();

    let not_listed = post(&app, "/probe/fetch", "http://nested.spin.internal/headers").await;
    let locked = post(
        &app,
        "/locked/fetch",
        "http://chained.spin.internal/headers",
    )
    .await;

    assert!(
        not_listed.body.contains("HttpRequestDenied"),
        "{}",
        not_listed.body
    );
    assert!(locked.body.contains("HttpRequestDenied"), "{}", locked.body);
}

// ---------------------------------------------------------------- failures

#[tokio::test(flavor = "multi_thread")]
async fn trap_is_a_500_for_that_request_only() {
    let app = spawn_probe();

    let trapped = get(&app, "/probe/panic").await;
    let next = get(&app, "/probe/headers").await;

    assert_eq!(trapped.status, 500);
    assert_eq!(next.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_key_value_fault_fails_only_the_nth_operation() {
    let app = spawn_probe();
    app.faults().fail_kv_op(2);

    let first = post(&app, "/probe/kv/default/set/a", "1").await;
    let second = post(&app, "/probe/kv/default/set/b", "2").await;
    let third = post(&app, "/probe/kv/default/set/c", "3").await;

    assert_eq!(first.status, 204);
    assert_eq!(second.status, 400);
    assert!(second.body.contains("injected fault"), "{}", second.body);
    assert_eq!(third.status, 204);
    assert_eq!(app.key_value("default").keys().unwrap(), ["a", "c"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_sql_fault_fails_matching_statements_until_cleared() {
    let app = spawn_probe();
    app.sqlite("default")
        .execute_batch("CREATE TABLE orders (id INTEGER)")
        .unwrap();
    let insert = || json!([{ "statement": "INSERT INTO orders VALUES (1)" }]);
    app.faults().fail_sql_matching("INSERT INTO orders");

    let failed = sql(&app, "/probe/sql/default", insert()).await;
    let failed_again = sql(&app, "/probe/sql/default", insert()).await;
    let other = sql(
        &app,
        "/probe/sql/default",
        json!([{ "statement": "SELECT 1" }]),
    )
    .await;
    app.faults().clear();
    let after_clear = sql(&app, "/probe/sql/default", insert()).await;

    assert!(failed.body.contains("injected fault"), "{}", failed.body);
    assert!(failed.body.contains("Io("), "{}", failed.body);
    assert_eq!(failed_again.status, 400);
    assert_eq!(other.status, 200);
    assert_eq!(after_clear.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_sql_fault_once_fails_only_the_first_match() {
    let app = spawn_probe();
    app.sqlite("default")
        .execute_batch("CREATE TABLE orders (id INTEGER)")
        .unwrap();
    let insert = || json!([{ "statement": "INSERT INTO orders VALUES (1)" }]);
    app.faults().fail_sql_matching_once("INSERT INTO orders");

    let first = sql(&app, "/probe/sql/default", insert()).await;
    let second = sql(&app, "/probe/sql/default", insert()).await;

    assert_eq!(first.status, 400);
    assert_eq!(second.status, 200);
}

// ---------------------------------------------------------------- clock

#[tokio::test(flavor = "multi_thread")]
async fn advancing_the_test_clock_moves_guest_wall_time() {
    let app = spawn_probe();
    let before: u64 = get(&app, "/probe/time").await.body.parse().unwrap();

    app.clock().advance(Duration::from_secs(86_400));
    let after: u64 = get(&app, "/probe/time").await.body.parse().unwrap();

    assert!(after >= before + 86_400, "{before} -> {after}");
    assert!(after < before + 86_400 + 60, "{before} -> {after}");
}

// ---------------------------------------------------------------- compile cache

#[tokio::test(flavor = "multi_thread")]
async fn compiled_components_are_cached_on_disk_by_content() {
    let cache = tempdir();

    let app = spawn_probe_with(HostOptions {
        cache_dir: Some(cache.clone()),
        ..probe_options()
    });

    let artifacts: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    // Five components share one wasm file: one artifact.
    assert_eq!(artifacts.len(), 1, "{artifacts:?}");
    assert!(artifacts[0].ends_with(".cwasm"));
    assert_eq!(get(&app, "/exact").await.status, 200);
}

// ---------------------------------------------------------------- helpers

async fn futures_join<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for t in tasks.collect::<Vec<_>>() {
        out.push(t.await.unwrap());
    }
    out
}

/// A fresh, empty directory under the system temp dir, unique to this process and call.
fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "spin-test-host-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

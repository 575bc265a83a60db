//! Shared helpers of the host's own tests: load the probe fixture app in isolation (in-memory
//! state, the labels and variables the fixture needs) and send it requests.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use spin_test_host::{HostOptions, SpinApp};

/// The fixture manifest.
pub fn probe_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/probe.toml")
}

/// Fails the test with the fix when the probe component has not been built.
pub fn require_probe_wasm() {
    let wasm = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/wasm32-wasip2/release/host_probe.wasm");
    assert!(
        wasm.exists(),
        "{} is missing: run scripts/build first \
         (cargo build --target wasm32-wasip2 --release -p host-probe)",
        wasm.display()
    );
}

/// Options the fixture loads with: in memory, the extra labels it declares, its required
/// variable.
pub fn probe_options() -> HostOptions {
    HostOptions {
        variables: HashMap::from([("api_token".to_string(), "t0ken".to_string())]),
        key_value_stores: vec!["sessions".into()],
        sqlite_databases: vec!["analytics".into()],
        ..HostOptions::default()
    }
}

/// A fresh, isolated probe app.
pub fn spawn_probe() -> SpinApp {
    spawn_probe_with(probe_options())
}

/// A fresh probe app with custom options.
pub fn spawn_probe_with(opts: HostOptions) -> SpinApp {
    require_probe_wasm();
    SpinApp::load(&probe_manifest(), opts).expect("the probe app loads")
}

/// The full error chain of a probe app that must fail to load with these options.
pub fn load_error(opts: HostOptions) -> String {
    require_probe_wasm();
    let err = SpinApp::load(&probe_manifest(), opts)
        .err()
        .expect("load fails");
    format!("{err:#}")
}

/// A response, body as text.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Json {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn send(app: &SpinApp, method: &str, uri: &str, body: &[u8]) -> Reply {
    let req = http::Request::builder()
        .method(method)
        .uri(uri)
        .body(body.to_vec())
        .unwrap();
    let res = app.handle(req).await.expect("the host handles the request");
    Reply {
        status: res.status().as_u16(),
        body: String::from_utf8_lossy(res.body()).into_owned(),
    }
}

pub async fn get(app: &SpinApp, uri: &str) -> Reply {
    send(app, "GET", uri, b"").await
}

pub async fn post(app: &SpinApp, uri: &str, body: impl AsRef<[u8]>) -> Reply {
    send(app, "POST", uri, body.as_ref()).await
}

/// Runs statements through the probe's `/sql/<db>` route on one connection.
pub async fn sql(app: &SpinApp, route: &str, statements: Json) -> Reply {
    post(
        app,
        route,
        serde_json::json!({ "statements": statements }).to_string(),
    )
    .await
}

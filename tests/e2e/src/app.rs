//! The app under test and how it starts: `spawn_app` loads the application of `spin.toml` (the
//! built `.wasm` files) on the Spin-compatible host with in-memory state, runs the migrations,
//! writes the seed rows (`crate::seed`) and gives every secret the app requires a test value
//! (`TEST_*_SECRET`, `TEST_ADMIN_KEY`); `TestApp` sends requests to it, moves its clock and
//! looks into its key-value store. Who a request comes from is the access kit's business
//! (`access_kit`); the typed calls of each part of the shop live in that part's kit.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use spin_test_host::{HostOptions, SpinApp};

use crate::access_kit::KeyMade;
use crate::{CatalogBuilder, TestResponse};

/// The repository root (where spin.toml is).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// How an app is started.
#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    pub catalog: Option<CatalogBuilder>,
    pub variables: Vec<(String, String)>,
}

impl From<CatalogBuilder> for AppConfig {
    fn from(catalog: CatalogBuilder) -> Self {
        AppConfig {
            catalog: Some(catalog),
            variables: Vec::new(),
        }
    }
}

impl CatalogBuilder {
    /// Sets a Spin variable of the app.
    pub fn with_variable(self, name: &str, value: &str) -> AppConfig {
        AppConfig::from(self).with_variable(name, value)
    }
}

impl AppConfig {
    /// Sets one more Spin variable of the app.
    pub fn with_variable(mut self, name: &str, value: &str) -> AppConfig {
        self.variables.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// The `payment_webhook_secret` of every test app: tests sign payment confirmations with it.
pub const TEST_PAYMENT_SECRET: &str = "test-payment-provider-secret";

/// The `refund_webhook_secret` of every test app: tests sign refund completions with it.
pub const TEST_REFUND_SECRET: &str = "test-refund-provider-secret";

/// The `courier_webhook_secret` of every test app: tests sign courier updates with it.
pub const TEST_COURIER_SECRET: &str = "test-courier-platform-secret";

/// The `jwt_secret` of every test app: the kit signs customers' tokens with it.
pub const TEST_JWT_SECRET: &str = "test-identity-provider-secret";

/// The `secrets_key` of every test app: webhook secrets are sealed under it.
pub const TEST_SECRETS_KEY: &str = "test-sealing-key-of-at-least-32-characters";

/// The `admin_api_key` of every test app: the first admin key, which makes the others.
pub const TEST_ADMIN_KEY: &str =
    "o2o_sk_a11ce0000000000000000000000000000000000000000000000000000000000f";

/// The app under test.
pub struct TestApp {
    pub app: SpinApp,
    /// Staff keys made so far, by (staff member, scope); the access kit makes and keeps them.
    pub(crate) keys: Mutex<HashMap<(String, String), KeyMade>>,
    /// Whose cart, quote or order an id is, by id; the access kit remembers and reads them.
    pub(crate) owners: Mutex<HashMap<String, String>>,
}

/// Starts the application of spin.toml on the host: in-memory state, the migrations run the
/// way `spin up --sqlite @file` runs them, then the catalog rows of the builder.
pub async fn spawn_app(config: impl Into<AppConfig>) -> TestApp {
    let config = config.into();
    let root = repo_root();
    let mut options = HostOptions::default();
    if config.catalog.is_some() {
        options.sqlite_statements = migration_files(&root);
    }
    options.variables = config.variables.into_iter().collect();
    // Required secrets get test values unless a test sets its own.
    options
        .variables
        .entry("payment_webhook_secret".to_owned())
        .or_insert_with(|| TEST_PAYMENT_SECRET.to_owned());
    options
        .variables
        .entry("refund_webhook_secret".to_owned())
        .or_insert_with(|| TEST_REFUND_SECRET.to_owned());
    options
        .variables
        .entry("courier_webhook_secret".to_owned())
        .or_insert_with(|| TEST_COURIER_SECRET.to_owned());
    options
        .variables
        .entry("jwt_secret".to_owned())
        .or_insert_with(|| TEST_JWT_SECRET.to_owned());
    options
        .variables
        .entry("admin_api_key".to_owned())
        .or_insert_with(|| TEST_ADMIN_KEY.to_owned());
    options
        .variables
        .entry("secrets_key".to_owned())
        .or_insert_with(|| TEST_SECRETS_KEY.to_owned());
    let app = SpinApp::load(&root.join("spin.toml"), options).unwrap_or_else(|e| {
        panic!("the app must load (run scripts/build first to build the wasm): {e:#}")
    });
    let test_app = TestApp {
        app,
        keys: Mutex::default(),
        owners: Mutex::default(),
    };
    if let Some(catalog) = config.catalog {
        catalog.insert_into(&test_app.app);
    }
    test_app
}

/// `@path` entries for every migration file, in order.
fn migration_files(root: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("migrations"))
        .expect("migrations/ exists")
        .map(|entry| entry.expect("readable migrations/").path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files.iter().map(|p| format!("@{}", p.display())).collect()
}

impl TestApp {
    /// Sends a request; `body` is sent as JSON when given.
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> TestResponse {
        let mut builder = http::Request::builder().method(method).uri(path);
        let bytes = match body {
            Some(json) => {
                builder = builder.header("content-type", "application/json");
                serde_json::to_vec(&json).expect("serialisable body")
            }
            None => Vec::new(),
        };
        self.send_raw(builder.body(bytes).expect("valid request"))
            .await
    }

    /// Sends a request exactly as built.
    pub async fn send_raw(&self, request: http::Request<Vec<u8>>) -> TestResponse {
        let response = self.app.handle(request).await.expect("the host answers");
        TestResponse::from_http(response)
    }

    /// Every key and value of the shop's documents in the `default` key-value store: compare
    /// two to prove that nothing was written. Rate-limit counters (`ratelimit:`), which every
    /// signed-in request moves, are left out.
    pub fn key_value_snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        let store = self.app.key_value("default");
        store
            .keys()
            .expect("keys")
            .into_iter()
            .filter(|key| !key.starts_with("ratelimit:"))
            .map(|key| {
                let value = store.get(&key).expect("get").unwrap_or_default();
                (key, value)
            })
            .collect()
    }

    /// Moves the clock the components see.
    pub fn advance_clock(&self, by: Duration) {
        self.app.clock().advance(by);
    }
}

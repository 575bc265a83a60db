//! The end-to-end test kit: `spawn_app` starts the real application of `spin.toml` (the built
//! `.wasm` files) on the Spin-compatible host with its own in-memory state, seeded by small
//! builders (`a_catalog().with_product("TEA-1")`), and `TestApp` offers typed calls
//! (`app.add_to_cart(…)`) and looks into the stores, so that journeys read like journeys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use spin_test_host::{HostOptions, SpinApp, SqlValue};

/// The repository root (where spin.toml is).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Catalog rows a test needs, with sensible defaults.
#[derive(Debug, Clone, Default)]
pub struct CatalogBuilder {
    products: Vec<(String, bool)>,
    stores: Vec<String>,
}

/// An empty catalog to build on.
pub fn a_catalog() -> CatalogBuilder {
    CatalogBuilder::default()
}

impl CatalogBuilder {
    /// An active product priced 10.00 CNY.
    pub fn with_product(mut self, sku: &str) -> Self {
        self.products.push((sku.to_owned(), true));
        self
    }

    pub fn with_products(self, skus: &[&str]) -> Self {
        skus.iter().fold(self, |b, sku| b.with_product(sku))
    }

    /// A product that exists but is no longer sold.
    pub fn with_retired_product(mut self, sku: &str) -> Self {
        self.products.push((sku.to_owned(), false));
        self
    }

    /// An open store in Shanghai offering pickup and delivery within 5 km.
    pub fn with_store(mut self, id: &str) -> Self {
        self.stores.push(id.to_owned());
        self
    }
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
        let mut config = AppConfig::from(self);
        config.variables.push((name.to_owned(), value.to_owned()));
        config
    }
}

/// A response as tests look at it.
#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Asserts an RFC 9457 problem with this status naming this field (`None`: no field).
    #[track_caller]
    pub fn expect_problem(self, status: u16, field: Option<&str>) -> Self {
        let this = self.expect(status);
        assert_eq!(
            this.header("content-type"),
            Some("application/problem+json"),
            "problems are application/problem+json"
        );
        assert_eq!(this.body["status"], status, "problem body: {}", this.body);
        assert!(
            this.body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:o2o:problem:"))
        );
        assert!(this.body["title"].is_string() && this.body["detail"].is_string());
        assert_eq!(
            this.body.get("field").and_then(Value::as_str),
            field,
            "problem: {}",
            this.body
        );
        this
    }
}

/// The app under test.
pub struct TestApp {
    pub app: SpinApp,
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
    let app = SpinApp::load(&root.join("spin.toml"), options).unwrap_or_else(|e| {
        panic!("the app must load (run scripts/build first to build the wasm): {e:#}")
    });
    let test_app = TestApp { app };
    if let Some(catalog) = config.catalog {
        test_app.insert_catalog(&catalog);
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
    fn insert_catalog(&self, catalog: &CatalogBuilder) {
        let db = self.app.sqlite("default");
        for (sku, active) in &catalog.products {
            db.execute(
                "INSERT INTO products (sku, name, category, brand, list_price, active) \
                 VALUES (?, ?, 'test', 'Test Brand', '10.00', ?)",
                &[
                    SqlValue::Text(sku.clone()),
                    SqlValue::Text(format!("Product {sku}")),
                    SqlValue::Integer(i64::from(*active)),
                ],
            )
            .expect("insert product");
        }
        for id in &catalog.stores {
            db.execute(
                "INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, delivery_radius_km) \
                 VALUES (?, ?, '1 Test Rd', 'Shanghai', 31.23, 121.47, '{}', 5.0)",
                &[SqlValue::Text(id.clone()), SqlValue::Text(format!("Store {id}"))],
            )
            .expect("insert store");
        }
    }

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
        let (parts, body) = response.into_parts();
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
        };
        TestResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        }
    }

    /// Creates a cart (a guest's when `customer` is `None`) and returns its id.
    pub async fn create_cart(&self, customer: Option<&str>) -> String {
        let body = customer.map(|c| json!({ "customer_id": c }));
        let response = self.send("POST", "/cart", body).await.expect(201);
        response.body["id"].as_str().expect("cart id").to_owned()
    }

    pub async fn get_cart(&self, cart: &str) -> TestResponse {
        self.send("GET", &format!("/cart/{cart}"), None).await
    }

    pub async fn add_to_cart(&self, cart: &str, sku: &str, quantity: i64) -> TestResponse {
        let body = json!({ "sku": sku, "quantity": quantity });
        self.send("POST", &format!("/cart/{cart}/items"), Some(body))
            .await
    }

    pub async fn set_quantity(&self, cart: &str, sku: &str, quantity: i64) -> TestResponse {
        let body = json!({ "quantity": quantity });
        self.send("PUT", &format!("/cart/{cart}/items/{sku}"), Some(body))
            .await
    }

    pub async fn remove_item(&self, cart: &str, sku: &str) -> TestResponse {
        self.send("DELETE", &format!("/cart/{cart}/items/{sku}"), None)
            .await
    }

    pub async fn merge_carts(&self, customer_cart: &str, guest_cart: &str) -> TestResponse {
        let body = json!({ "guest_cart_id": guest_cart });
        self.send("POST", &format!("/cart/{customer_cart}/merge"), Some(body))
            .await
    }

    /// Every key and value of the `default` key-value store: compare two to prove that
    /// nothing was written.
    pub fn key_value_snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        let store = self.app.key_value("default");
        store
            .keys()
            .expect("keys")
            .into_iter()
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

/// The (sku, quantity) pairs of a cart body, in order.
pub fn lines_of(cart: &Value) -> Vec<(String, u64)> {
    cart["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["sku"].as_str().expect("sku").to_owned(),
                l["quantity"].as_u64().expect("quantity"),
            )
        })
        .collect()
}

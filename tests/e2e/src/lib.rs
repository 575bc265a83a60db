//! The end-to-end test kit: `spawn_app` starts the real application of `spin.toml` (the built
//! `.wasm` files) on the Spin-compatible host with its own in-memory state, seeded by small
//! builders (`a_catalog().with_product("TEA-1")`, `.with_promotion(a_spend_threshold(..))`,
//! `.with_coupon(a_coupon("WELCOME10").amount_off("10.00"))`), and `TestApp` offers typed calls
//! (`app.add_to_cart(…)`, `app.quote(&a_quote().for_cart(..))`) and looks into the stores, so
//! that journeys read like journeys.

pub mod access_kit;
pub mod catalog_kit;
pub mod concurrency_kit;
pub mod dispatch_kit;
pub mod feedback_kit;
pub mod order_kit;
pub mod refund_kit;
pub mod stock_kit;
pub mod webhooks_kit;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use access_kit::{KeyMade, Who};

use serde_json::{Value, json};
use spin_test_host::{HostOptions, SpinApp, SqlValue};

/// The repository root (where spin.toml is).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Catalog rows a test needs, with sensible defaults.
#[derive(Debug, Clone, Default)]
pub struct CatalogBuilder {
    products: Vec<ProductRow>,
    stores: Vec<StoreRow>,
    promotions: Vec<PromotionBuilder>,
    coupons: Vec<CouponBuilder>,
    delivery_bands: Vec<(i64, String)>,
    member_tiers: Vec<(String, Option<String>)>,
    customers: Vec<(String, Option<String>)>,
    discount_ceiling: Option<String>,
}

#[derive(Debug, Clone)]
struct ProductRow {
    sku: String,
    category: String,
    list_price: String,
    active: bool,
}

#[derive(Debug, Clone)]
struct StoreRow {
    id: String,
    lat: f64,
    lon: f64,
    radius_km: f64,
}

/// Where test stores stand by default: People's Square, Shanghai.
pub const TEST_STORE_LOCATION: (f64, f64) = (31.2304, 121.4737);

/// A validity window that covers any clock a test runs with.
const ALWAYS: (&str, &str) = ("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z");

/// A promotion row, built by `a_spend_threshold(..)`, `a_percentage_off(..)`, ...
#[derive(Debug, Clone)]
pub struct PromotionBuilder {
    id: String,
    name: String,
    kind: &'static str,
    target_kind: &'static str,
    target_values: Vec<String>,
    priority: i64,
    stacking: &'static str,
    parameters: Value,
    window: (String, String),
}

fn a_promotion(id: &str, kind: &'static str, parameters: Value) -> PromotionBuilder {
    PromotionBuilder {
        id: id.to_owned(),
        name: id.to_owned(),
        kind,
        target_kind: "everything",
        target_values: Vec::new(),
        priority: 0,
        stacking: "stackable",
        parameters,
        window: (ALWAYS.0.to_owned(), ALWAYS.1.to_owned()),
    }
}

/// 满减 on the whole basket: `tiers` are (spend, off) pairs, e.g. `[("100.00", "10.00")]`.
pub fn a_spend_threshold(id: &str, tiers: &[(&str, &str)]) -> PromotionBuilder {
    let tiers: Vec<Value> = tiers
        .iter()
        .map(|(spend, off)| json!({ "spend": spend, "off": off }))
        .collect();
    a_promotion(id, "spend-threshold-tiers", json!({ "tiers": tiers }))
}

/// A percentage off every line (narrow it with `.on_skus(..)`).
pub fn a_percentage_off(id: &str, percent: &str) -> PromotionBuilder {
    a_promotion(id, "percentage-off", json!({ "percent": percent }))
}

/// Buy `buy` get `get` free.
pub fn a_buy_x_get_y(id: &str, buy: u32, get: u32) -> PromotionBuilder {
    a_promotion(id, "buy-x-get-y", json!({ "buy": buy, "get": get }))
}

/// A flash-sale price with a total cap.
pub fn a_flash_sale(id: &str, price: &str, total_cap: u32) -> PromotionBuilder {
    a_promotion(
        id,
        "flash-sale",
        json!({ "price": price, "total_cap": total_cap }),
    )
}

/// A clearance of `clearance_percent` when the store's stock covers more than `cover_days` of
/// its recent sales (narrow it with `.on_skus(..)`).
pub fn a_stock_markdown(id: &str, clearance_percent: &str, cover_days: u32) -> PromotionBuilder {
    a_promotion(
        id,
        "stock-markdown",
        json!({ "clearance_percent": clearance_percent, "cover_days": cover_days }),
    )
}

/// Free delivery once the goods come to `minimum_spend`.
pub fn a_free_delivery(id: &str, minimum_spend: &str) -> PromotionBuilder {
    a_promotion(
        id,
        "free-delivery",
        json!({ "minimum_spend": minimum_spend }),
    )
}

impl PromotionBuilder {
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    pub fn on_skus(mut self, skus: &[&str]) -> Self {
        self.target_kind = "skus";
        self.target_values = skus.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub fn on_categories(mut self, categories: &[&str]) -> Self {
        self.target_kind = "categories";
        self.target_values = categories.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub fn priority(mut self, priority: i64) -> Self {
        self.priority = priority;
        self
    }

    pub fn exclusive(mut self) -> Self {
        self.stacking = "exclusive";
        self
    }
}

/// A coupon row: `a_coupon("WELCOME10").amount_off("10.00")`.
#[derive(Debug, Clone)]
pub struct CouponBuilder {
    code: String,
    kind: &'static str,
    amount: Option<String>,
    percent: Option<String>,
    max_discount: Option<String>,
    minimum_spend: Option<String>,
    total_limit: Option<i64>,
    window: (String, String),
}

/// A coupon worth 10.00 off, valid always, without limits.
pub fn a_coupon(code: &str) -> CouponBuilder {
    CouponBuilder {
        code: code.to_owned(),
        kind: "amount-off",
        amount: Some("10.00".to_owned()),
        percent: None,
        max_discount: None,
        minimum_spend: None,
        total_limit: None,
        window: (ALWAYS.0.to_owned(), ALWAYS.1.to_owned()),
    }
}

impl CouponBuilder {
    /// Redeemable `uses` times in all, by everyone together.
    pub fn used_at_most(mut self, uses: i64) -> Self {
        self.total_limit = Some(uses);
        self
    }

    pub fn amount_off(mut self, amount: &str) -> Self {
        self.kind = "amount-off";
        self.amount = Some(amount.to_owned());
        self
    }

    pub fn percentage_off(mut self, percent: &str, capped_at: Option<&str>) -> Self {
        self.kind = "percentage-off";
        self.percent = Some(percent.to_owned());
        self.max_discount = capped_at.map(str::to_owned);
        self
    }

    pub fn minimum_spend(mut self, amount: &str) -> Self {
        self.minimum_spend = Some(amount.to_owned());
        self
    }

    /// Valid only in 2001.
    pub fn expired(mut self) -> Self {
        self.window = (
            "2001-01-01T00:00:00Z".to_owned(),
            "2002-01-01T00:00:00Z".to_owned(),
        );
        self
    }
}

/// An empty catalog to build on.
pub fn a_catalog() -> CatalogBuilder {
    CatalogBuilder::default()
}

impl CatalogBuilder {
    /// An active product priced 10.00 CNY.
    pub fn with_product(self, sku: &str) -> Self {
        self.with_priced_product(sku, "test", "10.00")
    }

    /// An active product of `category` at `list_price` CNY.
    pub fn with_priced_product(mut self, sku: &str, category: &str, list_price: &str) -> Self {
        self.products.push(ProductRow {
            sku: sku.to_owned(),
            category: category.to_owned(),
            list_price: list_price.to_owned(),
            active: true,
        });
        self
    }

    pub fn with_products(self, skus: &[&str]) -> Self {
        skus.iter().fold(self, |b, sku| b.with_product(sku))
    }

    /// A product that exists but is no longer sold.
    pub fn with_retired_product(mut self, sku: &str) -> Self {
        self.products.push(ProductRow {
            sku: sku.to_owned(),
            category: "test".to_owned(),
            list_price: "10.00".to_owned(),
            active: false,
        });
        self
    }

    /// An open store at People's Square, Shanghai, offering pickup and delivery within 5 km.
    pub fn with_store(self, id: &str) -> Self {
        let (lat, lon) = TEST_STORE_LOCATION;
        self.with_store_at(id, lat, lon, 5.0)
    }

    /// An open store at (`lat`, `lon`) delivering within `radius_km` (0: pickup only).
    pub fn with_store_at(mut self, id: &str, lat: f64, lon: f64, radius_km: f64) -> Self {
        self.stores.push(StoreRow {
            id: id.to_owned(),
            lat,
            lon,
            radius_km,
        });
        self
    }

    pub fn with_promotion(mut self, promotion: PromotionBuilder) -> Self {
        self.promotions.push(promotion);
        self
    }

    pub fn with_coupon(mut self, coupon: CouponBuilder) -> Self {
        self.coupons.push(coupon);
        self
    }

    /// Deliveries up to `up_to_m` metres cost `fee`.
    pub fn with_delivery_band(mut self, up_to_m: i64, fee: &str) -> Self {
        self.delivery_bands.push((up_to_m, fee.to_owned()));
        self
    }

    /// A member tier with a discount off every sku (`None`: no discount).
    pub fn with_member_tier(mut self, id: &str, discount_percent: Option<&str>) -> Self {
        self.member_tiers
            .push((id.to_owned(), discount_percent.map(str::to_owned)));
        self
    }

    /// A customer of a member tier (`None`: no tier).
    pub fn with_customer(mut self, id: &str, tier: Option<&str>) -> Self {
        self.customers
            .push((id.to_owned(), tier.map(str::to_owned)));
        self
    }

    /// The most a quote may take off, as a percentage of its subtotal.
    pub fn with_discount_ceiling(mut self, percent: &str) -> Self {
        self.discount_ceiling = Some(percent.to_owned());
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

/// A response as tests look at it.
#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
}

impl TestResponse {
    /// The host's answer, its JSON body parsed (a body that is not JSON is kept as a string).
    pub fn from_http(response: http::Response<Vec<u8>>) -> TestResponse {
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
    /// Staff keys made so far, by (staff member, scope).
    keys: Mutex<HashMap<(String, String), KeyMade>>,
    /// Whose cart, quote or order an id is, by id.
    owners: Mutex<HashMap<String, String>>,
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
        let text = |v: &str| SqlValue::Text(v.to_owned());
        let optional = |v: &Option<String>| v.as_deref().map_or(SqlValue::Null, text);
        for product in &catalog.products {
            db.execute(
                "INSERT INTO products (sku, name, category, brand, list_price, active) \
                 VALUES (?, ?, ?, 'Test Brand', ?, ?)",
                &[
                    text(&product.sku),
                    SqlValue::Text(format!("Product {}", product.sku)),
                    text(&product.category),
                    text(&product.list_price),
                    SqlValue::Integer(i64::from(product.active)),
                ],
            )
            .expect("insert product");
        }
        for store in &catalog.stores {
            db.execute(
                "INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, delivery_radius_km) \
                 VALUES (?, ?, '1 Test Rd', 'Shanghai', ?, ?, '{}', ?)",
                &[
                    text(&store.id),
                    SqlValue::Text(format!("Store {}", store.id)),
                    SqlValue::Real(store.lat),
                    SqlValue::Real(store.lon),
                    SqlValue::Real(store.radius_km),
                ],
            )
            .expect("insert store");
        }
        for p in &catalog.promotions {
            db.execute(
                "INSERT INTO promotions (id, name, kind, starts_at, ends_at, target_kind, \
                 target_values, priority, stacking, parameters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    text(&p.id),
                    text(&p.name),
                    text(p.kind),
                    text(&p.window.0),
                    text(&p.window.1),
                    text(p.target_kind),
                    SqlValue::Text(json!(p.target_values).to_string()),
                    SqlValue::Integer(p.priority),
                    text(p.stacking),
                    SqlValue::Text(p.parameters.to_string()),
                ],
            )
            .expect("insert promotion");
        }
        for c in &catalog.coupons {
            db.execute(
                "INSERT INTO coupons (code, name, kind, amount, percent, max_discount, \
                 minimum_spend, starts_at, ends_at, total_limit) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    text(&c.code),
                    SqlValue::Text(format!("Coupon {}", c.code)),
                    text(c.kind),
                    optional(&c.amount),
                    optional(&c.percent),
                    optional(&c.max_discount),
                    optional(&c.minimum_spend),
                    text(&c.window.0),
                    text(&c.window.1),
                    c.total_limit.map_or(SqlValue::Null, SqlValue::Integer),
                ],
            )
            .expect("insert coupon");
        }
        for (up_to_m, fee) in &catalog.delivery_bands {
            db.execute(
                "INSERT INTO delivery_fee_bands (up_to_m, fee) VALUES (?, ?)",
                &[SqlValue::Integer(*up_to_m), text(fee)],
            )
            .expect("insert delivery band");
        }
        for (id, discount) in &catalog.member_tiers {
            db.execute(
                "INSERT INTO member_tiers (id, name, discount_percent) VALUES (?, ?, ?)",
                &[text(id), text(id), optional(discount)],
            )
            .expect("insert member tier");
        }
        for (id, tier) in &catalog.customers {
            db.execute(
                "INSERT INTO customers (id, name, tier_id) VALUES (?, ?, ?)",
                &[
                    text(id),
                    SqlValue::Text(format!("Customer {id}")),
                    optional(tier),
                ],
            )
            .expect("insert customer");
        }
        if let Some(percent) = &catalog.discount_ceiling {
            db.execute(
                "INSERT INTO pricing_settings (name, value) VALUES ('discount_ceiling_percent', ?)",
                &[text(percent)],
            )
            .expect("insert discount ceiling");
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
        TestResponse::from_http(response)
    }

    /// Creates a cart (a guest's when `customer` is `None`, else signed in as `customer`) and
    /// returns its id; later cart calls on it are made as its customer.
    pub async fn create_cart(&self, customer: Option<&str>) -> String {
        let who = customer.map_or(Who::Nobody, Who::customer);
        let response = self.send_as(&who, "POST", "/cart", None).await.expect(201);
        let id = response.body["id"].as_str().expect("cart id").to_owned();
        if let Some(customer) = customer {
            self.remember_owner(&id, customer);
        }
        id
    }

    pub async fn get_cart(&self, cart: &str) -> TestResponse {
        self.send_as(&self.owner_of(cart), "GET", &format!("/cart/{cart}"), None)
            .await
    }

    pub async fn add_to_cart(&self, cart: &str, sku: &str, quantity: i64) -> TestResponse {
        let body = json!({ "sku": sku, "quantity": quantity });
        self.send_as(
            &self.owner_of(cart),
            "POST",
            &format!("/cart/{cart}/items"),
            Some(body),
        )
        .await
    }

    pub async fn set_quantity(&self, cart: &str, sku: &str, quantity: i64) -> TestResponse {
        let body = json!({ "quantity": quantity });
        self.send_as(
            &self.owner_of(cart),
            "PUT",
            &format!("/cart/{cart}/items/{sku}"),
            Some(body),
        )
        .await
    }

    pub async fn remove_item(&self, cart: &str, sku: &str) -> TestResponse {
        self.send_as(
            &self.owner_of(cart),
            "DELETE",
            &format!("/cart/{cart}/items/{sku}"),
            None,
        )
        .await
    }

    /// Merges `guest_cart` into `customer_cart`, signed in as the customer of `customer_cart`.
    pub async fn merge_carts(&self, customer_cart: &str, guest_cart: &str) -> TestResponse {
        let body = json!({ "guest_cart_id": guest_cart });
        self.send_as(
            &self.owner_of(customer_cart),
            "POST",
            &format!("/cart/{customer_cart}/merge"),
            Some(body),
        )
        .await
    }

    /// Asks for a quote (`POST /quote`) as the builder's customer, or the cart's, or a guest.
    pub async fn quote(&self, request: &QuoteRequestBuilder) -> TestResponse {
        let who = match (&request.customer, request.body.get("cart_id")) {
            (Some(customer), _) => Who::customer(customer),
            (None, Some(Value::String(cart))) => self.owner_of(cart),
            _ => Who::Nobody,
        };
        let response = self
            .send_as(&who, "POST", "/quote", Some(request.to_json()))
            .await;
        if let (Who::Customer(customer), Some(id)) = (&who, response.body["id"].as_str()) {
            self.remember_owner(id, customer);
        }
        response
    }

    pub async fn get_quote(&self, id: &str) -> TestResponse {
        self.send_as(&self.owner_of(id), "GET", &format!("/quote/{id}"), None)
            .await
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

/// A `POST /quote` body: `a_quote().for_lines(&[("TEA-1", 2)]).pickup_at("SH-1")`.
#[derive(Debug, Clone)]
pub struct QuoteRequestBuilder {
    body: serde_json::Map<String, Value>,
    /// Who asks (signed in); `None`: the cart's customer, or a guest.
    customer: Option<String>,
}

/// A quote request with no lines yet, for pickup at no store yet.
pub fn a_quote() -> QuoteRequestBuilder {
    QuoteRequestBuilder {
        body: serde_json::Map::new(),
        customer: None,
    }
}

impl QuoteRequestBuilder {
    pub fn for_cart(mut self, cart: &str) -> Self {
        self.body.insert("cart_id".into(), json!(cart));
        self
    }

    /// Explicit lines; quantities may be anything, to test refusals.
    pub fn for_lines(mut self, lines: &[(&str, i64)]) -> Self {
        let lines: Vec<Value> = lines
            .iter()
            .map(|(sku, quantity)| json!({ "sku": sku, "quantity": quantity }))
            .collect();
        self.body.insert("lines".into(), Value::Array(lines));
        self
    }

    /// Asked by `customer`, signed in.
    pub fn for_customer(mut self, customer: &str) -> Self {
        self.customer = Some(customer.to_owned());
        self
    }

    pub fn pickup_at(mut self, store: &str) -> Self {
        self.body.insert(
            "fulfilment".into(),
            json!({ "mode": "pickup", "store_id": store }),
        );
        self
    }

    /// Delivery to a point in Shanghai.
    pub fn delivered_to(mut self, lat: f64, lon: f64) -> Self {
        self.body.insert(
            "fulfilment".into(),
            json!({
                "mode": "delivery",
                "address": {
                    "line1": "1 Test Rd", "line2": null, "city": "Shanghai",
                    "postal_code": "200000", "country": "CN"
                },
                "location": { "lat": lat, "lon": lon },
                "contact_phone": null,
                "instructions": null
            }),
        );
        self
    }

    pub fn with_coupons(mut self, codes: &[&str]) -> Self {
        self.body.insert("coupon_codes".into(), json!(codes));
        self
    }

    pub fn to_json(&self) -> Value {
        Value::Object(self.body.clone())
    }
}

/// An amount of a quote as a string ("12.30").
pub fn amount(money: &Value) -> &str {
    money["amount"].as_str().expect("money amount")
}

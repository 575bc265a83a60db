//! Issue 12's benchmark: the shop at both sizes in the same run. The app of spin.toml is loaded
//! twice on file-backed state, as `spin up` keeps it (a fresh state directory each), once
//! seeded with the demo (`.spin/seed.sql`) and once with a real shop's size
//! (`.spin/seed-large.sql`: 10,000 products, 20 stores, a year of orders and stock movements;
//! `scripts/seed --scale large` writes it). The trivial probe component
//! (tests/host/fixtures/probe.toml, route /exact) is the yardstick.
//!
//! Requests go in-process through `SpinApp::handle` (no sockets): N clients, each a tokio task
//! sending one request after another for BENCH_SECONDS (default 5). For each scenario at each
//! size it prints p50 and p99, requests/s and their ratio to the trivial component at the same
//! number of clients, the host calls of one request (`SpinApp::last_host_calls`: SQL
//! statements, connections, key-value operations, peak linear memory), then the large/demo
//! ratio of p50 and the issue's goals with PASS or MISS. Every answer's status is checked;
//! failures are counted and printed. A benchmark, not a test: it asserts nothing and exits 0,
//! unless setting the shops up fails. It stops by itself. With BENCH_STATEMENTS set it also
//! prints the SQL statements of each scenario's request sent alone.
//!
//! Run: `scripts/bench-scale.sh`, which builds the .wasm and this binary and writes both seeds;
//! or, with those in place, `cargo run -p o2o-e2e --profile host --bin scale-bench`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use o2o_domain::auth::token;
use o2o_domain::ids::CustomerId;
use o2o_e2e::{
    TEST_ADMIN_KEY, TEST_COURIER_SECRET, TEST_JWT_SECRET, TEST_PAYMENT_SECRET, TEST_REFUND_SECRET,
    TEST_SECRETS_KEY, TEST_STORE_LOCATION, repo_root,
};
use serde_json::{Value, json};
use spin_test_host::{HostCalls, HostOptions, SpinApp};

/// The signed-in shopper: a gold member of the demo data, so member prices apply.
const CUSTOMER: &str = "cust-42";
/// Where pickups, orders and the stock they take happen, at both sizes.
const STORE: &str = "SH-JINGAN";
/// The numbers of clients the trivial component is measured at: every scenario's.
const TRIVIAL_CLIENTS: [usize; 3] = [1, 2, 16];
/// The largest page a list route gives.
const PAGE: usize = 100;

/// The issue's goals (issue 12, "Benchmark at both sizes").
const MAX_LARGE_OVER_DEMO_P50: f64 = 1.5;
const MAX_QUOTE_P50_MS: f64 = 3.0;
const MIN_ORDERS_PER_SECOND_AT_16: f64 = 300.0;
const MIN_CART_READ_OVER_TRIVIAL: f64 = 0.6;

type MakeRequest = Arc<dyn Fn() -> http::Request<Vec<u8>> + Send + Sync>;

/// One size of the shop, loaded and set up: its app and what the scenarios name there.
struct Shop {
    size: &'static str,
    app: SpinApp,
    state_dir: PathBuf,
    /// Active skus of the size, in sku order (generated ones only at the large size).
    skus: Vec<String>,
    order_sku: String,
    /// A guest cart holding 3 lines.
    cart: String,
}

/// What one scenario sends and expects.
struct Scenario {
    label: &'static str,
    /// The component whose host calls one request makes.
    component: &'static str,
    clients: usize,
    expected: u16,
    /// A shopper's request (the 1.5x goal applies), not staff's.
    shopper: bool,
    /// A memory figure the issue asks for (the largest basket, the largest list pages).
    memory_figure: bool,
    make: MakeRequest,
}

/// What one scenario measured.
struct Figures {
    requests: usize,
    failures: usize,
    first_failure: Option<String>,
    p50_ms: f64,
    p99_ms: f64,
    per_second: f64,
    calls: Option<HostCalls>,
}

/// Latencies and failures of a set of requests.
#[derive(Default)]
struct Tally {
    times: Vec<Duration>,
    failures: usize,
    first_failure: Option<String>,
}

impl Tally {
    fn record<E: std::fmt::Display>(
        &mut self,
        took: Duration,
        answer: Result<http::Response<Vec<u8>>, E>,
        expected: u16,
    ) {
        self.times.push(took);
        let failure = match answer {
            Ok(response) if response.status() == expected => return,
            Ok(response) => format!(
                "status {} (expected {expected}): {}",
                response.status(),
                String::from_utf8_lossy(&response.body()[..response.body().len().min(300)])
            ),
            Err(error) => format!("host error: {error:#}"),
        };
        self.failures += 1;
        self.first_failure.get_or_insert(failure);
    }

    fn merge(&mut self, other: Tally) {
        self.times.extend(other.times);
        self.failures += other.failures;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }
}

/// The phases of the run and how long each took.
#[derive(Default)]
struct Timings(Vec<(String, Duration)>);

impl Timings {
    fn since(&mut self, phase: impl Into<String>, started: Instant) {
        self.0.push((phase.into(), started.elapsed()));
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let run_started = Instant::now();
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .map(|raw| raw.parse().expect("BENCH_SECONDS: a number of seconds"))
        .unwrap_or(5.0);
    let duration = Duration::from_secs_f64(seconds);
    let root = repo_root();
    let mut timings = Timings::default();

    println!(
        "==> issue 12 at both sizes: {seconds} s per run, in-process requests, file-backed state"
    );
    let started = Instant::now();
    let probe = load_probe(&root);
    let make_trivial: MakeRequest = Arc::new(|| get("/exact", &[]));
    let mut trivial = HashMap::new();
    for clients in TRIVIAL_CLIENTS {
        warm_up(&probe, &make_trivial, 200).await;
        let run = run_clients(&probe, &make_trivial, 200, clients, duration).await;
        let figures = figures(run, None);
        println!(
            "trivial component (probe /exact, in memory), {clients:>2} client(s): {:>8.0} req/s, p50 {:.3} ms, p99 {:.3} ms, {} failures",
            figures.per_second, figures.p50_ms, figures.p99_ms, figures.failures
        );
        trivial.insert(clients, figures.per_second);
    }
    timings.since("trivial component: load and measure", started);

    let mut shops = Vec::new();
    for (size, seed, generated_only) in [
        ("demo", ".spin/seed.sql", false),
        ("large", ".spin/seed-large.sql", true),
    ] {
        let started = Instant::now();
        let shop = load_shop(&root, size, seed, generated_only);
        timings.since(
            format!("{size}: load the app (compiling what is not cached) and its seed"),
            started,
        );
        println!("{size}: {}", describe(&shop));
        let started = Instant::now();
        let shop = set_up(shop).await;
        timings.since(format!("{size}: set up (cart, stock received)"), started);
        shops.push(shop);
    }

    let plans: Vec<Vec<Scenario>> = shops.iter().map(scenarios).collect();
    let mut results: Vec<[Figures; 2]> = Vec::new();
    for i in 0..plans[0].len() {
        let mut pair = Vec::new();
        for (shop, plan) in shops.iter().zip(&plans) {
            let scenario = &plan[i];
            let started = Instant::now();
            pair.push(measure(&shop.app, scenario, duration).await);
            timings.since(
                format!(
                    "{}: {}, {} client(s)",
                    shop.size, scenario.label, scenario.clients
                ),
                started,
            );
        }
        results.push(pair.try_into().ok().expect("one figure per size"));
    }

    let scenarios = &plans[0];
    print_table(scenarios, &results, &trivial);
    print_host_calls(scenarios, &results);
    print_statements(scenarios, &results);
    print_memory(scenarios, &results);
    print_goals(scenarios, &results, &trivial);

    for shop in &shops {
        let _ = std::fs::remove_dir_all(&shop.state_dir);
    }
    println!("\n==> how long each part took");
    for (phase, took) in &timings.0 {
        println!("{:>8.1} s  {phase}", took.as_secs_f64());
    }
    println!("{:>8.1} s  in all", run_started.elapsed().as_secs_f64());
}

/// The app's required secrets (the test kit's), and the rate limit out of the way: every
/// request of a run comes from one customer or one key.
fn app_variables() -> HashMap<String, String> {
    [
        ("payment_webhook_secret", TEST_PAYMENT_SECRET),
        ("refund_webhook_secret", TEST_REFUND_SECRET),
        ("courier_webhook_secret", TEST_COURIER_SECRET),
        ("jwt_secret", TEST_JWT_SECRET),
        ("admin_api_key", TEST_ADMIN_KEY),
        ("secrets_key", TEST_SECRETS_KEY),
        ("rate_limit_requests", "1000000000"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

/// The probe fixture in memory, as scripts/bench-file.sh serves it, with the stores its
/// runtime config defines.
fn load_probe(root: &Path) -> SpinApp {
    let options = HostOptions {
        variables: HashMap::from([("api_token".to_owned(), "bench".to_owned())]),
        key_value_stores: vec!["sessions".to_owned()],
        sqlite_databases: vec!["analytics".to_owned()],
        ..HostOptions::default()
    };
    SpinApp::load(&root.join("tests/host/fixtures/probe.toml"), options)
        .unwrap_or_else(|e| fail_setup(&format!("the probe must load (run scripts/build): {e:#}")))
}

/// The app of spin.toml on a fresh state directory, seeded from `seed` as
/// `spin up --sqlite @seed` seeds it.
fn load_shop(root: &Path, size: &'static str, seed: &str, generated_only: bool) -> Shop {
    let seed_path = root.join(seed);
    if !seed_path.is_file() {
        fail_setup(&format!(
            "{} is missing: run scripts/seed{}",
            seed_path.display(),
            if generated_only { " --scale large" } else { "" }
        ));
    }
    let state_dir = std::env::temp_dir().join(format!(
        "o2o-scale-bench-{}-{size}-{}",
        std::process::id(),
        Utc::now().timestamp_millis()
    ));
    std::fs::create_dir_all(&state_dir).expect("a temporary state directory");
    let options = HostOptions {
        state_dir: Some(state_dir.clone()),
        sqlite_statements: vec![format!("@{}", seed_path.display())],
        variables: app_variables(),
        ..HostOptions::default()
    };
    let app = SpinApp::load(&root.join("spin.toml"), options).unwrap_or_else(|e| {
        fail_setup(&format!(
            "the app must load with {seed} (run scripts/build): {e:#}"
        ))
    });
    let pattern = if generated_only { "GEN-*" } else { "*" };
    let skus: Vec<String> = app
        .sqlite("default")
        .execute(
            "SELECT sku FROM products WHERE active = 1 AND sku GLOB ? ORDER BY sku",
            &[spin_test_host::SqlValue::Text(pattern.to_owned())],
        )
        .unwrap_or_else(|e| fail_setup(&format!("the {size} catalog: {e:#}")))
        .into_iter()
        .filter_map(|row| match row.into_iter().next() {
            Some(spin_test_host::SqlValue::Text(sku)) => Some(sku),
            _ => None,
        })
        .collect();
    if skus.len() < 5 {
        fail_setup(&format!(
            "the {size} catalog has {} active skus",
            skus.len()
        ));
    }
    let order_sku = picked(&skus, 3)[2].clone();
    Shop {
        size,
        app,
        state_dir,
        skus,
        order_sku,
        cart: String::new(),
    }
}

/// `n` skus spread over the catalog: distinct while the catalog holds that many (7919 is prime,
/// so the stride visits every sku before it repeats one), then repeating.
fn picked(skus: &[String], n: usize) -> Vec<String> {
    (0..n)
        .map(|i| skus[(i * 7919) % skus.len()].clone())
        .collect()
}

/// A guest cart of 3 lines, and stock enough for every order of the run received at the store
/// through the API (a receipt, as staff record one).
async fn set_up(mut shop: Shop) -> Shop {
    let created = setup_request(&shop, post("/cart", None, &[]), 201).await;
    shop.cart = created["id"]
        .as_str()
        .unwrap_or_else(|| fail_setup("POST /cart answered no id"))
        .to_owned();
    for (i, sku) in picked(&shop.skus, 3).iter().enumerate() {
        let line = json!({ "sku": sku, "quantity": i + 1 });
        let path = format!("/cart/{}/items", shop.cart);
        setup_request(&shop, post(&path, Some(&line), &[]), 200).await;
    }
    let receipt = json!({ "store_id": STORE, "sku": shop.order_sku, "quantity": 100_000 });
    let admin = [("x-api-key", TEST_ADMIN_KEY.to_owned())];
    setup_request(&shop, post("/stock/receipts", Some(&receipt), &admin), 200).await;
    shop
}

async fn setup_request(shop: &Shop, request: http::Request<Vec<u8>>, expected: u16) -> Value {
    let what = format!("{} {}", request.method(), request.uri());
    match shop.app.handle(request).await {
        Ok(response) if response.status() == expected => {
            serde_json::from_slice(response.body()).unwrap_or(Value::Null)
        }
        Ok(response) => fail_setup(&format!(
            "{}: {what} answered {}: {}",
            shop.size,
            response.status(),
            String::from_utf8_lossy(response.body())
        )),
        Err(e) => fail_setup(&format!("{}: {what}: {e:#}", shop.size)),
    }
}

fn fail_setup(why: &str) -> ! {
    eprintln!("scale-bench: setup failed: {why}");
    std::process::exit(1);
}

/// The size as the seed left the database.
fn describe(shop: &Shop) -> String {
    let db = shop.app.sqlite("default");
    let count = |table: &str| {
        db.query_scalar::<i64>(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .unwrap_or(-1)
    };
    format!(
        "{} products, {} stores, {} stock levels, {} stock movements, {} orders, {} daily sales rows",
        count("products"),
        count("stores"),
        count("stock_levels"),
        count("stock_movements"),
        count("orders"),
        count("stock_sales_daily")
    )
}

/// The scenarios, in the order they run and print; the same list at both sizes.
fn scenarios(shop: &Shop) -> Vec<Scenario> {
    let customer = Arc::new(bearer(CUSTOMER));
    let admin = Arc::new(TEST_ADMIN_KEY.to_owned());
    let quote = |lines: usize| -> MakeRequest {
        let body = json!({
            "lines": picked(&shop.skus, lines).iter().enumerate()
                .map(|(i, sku)| json!({ "sku": sku, "quantity": 1 + i % 3 }))
                .collect::<Vec<_>>(),
            "fulfilment": { "mode": "pickup", "store_id": STORE },
        });
        let customer = customer.clone();
        Arc::new(move || {
            post(
                "/quote",
                Some(&body),
                &[("authorization", (*customer).clone())],
            )
        })
    };
    let place_order: MakeRequest = {
        let body = json!({
            "lines": [{ "sku": shop.order_sku, "quantity": 1 }],
            "fulfilment": { "mode": "pickup", "store_id": STORE },
            "payment_method": "online",
        });
        let customer = customer.clone();
        let (size, sent) = (shop.size, Arc::new(AtomicU64::new(0)));
        let run = Utc::now().timestamp_millis();
        Arc::new(move || {
            let key = format!(
                "scale-{size}-{run}-{}",
                sent.fetch_add(1, Ordering::Relaxed)
            );
            let headers = [
                ("authorization", (*customer).clone()),
                ("idempotency-key", key),
            ];
            post("/orders", Some(&body), &headers)
        })
    };
    let cart_read: MakeRequest = {
        let path = format!("/cart/{}", shop.cart);
        Arc::new(move || get(&path, &[]))
    };
    let availability: MakeRequest = {
        let (lat, lon) = TEST_STORE_LOCATION;
        let path = format!(
            "/stock/availability?sku={}&lat={lat}&lon={lon}",
            shop.order_sku
        );
        Arc::new(move || get(&path, &[]))
    };
    let order_list: MakeRequest = {
        let customer = customer.clone();
        Arc::new(move || {
            get(
                &format!("/orders?limit={PAGE}"),
                &[("authorization", (*customer).clone())],
            )
        })
    };
    let product_list: MakeRequest = Arc::new(move || {
        get(
            &format!("/admin/products?limit={PAGE}"),
            &[("x-api-key", (*admin).clone())],
        )
    });
    let scenario = |label, component, clients, expected, make| Scenario {
        label,
        component,
        clients,
        expected,
        shopper: true,
        memory_figure: false,
        make,
    };
    vec![
        scenario("quote, 5 lines", "quote", 1, 201, quote(5)),
        Scenario {
            memory_figure: true,
            ..scenario("quote, 50 lines", "quote", 1, 201, quote(50))
        },
        scenario("cart read (guest, 3 lines)", "cart", 2, 200, cart_read),
        scenario("availability near a point", "stock", 2, 200, availability),
        scenario("place order, 1 line", "order", 1, 201, place_order.clone()),
        scenario("place order, 1 line", "order", 16, 201, place_order),
        Scenario {
            memory_figure: true,
            ..scenario("customer's orders, 100", "order", 1, 200, order_list)
        },
        Scenario {
            shopper: false,
            memory_figure: true,
            ..scenario("staff: products, 100", "catalog", 1, 200, product_list)
        },
    ]
}

/// A bearer token for `customer`, valid for the run.
fn bearer(customer: &str) -> String {
    let customer = CustomerId::parse(customer).expect("a customer id");
    let token = token::issue(
        &customer,
        TEST_JWT_SECRET.as_bytes(),
        Utc::now(),
        chrono::Duration::hours(6),
    );
    format!("Bearer {token}")
}

fn get(path: &str, headers: &[(&str, String)]) -> http::Request<Vec<u8>> {
    request("GET", path, None, headers)
}

fn post(path: &str, body: Option<&Value>, headers: &[(&str, String)]) -> http::Request<Vec<u8>> {
    request("POST", path, body, headers)
}

fn request(
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, String)],
) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    let bytes = match body {
        Some(json) => {
            builder = builder.header("content-type", "application/json");
            serde_json::to_vec(json).expect("a serialisable body")
        }
        None => Vec::new(),
    };
    builder.body(bytes).expect("a valid request")
}

/// Warms the scenario up (the first requests compile and cache), reads the host calls of one
/// request sent alone, then measures it.
async fn measure(app: &SpinApp, scenario: &Scenario, duration: Duration) -> Figures {
    let mut alone = warm_up(app, &scenario.make, scenario.expected).await;
    let calls = app.last_host_calls(scenario.component);
    let run = run_clients(
        app,
        &scenario.make,
        scenario.expected,
        scenario.clients,
        duration,
    )
    .await;
    alone.times.clear();
    let (tally, elapsed) = run;
    alone.merge(tally);
    figures((alone, elapsed), calls)
}

/// A few requests one after another; the last one's host calls are the app's latest.
async fn warm_up(app: &SpinApp, make: &MakeRequest, expected: u16) -> Tally {
    let mut tally = Tally::default();
    for _ in 0..5 {
        let sent = Instant::now();
        let answer = app.handle(make()).await;
        tally.record(sent.elapsed(), answer, expected);
    }
    tally
}

/// `clients` tasks, each sending one request after another until `duration` has passed.
async fn run_clients(
    app: &SpinApp,
    make: &MakeRequest,
    expected: u16,
    clients: usize,
    duration: Duration,
) -> (Tally, Duration) {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (app, make) = (app.clone(), make.clone());
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while Instant::now() < deadline {
                    let request = make();
                    let sent = Instant::now();
                    let answer = app.handle(request).await;
                    tally.record(sent.elapsed(), answer, expected);
                }
                tally
            })
        })
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        all.merge(task.await.expect("a client task"));
    }
    (all, started.elapsed())
}

fn figures((mut tally, elapsed): (Tally, Duration), calls: Option<HostCalls>) -> Figures {
    tally.times.sort();
    let at = |p: f64| {
        if tally.times.is_empty() {
            return f64::NAN;
        }
        let index = ((tally.times.len() as f64 - 1.0) * p).round() as usize;
        tally.times[index].as_secs_f64() * 1e3
    };
    Figures {
        requests: tally.times.len(),
        failures: tally.failures,
        first_failure: tally.first_failure,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        per_second: tally.times.len() as f64 / elapsed.as_secs_f64(),
        calls,
    }
}

fn print_table(scenarios: &[Scenario], results: &[[Figures; 2]], trivial: &HashMap<usize, f64>) {
    println!(
        "\n==> p50 / p99 in ms, requests/s and their ratio to the trivial component at the same clients"
    );
    println!(
        "{:<28} {:>3} | {:>29} {:>8} | {:>29} {:>8} | {:>10}",
        "scenario",
        "cl.",
        "demo: p50    p99   req/s",
        "/trivial",
        "large: p50    p99   req/s",
        "/trivial",
        "large/demo"
    );
    for (scenario, [demo, large]) in scenarios.iter().zip(results) {
        let yardstick = trivial[&scenario.clients];
        let cells = |f: &Figures| {
            format!(
                "{:>9.2} {:>8.2} {:>10.1} {:>8.3}",
                f.p50_ms,
                f.p99_ms,
                f.per_second,
                f.per_second / yardstick
            )
        };
        println!(
            "{:<28} {:>3} | {} | {} | {:>9.2}x",
            scenario.label,
            scenario.clients,
            cells(demo),
            cells(large),
            large.p50_ms / demo.p50_ms
        );
    }
    let mut clean = true;
    for (scenario, pair) in scenarios.iter().zip(results) {
        for (size, f) in ["demo", "large"].iter().zip(pair) {
            if f.failures > 0 {
                clean = false;
                println!(
                    "FAILURES {size} {} ({} clients): {} of {} requests; first: {}",
                    scenario.label,
                    scenario.clients,
                    f.failures,
                    f.requests,
                    f.first_failure.as_deref().unwrap_or("?")
                );
            }
        }
    }
    if clean {
        let total: usize = results.iter().flatten().map(|f| f.requests).sum();
        println!("failures: none ({total} requests, every status as expected)");
    }
}

fn print_host_calls(scenarios: &[Scenario], results: &[[Figures; 2]]) {
    println!(
        "\n==> host calls of one request sent alone: sql statements (connections opened), key-value operations (stores opened), peak linear memory, ms in SQLite of ms in the instance"
    );
    println!(
        "{:<28} {:>3} | {:<56} | {:<56}",
        "scenario", "cl.", "demo", "large"
    );
    let cell = |calls: &Option<HostCalls>| match calls {
        Some(c) => format!(
            "sql {:>3} ({}), kv {:>2} ({}), {:>5.2} MiB, {:>5.2} of {:>5.2} ms",
            c.sql,
            c.sql_opens,
            c.kv,
            c.kv_opens,
            mib(c.peak_memory_bytes),
            c.sql_time.as_secs_f64() * 1000.0,
            c.instance_time.as_secs_f64() * 1000.0
        ),
        None => "no request recorded".to_owned(),
    };
    for (scenario, [demo, large]) in scenarios.iter().zip(results) {
        println!(
            "{:<28} {:>3} | {:<56} | {:<56}",
            scenario.label,
            scenario.clients,
            cell(&demo.calls),
            cell(&large.calls)
        );
    }
}

/// With BENCH_STATEMENTS set: the SQL statements of each scenario's request sent alone.
fn print_statements(scenarios: &[Scenario], results: &[[Figures; 2]]) {
    if std::env::var_os("BENCH_STATEMENTS").is_none() {
        return;
    }
    println!("\n==> the SQL statements of one request sent alone (BENCH_STATEMENTS)");
    for (scenario, pair) in scenarios.iter().zip(results) {
        for (size, f) in ["demo", "large"].iter().zip(pair) {
            let statements = f.calls.as_ref().map_or(&[][..], |c| &c.statements[..]);
            println!(
                "-- {} ({} clients), {size}:",
                scenario.label, scenario.clients
            );
            for statement in statements {
                println!("   {statement}");
            }
        }
    }
}

fn print_memory(scenarios: &[Scenario], results: &[[Figures; 2]]) {
    println!(
        "\n==> peak linear memory of the component, the largest basket and the largest list pages"
    );
    for (scenario, [demo, large]) in scenarios.iter().zip(results) {
        if !scenario.memory_figure {
            continue;
        }
        let peak = |f: &Figures| {
            f.calls
                .as_ref()
                .map_or(f64::NAN, |c| mib(c.peak_memory_bytes))
        };
        println!(
            "{:<28} ({:<7}) demo {:>7.2} MiB | large {:>7.2} MiB | large/demo {:.2}x",
            scenario.label,
            scenario.component,
            peak(demo),
            peak(large),
            peak(large) / peak(demo)
        );
    }
}

fn print_goals(scenarios: &[Scenario], results: &[[Figures; 2]], trivial: &HashMap<usize, f64>) {
    println!("\n==> issue 12's goals (2-core machine)");
    let verdict = |met: bool, failures: usize| match (met, failures) {
        (true, 0) => "PASS".to_owned(),
        (false, 0) => "MISS".to_owned(),
        (_, n) => format!("MISS ({n} failed requests)"),
    };
    for (scenario, [demo, large]) in scenarios.iter().zip(results) {
        if !scenario.shopper {
            continue;
        }
        let ratio = large.p50_ms / demo.p50_ms;
        println!(
            "{:<5} large p50 within {MAX_LARGE_OVER_DEMO_P50}x of demo: {}, {} client(s): {:.2} ms vs {:.2} ms = {ratio:.2}x",
            verdict(
                ratio <= MAX_LARGE_OVER_DEMO_P50,
                demo.failures + large.failures
            ),
            scenario.label,
            scenario.clients,
            large.p50_ms,
            demo.p50_ms
        );
    }
    for (scenario, pair) in scenarios.iter().zip(results) {
        let sizes = ["demo", "large"].iter().zip(pair);
        if scenario.component == "quote" {
            for (size, f) in sizes {
                println!(
                    "{:<5} quote p50 under {MAX_QUOTE_P50_MS} ms: {}, {size}: {:.2} ms",
                    verdict(f.p50_ms < MAX_QUOTE_P50_MS, f.failures),
                    scenario.label,
                    f.p50_ms
                );
            }
        } else if scenario.component == "order"
            && scenario.expected == 201
            && scenario.clients == 16
        {
            for (size, f) in sizes {
                println!(
                    "{:<5} place order at least {MIN_ORDERS_PER_SECOND_AT_16} orders/s at 16 clients, {size}: {:.1} orders/s",
                    verdict(f.per_second >= MIN_ORDERS_PER_SECOND_AT_16, f.failures),
                    f.per_second
                );
            }
        } else if scenario.component == "cart" {
            let yardstick = trivial[&scenario.clients];
            for (size, f) in sizes {
                let ratio = f.per_second / yardstick;
                println!(
                    "{:<5} cart read at least {MIN_CART_READ_OVER_TRIVIAL}x the trivial component's throughput, {size}, {} clients: {:.0} vs {:.0} req/s = {ratio:.3}x",
                    verdict(ratio >= MIN_CART_READ_OVER_TRIVIAL, f.failures),
                    scenario.clients,
                    f.per_second,
                    yardstick
                );
            }
        }
    }
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

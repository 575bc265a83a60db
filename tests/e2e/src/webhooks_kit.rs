//! The webhooks part of the end-to-end kit: a receiver the test starts on loopback
//! (`Receiver::answering(&[500, 500])`: scripted statuses, then 200; it records every request),
//! the app configuration that lets the webhooks function call it (`webhooks_allowed(..)`),
//! subscription bodies (`a_subscription(&url).to(&["stock.low"])`), typed calls for every
//! webhooks route, and a check of a received request's signature with the domain's `verify`.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use o2o_domain::signature::{self, SignatureError};
use serde_json::{Value, json};

use crate::access_kit::Who;
use crate::{AppConfig, CatalogBuilder, TestApp, TestResponse};

/// The staff member tests act as.
pub const STAFF: &str = "staff-webhooks";

/// The most connections one receiver serves: its accept loop is bounded like every loop.
const MAX_CONNECTIONS: usize = 256;

/// The app of `catalog`, allowed to call receivers on 127.0.0.1 at any port, with extra Spin
/// variables (`("webhook_max_attempts", "3")`).
pub fn webhooks_allowed(catalog: CatalogBuilder, variables: &[(&str, &str)]) -> AppConfig {
    let mut config = AppConfig::from(catalog);
    config
        .variables
        .push(("webhook_hosts".to_owned(), "http://127.0.0.1:*".to_owned()));
    config.variables.extend(
        variables
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    config
}

/// One request as the receiver got it.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    /// Header names lower-case.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl ReceivedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// Verifies the signature headers against `secret`, at `now`, with a 5-minute window.
    pub fn verify_signature(&self, secret: &str, now: DateTime<Utc>) -> Result<(), SignatureError> {
        signature::verify(
            secret.as_bytes(),
            self.header(signature::TIMESTAMP_HEADER),
            self.header(signature::SIGNATURE_HEADER),
            &self.body,
            now,
            chrono::Duration::minutes(5),
        )
    }
}

#[derive(Default)]
struct ReceiverState {
    statuses: VecDeque<u16>,
    received: Vec<ReceivedRequest>,
}

/// An HTTP/1.1 receiver on 127.0.0.1 (a free port), one request per connection.
pub struct Receiver {
    addr: SocketAddr,
    state: Arc<Mutex<ReceiverState>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// A receiver that answers 200 to everything.
    pub fn start() -> Receiver {
        Receiver::answering(&[])
    }

    /// A receiver that answers `statuses` in turn, then 200.
    pub fn answering(statuses: &[u16]) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let state = Arc::new(Mutex::new(ReceiverState {
            statuses: statuses.iter().copied().collect(),
            received: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming().take(MAX_CONNECTIONS) {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        serve(stream, &state);
                    }
                }
            })
        };
        Receiver {
            addr,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// The URL of `path` on this receiver.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.state.lock().expect("receiver state").received.clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _wake = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request (content-length or chunked body), records it, answers the next status.
fn serve(stream: TcpStream, state: &Mutex<ReceiverState>) {
    let timeout = Some(Duration::from_secs(10));
    if stream.set_read_timeout(timeout).is_err() {
        return;
    }
    let mut reader = BufReader::new(&stream);
    let Some(request) = read_request(&mut reader) else {
        return;
    };
    let status = {
        let mut state = state.lock().expect("receiver state");
        state.received.push(request);
        state.statuses.pop_front().unwrap_or(200)
    };
    let mut writer = &stream;
    let _ = write!(
        writer,
        "HTTP/1.1 {status} Scripted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    let _ = writer.flush();
}

fn read_request(reader: &mut impl BufRead) -> Option<ReceivedRequest> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = BTreeMap::new();
    for _ in 0..200 {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        read_chunked(reader)?
    } else {
        let length: usize = headers
            .get("content-length")
            .map_or(Some(0), |l| l.parse().ok())?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        body
    };
    Some(ReceivedRequest {
        method,
        path,
        headers,
        body,
    })
}

fn read_chunked(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    for _ in 0..10_000 {
        let mut size = String::new();
        reader.read_line(&mut size).ok()?;
        let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
    None
}

/// A `POST /webhooks/subscriptions` body.
#[derive(Debug, Clone)]
pub struct SubscriptionBuilder {
    body: serde_json::Map<String, Value>,
}

/// A subscription of `url` to `stock.low`, with a generated secret.
pub fn a_subscription(url: &str) -> SubscriptionBuilder {
    let mut body = serde_json::Map::new();
    body.insert("url".into(), json!(url));
    body.insert("event_types".into(), json!(["stock.low"]));
    SubscriptionBuilder { body }
}

impl SubscriptionBuilder {
    pub fn to(self, event_types: &[&str]) -> Self {
        self.with("event_types", json!(event_types))
    }

    pub fn with_secret(self, secret: &str) -> Self {
        self.with("secret", json!(secret))
    }

    /// Any field, to test refusals.
    pub fn with(mut self, field: &str, value: Value) -> Self {
        self.body.insert(field.to_owned(), value);
        self
    }

    pub fn to_json(&self) -> Value {
        Value::Object(self.body.clone())
    }
}

impl TestApp {
    /// A request as staff member `staff` with their key holding `webhooks` (`None`: no
    /// credentials).
    pub async fn as_webhooks_staff(
        &self,
        staff: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let who = staff.map_or(Who::Nobody, |name| Who::staff(name, "webhooks"));
        self.send_as(&who, method, path, body).await
    }

    pub async fn subscribe(&self, subscription: &SubscriptionBuilder) -> TestResponse {
        self.as_webhooks_staff(
            Some(STAFF),
            "POST",
            "/webhooks/subscriptions",
            Some(subscription.to_json()),
        )
        .await
    }

    pub async fn deactivate_subscription(&self, id: &str) -> TestResponse {
        self.as_webhooks_staff(
            Some(STAFF),
            "DELETE",
            &format!("/webhooks/subscriptions/{id}"),
            None,
        )
        .await
    }

    /// `POST /webhooks/deliveries/run`, as a scheduler calls it (its key with `webhooks`).
    pub async fn run_deliveries(&self) -> TestResponse {
        self.as_webhooks_staff(Some("scheduler"), "POST", "/webhooks/deliveries/run", None)
            .await
            .expect(200)
    }

    /// `GET /webhooks/deliveries?<query>`, the list.
    pub async fn deliveries(&self, query: &str) -> Vec<Value> {
        let response = self
            .as_webhooks_staff(
                Some(STAFF),
                "GET",
                &format!("/webhooks/deliveries?{query}"),
                None,
            )
            .await
            .expect(200);
        response.body["items"]
            .as_array()
            .expect("deliveries")
            .clone()
    }

    pub async fn redeliver(&self, staff: Option<&str>, delivery: &str) -> TestResponse {
        self.as_webhooks_staff(
            staff,
            "POST",
            &format!("/webhooks/deliveries/{delivery}/redeliver"),
            None,
        )
        .await
    }

    /// The time the components see now (the host clock, advanced by the test).
    pub fn app_now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(self.app.clock().now())
    }

    /// Appends an event to the outbox directly, as another function would.
    pub fn append_outbox_event(&self, id: &str, event_type: &str, data: Value) {
        let at = self
            .app_now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.app
            .sqlite("default")
            .execute(
                "INSERT INTO outbox (id, event_type, subject, data, occurred_at) \
                 VALUES (?, ?, ?, ?, ?)",
                &[
                    spin_test_host::SqlValue::Text(id.to_owned()),
                    spin_test_host::SqlValue::Text(event_type.to_owned()),
                    spin_test_host::SqlValue::Text(format!("test/{id}")),
                    spin_test_host::SqlValue::Text(data.to_string()),
                    spin_test_host::SqlValue::Text(at),
                ],
            )
            .expect("insert outbox event");
    }
}

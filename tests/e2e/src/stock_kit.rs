//! The stock part of the end-to-end kit: stock levels seeded by a builder
//! (`a_stock_level("SH-1", "TEA-1", 30).safety_stock(2).reorder_point(5)`), reservation request
//! builders (`a_reservation_at("SH-1").line("TEA-1", 2)`), typed calls for every stock route
//! (`app.reserve(..)`, `app.pos_sale(..)`), looks into the stock tables, and a tiny blocking
//! HTTP/1.1 client for driving the real server from many threads at once.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use serde_json::{Value, json};
use spin_test_host::SqlValue;

use crate::access_kit::Who;
use crate::{TestApp, TestResponse};

/// A stock level row to seed.
#[derive(Debug, Clone)]
pub struct StockLevelBuilder {
    store: String,
    sku: String,
    on_hand: i64,
    reserved: i64,
    safety_stock: i64,
    reorder_point: i64,
}

/// `on_hand` units of `sku` at `store`, nothing reserved, no safety stock, reorder point 0.
pub fn a_stock_level(store: &str, sku: &str, on_hand: i64) -> StockLevelBuilder {
    StockLevelBuilder {
        store: store.to_owned(),
        sku: sku.to_owned(),
        on_hand,
        reserved: 0,
        safety_stock: 0,
        reorder_point: 0,
    }
}

impl StockLevelBuilder {
    pub fn safety_stock(mut self, units: i64) -> Self {
        self.safety_stock = units;
        self
    }

    pub fn reorder_point(mut self, units: i64) -> Self {
        self.reorder_point = units;
        self
    }

    pub fn reserved(mut self, units: i64) -> Self {
        self.reserved = units;
        self
    }
}

/// A `POST /stock/reservations` body.
#[derive(Debug, Clone)]
pub struct ReservationBuilder {
    body: serde_json::Map<String, Value>,
}

/// A reservation at `store` with no lines yet and the default time to live.
pub fn a_reservation_at(store: &str) -> ReservationBuilder {
    let mut body = serde_json::Map::new();
    body.insert("store_id".into(), json!(store));
    body.insert("lines".into(), json!([]));
    ReservationBuilder { body }
}

impl ReservationBuilder {
    /// A line; quantities may be anything, to test refusals.
    pub fn line(mut self, sku: &str, quantity: i64) -> Self {
        if let Some(Value::Array(lines)) = self.body.get_mut("lines") {
            lines.push(json!({ "sku": sku, "quantity": quantity }));
        }
        self
    }

    pub fn ttl_seconds(mut self, seconds: i64) -> Self {
        self.body.insert("ttl_seconds".into(), json!(seconds));
        self
    }

    pub fn to_json(&self) -> Value {
        Value::Object(self.body.clone())
    }
}

/// A level as the database holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredLevel {
    pub on_hand: i64,
    pub reserved: i64,
}

fn text(v: &str) -> SqlValue {
    SqlValue::Text(v.to_owned())
}

impl TestApp {
    /// Seeds (or replaces) a stock level.
    pub fn with_stock(&self, level: StockLevelBuilder) -> &Self {
        self.app
            .sqlite("default")
            .execute(
                "INSERT OR REPLACE INTO stock_levels (store_id, sku, on_hand, reserved, \
                 safety_stock, reorder_point) VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    text(&level.store),
                    text(&level.sku),
                    SqlValue::Integer(level.on_hand),
                    SqlValue::Integer(level.reserved),
                    SqlValue::Integer(level.safety_stock),
                    SqlValue::Integer(level.reorder_point),
                ],
            )
            .expect("insert stock level");
        self
    }

    /// On hand and reserved as stored (0, 0 when there is no row).
    pub fn stored_level(&self, store: &str, sku: &str) -> StoredLevel {
        let rows = self
            .app
            .sqlite("default")
            .execute(
                "SELECT on_hand, reserved FROM stock_levels WHERE store_id = ? AND sku = ?",
                &[text(store), text(sku)],
            )
            .expect("read stock level");
        match rows.first().map(Vec::as_slice) {
            Some([SqlValue::Integer(on_hand), SqlValue::Integer(reserved)]) => StoredLevel {
                on_hand: *on_hand,
                reserved: *reserved,
            },
            _ => StoredLevel {
                on_hand: 0,
                reserved: 0,
            },
        }
    }

    /// The one value `sql` selects from the shop's database (a count, a column of one row).
    pub fn scalar<T: spin_test_host::rusqlite::types::FromSql>(&self, sql: &str) -> T {
        self.app
            .sqlite("default")
            .query_scalar::<T>(sql, &[])
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// How many rows a table holds (to prove that nothing was written).
    pub fn count_rows(&self, table: &str) -> i64 {
        // The kit makes staff keys as tests first use them; those audit rows are the kit's,
        // not the shop's, like in `audit_entries`.
        let only_the_shops = if table == "audit_log" {
            " WHERE action NOT LIKE 'api-key.%'"
        } else {
            ""
        };
        self.app
            .sqlite("default")
            .query_scalar(
                &format!("SELECT COUNT(*) FROM {table}{only_the_shops}"),
                &[],
            )
            .expect("count rows")
    }

    /// The `data` of every outbox event of a type, oldest first.
    pub fn outbox_events(&self, event_type: &str) -> Vec<Value> {
        self.app
            .sqlite("default")
            .execute(
                "SELECT data FROM outbox WHERE event_type = ? ORDER BY id",
                &[text(event_type)],
            )
            .expect("read outbox")
            .into_iter()
            .map(|row| match row.first() {
                Some(SqlValue::Text(data)) => serde_json::from_str(data).expect("JSON data"),
                other => panic!("outbox data is text: {other:?}"),
            })
            .collect()
    }

    /// (actor, action, subject) of every audit entry, oldest first, without the kit's own
    /// making of keys (`api-key.*`).
    pub fn audit_entries(&self) -> Vec<(String, String, String)> {
        self.app
            .sqlite("default")
            .execute(
                "SELECT actor, action, subject FROM audit_log \
                 WHERE action NOT LIKE 'api-key.%' ORDER BY id",
                &[],
            )
            .expect("read audit log")
            .into_iter()
            .map(|row| match row.as_slice() {
                [SqlValue::Text(a), SqlValue::Text(b), SqlValue::Text(c)] => {
                    (a.clone(), b.clone(), c.clone())
                }
                other => panic!("audit row: {other:?}"),
            })
            .collect()
    }

    /// `POST /stock/reservations` as `STOCK_CLERK`.
    pub async fn reserve(&self, reservation: &ReservationBuilder) -> TestResponse {
        self.send_as(
            &clerk(),
            "POST",
            "/stock/reservations",
            Some(reservation.to_json()),
        )
        .await
    }

    pub async fn release_reservation(&self, id: &str) -> TestResponse {
        self.send_as(
            &clerk(),
            "POST",
            &format!("/stock/reservations/{id}/release"),
            None,
        )
        .await
    }

    pub async fn commit_reservation(&self, id: &str) -> TestResponse {
        self.send_as(
            &clerk(),
            "POST",
            &format!("/stock/reservations/{id}/commit"),
            None,
        )
        .await
    }

    pub async fn get_reservation(&self, id: &str) -> TestResponse {
        self.send_as(&clerk(), "GET", &format!("/stock/reservations/{id}"), None)
            .await
    }

    pub async fn sweep_reservations(&self) -> TestResponse {
        self.send_as(&clerk(), "POST", "/stock/reservations/sweep", None)
            .await
    }

    pub async fn stock_levels(&self, store: &str, skus: &[&str]) -> TestResponse {
        let skus: String = skus.iter().map(|s| format!("&sku={s}")).collect();
        self.send_as(
            &clerk(),
            "GET",
            &format!("/stock/levels?store={store}{skus}"),
            None,
        )
        .await
    }

    pub async fn availability_near(&self, sku: &str, lat: f64, lon: f64) -> TestResponse {
        self.send(
            "GET",
            &format!("/stock/availability?sku={sku}&lat={lat}&lon={lon}"),
            None,
        )
        .await
    }

    pub async fn pos_sale(&self, staff: &str, store: &str, sku: &str, units: i64) -> TestResponse {
        let body = json!({ "store_id": store, "sku": sku, "quantity": units });
        self.staff_post(Some(staff), "/stock/sales", body).await
    }

    pub async fn receive(&self, staff: &str, store: &str, sku: &str, units: i64) -> TestResponse {
        let body = json!({ "store_id": store, "sku": sku, "quantity": units });
        self.staff_post(Some(staff), "/stock/receipts", body).await
    }

    pub async fn adjust(
        &self,
        staff: &str,
        store: &str,
        sku: &str,
        delta: i64,
        reason: &str,
    ) -> TestResponse {
        let body = json!({ "store_id": store, "sku": sku, "delta": delta, "reason_code": reason });
        self.staff_post(Some(staff), "/stock/adjustments", body)
            .await
    }
}

/// The stock clerk the kit's stock calls come from (scope `stock`).
pub const STOCK_CLERK: &str = "stock-clerk";

fn clerk() -> Who {
    Who::staff(STOCK_CLERK, "stock")
}

/// One blocking HTTP/1.1 `POST` of a JSON body to the server at `addr`, on a connection of
/// its own, with `headers` (credentials); returns the status code. For many threads at once
/// against `app.app.serve(..)`.
pub fn post_json_blocking(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> std::io::Result<u16> {
    let body = serde_json::to_vec(body)?;
    let mut stream = TcpStream::connect(addr)?;
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         {extra}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let status_line = response.split(|b| *b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(status_line)
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other("no HTTP status line in the response"))
}

/// The stock invariant of DESIGN.md over every level: `0 <= reserved <= on_hand`.
pub fn assert_stock_invariant(app: &TestApp) {
    let rows = app
        .app
        .sqlite("default")
        .execute(
            "SELECT store_id, sku, on_hand, reserved FROM stock_levels",
            &[],
        )
        .expect("read stock levels");
    for row in rows {
        let (SqlValue::Integer(on_hand), SqlValue::Integer(reserved)) = (&row[2], &row[3]) else {
            panic!("stock row {row:?}");
        };
        assert!(
            0 <= *reserved && reserved <= on_hand,
            "stock invariant broken: {row:?}"
        );
    }
}

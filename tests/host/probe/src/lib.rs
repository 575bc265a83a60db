//! The host's fixture component: one Spin HTTP component whose routes exercise every capability
//! spin-test-host provides, so the host's own tests can drive them from outside. It dispatches
//! on `spin-path-info` (what its route's `/...` captured; an exact route counts as `/headers`):
//!
//! - `GET /headers` — the `spin-*` headers, method and full path as JSON
//! - `/kv/<store>/{get,set,delete,exists}/<key>`, `/kv/<store>/keys` — key-value (set: body)
//! - `POST /sql/<db>` — `{"statements": [{"statement", "params": [{"integer": 1}, ...]}]}` run
//!   in order on one connection; returns `{"results": [{"columns", "rows"}]}`
//! - `GET /var/<name>` — a variable
//! - `POST /fetch` — GET the URL in the body, answer `{"status", "body"}`
//! - `GET /time` — the wall clock in seconds since the epoch
//! - `GET /sleep/<ms>` — sleep, then 200
//! - `GET /panic` — trap
//!
//! Host errors come back as 400 `{"error": "<Debug of the error>"}`, so a 500 always means the
//! component failed.

use serde_json::{Value as Json, json};
use spin_sdk::http::{IntoResponse, Method, Request, Response};
use spin_sdk::http_component;
use spin_sdk::key_value::Store;
use spin_sdk::sqlite::{Connection, Value};

#[http_component]
async fn handle(req: Request) -> anyhow::Result<impl IntoResponse> {
    let path_info = header(&req, "spin-path-info");
    let path = if path_info.is_empty() || path_info == "/" {
        "/headers".to_string()
    } else {
        path_info
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Ok(match segments.as_slice() {
        ["headers"] => headers(&req),
        ["kv", store, "keys"] => key_value(store, "keys", "", req.body()),
        ["kv", store, op, key] => key_value(store, op, key, req.body()),
        ["sql", db] => sql(db, req.body()),
        ["var", name] => match spin_sdk::variables::get(name) {
            Ok(value) => Response::new(200, value),
            Err(e) => error(e),
        },
        ["fetch"] => fetch(String::from_utf8_lossy(req.body()).trim()).await,
        ["time"] => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            Response::new(200, now.to_string())
        }
        ["sleep", ms] => {
            std::thread::sleep(std::time::Duration::from_millis(ms.parse().unwrap_or(0)));
            Response::new(200, "slept")
        }
        ["panic"] => panic!("the probe was asked to trap"),
        _ => Response::new(404, format!("probe has no route {path}")),
    })
}

fn header(req: &Request, name: &str) -> String {
    req.header(name)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn json_response(status: u16, body: &Json) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build()
}

fn error(e: impl std::fmt::Debug) -> Response {
    json_response(400, &json!({ "error": format!("{e:?}") }))
}

fn headers(req: &Request) -> Response {
    let mut spin = serde_json::Map::new();
    for (name, value) in req.headers() {
        if name.starts_with("spin-") {
            spin.insert(name.to_string(), json!(value.as_str().unwrap_or_default()));
        }
    }
    let method = match req.method() {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        _ => "OTHER",
    };
    json_response(
        200,
        &json!({
            "headers": spin,
            "method": method,
            "path": req.path(),
            "query": req.query(),
            "host": header(req, "host"),
            "body_len": req.body().len(),
        }),
    )
}

fn key_value(store: &str, op: &str, key: &str, body: &[u8]) -> Response {
    let store = match Store::open(store) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let result = match op {
        "get" => store.get(key).map(|v| match v {
            Some(bytes) => Response::new(200, bytes),
            None => Response::new(404, "no such key"),
        }),
        "set" => store.set(key, body).map(|()| Response::new(204, ())),
        "delete" => store.delete(key).map(|()| Response::new(204, ())),
        "exists" => store.exists(key).map(|b| Response::new(200, b.to_string())),
        "keys" => store
            .get_keys()
            .map(|keys| json_response(200, &json!(keys))),
        _ => return Response::new(404, format!("no key-value operation {op}")),
    };
    result.unwrap_or_else(error)
}

fn sql(db: &str, body: &[u8]) -> Response {
    let request: Json = match serde_json::from_slice(body) {
        Ok(j) => j,
        Err(e) => return error(e),
    };
    let conn = match Connection::open(db) {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    let mut results = Vec::new();
    let statements = request["statements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (index, s) in statements.iter().enumerate() {
        let statement = s["statement"].as_str().unwrap_or_default();
        let params: Vec<Value> = s["params"]
            .as_array()
            .map(|ps| ps.iter().map(to_value).collect())
            .unwrap_or_default();
        match conn.execute(statement, &params) {
            Ok(r) => results.push(json!({
                "columns": r.columns,
                "rows": r.rows.iter().map(|row| row.values.iter().map(to_json).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })),
            Err(e) => {
                return json_response(
                    400,
                    &json!({ "error": format!("{e:?}"), "index": index, "results": results }),
                );
            }
        }
    }
    json_response(200, &json!({ "results": results }))
}

fn to_value(j: &Json) -> Value {
    if let Some(i) = j.get("integer").and_then(Json::as_i64) {
        Value::Integer(i)
    } else if let Some(f) = j.get("real").and_then(Json::as_f64) {
        Value::Real(f)
    } else if let Some(t) = j.get("text").and_then(Json::as_str) {
        Value::Text(t.to_string())
    } else if let Some(b) = j.get("blob").and_then(Json::as_array) {
        Value::Blob(b.iter().filter_map(Json::as_u64).map(|x| x as u8).collect())
    } else {
        Value::Null
    }
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::Integer(i) => json!({ "integer": i }),
        Value::Real(f) => json!({ "real": f }),
        Value::Text(t) => json!({ "text": t }),
        Value::Blob(b) => json!({ "blob": b }),
        Value::Null => json!({ "null": null }),
    }
}

async fn fetch(url: &str) -> Response {
    let request = Request::get(url).build();
    match spin_sdk::http::send::<_, Response>(request).await {
        Ok(response) => json_response(
            200,
            &json!({
                "status": response.status(),
                "body": String::from_utf8_lossy(response.body()),
            }),
        ),
        Err(e) => error(e),
    }
}

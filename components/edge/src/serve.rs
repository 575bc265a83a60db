//! What every request goes through, whichever function it reaches (issue 7, "Logs" and
//! "Browser front ends"): a request id (the caller's `x-request-id` when it is a sensible one,
//! else a new v7 uuid), echoed on the response; CORS for the origins an operator allows in the
//! Spin variable `cors_allowed_origins` (comma-separated, exact origins; `*` allows any),
//! preflights answered here; and one structured JSON line per request on stderr, which Spin
//! keeps as the component's log: time, request id, function, method, path, status, duration.
//! Before any handler runs, the caller is resolved from its credentials and counted against
//! its rate limit (`crate::auth::admit`): bad credentials are a 401, a spent limit a 429.
//! Only those fields are logged: never headers, bodies or query strings, so tokens, keys and
//! secrets cannot leak into logs.

use std::time::Instant;

use chrono::{SecondsFormat, Utc};
use serde_json::json;
use spin_sdk::http::{Method, Request, Response};

/// The header carrying the request id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

const ALLOWED_METHODS: &str = "GET, POST, PUT, DELETE, OPTIONS";
const ALLOWED_HEADERS: &str =
    "authorization, content-type, idempotency-key, x-request-id, x-api-key";
const EXPOSED_HEADERS: &str = "location, retry-after, x-request-id";
const PREFLIGHT_MAX_AGE_SECONDS: &str = "600";

/// The request id to use: the caller's when it is 1 to 128 visible ASCII characters (so that
/// a trace crosses functions and front ends), else a new one.
pub fn request_id(given: Option<&str>) -> String {
    match given.map(str::trim) {
        Some(id) if (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()) => {
            id.to_owned()
        }
        _ => uuid::Uuid::now_v7().to_string(),
    }
}

/// The origins allowed to call from a browser, as configured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// From the variable's text: comma-separated origins (`https://shop.example`), `*` for any.
    pub fn parse(raw: &str) -> Self {
        AllowedOrigins(
            raw.split(',')
                .map(|origin| origin.trim().trim_end_matches('/').to_owned())
                .filter(|origin| !origin.is_empty())
                .collect(),
        )
    }

    /// The configured origins (none when the variable is not set or not declared).
    pub fn configured() -> Self {
        spin_sdk::variables::get("cors_allowed_origins")
            .map(|raw| Self::parse(&raw))
            .unwrap_or_default()
    }

    /// The value of `Access-Control-Allow-Origin` for a request from `origin`, if allowed.
    pub fn allow(&self, origin: &str) -> Option<String> {
        if self.0.iter().any(|allowed| allowed == "*") {
            return Some("*".to_owned());
        }
        self.0
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(origin))
            .then(|| origin.to_owned())
    }
}

/// The one log line of a request, as JSON.
pub fn log_line(
    request_id: &str,
    component: &str,
    method: &str,
    path: &str,
    status: u16,
    duration_ms: f64,
) -> String {
    json!({
        "ts": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "request_id": request_id,
        "component": component,
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": (duration_ms * 1000.0).round() / 1000.0,
    })
    .to_string()
}

/// What is known of the request before it is handled.
struct Exchange {
    started: Instant,
    request_id: String,
    method: String,
    path: String,
    allow_origin: Option<String>,
}

impl Exchange {
    fn of(req: &Request) -> Self {
        let header = |name: &str| req.header(name).and_then(|v| v.as_str());
        Exchange {
            started: Instant::now(),
            request_id: request_id(header(REQUEST_ID_HEADER)),
            method: req.method().to_string(),
            path: req.path().to_owned(),
            allow_origin: header("origin").and_then(|o| AllowedOrigins::configured().allow(o)),
        }
    }

    /// A CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) answered here.
    fn preflight(&self, req: &Request) -> Option<Response> {
        let is_preflight = *req.method() == Method::Options
            && req.header("access-control-request-method").is_some();
        is_preflight.then(|| {
            let mut response = Response::builder().status(204).build();
            if self.allow_origin.is_some() {
                response.set_header("access-control-allow-methods", ALLOWED_METHODS);
                response.set_header("access-control-allow-headers", ALLOWED_HEADERS);
                response.set_header("access-control-max-age", PREFLIGHT_MAX_AGE_SECONDS);
            }
            response
        })
    }

    fn finish(self, component: &str, mut response: Response) -> Response {
        response.set_header(REQUEST_ID_HEADER, self.request_id.clone());
        if let Some(origin) = &self.allow_origin {
            response.set_header("access-control-allow-origin", origin.clone());
            response.set_header("access-control-expose-headers", EXPOSED_HEADERS);
            response.set_header("vary", "Origin");
        }
        eprintln!(
            "{}",
            log_line(
                &self.request_id,
                component,
                &self.method,
                &self.path,
                *response.status(),
                self.started.elapsed().as_secs_f64() * 1000.0,
            )
        );
        response
    }
}

/// Serves one request of `component` with `handle` (its router).
pub fn serve(component: &str, req: Request, handle: impl FnOnce(Request) -> Response) -> Response {
    let exchange = Exchange::of(&req);
    let response = match exchange.preflight(&req) {
        Some(preflight) => preflight,
        None => match crate::auth::admit(&req) {
            Ok(()) => handle(req),
            Err(refused) => refused.into_response(),
        },
    };
    crate::spin_store::end_request();
    exchange.finish(component, response)
}

/// `serve` for a function whose router is async (outbound HTTP).
pub async fn serve_async<F: Future<Output = Response>>(
    component: &str,
    req: Request,
    handle: impl FnOnce(Request) -> F,
) -> Response {
    let exchange = Exchange::of(&req);
    let response = match exchange.preflight(&req) {
        Some(preflight) => preflight,
        None => match crate::auth::admit(&req) {
            Ok(()) => handle(req).await,
            Err(refused) => refused.into_response(),
        },
    };
    crate::spin_store::end_request();
    exchange.finish(component, response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sensible_request_id_is_kept_and_anything_else_replaced() {
        assert_eq!(request_id(Some("trace-42")), "trace-42");
        for bad in [
            None,
            Some(""),
            Some("has space"),
            Some(&"x".repeat(129) as &str),
        ] {
            let made = request_id(bad);
            assert_eq!(made.len(), 36, "{bad:?}");
            assert_ne!(Some(made.as_str()), bad);
        }
    }

    #[test]
    fn only_configured_origins_are_allowed() {
        let origins = AllowedOrigins::parse(" https://shop.example/ ,https://pos.example");
        assert_eq!(
            origins.allow("https://shop.example"),
            Some("https://shop.example".into())
        );
        assert_eq!(origins.allow("https://evil.example"), None);
        assert_eq!(
            AllowedOrigins::parse("").allow("https://shop.example"),
            None
        );
        assert_eq!(
            AllowedOrigins::parse("*").allow("https://any.example"),
            Some("*".into())
        );
    }

    #[test]
    fn the_log_line_holds_only_its_fields() {
        let line = log_line("rid-1", "order", "POST", "/orders", 201, 12.3456);
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        let mut keys: Vec<_> = parsed.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "component",
                "duration_ms",
                "method",
                "path",
                "request_id",
                "status",
                "ts"
            ]
        );
        assert_eq!(parsed["status"], 201);
        assert_eq!(parsed["duration_ms"], 12.346);
    }
}

//! A response as tests look at it: the status, the headers and the body parsed as JSON, with
//! `expect(status)` and `expect_problem(status, field)`, which checks the RFC 9457 problem
//! shape every component answers errors with (`application/problem+json`, a
//! `urn:o2o:problem:` type, a title, a detail and the failing field).

use serde_json::Value;

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

//! Errors at the HTTP edge and their one mapping to `application/problem+json` (RFC 9457).
//!
//! Every component returns `Result<Response, ApiError>`; `ApiError::into_response` is the only
//! code in the project that builds an error body. Each problem carries a stable `type`
//! (`urn:o2o:problem:<slug>`), a human `title`, the HTTP `status`, a `detail`, and, where one
//! field is at fault, the `field` (a JSON path such as `lines[0].quantity`).

use o2o_domain::storage::StoreError;
use serde::Serialize;
use spin_sdk::http::Response;

/// Everything that can go wrong in a request, with what the client needs to know.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The body is not the JSON we read: malformed, a wrong type, a missing or unknown field.
    BadRequest {
        field: Option<String>,
        detail: String,
    },
    /// A value outside its own domain, whatever the state: a quantity of 0, a sku that is
    /// not a sku code. Nothing about the shop's state is needed to see it is wrong.
    InvalidField {
        field: String,
        detail: String,
    },
    /// A well-formed request the current state cannot take: an unknown sku, a full cart.
    Unprocessable {
        field: String,
        detail: String,
    },
    /// The resource does not exist (or no longer does).
    NotFound {
        detail: String,
    },
    /// The request conflicts with the current state of the resource.
    Conflict {
        field: Option<String>,
        detail: String,
    },
    /// 409 with a type of its own and extension members (RFC 9457, section 3.2) that the
    /// client acts on: the new quote to confirm, where else the goods are available.
    ConflictWithDetails {
        slug: &'static str,
        title: &'static str,
        field: Option<String>,
        detail: String,
        extensions: serde_json::Map<String, serde_json::Value>,
    },
    /// 401: the request does not prove who sent it (a webhook signature that does not verify,
    /// a stale or replayed one). `field` names the header at fault.
    Unauthorized {
        field: String,
        detail: String,
    },
    /// 403: the caller is known but may not do this (a customer on a staff route, a key
    /// without the route's scope).
    Forbidden {
        detail: String,
    },
    /// 429: the caller's rate limit is spent until the window ends (`Retry-After`).
    TooManyRequests {
        retry_after_seconds: u32,
    },
    /// A problem pricing answered inside place-order (`o2o_quoting`, the quote function's own
    /// code), carried through the domain as JSON and passed on as it came: it was built in
    /// this one place already.
    Relayed {
        status: u16,
        problem: serde_json::Value,
    },
    PayloadTooLarge {
        limit: usize,
    },
    UnsupportedMediaType {
        detail: String,
    },
    MethodNotAllowed,
    /// The store failed underneath us; nothing the client did wrong.
    Storage(StoreError),
}

impl From<StoreError> for ApiError {
    fn from(value: StoreError) -> Self {
        ApiError::Storage(value)
    }
}

/// Names the field a parse failure belongs to: `Sku::parse(&raw).field("sku")?`.
pub trait FieldContext<T> {
    fn field(self, name: &str) -> Result<T, ApiError>;
}

impl<T, E: std::fmt::Display> FieldContext<T> for Result<T, E> {
    fn field(self, name: &str) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::invalid_field(name, e))
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extensions: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

impl ApiError {
    /// 400: the value of `field` is outside its own domain.
    pub fn invalid_field(field: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        ApiError::InvalidField {
            field: field.into(),
            detail: detail.to_string(),
        }
    }

    /// 422: `field` names something the shop's current state cannot take.
    pub fn unprocessable(field: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        ApiError::Unprocessable {
            field: field.into(),
            detail: detail.to_string(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::NotFound {
            detail: detail.into(),
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        self.classify().0
    }

    /// (status, type slug, title)
    fn classify(&self) -> (u16, &'static str, &'static str) {
        match self {
            ApiError::BadRequest { .. } => (400, "malformed-request", "Malformed request"),
            ApiError::InvalidField { .. } => (400, "invalid-field", "Invalid field"),
            ApiError::Unprocessable { .. } => (422, "unprocessable", "Request not possible"),
            ApiError::NotFound { .. } => (404, "not-found", "Not found"),
            ApiError::Conflict { .. } => (409, "conflict", "Conflict"),
            ApiError::ConflictWithDetails { slug, title, .. } => (409, slug, title),
            ApiError::Unauthorized { .. } => (401, "unauthorized", "Unauthorized"),
            ApiError::Forbidden { .. } => (403, "forbidden", "Forbidden"),
            ApiError::TooManyRequests { .. } => (429, "rate-limited", "Too many requests"),
            ApiError::Relayed { status, .. } => (*status, "relayed", "Relayed"),
            ApiError::PayloadTooLarge { .. } => (413, "payload-too-large", "Payload too large"),
            ApiError::UnsupportedMediaType { .. } => {
                (415, "unsupported-media-type", "Unsupported media type")
            }
            ApiError::MethodNotAllowed => (405, "method-not-allowed", "Method not allowed"),
            ApiError::Storage(StoreError::Unavailable(_)) => {
                (503, "storage-unavailable", "Storage unavailable")
            }
            ApiError::Storage(StoreError::Corrupt(_)) => {
                (500, "storage-corrupt", "Stored data unreadable")
            }
            ApiError::Storage(StoreError::Constraint { .. }) => (409, "conflict", "Conflict"),
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            ApiError::BadRequest { field, .. }
            | ApiError::Conflict { field, .. }
            | ApiError::ConflictWithDetails { field, .. } => field.as_deref(),
            ApiError::InvalidField { field, .. }
            | ApiError::Unprocessable { field, .. }
            | ApiError::Unauthorized { field, .. } => Some(field),
            _ => None,
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::BadRequest { detail, .. }
            | ApiError::InvalidField { detail, .. }
            | ApiError::Unprocessable { detail, .. }
            | ApiError::NotFound { detail }
            | ApiError::Conflict { detail, .. }
            | ApiError::ConflictWithDetails { detail, .. }
            | ApiError::Unauthorized { detail, .. }
            | ApiError::Forbidden { detail }
            | ApiError::UnsupportedMediaType { detail } => detail.clone(),
            ApiError::TooManyRequests {
                retry_after_seconds,
            } => format!("too many requests; retry in {retry_after_seconds} s"),
            ApiError::Relayed { problem, .. } => problem
                .get("detail")
                .and_then(|d| d.as_str())
                .unwrap_or_default()
                .to_owned(),
            ApiError::PayloadTooLarge { limit } => {
                format!("the request body is larger than {limit} bytes")
            }
            ApiError::MethodNotAllowed => "this route does not take that method".to_owned(),
            // Storage details stay in the logs, not in the response.
            ApiError::Storage(StoreError::Constraint { .. }) => {
                "the request conflicts with what the shop holds now; a retry will not change that"
                    .to_owned()
            }
            ApiError::Storage(_) => "the request could not be completed; retry later".to_owned(),
        }
    }

    /// The problem document, members in RFC 9457's order.
    fn problem(&self) -> Problem<'_> {
        let (status, slug, title) = self.classify();
        Problem {
            kind: format!("urn:o2o:problem:{slug}"),
            title,
            status,
            detail: self.detail(),
            field: self.field(),
            extensions: match self {
                ApiError::ConflictWithDetails { extensions, .. } => Some(extensions),
                _ => None,
            },
        }
    }

    /// The problem document as JSON (what tests compare against).
    pub fn to_json(&self) -> serde_json::Value {
        if let ApiError::Relayed { problem, .. } = self {
            return problem.clone();
        }
        serde_json::to_value(self.problem()).unwrap_or(serde_json::Value::Null)
    }

    /// The one place an error body is built.
    pub fn into_response(self) -> Response {
        if let ApiError::Storage(err) = &self {
            eprintln!("storage error: {err}");
        }
        let status = self.classify().0;
        let body = serde_json::to_vec(&self.to_json()).unwrap_or_default();
        let mut response = Response::builder()
            .status(status)
            .header("content-type", "application/problem+json")
            .body(body)
            .build();
        match &self {
            ApiError::TooManyRequests {
                retry_after_seconds,
            } => response.set_header("retry-after", retry_after_seconds.to_string()),
            ApiError::Unauthorized { field, .. } if field == "authorization" => {
                response.set_header("www-authenticate", "Bearer realm=\"o2o\"");
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_field_problem_names_the_field_and_status() {
        let json = ApiError::invalid_field("quantity", "must be between 1 and 999").to_json();
        assert_eq!(json["type"], "urn:o2o:problem:invalid-field");
        assert_eq!(json["status"], 400);
        assert_eq!(json["field"], "quantity");
        assert_eq!(json["detail"], "must be between 1 and 999");
    }

    #[test]
    fn unprocessable_problem_is_a_422_naming_the_field() {
        let json = ApiError::unprocessable("sku", "NOPE is not in the catalog").to_json();
        assert_eq!(json["type"], "urn:o2o:problem:unprocessable");
        assert_eq!(json["status"], 422);
        assert_eq!(json["field"], "sku");
    }

    #[test]
    fn a_rate_limited_caller_is_told_when_to_come_back() {
        let response = ApiError::TooManyRequests {
            retry_after_seconds: 17,
        }
        .into_response();
        assert_eq!(*response.status(), 429);
        assert_eq!(
            response.header("retry-after").and_then(|v| v.as_str()),
            Some("17")
        );
    }

    #[test]
    fn storage_problems_hide_their_cause() {
        let json = ApiError::Storage(StoreError::Unavailable("disk on fire".into())).to_json();
        assert_eq!(json["status"], 503);
        assert!(!json["detail"].as_str().unwrap().contains("disk"));
        assert!(json.get("field").is_none());
    }
}

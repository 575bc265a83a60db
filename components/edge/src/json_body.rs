//! Reading a JSON request body: a size limit (64 KiB unless a route says otherwise), the
//! content type, and strict decoding. Request types use `#[serde(deny_unknown_fields)]`, so a
//! misspelt field is an error, not silently ignored. A malformed body, a wrong type, a missing
//! or an unknown field becomes a 400 naming the field by its JSON path (`lines[0].quantity`).

use serde::de::DeserializeOwned;
use spin_sdk::http::Request;

use crate::problem::ApiError;

/// The body limit of every route unless it names another.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Decodes the request's JSON body within the default limit.
pub fn parse_json<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    parse_json_limited(req, DEFAULT_BODY_LIMIT)
}

/// Decodes the request's JSON body within `limit` bytes.
pub fn parse_json_limited<T: DeserializeOwned>(req: &Request, limit: usize) -> Result<T, ApiError> {
    let declared = req
        .header("content-length")
        .and_then(|v| v.as_str())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) || req.body().len() > limit {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    if let Some(content_type) = req.header("content-type").and_then(|v| v.as_str()) {
        check_content_type(content_type)?;
    }
    decode_json(req.body())
}

fn check_content_type(content_type: &str) -> Result<(), ApiError> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType {
            detail: format!("send application/json, not {essence}"),
        })
    }
}

/// Decodes JSON bytes, naming the field at fault on failure.
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest {
            field: None,
            detail: "a JSON body is required".to_owned(),
        });
    }
    let mut decoder = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut decoder).map_err(describe)?;
    decoder.end().map_err(|e| ApiError::BadRequest {
        field: None,
        detail: format!("malformed JSON: {e}"),
    })?;
    Ok(value)
}

/// Turns a decoding error into a 400 naming the field: the path where it happened, or for a
/// missing field the field's own name under that path.
fn describe(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = err.path().to_string();
    let inner = err.inner();
    let message = inner.to_string();
    if inner.is_syntax() || inner.is_eof() {
        return ApiError::BadRequest {
            field: None,
            detail: format!("malformed JSON: {message}"),
        };
    }
    // For a missing field the path is its parent; for an unknown one it already ends with it.
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match (missing, path.as_str()) {
        (Some(name), ".") => name.to_owned(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, ".") => "body".to_owned(),
        (None, at) => at.to_owned(),
    };
    // serde_json appends " at line L column C"; the field says where, so drop it.
    let detail = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(head, _)| head)
        .to_owned();
    ApiError::BadRequest {
        field: Some(field),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        sku: String,
        quantity: i64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        lines: Vec<Line>,
    }

    fn field_of(json: &str) -> Option<String> {
        match decode_json::<Body>(json.as_bytes()).unwrap_err() {
            ApiError::BadRequest { field, .. } => field,
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn a_wrong_type_names_its_path() {
        let json = r#"{"lines":[{"sku":"A","quantity":"two"}]}"#;
        assert_eq!(field_of(json).as_deref(), Some("lines[0].quantity"));
    }

    #[test]
    fn a_missing_field_is_named_under_its_parent() {
        assert_eq!(
            field_of(r#"{"lines":[{"sku":"A"}]}"#).as_deref(),
            Some("lines[0].quantity")
        );
        assert_eq!(field_of("{}").as_deref(), Some("lines"));
    }

    #[test]
    fn an_unknown_field_is_refused_by_name() {
        let json = r#"{"lines":[],"coupon":"X"}"#;
        assert_eq!(field_of(json).as_deref(), Some("coupon"));
    }

    #[test]
    fn malformed_json_and_an_empty_body_are_400s_without_a_field() {
        assert_eq!(field_of(r#"{"lines":["#), None);
        assert_eq!(field_of("  "), None);
        assert_eq!(field_of(r#"{"lines":[]} trailing"#), None);
    }

    #[test]
    fn json_content_types_are_accepted_and_others_refused() {
        assert!(check_content_type("application/json; charset=utf-8").is_ok());
        assert!(check_content_type("application/merge-patch+json").is_ok());
        assert!(matches!(
            check_content_type("text/plain"),
            Err(ApiError::UnsupportedMediaType { .. })
        ));
    }
}

//! Successful responses: JSON bodies with their status and headers.

use serde::Serialize;
use spin_sdk::http::Response;

use crate::problem::ApiError;

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: u16, body: &T) -> Result<Response, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|e| {
        ApiError::Storage(o2o_domain::storage::StoreError::Corrupt(format!(
            "response not serialisable: {e}"
        )))
    })?;
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(bytes)
        .build())
}

/// A page of a list, the one shape every list route answers (issue 13):
/// `{"items": [...], "next_cursor": "..."}`, where `next_cursor` is what to pass as `cursor`
/// for the next page, `null` on the last (and on lists that are one page by nature).
pub fn page<T: Serialize>(items: &[T], next_cursor: Option<String>) -> Result<Response, ApiError> {
    json(
        200,
        &serde_json::json!({ "items": items, "next_cursor": next_cursor }),
    )
}

/// A 201 with a `Location` header.
pub fn created<T: Serialize>(location: &str, body: &T) -> Result<Response, ApiError> {
    let mut response = json(201, body)?;
    response.set_header("location", location);
    Ok(response)
}

/// A 204 with no body.
pub fn no_content() -> Response {
    Response::builder().status(204).build()
}

/// Turns a handler's result into the response Spin sends.
pub fn finish(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(ApiError::into_response)
}

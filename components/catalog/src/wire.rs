//! The catalog's request plumbing: the acting staff member, create bodies, path parameters,
//! list queries (`?limit=&cursor=` and filters) and the one mapping of `CatalogError` to the
//! edge's `ApiError`.

use o2o_domain::catalog::CatalogError;
use o2o_domain::catalog::repository::{Change, DEFAULT_PAGE, ListQuery, MAX_PAGE, Page};
use o2o_domain::storage::SqlValue;
use o2o_edge::ApiError;
use o2o_edge::edge_context::now;
use o2o_edge::json_body::parse_json;
use o2o_edge::query::query_value;
use o2o_edge::respond::{json, page};
use serde::Serialize;
use serde_json::Value;
use spin_sdk::http::{Params, Request, Response};

/// Who makes a change, and when: the API key of the request and the edge's clock.
pub fn change_by(actor: &str) -> Change<'_> {
    Change { actor, now: now() }
}

/// A create's body: the resource's `key` (required, a string: `what` says what it must be)
/// taken out, and the rest as JSON bytes for `decode_json` into the draft a `PUT` takes, so
/// that a create and an update read one shape.
pub fn create_body(req: &Request, key: &str, what: &str) -> Result<(String, Vec<u8>), ApiError> {
    let mut body: Value = parse_json(req)?;
    let id = match body.as_object_mut().and_then(|o| o.remove(key)) {
        Some(Value::String(id)) => id,
        _ => return Err(ApiError::invalid_field(key, format!("required, {what}"))),
    };
    Ok((id, body.to_string().into_bytes()))
}

/// The record as a 200, or a 404 saying there is `what` ("no such coupon").
pub fn found<T: Serialize>(record: Option<T>, what: &str) -> Result<Response, ApiError> {
    record.map_or_else(
        || Err(ApiError::not_found(format!("no {what}"))),
        |record| json(200, &record),
    )
}

pub fn param<'a>(params: &'a Params, name: &str) -> &'a str {
    params.get(name).unwrap_or_default()
}

/// The sku or id in the path; one that cannot exist is simply not found.
pub fn path_not_found(error: CatalogError) -> ApiError {
    match error {
        CatalogError::Invalid { .. } => ApiError::not_found("no such resource"),
        other => catalog_error(other),
    }
}

/// A page of a list, in the one list envelope (`{"items", "next_cursor"}`).
pub fn listed<T: Serialize>(found: Page<T>) -> Result<Response, ApiError> {
    page(&found.items, found.next_cursor)
}

pub use o2o_domain::auth::Scope;
pub use o2o_edge::auth::{staff, staff_any};

/// Who may read the catalog's admin views: its editors, and analysts with `reports`.
pub const READERS: &[Scope] = &[Scope::Catalog, Scope::Reports];

pub fn catalog_error(error: CatalogError) -> ApiError {
    match error {
        CatalogError::Invalid { field, detail } => ApiError::invalid_field(field, detail),
        CatalogError::Duplicate { field, detail } => ApiError::Conflict {
            field: Some(field),
            detail,
        },
        CatalogError::NotFound(detail) => ApiError::not_found(detail),
        CatalogError::Unknown { field, detail } => ApiError::Unprocessable { field, detail },
        CatalogError::InUse { field, detail } => ApiError::Conflict {
            field: Some(field),
            detail,
        },
        CatalogError::Store(store) => ApiError::Storage(store),
    }
}

/// `?limit=` (1 to 100, default 20), `?cursor=` (the last key of the previous page), and each
/// of `filters` as text; `active=true|false` is read as a flag.
pub fn list_query(query: &str, filters: &[&str]) -> Result<ListQuery, ApiError> {
    let limit = match query_value(query, "limit")? {
        None => DEFAULT_PAGE,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| ApiError::invalid_field("limit", format!("1 to {MAX_PAGE}")))?,
    };
    let after = query_value(query, "cursor")?.unwrap_or_default();
    let filters = filters
        .iter()
        .map(|name| {
            let value = query_value(query, name)?;
            Ok(match (*name, value) {
                (_, None) => None,
                ("active", Some(raw)) => Some(SqlValue::Integer(match raw.as_str() {
                    "true" => 1,
                    "false" => 0,
                    _ => return Err(ApiError::invalid_field("active", "true or false")),
                })),
                (_, Some(raw)) => Some(SqlValue::Text(raw)),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(ListQuery {
        after,
        limit,
        filters,
    })
}

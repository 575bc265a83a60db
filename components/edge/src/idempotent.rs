//! Mutating routes that take an `Idempotency-Key` header, at the HTTP edge: reading the key,
//! scoping it to the caller and the route, running the work once per key in one transaction
//! with the key's claim and answer (`once_per_key`; place-order does the same inside its own
//! workflow), the 422 of a key reused for another request by the same caller, and answering a
//! saved response again. The decision itself is the domain module's; this is its one HTTP
//! mapping.

use chrono::{DateTime, Utc};
pub use o2o_domain::idempotency::Answered;
use o2o_domain::idempotency::{
    self, IdempotencyKey, IdempotencyOutcome, KeyRefused, RequestHash, SavedResponse, ScopedKey,
};
use o2o_domain::storage::Sql;
use spin_sdk::http::{Request, Response};

use crate::auth::principal;
use crate::problem::{ApiError, FieldContext};

/// The header, as problems name it.
pub const HEADER: &str = "Idempotency-Key";

/// Runs `work` once per key (`o2o_domain::idempotency::once_per_key`: the work, the claim
/// of the key and its answer in one transaction), after answering a finished request with
/// the key before anything else is read.
pub fn once_per_key(
    db: &impl Sql,
    key: &ScopedKey,
    hash: &RequestHash,
    now: DateTime<Utc>,
    work: impl FnOnce() -> Result<SavedResponse, ApiError>,
) -> Result<Answered, ApiError> {
    match idempotency::look_up(db, key, hash, now)? {
        IdempotencyOutcome::StartProcessing => idempotency::once_per_key(db, key, hash, now, work),
        IdempotencyOutcome::ReturnSavedResponse(saved) => Ok(Answered::Replayed(saved)),
        refused => Err(refusal(refused)),
    }
}

impl From<KeyRefused> for ApiError {
    fn from(refused: KeyRefused) -> Self {
        refusal(refused.0)
    }
}

/// The request's key; `what` names the action in the problem when the header is missing
/// ("placing an order"). Read before the body, so a request without one is told that first.
pub fn key(req: &Request, what: &str) -> Result<IdempotencyKey, ApiError> {
    let raw = req
        .header("idempotency-key")
        .and_then(|v| v.as_str())
        .ok_or_else(|| ApiError::BadRequest {
            field: Some(HEADER.into()),
            detail: format!("{what} needs an Idempotency-Key header (a uuid is a good one)"),
        })?;
    IdempotencyKey::parse(raw).field(HEADER)
}

/// This request's key as it is kept: the caller's key on `route` (e.g. `POST /orders`), with
/// the hash of the route and the raw body.
pub fn scoped(
    req: &Request,
    key: IdempotencyKey,
    route: &str,
) -> Result<(ScopedKey, RequestHash), ApiError> {
    let key = ScopedKey::new(principal(req)?.caller(), route, key);
    Ok((key, RequestHash::of(route, req.body())))
}

/// The problem of a key that cannot serve this request: used for another request by the
/// same caller (422), or still in flight (409).
pub fn refusal(outcome: IdempotencyOutcome) -> ApiError {
    match outcome {
        IdempotencyOutcome::InFlight => ApiError::Conflict {
            field: Some(HEADER.into()),
            detail: "a request with this key is still being processed; retry shortly".into(),
        },
        _ => ApiError::unprocessable(
            HEADER,
            "this key was used for a different request; use a new key for a new one",
        ),
    }
}

/// A saved response answered again, with its `Location` when the resource has one.
pub fn respond(saved: SavedResponse, location: Option<String>) -> Response {
    let mut response = Response::builder()
        .status(saved.status)
        .header("content-type", "application/json")
        .body(saved.body.into_bytes())
        .build();
    if let Some(location) = location {
        response.set_header("location", location);
    }
    response
}

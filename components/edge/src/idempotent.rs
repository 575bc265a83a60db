//! Mutating routes that take an `Idempotency-Key` header, at the HTTP edge: reading the key,
//! scoping it to the caller and the route, turning `o2o_domain::idempotency::begin`'s outcome
//! into "process" or "replay" (or the 422 of a key reused for another request by the same
//! caller, the 409 of one still in flight), and answering a saved response again. The decision
//! itself is the domain module's; this is its one HTTP mapping.

use chrono::{DateTime, Utc};
use o2o_domain::idempotency::{
    self, IdempotencyKey, IdempotencyOutcome, RequestHash, SavedResponse, ScopedKey,
};
use o2o_domain::store::Sql;
use spin_sdk::http::{Request, Response};

use crate::auth::principal;
use crate::problem::{ApiError, FieldContext};

/// The header, as problems name it.
pub const HEADER: &str = "Idempotency-Key";

/// A key claimed for this request: finish with `record` (success) or `abandon` (failure).
pub struct Claim {
    pub key: ScopedKey,
    pub hash: RequestHash,
}

/// What to do with the request.
pub enum Begun {
    Process(Claim),
    Replay(SavedResponse),
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

/// Claims `key`, as the caller's key on `route` (e.g. `POST /orders`), for this request (the
/// hash covers the route and the raw body).
pub fn begin(
    db: &impl Sql,
    key: IdempotencyKey,
    req: &Request,
    route: &str,
    now: DateTime<Utc>,
) -> Result<Begun, ApiError> {
    let key = ScopedKey::new(principal(req)?.caller(), route, key);
    let hash = RequestHash::of(route, req.body());
    match idempotency::begin(db, &key, &hash, now)? {
        IdempotencyOutcome::StartProcessing => Ok(Begun::Process(Claim { key, hash })),
        IdempotencyOutcome::ReturnSavedResponse(saved) => Ok(Begun::Replay(saved)),
        IdempotencyOutcome::KeyReusedWithDifferentBody => Err(ApiError::unprocessable(
            HEADER,
            "this key was used for a different request; use a new key for a new one",
        )),
        IdempotencyOutcome::InFlight => Err(ApiError::Conflict {
            field: Some(HEADER.into()),
            detail: "a request with this key is still being processed; retry shortly".into(),
        }),
    }
}

impl Claim {
    /// Saves the response (status and JSON body) for replays.
    pub fn record(&self, db: &impl Sql, status: u16, body: &str) -> Result<(), ApiError> {
        idempotency::record_response(
            db,
            &self.key,
            &self.hash,
            &SavedResponse {
                status,
                body: body.to_owned(),
            },
        )?;
        Ok(())
    }

    /// The request failed and left nothing behind: its key is free again.
    pub fn abandon(&self, db: &impl Sql) -> Result<(), ApiError> {
        idempotency::abandon(db, &self.key, &self.hash)?;
        Ok(())
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

//! Who is calling (issue 7), resolved from the request's credentials, and the per-caller rate
//! limit. The rules of what a caller may do are `o2o_domain::auth::Principal`'s; this module
//! only reads the headers, the secrets (Spin variables) and the stores.
//!
//! Credentials, at most one per request:
//! - `Authorization: Bearer <jwt>`: a customer, HS256 under the secret variable `jwt_secret`;
//! - `x-api-key: o2o_sk_…` (or `Authorization: Bearer o2o_sk_…`): a staff member's or an
//!   integrator's key, looked up by its SHA-256 in `api_keys`, or the first admin key, the
//!   secret variable `admin_api_key`.
//!
//! No credentials is the anonymous caller, which public routes serve. Credentials that do not
//! hold (bad signature, expired, unknown or revoked key) are a 401 on every route, public ones
//! too: a client that thinks it is signed in should learn that it is not.
//!
//! `o2o_edge::serve` resolves the principal before any handler runs and applies the rate
//! limit; handlers then ask `customer`, `staff` or `principal`, which answer from this
//! request's memo instead of verifying again.

use std::cell::RefCell;

use o2o_domain::auth::keys::{self, BOOTSTRAP_ADMIN};
use o2o_domain::auth::{
    ApiKey, Denied, FixedWindow, Principal, RateDecision, Scope, Scopes, StaffKey, rate_limit,
    token,
};
use o2o_domain::ids::CustomerId;
use spin_sdk::http::Request;

use crate::edge_context::{count_variable, now};
use crate::problem::ApiError;
use crate::spin_store::SpinSql;

/// The header carrying an API key.
pub const API_KEY_HEADER: &str = "x-api-key";
const AUTHORIZATION: &str = "authorization";
const KEY_PREFIX: &str = "o2o_sk_";

/// Requests per window for one customer or key unless `rate_limit_requests` says otherwise.
const DEFAULT_RATE_LIMIT: u32 = 600;
/// The window, unless `rate_limit_window_seconds` says otherwise.
const DEFAULT_RATE_WINDOW_SECONDS: u32 = 60;

/// What the request presented.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Credential {
    None,
    Token(String),
    Key(String),
}

impl Credential {
    fn of(req: &Request) -> Result<Credential, ApiError> {
        let header = |name: &str| {
            req.header(name)
                .map(|v| {
                    v.as_str()
                        .map(str::trim)
                        .ok_or_else(|| unauthorized(name, "the header is not text"))
                })
                .transpose()
        };
        match (header(AUTHORIZATION)?, header(API_KEY_HEADER)?) {
            (None, None) => Ok(Credential::None),
            (Some(_), Some(_)) => Err(unauthorized(
                AUTHORIZATION,
                "send one credential: a bearer token or an API key, not both",
            )),
            (None, Some(key)) => Ok(Credential::Key(key.to_owned())),
            (Some(authorization), None) => {
                let bearer = authorization
                    .split_once(' ')
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                    .map(|(_, value)| value.trim())
                    .filter(|value| !value.is_empty())
                    .ok_or_else(|| {
                        unauthorized(AUTHORIZATION, "use the Bearer scheme: Bearer <token>")
                    })?;
                if bearer.starts_with(KEY_PREFIX) {
                    Ok(Credential::Key(bearer.to_owned()))
                } else {
                    Ok(Credential::Token(bearer.to_owned()))
                }
            }
        }
    }
}

thread_local! {
    /// This request's principal, by the credential it was resolved from (an instance serves
    /// one request under Spin; keying by the credential keeps it right even if one served more).
    static RESOLVED: RefCell<Option<(Credential, Principal)>> = const { RefCell::new(None) };
}

/// The caller of `req`; a 401 when its credentials do not hold.
pub fn principal(req: &Request) -> Result<Principal, ApiError> {
    let credential = Credential::of(req)?;
    if let Some(principal) = RESOLVED.with_borrow(|memo| {
        memo.as_ref()
            .filter(|(seen, _)| *seen == credential)
            .map(|(_, principal)| principal.clone())
    }) {
        return Ok(principal);
    }
    let principal = resolve(&credential)?;
    RESOLVED.set(Some((credential, principal.clone())));
    Ok(principal)
}

fn resolve(credential: &Credential) -> Result<Principal, ApiError> {
    match credential {
        Credential::None => Ok(Principal::Anonymous),
        Credential::Token(raw) => {
            let secret = secret_variable("jwt_secret")
                .ok_or_else(|| unauthorized(AUTHORIZATION, "customer tokens are not accepted"))?;
            token::verify(raw, secret.as_bytes(), now())
                .map(|verified| Principal::Customer(verified.customer))
                .map_err(|e| unauthorized(AUTHORIZATION, e))
        }
        Credential::Key(raw) => {
            let refused = || unauthorized(API_KEY_HEADER, "unknown or revoked API key");
            let key = ApiKey::parse(raw).map_err(|_| refused())?;
            let bootstrap = secret_variable("admin_api_key")
                .and_then(|admin| ApiKey::parse(&admin).ok())
                .is_some_and(|admin| admin.hash() == key.hash());
            if bootstrap {
                return Ok(Principal::Staff(StaffKey {
                    id: BOOTSTRAP_ADMIN.to_owned(),
                    scopes: Scopes::parse(&["admin"]).map_err(|_| refused())?,
                }));
            }
            keys::find_active(&SpinSql::open_default()?, &key)?
                .map(Principal::Staff)
                .ok_or_else(refused)
        }
    }
}

/// A secret variable's value, when it is set and not empty.
fn secret_variable(name: &str) -> Option<String> {
    spin_sdk::variables::get(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

fn unauthorized(field: &str, detail: impl std::fmt::Display) -> ApiError {
    ApiError::Unauthorized {
        field: field.to_owned(),
        detail: detail.to_string(),
    }
}

/// A denial as the problem the caller gets: 401 naming the credential a route needs, or 403.
fn denied(denial: Denied, credential_field: &str) -> ApiError {
    match denial {
        Denied::SignInRequired(detail) => unauthorized(credential_field, detail),
        Denied::Forbidden(detail) => ApiError::Forbidden { detail },
    }
}

/// The signed-in customer of a customer route.
pub fn customer(req: &Request) -> Result<CustomerId, ApiError> {
    principal(req)?
        .customer()
        .cloned()
        .map_err(|d| denied(d, AUTHORIZATION))
}

/// The caller of a route for customers and staff alike (reading an order, a refund): anyone
/// but the anonymous caller, who is told to sign in (401).
pub fn signed_in(req: &Request) -> Result<Principal, ApiError> {
    match principal(req)? {
        Principal::Anonymous => Err(unauthorized(
            AUTHORIZATION,
            "sign in: a customer's bearer token or a staff API key is needed",
        )),
        caller => Ok(caller),
    }
}

/// The key of a staff route needing `scope`.
pub fn staff(req: &Request, scope: Scope) -> Result<StaffKey, ApiError> {
    staff_any(req, &[scope])
}

/// The key of a staff route that any of `scopes` allows.
pub fn staff_any(req: &Request, scopes: &[Scope]) -> Result<StaffKey, ApiError> {
    principal(req)?
        .staff_any(scopes)
        .cloned()
        .map_err(|d| denied(d, API_KEY_HEADER))
}

/// Serve's gate: resolves the caller and counts the request against its rate limit.
pub fn admit(req: &Request) -> Result<(), ApiError> {
    let principal = principal(req)?;
    let Some(subject) = principal.rate_subject() else {
        return Ok(());
    };
    let count = |name: &str, default: u32| {
        let count = count_variable(name, i64::from(default), 0..=i64::from(u32::MAX));
        u32::try_from(count).unwrap_or(default)
    };
    let rule = FixedWindow {
        limit: count("rate_limit_requests", DEFAULT_RATE_LIMIT),
        window_seconds: count("rate_limit_window_seconds", DEFAULT_RATE_WINDOW_SECONDS).max(1),
    };
    count_request(&rule, &subject)
}

/// Counts the request. Where there is no database to count in (a platform without SQLite,
/// or it cannot be opened) the request goes through uncounted and that is logged: the limit
/// protects the shop and should not take it down. A count that fails once the database is
/// open (it stayed locked past the busy timeout) is a 503, never a request let through
/// uncounted: the limit is exact wherever it is counted.
fn count_request(rule: &FixedWindow, subject: &str) -> Result<(), ApiError> {
    let db = match SpinSql::open_default() {
        Ok(db) => db,
        Err(no_database) => {
            eprintln!("rate limit not counted: {no_database}");
            return Ok(());
        }
    };
    match rate_limit::count_request(&db, rule, subject, now())? {
        RateDecision::Allow { .. } => Ok(()),
        RateDecision::Limited {
            retry_after_seconds,
        } => Err(ApiError::TooManyRequests {
            retry_after_seconds,
        }),
    }
}

//! Who is calling and what they may do (issue 7). `token`: customers' `Authorization: Bearer`
//! HS256 JWTs, checked for signature, expiry and subject; `api_key`: staff and integrators'
//! keys, made once, stored only as a SHA-256 hash, carrying scopes (`keys`: kept in `api_keys`,
//! with the audit log read back); `principal`: who is calling and what they may do; `rate_limit`: the
//! fixed-window rule applied per key and per customer. Plain Rust with `now` passed in; the
//! edge reads the headers and the secrets (Spin variables) and calls these.

pub mod api_key;
pub mod keys;
pub mod principal;
pub mod rate_limit;
pub mod token;

pub use api_key::{ApiKey, ApiKeyError, Scope, Scopes};
pub use principal::{Denied, Principal, StaffKey};
pub use rate_limit::{FixedWindow, RateDecision};
pub use token::{CustomerToken, TokenError};

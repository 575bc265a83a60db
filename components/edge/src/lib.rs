//! The thin kit every component shares, and the only crate besides the components that knows
//! Spin: JSON request bodies (`json_body`), `application/problem+json` errors built in exactly
//! one place (`problem`), the Spin implementations of the domain's storage traits
//! (`spin_store`), the schema migrations (`schema`), and reading variables and the clock at the
//! edge (`edge_context`), and the fallback routes every component ends with (`routing`), who is calling and their
//! rate limit (`auth`). Business rules live in `o2o-domain`, never here.

pub mod auth;
pub mod edge_context;
pub mod idempotent;
pub mod inbound;
pub mod json_body;
pub mod line_list;
pub mod problem;
pub mod query;
pub mod respond;
pub mod routing;
pub mod schema;
pub mod serve;
pub mod spin_store;

pub use problem::{ApiError, FieldContext};

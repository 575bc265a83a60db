//! A Spin-compatible host for tests and demos: it runs the shop's real wasm components (built
//! with spin-sdk for wasm32-wasip2, exporting `wasi:http/incoming-handler`) the way `spin up`
//! does — Spin's HTTP routing and `spin-*` headers, a fresh instance per request from a
//! pre-instantiated component, key-value and SQLite persisted like Spin's defaults, variables,
//! outbound HTTP with `allowed_outbound_hosts` and service chaining — plus what tests need:
//! an advanceable wall clock, fault injection and direct store inspection.
//!
//! Where it differs from `spin up` (deliberately small; see each module):
//! - Only `fermyon:spin/{key-value,sqlite,variables}@2.0.0` of Spin's own interfaces, plus
//!   WASI 0.2 and wasi:http; a component importing anything else fails to load, by name.
//! - Store and database labels other than `default` exist when listed in [`HostOptions`] (or a
//!   runtime config file for the binary); their backend is always this host's SQLite files.
//! - Variables come from overrides, `SPIN_VARIABLE_*` and defaults, resolved at load (no `.env`
//!   file, no vault providers).
//! - Request and response bodies are buffered, not streamed; HTTP/1.1 only.
//! - `source` must be a local file; `build`, `files` and component dependencies are ignored.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use spin_test_host::{HostOptions, SpinApp};
//! let app = SpinApp::load("spin.toml".as_ref(), HostOptions::default())?;
//! let response = app.handle(http::Request::get("/cart/abc").body(vec![])?).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(()) }
//! ```

mod app;
mod bindings;
mod clock;
mod compile_cache;
mod faults;
mod instance;
mod key_value;
pub mod manifest;
mod outbound;
pub mod routing;
mod server;
mod sqlite;
mod storage;
mod variables;

pub use app::{DEFAULT_AUTHORITY, DEFAULT_STORE, HostOptions, SpinApp};
pub use clock::TestClock;
pub use compile_cache::default_cache_dir;
pub use faults::{Faults, INJECTED_FAULT};
pub use instance::HostCalls;
pub use key_value::KeyValueInspector;
pub use outbound::AllowedHosts;
pub use routing::{ListedRoute, RouteMatch, Router};
pub use rusqlite;
pub use rusqlite::types::Value as SqlValue;
pub use server::ServerHandle;
pub use sqlite::{DEFAULT_DATABASE, SqliteInspector};

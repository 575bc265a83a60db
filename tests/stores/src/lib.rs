//! Native stand-ins for the stores behind the storage port (`o2o-storage`), shared by the
//! domain's unit and integration tests, the edge kit's tests and the native benchmarks, so that
//! each exists once: `NativeSql` (SQLite through rusqlite, with the project's migrations) and
//! `MemoryKv` (key-value in memory). Neither depends on the domain, so the domain's own unit
//! tests use them against the very traits the domain re-exports.

mod key_value;
mod sqlite;

pub use key_value::MemoryKv;
pub use sqlite::{NativeSql, migration_files};

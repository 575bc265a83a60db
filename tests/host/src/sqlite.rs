//! SQLite databases by label, as `spin up` keeps them: `default` in
//! `<state_dir>/sqlite_db.db`, any other label in `<state_dir>/<label>.db`, or in memory.
//! Holds the host side of `fermyon:spin/sqlite@2.0.0`: each `connection.open` gets its own
//! SQLite connection (so a guest's BEGIN/COMMIT span its own statements only and concurrent
//! requests are isolated by SQLite's locking), `execute` runs exactly one statement with
//! positional parameters. Also the [`SqliteInspector`] tests use.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rusqlite::types::{FromSql, Value as SqlValue, ValueRef};
use rusqlite::{Connection, params_from_iter};
use wasmtime::component::Resource;

use crate::bindings::fermyon::spin::sqlite::{self, Error, QueryResult, RowResult, Value};
use crate::instance::{HostCall, HostState};
use crate::storage::{DbLocation, blocking};

/// The label every app has.
pub const DEFAULT_DATABASE: &str = "default";

/// Every database of an app, by label.
#[derive(Debug)]
pub struct Databases {
    by_label: HashMap<String, Arc<DbLocation>>,
}

impl Databases {
    /// Files under `state_dir` (Spin's names), or in-memory databases when it is `None`.
    pub fn new(
        state_dir: Option<&Path>,
        labels: impl IntoIterator<Item = String>,
    ) -> anyhow::Result<Databases> {
        let mut by_label = HashMap::new();
        for label in labels {
            let location = match state_dir {
                Some(dir) => {
                    let file = if label == DEFAULT_DATABASE {
                        "sqlite_db.db".to_string()
                    } else {
                        format!("{label}.db")
                    };
                    DbLocation::file(dir.join(file))?
                }
                None => DbLocation::memory(&format!("sqlite-{label}"))?,
            };
            by_label.insert(label, Arc::new(location));
        }
        Ok(Databases { by_label })
    }

    /// The location of a database.
    pub fn location(&self, label: &str) -> Option<Arc<DbLocation>> {
        self.by_label.get(label).cloned()
    }

    /// Runs statements (one or many, `;`-separated) against a database, as `spin up --sqlite`.
    pub fn execute_batch(&self, label: &str, sql: &str) -> anyhow::Result<()> {
        let location = self
            .location(label)
            .with_context(|| format!("no SQLite database {label:?}"))?;
        location.open()?.execute_batch(sql)?;
        Ok(())
    }
}

/// The guest's handle to an open connection.
pub struct ConnectionHandle {
    conn: Arc<Mutex<Connection>>,
}

/// Runs one statement with positional parameters; the shape `execute` returns.
fn execute(
    conn: &Connection,
    statement: &str,
    params: &[SqlValue],
) -> rusqlite::Result<QueryResult> {
    let mut stmt = conn.prepare_cached(statement)?;
    let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let mut rows = stmt.query(params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let values = (0..columns.len())
            .map(|i| row.get_ref(i).map(to_wit))
            .collect::<rusqlite::Result<Vec<Value>>>()?;
        out.push(RowResult { values });
    }
    Ok(QueryResult { columns, rows: out })
}

fn to_wit(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn from_wit(v: Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Integer(i) => SqlValue::Integer(i),
        Value::Real(f) => SqlValue::Real(f),
        Value::Text(t) => SqlValue::Text(t),
        Value::Blob(b) => SqlValue::Blob(b),
    }
}

/// Reads and writes a database from test code, bypassing components.
#[derive(Clone)]
pub struct SqliteInspector {
    location: Arc<DbLocation>,
}

impl SqliteInspector {
    pub(crate) fn new(location: Arc<DbLocation>) -> SqliteInspector {
        SqliteInspector { location }
    }

    /// Runs one statement with positional parameters; returns its rows.
    pub fn execute(&self, sql: &str, params: &[SqlValue]) -> anyhow::Result<Vec<Vec<SqlValue>>> {
        let conn = self.location.open()?;
        let result = execute(&conn, sql, params).with_context(|| format!("SQL failed: {sql}"))?;
        Ok(result
            .rows
            .into_iter()
            .map(|r| r.values.into_iter().map(from_wit).collect())
            .collect())
    }

    /// Runs `;`-separated statements without parameters.
    pub fn execute_batch(&self, sql: &str) -> anyhow::Result<()> {
        self.location
            .open()?
            .execute_batch(sql)
            .with_context(|| format!("SQL failed: {sql}"))
    }

    /// The first column of the first row, converted (e.g. `i64`, `String`, `Option<f64>`).
    pub fn query_scalar<T: FromSql>(&self, sql: &str, params: &[SqlValue]) -> anyhow::Result<T> {
        let conn = self.location.open()?;
        conn.query_row(sql, params_from_iter(params.iter()), |r| r.get(0))
            .with_context(|| format!("SQL failed: {sql}"))
    }

    /// What SQLite's `EXPLAIN QUERY PLAN` says of `sql` (every parameter bound to NULL), one
    /// line per step: what tests hold a statement's use of indexes to.
    pub fn query_plan(&self, sql: &str) -> anyhow::Result<Vec<String>> {
        let conn = self.location.open()?;
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .with_context(|| format!("no plan for: {sql}"))?;
        let nulls = vec![SqlValue::Null; stmt.parameter_count()];
        let steps = stmt
            .query_map(params_from_iter(nulls), |row| row.get::<_, String>(3))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(steps)
    }

    /// The database file, when the app keeps state on disk.
    pub fn path(&self) -> Option<&Path> {
        self.location.path()
    }
}

type SqlResult<T> = wasmtime::Result<Result<T, Error>>;

impl sqlite::Host for HostState {}

impl sqlite::HostConnection for HostState {
    async fn open(&mut self, database: String) -> SqlResult<Resource<ConnectionHandle>> {
        self.host_call(HostCall::SqlOpen)?;
        if !self.component.sqlite_databases.contains(&database) {
            return Ok(Err(Error::AccessDenied));
        }
        let Some(location) = self.app.databases.location(&database) else {
            return Ok(Err(Error::NoSuchDatabase));
        };
        let started = std::time::Instant::now();
        let opened = blocking(move || location.open()).await?;
        self.calls.sql_time += started.elapsed();
        let conn = match opened {
            Ok(c) => c,
            Err(e) => return Ok(Err(Error::Io(format!("{e:#}")))),
        };
        let handle = ConnectionHandle {
            conn: Arc::new(Mutex::new(conn)),
        };
        Ok(Ok(self.table.push(handle)?))
    }

    async fn execute(
        &mut self,
        this: Resource<ConnectionHandle>,
        statement: String,
        parameters: Vec<Value>,
    ) -> SqlResult<QueryResult> {
        self.host_call(HostCall::Sql)?;
        self.calls.statements.push(statement.clone());
        if let Some(failure) = self.app.faults.sql_failure(&statement) {
            return Ok(Err(Error::Io(failure)));
        }
        let conn = match self.table.get(&this) {
            Ok(h) => h.conn.clone(),
            Err(_) => return Ok(Err(Error::InvalidConnection)),
        };
        let params: Vec<SqlValue> = parameters.into_iter().map(from_wit).collect();
        let started = std::time::Instant::now();
        let result = blocking(move || {
            let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            execute(&conn, &statement, &params)
        })
        .await?;
        self.calls.sql_time += started.elapsed();
        Ok(result.map_err(|e| Error::Io(e.to_string())))
    }

    async fn drop(&mut self, this: Resource<ConnectionHandle>) -> wasmtime::Result<()> {
        let handle = self.table.delete(this)?;
        // Closing may roll back an open transaction, and the last connection to a WAL
        // database checkpoints it: keep it off the async workers too.
        let started = std::time::Instant::now();
        blocking(move || drop(handle)).await?;
        self.calls.sql_time += started.elapsed();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execute_returns_typed_columns_and_rejects_two_statements() {
        let db = DbLocation::memory("unit").unwrap();
        let conn = db.open().unwrap();
        let r = execute(
            &conn,
            "SELECT ?1 AS i, ?2 AS r, ?3 AS t, ?4 AS b, ?5 AS n",
            &[
                SqlValue::Integer(7),
                SqlValue::Real(1.5),
                SqlValue::Text("x".into()),
                SqlValue::Blob(vec![1, 2]),
                SqlValue::Null,
            ],
        )
        .unwrap();
        assert_eq!(r.columns, ["i", "r", "t", "b", "n"]);
        assert!(matches!(
            r.rows[0].values[..],
            [
                Value::Integer(7),
                Value::Real(_),
                Value::Text(_),
                Value::Blob(_),
                Value::Null
            ]
        ));
        assert!(execute(&conn, "SELECT 1; SELECT 2", &[]).is_err());
    }
}

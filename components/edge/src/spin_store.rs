//! The Spin implementations of the domain's storage traits: Spin's key-value store and SQLite
//! database (both `default`, as spin.toml grants them). Spin errors become `StoreError`s here so
//! that nothing past the edge sees a Spin type.

use std::cell::RefCell;
use std::rc::Rc;

use o2o_domain::store::{KeyValue, Sql, SqlRows, SqlValue, StoreError};
use spin_sdk::{key_value, sqlite};

fn unavailable(err: impl std::fmt::Debug) -> StoreError {
    StoreError::Unavailable(format!("{err:?}"))
}

/// Spin's `default` key-value store.
pub struct SpinKeyValue(key_value::Store);

impl SpinKeyValue {
    pub fn open_default() -> Result<Self, StoreError> {
        key_value::Store::open_default()
            .map(SpinKeyValue)
            .map_err(unavailable)
    }
}

impl KeyValue for SpinKeyValue {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(key).map_err(unavailable)
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.0.set(key, value).map_err(unavailable)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key).map_err(unavailable)
    }
}

/// Closes the request's connection (`serve` calls it once the handler answered), so that the
/// connection lives exactly as long as its request whatever the instance does next.
pub fn end_request() {
    REQUEST_CONNECTION.with_borrow_mut(Option::take);
}

/// Spin's `default` SQLite database, with the schema brought up to date on open.
pub struct SpinSql(Rc<sqlite::Connection>);

thread_local! {
    /// The request's connection, until `end_request`.
    static REQUEST_CONNECTION: RefCell<Option<Rc<sqlite::Connection>>> =
        const { RefCell::new(None) };
}

impl SpinSql {
    /// The request's connection to the default database. The first call opens it and applies
    /// pending migrations (one cheap query when there are none); later calls in the same
    /// request share it. Spin opens a new SQLite connection per `open`, and the last one to
    /// close a WAL database checkpoints it: one connection per request (the rate limit's
    /// count, then the handler's work) pays that once. Every unit of work on it ends its own
    /// transaction (`in_immediate_transaction` commits or rolls back), so sharing is safe.
    pub fn open_default() -> Result<Self, StoreError> {
        if let Some(open) = REQUEST_CONNECTION.with_borrow(Clone::clone) {
            return Ok(SpinSql(open));
        }
        let connection = Rc::new(sqlite::Connection::open_default().map_err(unavailable)?);
        let db = SpinSql(connection.clone());
        crate::schema::ensure_schema(&db)?;
        REQUEST_CONNECTION.with_borrow_mut(|open| *open = Some(connection));
        Ok(db)
    }
}

fn to_spin(value: &SqlValue) -> sqlite::Value {
    match value {
        SqlValue::Integer(v) => sqlite::Value::Integer(*v),
        SqlValue::Real(v) => sqlite::Value::Real(*v),
        SqlValue::Text(v) => sqlite::Value::Text(v.clone()),
        SqlValue::Blob(v) => sqlite::Value::Blob(v.clone()),
        SqlValue::Null => sqlite::Value::Null,
    }
}

fn from_spin(value: sqlite::Value) -> SqlValue {
    match value {
        sqlite::Value::Integer(v) => SqlValue::Integer(v),
        sqlite::Value::Real(v) => SqlValue::Real(v),
        sqlite::Value::Text(v) => SqlValue::Text(v),
        sqlite::Value::Blob(v) => SqlValue::Blob(v),
        sqlite::Value::Null => SqlValue::Null,
    }
}

/// A statement's failure: a constraint it broke is `StoreError::Constraint` (a client error
/// where it runs, never a "retry" 503); anything else is the database being unavailable.
fn statement_failed(err: sqlite::Error) -> StoreError {
    match &err {
        sqlite::Error::Io(message) => StoreError::from_driver_message(message),
        _ => unavailable(err),
    }
}

impl Sql for SpinSql {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let params: Vec<sqlite::Value> = params.iter().map(to_spin).collect();
        let result = self
            .0
            .execute(statement, &params)
            .map_err(statement_failed)?;
        Ok(SqlRows {
            columns: result.columns,
            rows: result
                .rows
                .into_iter()
                .map(|row| row.values.into_iter().map(from_spin).collect())
                .collect(),
        })
    }
}

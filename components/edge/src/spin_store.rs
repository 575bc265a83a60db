//! The Spin implementations of the domain's storage traits: Spin's key-value store and SQLite
//! database (both `default`, as spin.toml grants them). Spin errors become `StoreError`s here so
//! that nothing past the edge sees a Spin type.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use o2o_domain::storage::{
    KeyValue, SCHEMA_LEDGER, SCHEMA_LEDGER_COLUMN, Sql, SqlRows, SqlValue, StoreError,
};
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

/// Spin's `default` SQLite database, with the schema brought up to date by the request's first
/// statement.
pub struct SpinSql(Rc<RequestConnection>);

/// The request's connection and whether its schema is known to be current.
struct RequestConnection {
    connection: sqlite::Connection,
    schema_current: Cell<bool>,
}

thread_local! {
    /// The request's connection, until `end_request`.
    static REQUEST_CONNECTION: RefCell<Option<Rc<RequestConnection>>> =
        const { RefCell::new(None) };
}

impl SpinSql {
    /// The request's connection to the default database. The first call opens it; later calls
    /// in the same request share it. Spin opens a new SQLite connection per `open`, and the
    /// last one to close a WAL database checkpoints it: one connection per request (the rate
    /// limit's count, then the handler's work) pays that once. Every unit of work on it ends
    /// its own transaction (`in_immediate_transaction` commits or rolls back), so sharing is
    /// safe.
    ///
    /// The schema is checked by the request's first statement (see `execute`), so a request
    /// that opens the database and runs nothing costs no statement at all.
    pub fn open_default() -> Result<Self, StoreError> {
        if let Some(open) = REQUEST_CONNECTION.with_borrow(Clone::clone) {
            return Ok(SpinSql(open));
        }
        let connection = sqlite::Connection::open_default().map_err(unavailable)?;
        let open = Rc::new(RequestConnection {
            connection,
            schema_current: Cell::new(false),
        });
        REQUEST_CONNECTION.with_borrow_mut(|slot| *slot = Some(open.clone()));
        Ok(SpinSql(open))
    }

    fn run(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        let params: Vec<sqlite::Value> = params.iter().map(to_spin).collect();
        let result = self
            .0
            .connection
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

    /// The request's first statement, with the schema check (issue 12: it costs no statement
    /// of its own once the schema is current). A statement that carries `schema_ledger!`
    /// answers the ledger's count with its own result: it runs first, and only a short count,
    /// or a table it did not find, brings the migrations in (after which a read is run again
    /// on the new schema; a write keeps its answer, its tables having been there). Any other
    /// first statement is preceded by the check (`ensure_schema`: one count, once current).
    fn first_statement(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        // Current while the check runs (its own statements must not check again); if it
        // fails, the next statement checks anew.
        self.0.schema_current.set(true);
        let checked = self.checked_first_statement(statement, params);
        if checked.is_err() {
            self.0.schema_current.set(false);
        }
        checked
    }

    fn checked_first_statement(
        &self,
        statement: &str,
        params: &[SqlValue],
    ) -> Result<SqlRows, StoreError> {
        if !statement.contains(SCHEMA_LEDGER) {
            crate::schema::ensure_schema(self)?;
            return self.run(statement, params);
        }
        let answer = match self.run(statement, params) {
            Err(StoreError::Unavailable(why)) if crate::schema::means_schema_missing(&why) => {
                crate::schema::ensure_schema(self)?;
                return self.run(statement, params);
            }
            other => other?,
        };
        let ledger = answer
            .columns
            .iter()
            .position(|column| column == SCHEMA_LEDGER_COLUMN)
            .and_then(|at| answer.rows.first().and_then(|row| row.get(at)));
        match ledger {
            Some(SqlValue::Integer(count)) if crate::schema::is_current(*count) => Ok(answer),
            _ => {
                crate::schema::ensure_schema(self)?;
                if is_read(statement) {
                    self.run(statement, params)
                } else {
                    Ok(answer)
                }
            }
        }
    }
}

/// Whether a statement only reads.
fn is_read(statement: &str) -> bool {
    let head = statement.trim_start();
    ["SELECT", "WITH"].iter().any(|word| {
        head.get(..word.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(word))
    })
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
        if self.0.schema_current.get() {
            self.run(statement, params)
        } else {
            self.first_statement(statement, params)
        }
    }
}

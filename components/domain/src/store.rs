//! The small storage traits through which the domain reaches state: `KeyValue` for short-lived
//! documents (carts, quote snapshots) and `Sql` for everything relational. The Spin
//! implementations live in the edge kit (`o2o-edge`); tests bring their own beside the tests.

/// A storage failure, as the domain sees it. The edge maps it to a 503/500 problem.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

/// A key-value store (Spin's `default` store in production).
pub trait KeyValue {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// One SQL value, as SQLite types it.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Null,
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> Self {
        SqlValue::Text(value.to_owned())
    }
}

impl From<i64> for SqlValue {
    fn from(value: i64) -> Self {
        SqlValue::Integer(value)
    }
}

/// The rows a statement returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlRows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

impl SqlRows {
    /// The first column of the first row as an integer, if there is one.
    pub fn first_integer(&self) -> Option<i64> {
        match self.rows.first()?.first()? {
            SqlValue::Integer(value) => Some(*value),
            _ => None,
        }
    }
}

/// A SQL connection (Spin's `default` SQLite database in production). One statement per call,
/// parameters bound positionally (`?`), never interpolated.
pub trait Sql {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError>;
}

//! The storage ports of the shop: the two small traits through which the domain reaches state
//! (`KeyValue` for short-lived documents, `Sql` for everything relational), the values a
//! statement carries and returns, and the one storage error. No rules and no driver: the Spin
//! implementations live in the edge kit (`o2o-edge`), the native one for tests in
//! `o2o-test-stores`, and the domain re-exports all of this as `o2o_domain::storage`. A crate
//! of its own so that a test-support crate can implement the traits without depending on the
//! domain (whose unit tests then use the very same trait).

/// A storage failure, as the domain sees it. The edge maps it to a problem: unavailable is a
/// 503 (retry), corrupt a 500, and a constraint the write broke a 409 (a retry cannot succeed:
/// the request meets a state that refuses it) unless the code that ran the query maps it to
/// what it means there.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// A UNIQUE, CHECK, NOT NULL or FOREIGN KEY constraint refused a write; `name` is what
    /// SQLite names (`UNIQUE constraint failed: couriers.id`).
    #[error("write refused by {name}")]
    Constraint { name: String },
}

impl StoreError {
    /// The error of a database driver's message: SQLite's constraint failures (`UNIQUE
    /// constraint failed: t.c`, `CHECK constraint failed: name`) become `Constraint`, anything
    /// else `Unavailable`. The one place such messages are read.
    pub fn from_driver_message(message: &str) -> StoreError {
        const KINDS: [&str; 5] = ["UNIQUE", "CHECK", "NOT NULL", "FOREIGN KEY", "PRIMARY KEY"];
        let failure = KINDS
            .iter()
            .find_map(|kind| message.find(&format!("{kind} constraint failed")));
        match failure {
            Some(at) => StoreError::Constraint {
                name: message[at..].trim_end_matches(['"', ')']).to_owned(),
            },
            None => StoreError::Unavailable(message.to_owned()),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_failures_are_told_apart_from_an_unavailable_store() {
        assert_eq!(
            StoreError::from_driver_message("Io(\"UNIQUE constraint failed: couriers.id\")"),
            StoreError::Constraint {
                name: "UNIQUE constraint failed: couriers.id".into()
            }
        );
        assert_eq!(
            StoreError::from_driver_message("CHECK constraint failed: reserved <= on_hand"),
            StoreError::Constraint {
                name: "CHECK constraint failed: reserved <= on_hand".into()
            }
        );
        assert_eq!(
            StoreError::from_driver_message("database is locked"),
            StoreError::Unavailable("database is locked".into())
        );
    }
}

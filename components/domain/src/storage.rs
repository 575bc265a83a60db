//! The persistence kernel: the small storage traits through which the domain reaches state
//! (`KeyValue` for short-lived documents: carts, quote snapshots; `Sql` for everything
//! relational; defined in the `o2o-storage` port crate and re-exported here), the one unit of
//! work (`in_immediate_transaction`), the stored time format (`timestamp`, read back by
//! `parse_timestamp`), the row reader every repository reads and writes with (`row`), and what
//! every function writes beside its own rows (`journal`: outbox events and audit entries). The
//! Spin implementations of the traits live in the edge kit (`o2o-edge`); every native test uses
//! the one rusqlite adapter of `o2o-test-stores`.

use chrono::{DateTime, SecondsFormat, Utc};

pub use o2o_storage::{KeyValue, Sql, SqlRows, SqlValue, StoreError};

pub mod journal;

/// RFC 3339 UTC with second precision: the stored form, which also sorts by time as text.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A stored time read back (any RFC 3339 offset, as UTC).
pub fn parse_timestamp(raw: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(raw).map(|at| at.with_timezone(&Utc))
}

/// The unit of work: `BEGIN IMMEDIATE` takes the write lock before anything is read, the work
/// runs, and it is committed, or rolled back on any error so that nothing is left behind.
pub fn in_immediate_transaction<T, E: From<StoreError>>(
    db: &impl Sql,
    work: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    db.execute("BEGIN IMMEDIATE", &[])?;
    let outcome = work().and_then(|value| {
        db.execute("COMMIT", &[])?;
        Ok(value)
    });
    if outcome.is_err() {
        // The first error is the one that matters; a failed ROLLBACK is only logged (SQLite
        // rolls back an abandoned transaction when the connection closes).
        if let Err(rollback) = db.execute("ROLLBACK", &[]) {
            eprintln!("rollback failed: {rollback}");
        }
    }
    outcome
}

/// The column a statement carries so that the schema check rides on it (issue 12: the check
/// costs no statement of its own): how many migrations the ledger records. The edge's
/// connection runs the first statement of a request that carries it without a separate check,
/// and applies the migrations when the count falls short or the statement finds no table.
/// Statements write it with `concat!(…, schema_ledger!())`.
#[macro_export]
macro_rules! schema_ledger {
    () => {
        "(SELECT COUNT(*) FROM schema_migrations) AS schema_ledger"
    };
}

/// The text of [`schema_ledger!`], which the edge looks for.
pub const SCHEMA_LEDGER: &str = schema_ledger!();
/// The name of that column in a statement's answer.
pub const SCHEMA_LEDGER_COLUMN: &str = "schema_ledger";

/// What every repository writes and reads rows with: parameters, the changed-row count, and
/// columns read as the type the schema gives them (flags, JSON documents and parsed text
/// included). A column of the wrong type is stored data the rules never wrote:
/// `StoreError::Corrupt`, naming where (`what`, and the column).
pub mod row {
    use super::{Sql, SqlValue, StoreError};

    const CHANGED_ROWS: &str = "SELECT changes()";

    pub fn text(v: &str) -> SqlValue {
        SqlValue::Text(v.to_owned())
    }

    pub fn optional_text(v: Option<&str>) -> SqlValue {
        v.map_or(SqlValue::Null, text)
    }

    pub fn int(v: i64) -> SqlValue {
        SqlValue::Integer(v)
    }

    pub fn flag(v: bool) -> SqlValue {
        SqlValue::Integer(i64::from(v))
    }

    pub fn corrupt(what: impl Into<String>) -> StoreError {
        StoreError::Corrupt(what.into())
    }

    /// What a `SELECT COUNT(*) …` counts (0 when it answers no row).
    pub fn count(db: &impl Sql, statement: &str, params: &[SqlValue]) -> Result<i64, StoreError> {
        Ok(db.execute(statement, params)?.first_integer().unwrap_or(0))
    }

    /// Whether a `SELECT COUNT(*) …` counts anything.
    pub fn any(db: &impl Sql, statement: &str, params: &[SqlValue]) -> Result<bool, StoreError> {
        Ok(count(db, statement, params)? > 0)
    }

    /// Runs `statement` and reports how many rows it changed.
    pub fn changed(db: &impl Sql, statement: &str, params: &[SqlValue]) -> Result<i64, StoreError> {
        db.execute(statement, params)?;
        count(db, CHANGED_ROWS, &[])
    }

    /// Runs a write that must change exactly one row; anything else means the data is not
    /// what the rules left it as.
    pub fn change_one(
        db: &impl Sql,
        statement: &str,
        params: &[SqlValue],
    ) -> Result<(), StoreError> {
        match changed(db, statement, params)? {
            1 => Ok(()),
            n => Err(corrupt(format!("expected one row changed, {n} were"))),
        }
    }

    fn wrong(what: &str, i: usize, expected: &str, got: Option<&SqlValue>) -> StoreError {
        corrupt(format!(
            "{what} column {i}: expected {expected}, got {got:?}"
        ))
    }

    pub fn col_text(row: &[SqlValue], i: usize, what: &str) -> Result<String, StoreError> {
        match row.get(i) {
            Some(SqlValue::Text(v)) => Ok(v.clone()),
            other => Err(wrong(what, i, "text", other)),
        }
    }

    pub fn col_opt_text(
        row: &[SqlValue],
        i: usize,
        what: &str,
    ) -> Result<Option<String>, StoreError> {
        match row.get(i) {
            Some(SqlValue::Null) => Ok(None),
            _ => col_text(row, i, what).map(Some),
        }
    }

    pub fn col_int(row: &[SqlValue], i: usize, what: &str) -> Result<i64, StoreError> {
        match row.get(i) {
            Some(SqlValue::Integer(v)) => Ok(*v),
            other => Err(wrong(what, i, "an integer", other)),
        }
    }

    pub fn col_opt_int(row: &[SqlValue], i: usize, what: &str) -> Result<Option<i64>, StoreError> {
        match row.get(i) {
            Some(SqlValue::Null) => Ok(None),
            _ => col_int(row, i, what).map(Some),
        }
    }

    /// An integer the schema keeps at 0 or more (a rank, a priority, a limit, a count).
    pub fn col_u32(row: &[SqlValue], i: usize, what: &str) -> Result<u32, StoreError> {
        let value = col_int(row, i, what)?;
        u32::try_from(value).map_err(|_| wrong(what, i, "0 to 4294967295", row.get(i)))
    }

    pub fn col_opt_u32(row: &[SqlValue], i: usize, what: &str) -> Result<Option<u32>, StoreError> {
        match row.get(i) {
            Some(SqlValue::Null) => Ok(None),
            _ => col_u32(row, i, what).map(Some),
        }
    }

    /// A number: SQLite hands back a REAL column holding a whole number as an integer.
    pub fn col_real(row: &[SqlValue], i: usize, what: &str) -> Result<f64, StoreError> {
        match row.get(i) {
            Some(SqlValue::Real(v)) => Ok(*v),
            Some(SqlValue::Integer(v)) => Ok(*v as f64),
            other => Err(wrong(what, i, "a number", other)),
        }
    }

    pub fn col_opt_real(row: &[SqlValue], i: usize, what: &str) -> Result<Option<f64>, StoreError> {
        match row.get(i) {
            Some(SqlValue::Null) => Ok(None),
            _ => col_real(row, i, what).map(Some),
        }
    }

    /// A 0/1 column (SQLite has no booleans).
    pub fn col_flag(row: &[SqlValue], i: usize, what: &str) -> Result<bool, StoreError> {
        match row.get(i) {
            Some(SqlValue::Integer(0)) => Ok(false),
            Some(SqlValue::Integer(1)) => Ok(true),
            other => Err(wrong(what, i, "0 or 1", other)),
        }
    }

    /// A text column read by `parse` (an id, an amount, a time); text it refuses is corrupt.
    pub fn col_parsed<T, E: std::fmt::Display>(
        row: &[SqlValue],
        i: usize,
        what: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        let raw = col_text(row, i, what)?;
        parse(&raw).map_err(|e| corrupt(format!("{what} column {i}: {e}: {raw:?}")))
    }

    pub fn col_opt_parsed<T, E: std::fmt::Display>(
        row: &[SqlValue],
        i: usize,
        what: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, StoreError> {
        match row.get(i) {
            Some(SqlValue::Null) => Ok(None),
            _ => col_parsed(row, i, what, parse).map(Some),
        }
    }

    /// A text column holding a JSON document, read as `T`: a cell that is not that JSON is
    /// corrupt, never passed on as a string.
    pub fn col_json<T: serde::de::DeserializeOwned>(
        row: &[SqlValue],
        i: usize,
        what: &str,
    ) -> Result<T, StoreError> {
        col_parsed(row, i, what, |raw| serde_json::from_str(raw))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn columns_read_as_their_type_or_name_where_the_data_is_wrong() {
            let row = [
                SqlValue::Text("a".into()),
                SqlValue::Null,
                SqlValue::Integer(3),
                SqlValue::Real(1.5),
            ];
            assert_eq!(col_text(&row, 0, "t"), Ok("a".into()));
            assert_eq!(col_opt_text(&row, 1, "t"), Ok(None));
            assert_eq!(col_int(&row, 2, "t"), Ok(3));
            assert_eq!(col_real(&row, 2, "t"), Ok(3.0));
            assert_eq!(col_opt_real(&row, 3, "t"), Ok(Some(1.5)));
            assert_eq!(
                col_text(&row, 2, "orders"),
                Err(StoreError::Corrupt(
                    "orders column 2: expected text, got Some(Integer(3))".into()
                ))
            );
            assert!(col_int(&row, 9, "t").is_err());
        }

        #[test]
        fn flags_json_and_parsed_text_are_read_as_their_type_or_are_corrupt() {
            let row = [
                SqlValue::Integer(1),
                SqlValue::Integer(2),
                SqlValue::Text(r#"{"mon": ["09:00", "21:00"]}"#.into()),
                SqlValue::Text("{not json".into()),
                SqlValue::Text("12".into()),
                SqlValue::Null,
            ];
            assert_eq!(col_flag(&row, 0, "t"), Ok(true));
            assert!(matches!(
                col_flag(&row, 1, "t"),
                Err(StoreError::Corrupt(_))
            ));
            let hours: serde_json::Value = col_json(&row, 2, "t").unwrap();
            assert_eq!(hours["mon"][1], "21:00");
            assert!(matches!(
                col_json::<serde_json::Value>(&row, 3, "stores"),
                Err(StoreError::Corrupt(why)) if why.starts_with("stores column 3: ")
            ));
            assert_eq!(col_parsed(&row, 4, "t", str::parse::<u32>), Ok(12));
            assert!(col_parsed(&row, 3, "t", str::parse::<u32>).is_err());
            assert_eq!(col_opt_parsed(&row, 5, "t", str::parse::<u32>), Ok(None));
            assert_eq!(col_u32(&row, 0, "t"), Ok(1));
            assert!(col_u32(&[SqlValue::Integer(-1)], 0, "t").is_err());
            assert_eq!(col_opt_u32(&row, 5, "t"), Ok(None));
        }
    }
}

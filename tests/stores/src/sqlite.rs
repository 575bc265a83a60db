//! The one native stand-in for Spin's SQLite behind the storage port (`o2o_storage::Sql`):
//! rusqlite, in memory or on a file, with the project's migrations applied as
//! `spin up --sqlite @file` would, a statement counter, and sabotage (every statement
//! containing a fragment fails, as a storage failure). Errors are read as the edge reads
//! Spin's (`StoreError::from_driver_message`): a constraint is a `Constraint`, anything else
//! `Unavailable`.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};

use o2o_storage::{Sql, SqlRows, SqlValue, StoreError};
use rusqlite::types::{Value, ValueRef};

pub struct NativeSql {
    conn: rusqlite::Connection,
    statements: Cell<usize>,
    failing: RefCell<Vec<String>>,
}

/// The project's migration files (`migrations/NNNN_*.sql`), in order.
pub fn migration_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
}

impl NativeSql {
    /// An empty database in memory.
    pub fn empty() -> Self {
        Self::over(rusqlite::Connection::open_in_memory().expect("in-memory sqlite"))
    }

    /// A database file, opened (or created) as Spin opens it: one connection, rollback journal.
    pub fn open(file: &Path) -> Self {
        Self::over(
            rusqlite::Connection::open(file).unwrap_or_else(|e| panic!("{}: {e}", file.display())),
        )
    }

    /// A fresh database in memory with every migration applied.
    pub fn with_schema() -> Self {
        let db = Self::empty();
        for file in migration_files() {
            db.run_file(&file);
        }
        db
    }

    /// A fresh database in memory with the migrations whose file names start with one of
    /// `prefixes` ("0001", "0014"…) applied, in order.
    pub fn with_migrations(prefixes: &[&str]) -> Self {
        let db = Self::empty();
        for file in migration_files() {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if prefixes.iter().any(|prefix| name.starts_with(prefix)) {
                db.run_file(&file);
            }
        }
        db
    }

    fn over(conn: rusqlite::Connection) -> Self {
        NativeSql {
            conn,
            statements: Cell::new(0),
            failing: RefCell::new(Vec::new()),
        }
    }

    fn run_file(&self, file: &Path) {
        let sql = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
        self.conn
            .execute_batch(&sql)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }

    /// Runs `sql` (several statements) directly, uncounted; panics on failure.
    pub fn batch(&self, sql: &str) {
        self.conn
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The connection, for a test that asks SQLite directly.
    pub fn connection(&self) -> &rusqlite::Connection {
        &self.conn
    }

    /// Every statement containing `fragment` fails from now on.
    pub fn fail_matching(&self, fragment: &str) {
        self.failing.borrow_mut().push(fragment.to_owned());
    }

    /// No statement fails any more.
    pub fn heal(&self) {
        self.failing.borrow_mut().clear();
    }

    /// How many statements went through `Sql::execute` (failed ones included).
    pub fn statements(&self) -> usize {
        self.statements.get()
    }

    /// What SQLite's `EXPLAIN QUERY PLAN` says of `sql` (parameters bound to NULL), a line a
    /// step.
    pub fn query_plan(&self, sql: &str) -> Vec<String> {
        let mut stmt = self
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let nulls = vec![Value::Null; stmt.parameter_count()];
        stmt.query_map(rusqlite::params_from_iter(nulls), |row| {
            row.get::<_, String>(3)
        })
        .expect("a plan")
        .map(|step| step.expect("a plan step"))
        .collect()
    }

    /// An integer scalar.
    pub fn scalar(&self, sql: &str) -> i64 {
        self.conn
            .query_row(sql, [], |row| row.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// A text scalar ('' for NULL).
    pub fn scalar_text(&self, sql: &str) -> String {
        self.conn
            .query_row(sql, [], |row| row.get::<_, Option<String>>(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap_or_default()
    }
}

impl Sql for NativeSql {
    fn execute(&self, statement: &str, params: &[SqlValue]) -> Result<SqlRows, StoreError> {
        self.statements.set(self.statements.get() + 1);
        if self
            .failing
            .borrow()
            .iter()
            .any(|fragment| statement.contains(fragment.as_str()))
        {
            return Err(StoreError::Unavailable("injected fault".into()));
        }
        let refused = |e: rusqlite::Error| StoreError::from_driver_message(&e.to_string());
        let mut stmt = self.conn.prepare(statement).map_err(refused)?;
        let params = params.iter().map(|p| match p {
            SqlValue::Integer(v) => Value::Integer(*v),
            SqlValue::Real(v) => Value::Real(*v),
            SqlValue::Text(v) => Value::Text(v.clone()),
            SqlValue::Blob(v) => Value::Blob(v.clone()),
            SqlValue::Null => Value::Null,
        });
        let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params))
            .map_err(refused)?;
        let mut out = SqlRows {
            columns: columns.clone(),
            rows: Vec::new(),
        };
        while let Some(row) = rows.next().map_err(refused)? {
            let values = (0..columns.len())
                .map(|i| {
                    Ok(match row.get_ref(i).map_err(refused)? {
                        ValueRef::Null => SqlValue::Null,
                        ValueRef::Integer(v) => SqlValue::Integer(v),
                        ValueRef::Real(v) => SqlValue::Real(v),
                        ValueRef::Text(v) => {
                            SqlValue::Text(String::from_utf8_lossy(v).into_owned())
                        }
                        ValueRef::Blob(v) => SqlValue::Blob(v.to_vec()),
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            out.rows.push(values);
        }
        Ok(out)
    }
}

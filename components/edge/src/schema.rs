//! Schema migrations: the numbered files under `migrations/` at the repository root, embedded
//! here and applied by whichever component first opens a database that lacks them.
//!
//! The check is the ledger's count (`SELECT COUNT(*) FROM schema_migrations`). A request pays
//! no statement for it when its first statement carries the count as a column
//! (`o2o_domain::schema_ledger!`, as the rate limit's count and the quote's reads do: see
//! `spin_store::SpinSql`), one statement otherwise. When the count shows pending migrations
//! (or the ledger does not exist yet), they are applied inside one `BEGIN IMMEDIATE`
//! transaction after re-reading the version, so two instances starting at once do not both
//! apply them. Each file is safe to re-run and records itself in the ledger,
//! which is what lets `spin up --sqlite @file` seed a database with the same files.
//!
//! Before applying them, the database is turned to WAL journal mode (issue 11): Spin opens
//! the local file with SQLite's defaults (a rollback journal, where a writer blocks every
//! reader), and the mode is a persistent setting of the file, so setting it once, when the
//! schema is first brought up, is enough. `scripts/seed` does the same for databases seeded by
//! `spin up --sqlite @file`. A backend without the pragma (libSQL, Turso) keeps its own mode:
//! the refusal is logged and the migrations go on.

use o2o_domain::storage::{Sql, SqlValue, StoreError, in_immediate_transaction};

/// One numbered migration file.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. A change to the schema is a new file added here.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_catalog",
        sql: include_str!("../../../migrations/0001_catalog.sql"),
    },
    Migration {
        version: 2,
        name: "0002_pricing",
        sql: include_str!("../../../migrations/0002_pricing.sql"),
    },
    Migration {
        version: 3,
        name: "0003_stock",
        sql: include_str!("../../../migrations/0003_stock.sql"),
    },
    Migration {
        version: 4,
        name: "0004_idempotency",
        sql: include_str!("../../../migrations/0004_idempotency.sql"),
    },
    Migration {
        version: 5,
        name: "0005_orders",
        sql: include_str!("../../../migrations/0005_orders.sql"),
    },
    Migration {
        version: 6,
        name: "0006_webhooks",
        sql: include_str!("../../../migrations/0006_webhooks.sql"),
    },
    Migration {
        version: 7,
        name: "0007_dispatch",
        sql: include_str!("../../../migrations/0007_dispatch.sql"),
    },
    Migration {
        version: 8,
        name: "0008_refunds",
        sql: include_str!("../../../migrations/0008_refunds.sql"),
    },
    Migration {
        version: 9,
        name: "0009_feedback",
        sql: include_str!("../../../migrations/0009_feedback.sql"),
    },
    Migration {
        version: 10,
        name: "0010_access",
        sql: include_str!("../../../migrations/0010_access.sql"),
    },
    Migration {
        version: 11,
        name: "0011_idempotency_by_caller",
        sql: include_str!("../../../migrations/0011_idempotency_by_caller.sql"),
    },
    Migration {
        version: 12,
        name: "0012_rate_limits",
        sql: include_str!("../../../migrations/0012_rate_limits.sql"),
    },
    Migration {
        version: 13,
        name: "0013_sales_rollup",
        sql: include_str!("../../../migrations/0013_sales_rollup.sql"),
    },
    Migration {
        version: 14,
        name: "0014_order_counts_kept",
        sql: include_str!("../../../migrations/0014_order_counts_kept.sql"),
    },
    Migration {
        version: 15,
        name: "0015_rate_limit_per_subject",
        sql: include_str!("../../../migrations/0015_rate_limit_per_subject.sql"),
    },
];

const APPLIED_COUNT: &str = "SELECT COUNT(*) FROM schema_migrations";
const WAL_MODE: &str = "PRAGMA journal_mode = WAL";
const APPLIED_VERSIONS: &str = "SELECT version FROM schema_migrations";

/// How many migrations the ledger records; 0 when the ledger does not exist yet.
fn applied_count(db: &impl Sql) -> i64 {
    db.execute(APPLIED_COUNT, &[])
        .ok()
        .and_then(|rows| rows.first_integer())
        .unwrap_or(0)
}

/// The newest version recorded in the ledger; 0 when the ledger does not exist yet.
#[cfg(test)]
fn applied_version(db: &impl Sql) -> i64 {
    db.execute(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        &[],
    )
    .ok()
    .and_then(|rows| rows.first_integer())
    .unwrap_or(0)
}

#[cfg(test)]
fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Whether a ledger that records `count` migrations is current.
pub fn is_current(count: i64) -> bool {
    count >= MIGRATIONS.len() as i64
}

/// Whether a statement's failure says the schema is not there yet (a fresh database, or one
/// a migration behind the code).
pub fn means_schema_missing(message: &str) -> bool {
    message.contains("no such table") || message.contains("no such column")
}

/// Applies the migrations the database lacks. The hot check counts the ledger rather than
/// reading its newest version, so a migration that landed after a higher-numbered one (two
/// branches merged in either order) is still applied.
pub fn ensure_schema(db: &impl Sql) -> Result<(), StoreError> {
    if is_current(applied_count(db)) {
        return Ok(());
    }
    // Outside the transaction: the journal mode cannot change inside one. SQLite answers the
    // mode it is in; anything but `wal` (a backend that keeps its own, a file another
    // connection held at that moment) is said in the log, where an operator can see it.
    match db.execute(WAL_MODE, &[]) {
        Ok(rows) => match rows.rows.first().and_then(|row| row.first()) {
            Some(SqlValue::Text(mode)) if mode.eq_ignore_ascii_case("wal") => {}
            other => eprintln!("journal mode is {other:?}, not wal: writers will block readers"),
        },
        Err(refused) => eprintln!("journal mode left as the backend keeps it: {refused}"),
    }
    in_immediate_transaction(db, || apply_pending(db))
}

/// Applies, in order, every migration the ledger does not record (re-read under the lock).
fn apply_pending(db: &impl Sql) -> Result<(), StoreError> {
    let applied: Vec<i64> = match db.execute(APPLIED_VERSIONS, &[]) {
        Ok(rows) => rows
            .rows
            .iter()
            .filter_map(|row| match row.first() {
                Some(o2o_domain::storage::SqlValue::Integer(v)) => Some(*v),
                _ => None,
            })
            .collect(),
        // No ledger yet: 0001 creates it.
        Err(_) => Vec::new(),
    };
    for migration in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        for statement in statements(migration.sql) {
            db.execute(&statement, &[]).map_err(|e| {
                StoreError::Unavailable(format!("migration {} failed: {e}", migration.name))
            })?;
        }
    }
    Ok(())
}

/// Splits a migration file into statements: `--` comments dropped, statements end with `;` at
/// the end of a line (migration files keep to that: a trigger's body stays on the line that
/// ends it, as in 0014).
pub fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in sql.lines() {
        let code = line.split("--").next().unwrap_or("").trim_end();
        if code.trim().is_empty() {
            continue;
        }
        current.push_str(code);
        current.push('\n');
        if code.ends_with(';') {
            out.push(current.trim().trim_end_matches(';').to_owned());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use o2o_test_stores::NativeSql as Sqlite;

    #[test]
    fn a_fresh_database_gets_every_migration() {
        let db = Sqlite::empty();
        ensure_schema(&db).unwrap();
        assert_eq!(applied_version(&db), latest_version());
        let products = db
            .execute("SELECT COUNT(*) FROM products", &[])
            .unwrap()
            .first_integer();
        assert_eq!(products, Some(0));
    }

    #[test]
    fn an_up_to_date_database_costs_one_query() {
        let db = Sqlite::empty();
        ensure_schema(&db).unwrap();
        let before = db.statements();
        ensure_schema(&db).unwrap();
        assert_eq!(db.statements() - before, 1);
    }

    #[test]
    fn migration_files_are_safe_to_re_run() {
        let db = Sqlite::empty();
        for _ in 0..2 {
            for migration in MIGRATIONS {
                for statement in statements(migration.sql) {
                    db.execute(&statement, &[]).unwrap();
                }
            }
        }
        ensure_schema(&db).unwrap();
        assert_eq!(applied_version(&db), latest_version());
    }

    #[test]
    fn a_migration_missing_below_the_newest_recorded_one_is_still_applied() {
        // A database that ran 0006 before 0005 landed (two branches merged in either order;
        // 0014's triggers are on 0005's tables, so it came after both).
        let db = Sqlite::empty();
        for migration in MIGRATIONS
            .iter()
            .filter(|m| m.version != 5 && m.version < 14)
        {
            for statement in statements(migration.sql) {
                db.execute(&statement, &[]).unwrap();
            }
        }
        assert!(db.execute("SELECT COUNT(*) FROM orders", &[]).is_err());
        ensure_schema(&db).unwrap();
        assert_eq!(
            db.execute("SELECT COUNT(*) FROM orders", &[])
                .unwrap()
                .first_integer(),
            Some(0)
        );
        assert_eq!(applied_count(&db), MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_failed_migration_leaves_nothing_behind() {
        let db = Sqlite::empty();
        db.fail_matching("CREATE TABLE IF NOT EXISTS stores");
        assert!(ensure_schema(&db).is_err());
        db.heal();
        assert_eq!(applied_version(&db), 0);
        assert!(db.execute("SELECT COUNT(*) FROM products", &[]).is_err());
    }

    #[test]
    fn a_database_file_is_turned_to_wal_when_its_schema_is_first_brought_up() {
        let dir = std::env::temp_dir().join(format!(
            "o2o-schema-wal-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("db.sqlite");
        let db = Sqlite::open(&file);
        let mode = |db: &Sqlite| -> String {
            db.connection()
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(mode(&db), "delete", "SQLite's default, as Spin opens it");
        ensure_schema(&db).unwrap();
        assert_eq!(mode(&db), "wal");
        drop(db);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_backend_refusing_the_journal_pragma_still_gets_its_migrations() {
        let db = Sqlite::empty();
        db.fail_matching("PRAGMA journal_mode");
        ensure_schema(&db).unwrap();
        assert_eq!(applied_version(&db), latest_version());
    }

    #[test]
    fn statements_split_on_line_ending_semicolons_and_drop_comments() {
        let sql = "-- c\nCREATE TABLE a (\n  x TEXT -- why\n);\nINSERT INTO a VALUES ('1');\n";
        assert_eq!(
            statements(sql),
            vec![
                "CREATE TABLE a (\n  x TEXT\n)",
                "INSERT INTO a VALUES ('1')"
            ]
        );
    }
}

//! Where SQLite-backed state lives: files under the state directory (as `spin up` keeps them
//! under `.spin/`), or named in-memory databases when there is no state directory. In-memory
//! databases use SQLite's `memdb` VFS with a leading `/` in the name, so every connection of
//! the process shares one database with normal file locking (a busy writer makes others wait
//! through the busy timeout instead of failing), and a keep-alive connection holds it open for
//! the app's lifetime.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};

/// How long a connection waits for another writer before failing with "database is locked".
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

static NEXT_MEMORY_DB: AtomicU64 = AtomicU64::new(0);

/// The location of one SQLite database.
#[derive(Debug)]
pub struct DbLocation {
    target: Target,
    /// Keeps an in-memory database alive between connections.
    keep_alive: Option<Mutex<Connection>>,
}

#[derive(Debug, Clone)]
enum Target {
    File(PathBuf),
    Memory(String),
}

impl DbLocation {
    /// A database file (its directory is created).
    pub fn file(path: PathBuf) -> anyhow::Result<DbLocation> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create state directory {}", dir.display()))?;
        }
        let location = DbLocation {
            target: Target::File(path),
            keep_alive: None,
        };
        // The file exists from the start, as Spin creates it, with SQLite's defaults (a
        // rollback journal). Whether it runs in WAL mode is the app's choice, as under Spin
        // (issue 11): the host must not be friendlier than Spin.
        location.open()?;
        Ok(location)
    }

    /// A fresh in-memory database private to this process, shared by all its connections.
    pub fn memory(tag: &str) -> anyhow::Result<DbLocation> {
        let n = NEXT_MEMORY_DB.fetch_add(1, Ordering::SeqCst);
        let name: String = tag
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let uri = format!(
            "file:/spin-test-host-{}-{n}-{name}?vfs=memdb",
            std::process::id()
        );
        let mut location = DbLocation {
            target: Target::Memory(uri),
            keep_alive: None,
        };
        let conn = location.open()?;
        location.keep_alive = Some(Mutex::new(conn));
        Ok(location)
    }

    /// The database file, if it is one.
    pub fn path(&self) -> Option<&Path> {
        match &self.target {
            Target::File(p) => Some(p),
            Target::Memory(_) => None,
        }
    }

    /// Opens a new connection with the busy timeout set.
    pub fn open(&self) -> anyhow::Result<Connection> {
        let conn = match &self.target {
            Target::File(path) => Connection::open(path)
                .with_context(|| format!("cannot open SQLite database {}", path.display()))?,
            Target::Memory(uri) => Connection::open_with_flags(
                uri,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_context(|| format!("cannot open in-memory SQLite database {uri}"))?,
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(conn)
    }
}

/// Runs blocking SQLite work off the async worker threads, so a connection waiting on a lock
/// never stalls the instances that hold it.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> wasmtime::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| wasmtime::Error::msg(format!("SQLite worker failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_database_is_shared_between_connections() {
        let db = DbLocation::memory("t").unwrap();
        db.open()
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let n: i64 = db
            .open()
            .unwrap()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_database_file_keeps_sqlites_default_journal_as_spin_opens_it() {
        let dir = std::env::temp_dir().join(format!(
            "spin-test-host-journal-{}-{}",
            std::process::id(),
            NEXT_MEMORY_DB.fetch_add(1, Ordering::SeqCst)
        ));
        let db = DbLocation::file(dir.join("sqlite_db.db")).unwrap();
        let mode: String = db
            .open()
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "the app, not the host, chooses WAL");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn memory_databases_are_distinct() {
        let a = DbLocation::memory("same").unwrap();
        let b = DbLocation::memory("same").unwrap();
        a.open()
            .unwrap()
            .execute_batch("CREATE TABLE t (x);")
            .unwrap();
        assert!(b.open().unwrap().execute_batch("SELECT * FROM t").is_err());
    }

    #[test]
    fn writer_waits_for_other_writer_instead_of_failing() {
        let db = std::sync::Arc::new(DbLocation::memory("busy").unwrap());
        db.open()
            .unwrap()
            .execute_batch("CREATE TABLE t (x);")
            .unwrap();
        let holder = db.open().unwrap();
        holder
            .execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
            .unwrap();
        let db2 = db.clone();
        let (started, writing) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let conn = db2.open().unwrap();
            started.send(()).unwrap();
            conn.execute("INSERT INTO t VALUES (2)", []).map(|_| ())
        });
        // The waiter writes while the lock is held: it is still waiting, not failed nor done.
        writing.recv().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            !waiter.is_finished(),
            "the second writer did not wait for the lock"
        );
        holder.execute_batch("COMMIT").unwrap();
        waiter.join().unwrap().unwrap();
        let n: i64 = db
            .open()
            .unwrap()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }
}

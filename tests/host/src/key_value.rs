//! Key-value stores, kept as Spin's default store keeps them: one SQLite database
//! (`<state_dir>/sqlite_key_value.db`, or in memory) with a table keyed by store label and key.
//! Holds the host side of `fermyon:spin/key-value@2.0.0` (with Spin's `access-denied` for a
//! label the component did not declare) and the [`KeyValueInspector`] tests use.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};
use wasmtime::component::Resource;

use crate::bindings::fermyon::spin::key_value::{self, Error};
use crate::faults::INJECTED_FAULT;
use crate::instance::{HostCall, HostState};
use crate::storage::{DbLocation, blocking};

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS spin_key_value (
    store TEXT NOT NULL,
    key   TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (store, key)
)";
const GET: &str = "SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2";
const SET: &str = "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
    ON CONFLICT (store, key) DO UPDATE SET value = excluded.value";
const DELETE: &str = "DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2";
const EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2)";
const KEYS: &str = "SELECT key FROM spin_key_value WHERE store = ?1 ORDER BY key";

/// All key-value stores of an app: the labels that exist and the database holding them.
#[derive(Debug)]
pub struct KeyValueStores {
    labels: HashSet<String>,
    /// Keeps an in-memory database alive (and names the file) for the app's lifetime.
    _location: DbLocation,
    /// One connection serves every store; operations are short.
    conn: Arc<Mutex<Connection>>,
}

impl KeyValueStores {
    /// Opens (and creates) the backing database; `labels` are the stores that exist.
    pub fn new(location: DbLocation, labels: HashSet<String>) -> anyhow::Result<KeyValueStores> {
        let conn = location.open()?;
        conn.execute_batch(CREATE_TABLE)
            .context("cannot create the key-value table")?;
        Ok(KeyValueStores {
            labels,
            _location: location,
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Whether a store with this label exists.
    pub fn is_defined(&self, label: &str) -> bool {
        self.labels.contains(label)
    }

    fn store(&self, label: &str) -> StoreData {
        StoreData {
            label: label.to_string(),
            conn: self.conn.clone(),
        }
    }
}

/// A label bound to the shared connection: the operations of one store.
#[derive(Clone)]
struct StoreData {
    label: String,
    conn: Arc<Mutex<Connection>>,
}

impl StoreData {
    fn with<T>(
        &self,
        f: impl FnOnce(&Connection, &str) -> rusqlite::Result<T>,
    ) -> anyhow::Result<T> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&conn, &self.label)?)
    }

    fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        self.with(|c, s| c.query_row(GET, params![s, key], |r| r.get(0)).optional())
    }

    fn set(&self, key: &str, value: &[u8]) -> anyhow::Result<()> {
        self.with(|c, s| c.execute(SET, params![s, key, value]).map(|_| ()))
    }

    fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.with(|c, s| c.execute(DELETE, params![s, key]).map(|_| ()))
    }

    fn exists(&self, key: &str) -> anyhow::Result<bool> {
        self.with(|c, s| c.query_row(EXISTS, params![s, key], |r| r.get(0)))
    }

    fn keys(&self) -> anyhow::Result<Vec<String>> {
        self.with(|c, s| {
            let mut stmt = c.prepare_cached(KEYS)?;
            let keys = stmt.query_map(params![s], |r| r.get(0))?;
            keys.collect()
        })
    }
}

/// The guest's handle to an opened store.
pub struct StoreHandle {
    data: StoreData,
}

/// Reads and writes a store from test code, bypassing components.
#[derive(Clone)]
pub struct KeyValueInspector {
    data: StoreData,
}

impl KeyValueInspector {
    pub(crate) fn new(stores: &KeyValueStores, label: &str) -> KeyValueInspector {
        KeyValueInspector {
            data: stores.store(label),
        }
    }

    /// The value under `key`, if any.
    pub fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        self.data.get(key)
    }

    /// Sets `key` to `value`.
    pub fn set(&self, key: &str, value: &[u8]) -> anyhow::Result<()> {
        self.data.set(key, value)
    }

    /// Removes `key` (no error when absent).
    pub fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.data.delete(key)
    }

    /// Whether `key` is present.
    pub fn exists(&self, key: &str) -> anyhow::Result<bool> {
        self.data.exists(key)
    }

    /// All keys, sorted.
    pub fn keys(&self) -> anyhow::Result<Vec<String>> {
        self.data.keys()
    }

    /// The value under `key` parsed as JSON, if any.
    pub fn get_json<T: serde::de::DeserializeOwned>(&self, key: &str) -> anyhow::Result<Option<T>> {
        self.get(key)?
            .map(|bytes| serde_json::from_slice(&bytes).context("value is not the expected JSON"))
            .transpose()
    }
}

type KvResult<T> = wasmtime::Result<Result<T, Error>>;

impl HostState {
    /// The store behind a handle, after counting the operation for fault injection.
    fn kv_store(
        &mut self,
        handle: &Resource<StoreHandle>,
        key: Option<&str>,
    ) -> wasmtime::Result<Result<StoreData, Error>> {
        self.host_call(HostCall::Kv)?;
        if self.app.faults.kv_op_fails(key) {
            return Ok(Err(Error::Other(INJECTED_FAULT.into())));
        }
        Ok(Ok(self.table.get(handle)?.data.clone()))
    }
}

async fn run<T: Send + 'static>(
    store: Result<StoreData, Error>,
    op: impl FnOnce(&StoreData) -> anyhow::Result<T> + Send + 'static,
) -> KvResult<T> {
    let store = match store {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let result = blocking(move || op(&store)).await?;
    Ok(result.map_err(|e| Error::Other(format!("{e:#}"))))
}

impl key_value::Host for HostState {}

impl key_value::HostStore for HostState {
    async fn open(&mut self, label: String) -> KvResult<Resource<StoreHandle>> {
        self.host_call(HostCall::KvOpen)?;
        if !self.component.key_value_stores.contains(&label) {
            return Ok(Err(Error::AccessDenied));
        }
        if !self.app.key_value.is_defined(&label) {
            return Ok(Err(Error::NoSuchStore));
        }
        let data = self.app.key_value.store(&label);
        Ok(Ok(self.table.push(StoreHandle { data })?))
    }

    async fn get(&mut self, this: Resource<StoreHandle>, key: String) -> KvResult<Option<Vec<u8>>> {
        let store = self.kv_store(&this, Some(&key))?;
        run(store, move |s| s.get(&key)).await
    }

    async fn set(
        &mut self,
        this: Resource<StoreHandle>,
        key: String,
        value: Vec<u8>,
    ) -> KvResult<()> {
        let store = self.kv_store(&this, Some(&key))?;
        run(store, move |s| s.set(&key, &value)).await
    }

    async fn delete(&mut self, this: Resource<StoreHandle>, key: String) -> KvResult<()> {
        let store = self.kv_store(&this, Some(&key))?;
        run(store, move |s| s.delete(&key)).await
    }

    async fn exists(&mut self, this: Resource<StoreHandle>, key: String) -> KvResult<bool> {
        let store = self.kv_store(&this, Some(&key))?;
        run(store, move |s| s.exists(&key)).await
    }

    async fn get_keys(&mut self, this: Resource<StoreHandle>) -> KvResult<Vec<String>> {
        let store = self.kv_store(&this, None)?;
        run(store, |s| s.keys()).await
    }

    async fn drop(&mut self, this: Resource<StoreHandle>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

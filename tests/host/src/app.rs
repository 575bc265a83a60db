//! A loaded Spin application: the manifest resolved into pre-instantiated components with their
//! grants, the router, the shared stores, the test clock and the fault switches. [`SpinApp`] is
//! the in-process entry point tests use (`handle`, `serve`, inspectors); loading validates what
//! `spin up` validates (required variables, undefined store and database labels, routes).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use bytes::Bytes;
use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use crate::bindings::SpinPlatform;
use crate::clock::TestClock;
use crate::compile_cache::{default_cache_dir, load_component, shared_engine};
use crate::faults::Faults;
use crate::instance::HostCalls;
use crate::instance::{HostState, dispatch};
use crate::key_value::{KeyValueInspector, KeyValueStores};
use crate::manifest::Manifest;
use crate::outbound::AllowedHosts;
use crate::routing::{ListedRoute, Router};
use crate::server::{self, ServerHandle};
use crate::sqlite::{DEFAULT_DATABASE, Databases, SqliteInspector};
use crate::storage::DbLocation;
use crate::variables::AppVariables;

/// The authority assumed for in-process requests whose URI is only a path.
pub const DEFAULT_AUTHORITY: &str = "127.0.0.1:3000";

/// The key-value store every app has.
pub const DEFAULT_STORE: &str = "default";

/// How to load an app.
#[derive(Debug, Clone, Default)]
pub struct HostOptions {
    /// Where state files live (`spin up` uses `.spin/` next to the manifest); `None` keeps all
    /// stores and databases in memory for the app's lifetime.
    pub state_dir: Option<PathBuf>,
    /// Values for application variables; they win over `SPIN_VARIABLE_*` and defaults.
    pub variables: HashMap<String, String>,
    /// Statements run against the `default` database before serving, like
    /// `spin up --sqlite`; an entry starting with `@` names a file of statements.
    pub sqlite_statements: Vec<String>,
    /// Key-value store labels that exist besides `default` (what a runtime config defines).
    pub key_value_stores: Vec<String>,
    /// SQLite database labels that exist besides `default` (what a runtime config defines).
    pub sqlite_databases: Vec<String>,
    /// Where compiled components are cached; default `<target>/spin-test-host-cache`.
    pub cache_dir: Option<PathBuf>,
}

/// Everything requests share; owned by [`SpinApp`] and by in-flight instances.
pub(crate) struct AppShared {
    pub(crate) engine: Engine,
    pub(crate) router: Router,
    pub(crate) components: HashMap<String, Arc<ComponentRuntime>>,
    pub(crate) key_value: KeyValueStores,
    pub(crate) databases: Databases,
    pub(crate) faults: Faults,
    pub(crate) clock: TestClock,
    /// The Spin host calls of each component's latest finished request.
    pub(crate) last_calls: std::sync::Mutex<HashMap<String, HostCalls>>,
}

impl AppShared {
    pub(crate) fn record_calls(&self, component: &str, calls: HostCalls) {
        self.last_calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(component.to_owned(), calls);
    }
}

/// A component ready to instantiate, with what the manifest grants it.
pub(crate) struct ComponentRuntime {
    pub(crate) id: String,
    pub(crate) pre: ProxyPre<HostState>,
    pub(crate) key_value_stores: HashSet<String>,
    pub(crate) sqlite_databases: HashSet<String>,
    pub(crate) allowed_hosts: Arc<AllowedHosts>,
    pub(crate) variables: HashMap<String, String>,
    pub(crate) environment: Vec<(String, String)>,
}

/// A running Spin application. Cloning is cheap and shares everything.
#[derive(Clone)]
pub struct SpinApp {
    shared: Arc<AppShared>,
}

impl SpinApp {
    /// Loads the app described by `manifest`: resolves variables, checks store and database
    /// labels, compiles (or loads cached) components and pre-instantiates each once.
    pub fn load(manifest: &Path, opts: HostOptions) -> anyhow::Result<SpinApp> {
        let manifest = Manifest::load(manifest)?;
        let variables = AppVariables::resolve(&manifest, &opts.variables)?;
        let router = Router::build(&manifest.base, &manifest.http_triggers)?;

        let kv_labels: HashSet<String> = std::iter::once(DEFAULT_STORE.to_string())
            .chain(opts.key_value_stores.iter().cloned())
            .collect();
        let db_labels: HashSet<String> = std::iter::once(DEFAULT_DATABASE.to_string())
            .chain(opts.sqlite_databases.iter().cloned())
            .collect();
        check_labels(&manifest, &kv_labels, &db_labels)?;

        let engine = shared_engine()?;
        let linker = host_linker(&engine)?;
        let cache_dir = opts.cache_dir.clone().unwrap_or_else(default_cache_dir);
        let mut components = HashMap::new();
        for (id, decl) in &manifest.components {
            let component = load_component(&engine, &decl.source, &cache_dir)
                .with_context(|| format!("component '{id}'"))?;
            let pre = linker
                .instantiate_pre(&component)
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!("component '{id}' imports something this host does not provide")
                })?;
            let pre = ProxyPre::new(pre)
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!("component '{id}' does not export wasi:http/incoming-handler")
                })?;
            let runtime = ComponentRuntime {
                id: id.clone(),
                pre,
                key_value_stores: decl.key_value_stores.iter().cloned().collect(),
                sqlite_databases: decl.sqlite_databases.iter().cloned().collect(),
                allowed_hosts: Arc::new(
                    allowed_hosts(&decl.allowed_outbound_hosts, &variables)
                        .with_context(|| format!("component '{id}' allowed_outbound_hosts"))?,
                ),
                variables: variables.component_values(id, &decl.variables)?,
                environment: decl.environment.clone().into_iter().collect(),
            };
            components.insert(id.clone(), Arc::new(runtime));
        }

        let state_dir = opts.state_dir.as_deref();
        let kv_location = match state_dir {
            Some(dir) => DbLocation::file(dir.join("sqlite_key_value.db"))?,
            None => DbLocation::memory("key-value")?,
        };
        let key_value = KeyValueStores::new(kv_location, kv_labels)?;
        let databases = Databases::new(state_dir, db_labels)?;
        for statement in &opts.sqlite_statements {
            let sql = match statement.strip_prefix('@') {
                Some(file) => std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read SQL file {file}"))?,
                None => statement.clone(),
            };
            databases
                .execute_batch(DEFAULT_DATABASE, &sql)
                .with_context(|| format!("--sqlite {statement:?} failed"))?;
        }

        Ok(SpinApp {
            shared: Arc::new(AppShared {
                engine,
                router,
                components,
                key_value,
                databases,
                faults: Faults::default(),
                last_calls: std::sync::Mutex::default(),
                clock: TestClock::default(),
            }),
        })
    }

    /// Serves one request on a fresh instance of the component its path routes to. The URI may
    /// be only a path (`/cart/x`): the host is then [`DEFAULT_AUTHORITY`]. Unrouted paths get
    /// 404; a component that traps gets 500.
    pub async fn handle(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> anyhow::Result<http::Response<Vec<u8>>> {
        let client: SocketAddr = ([127, 0, 0, 1], 0).into();
        let response = self.handle_from(req.map(Bytes::from), client).await?;
        Ok(response.map(|b| b.to_vec()))
    }

    /// Like [`SpinApp::handle`], with the client address Spin reports in `spin-client-addr`.
    pub async fn handle_from(
        &self,
        req: http::Request<Bytes>,
        client_addr: SocketAddr,
    ) -> anyhow::Result<http::Response<Bytes>> {
        let uri = req.uri();
        let path = uri.path().to_string();
        if path == "/.well-known/spin/health" {
            return Ok(http::Response::new(Bytes::from_static(b"OK")));
        }
        let authority = uri
            .authority()
            .map(|a| a.to_string())
            .or_else(|| {
                req.headers()
                    .get(http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| DEFAULT_AUTHORITY.to_string());
        let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let full_url = format!(
            "{}://{authority}{path_and_query}",
            uri.scheme_str().unwrap_or("http")
        );
        let Some(route) = self.shared.router.route(&path) else {
            let mut response = http::Response::new(Bytes::new());
            *response.status_mut() = http::StatusCode::NOT_FOUND;
            return Ok(response);
        };
        dispatch(self.shared.clone(), req, route, full_url, client_addr).await
    }

    /// Starts an HTTP/1.1 server on `addr` (port 0 picks a free one).
    pub async fn serve(&self, addr: SocketAddr) -> anyhow::Result<ServerHandle> {
        server::serve(self.clone(), addr).await
    }

    /// Routes listed at startup (private routes excluded), in manifest order.
    pub fn routes(&self) -> Vec<ListedRoute> {
        self.shared.router.listed_routes()
    }

    /// Direct access to a key-value store.
    pub fn key_value(&self, store: &str) -> KeyValueInspector {
        KeyValueInspector::new(&self.shared.key_value, store)
    }

    /// Direct access to a SQLite database.
    ///
    /// # Panics
    /// When the app has no database with that label.
    pub fn sqlite(&self, db: &str) -> SqliteInspector {
        match self.shared.databases.location(db) {
            Some(location) => SqliteInspector::new(location),
            None => panic!("the app has no SQLite database {db:?}"),
        }
    }

    /// The Spin host calls (SQL statements, key-value operations, ...) of the latest finished
    /// request served by `component`: what tests hold a route's round trips to.
    pub fn last_host_calls(&self, component: &str) -> Option<HostCalls> {
        self.shared
            .last_calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(component)
            .cloned()
    }

    /// The fault switches of this app.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The wall clock guests see.
    pub fn clock(&self) -> &TestClock {
        &self.shared.clock
    }
}

/// A component's `allowed_outbound_hosts`, each entry a template over the application
/// variables (`"{{ webhook_hosts }}"`) that Spin expands, then trims, into one host pattern.
fn allowed_hosts(entries: &[String], variables: &AppVariables) -> anyhow::Result<AllowedHosts> {
    let hosts = entries
        .iter()
        .map(|entry| Ok(variables.expand(entry)?.trim().to_string()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    AllowedHosts::parse(&hosts)
}

/// Spin refuses to start an app whose components use store or database labels that do not
/// exist (only `default` exists without a runtime config).
fn check_labels(
    manifest: &Manifest,
    kv_labels: &HashSet<String>,
    db_labels: &HashSet<String>,
) -> anyhow::Result<()> {
    let mut unknown_dbs = Vec::new();
    for (id, c) in &manifest.components {
        for label in &c.key_value_stores {
            if !kv_labels.contains(label) {
                bail!("unknown key_value_stores label {label:?} for component {id:?}");
            }
        }
        for label in &c.sqlite_databases {
            if !db_labels.contains(label) {
                unknown_dbs.push(format!("- Component {id} uses database '{label}'"));
            }
        }
    }
    if !unknown_dbs.is_empty() {
        bail!(
            "One or more components use SQLite databases which are not defined.\n\
             Check the spelling, or define them (HostOptions::sqlite_databases / --runtime-config-file).\n\
             Details:\n{}",
            unknown_dbs.join("\n")
        );
    }
    Ok(())
}

/// The linker every component is pre-instantiated with: WASI 0.2, wasi:http and the Spin 2.0
/// key-value, sqlite and variables interfaces.
fn host_linker(engine: &Engine) -> anyhow::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(anyhow::Error::from)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
        .map_err(anyhow::Error::from)?;
    SpinPlatform::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
        .map_err(anyhow::Error::from)?;
    Ok(linker)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables(webhook_hosts: Option<&str>) -> AppVariables {
        let manifest = Manifest::parse(
            "spin_manifest_version = 2\n[variables]\nwebhook_hosts = { default = \"https://webhooks.invalid\" }\n",
            Path::new("."),
        )
        .unwrap();
        let overrides = webhook_hosts
            .map(|h| HashMap::from([("webhook_hosts".to_string(), h.to_string())]))
            .unwrap_or_default();
        AppVariables::resolve(&manifest, &overrides).unwrap()
    }

    #[test]
    fn allowed_outbound_hosts_expand_variable_templates_as_spin_does() {
        let entries = vec!["{{ webhook_hosts }}".to_string()];
        let default = allowed_hosts(&entries, &variables(None)).unwrap();
        assert!(default.allows("https", "webhooks.invalid", 443));
        assert!(!default.allows("http", "127.0.0.1", 8080));

        let set = allowed_hosts(&entries, &variables(Some(" http://127.0.0.1:* "))).unwrap();
        assert!(set.allows("http", "127.0.0.1", 8080));
        assert!(!set.allows("https", "webhooks.invalid", 443));
    }

    #[test]
    fn an_allowed_host_template_naming_no_variable_or_no_pattern_fails_loading() {
        let vars = variables(None);
        assert!(allowed_hosts(&["{{ nope }}".to_string()], &vars).is_err());
        let empty = variables(Some(""));
        assert!(allowed_hosts(&["{{ webhook_hosts }}".to_string()], &empty).is_err());
    }
}

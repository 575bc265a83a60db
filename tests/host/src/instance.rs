//! One request on one fresh instance, as Spin's HTTP trigger runs it: the per-instance host
//! state (WASI context with the test clock, wasi-http context with the outbound hooks, the
//! resource table and the component's grants), the `spin-*` request headers, the call of
//! `wasi:http/incoming-handler.handle`, and the rule that a trap or a missing response is a
//! 500 for that request only.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use wasmtime::Store;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::app::{AppShared, ComponentRuntime};
use crate::outbound::OutboundHooks;
use crate::routing::RouteMatch;

/// The `T` of each request's `Store<T>`.
pub struct HostState {
    pub(crate) app: Arc<AppShared>,
    pub(crate) component: Arc<ComponentRuntime>,
    pub(crate) table: ResourceTable,
    /// The Spin host calls this request made, by kind.
    pub(crate) calls: HostCalls,
    /// The linear memory the instance holds.
    pub(crate) memory: MemoryWatch,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: OutboundHooks,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

impl HostState {
    fn new(app: Arc<AppShared>, component: Arc<ComponentRuntime>) -> HostState {
        let mut wasi = WasiCtx::builder();
        wasi.inherit_stdout()
            .inherit_stderr()
            .envs(&component.environment)
            .wall_clock(app.clock.wall_clock());
        let hooks = OutboundHooks {
            app: app.clone(),
            component_id: component.id.clone(),
            allowed: component.allowed_hosts.clone(),
        };
        HostState {
            app,
            component,
            table: ResourceTable::new(),
            calls: HostCalls::default(),
            memory: MemoryWatch::default(),
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            hooks,
        }
    }
}

/// The Spin host calls one request made: what a component costs in round trips to its stores
/// (each is one under Spin with remote Redis or libSQL backends), the statements it ran, and
/// the most linear memory its instance held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostCalls {
    /// SQL statements executed.
    pub sql: u32,
    /// SQLite connections opened.
    pub sql_opens: u32,
    /// Key-value operations (get, set, delete, exists, get-keys).
    pub kv: u32,
    /// Key-value stores opened.
    pub kv_opens: u32,
    /// Variables read.
    pub variables: u32,
    /// The SQL statements executed, in order, as the guest wrote them.
    pub statements: Vec<String>,
    /// The largest size the instance's linear memories reached together, in bytes.
    pub peak_memory_bytes: usize,
    /// Time spent in SQLite host calls (opening connections and running statements).
    pub sql_time: std::time::Duration,
    /// Time from instantiating the component to its handler's return.
    pub instance_time: std::time::Duration,
}

impl HostCalls {
    /// The statements run between the first `BEGIN` and the `COMMIT` that ends it; empty when
    /// the request opened no transaction.
    pub fn statements_in_transaction(&self) -> &[String] {
        let starts = |s: &String| s.trim_start().to_ascii_uppercase().starts_with("BEGIN");
        let ends = |s: &String| s.trim_start().to_ascii_uppercase().starts_with("COMMIT");
        let Some(begin) = self.statements.iter().position(starts) else {
            return &[];
        };
        let end = self.statements[begin..]
            .iter()
            .position(ends)
            .map_or(self.statements.len(), |at| begin + at + 1);
        &self.statements[begin..end]
    }
}

/// Tracks the linear memory an instance holds: wasmtime asks before creating a memory (from
/// 0 bytes) and before every growth, and memories never shrink, so the sum of the growths is
/// what the instance holds. It never refuses, like Spin without a memory limit configured.
#[derive(Default)]
pub(crate) struct MemoryWatch {
    held_bytes: usize,
}

impl wasmtime::ResourceLimiter for MemoryWatch {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.held_bytes += desired.saturating_sub(current);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

/// A kind of Spin host call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostCall {
    Sql,
    SqlOpen,
    Kv,
    KvOpen,
    Variable,
}

impl HostState {
    /// Counts a Spin host call of this request, and traps it when a fault says so (the
    /// `Err` becomes a trap of the guest).
    pub(crate) fn host_call(&mut self, call: HostCall) -> wasmtime::Result<()> {
        let counter = match call {
            HostCall::Sql => &mut self.calls.sql,
            HostCall::SqlOpen => &mut self.calls.sql_opens,
            HostCall::Kv => &mut self.calls.kv,
            HostCall::KvOpen => &mut self.calls.kv_opens,
            HostCall::Variable => &mut self.calls.variables,
        };
        *counter += 1;
        if self.app.faults.host_call_traps(&self.component.id) {
            wasmtime::bail!(
                "injected trap at {call:?} of component {}",
                self.component.id
            );
        }
        Ok(())
    }
}

/// Serves `request` with the component `route` selects, on a fresh instance.
///
/// `full_url` is the URL as the client sent it (`spin-full-url`). Failures inside the guest
/// (traps, no response) become a 500 response; `Err` is only for host failures.
pub(crate) async fn dispatch(
    app: Arc<AppShared>,
    request: http::Request<Bytes>,
    route: RouteMatch,
    full_url: String,
    client_addr: SocketAddr,
) -> anyhow::Result<http::Response<Bytes>> {
    let Some(component) = app.components.get(&route.component_id).cloned() else {
        anyhow::bail!("route names unknown component '{}'", route.component_id);
    };
    let (mut parts, body) = request.into_parts();
    for (name, value) in route.spin_headers(&full_url, &client_addr.to_string()) {
        parts.headers.insert(
            http::HeaderName::try_from(name)?,
            http::HeaderValue::try_from(value)?,
        );
    }
    if !parts.headers.contains_key(http::header::HOST) {
        let host = full_url
            .parse::<http::Uri>()
            .ok()
            .and_then(|u| u.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "localhost".into());
        parts
            .headers
            .insert(http::header::HOST, http::HeaderValue::try_from(host)?);
    }
    let body = Full::new(body)
        .map_err(|never: Infallible| -> wasmtime_wasi_http::Error { match never {} });
    let request = hyper::Request::from_parts(parts, body);

    let mut store = Store::new(&app.engine, HostState::new(app.clone(), component.clone()));
    store.limiter(|state| &mut state.memory);
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let req = store
        .data_mut()
        .http()
        .new_incoming_request(Scheme::Http, request)
        .map_err(anyhow::Error::from)?;
    let out = store
        .data_mut()
        .http()
        .new_response_outparam(sender)
        .map_err(anyhow::Error::from)?;
    let pre = component.pre.clone();
    let task = tokio::task::spawn(async move {
        let started = std::time::Instant::now();
        let outcome = async {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, req, out)
                .await
        }
        .await;
        let state = store.data_mut();
        let mut calls = std::mem::take(&mut state.calls);
        calls.peak_memory_bytes = state.memory.held_bytes;
        calls.instance_time = started.elapsed();
        (outcome, calls)
    });

    let component_id = &component.id;
    let response = match receiver.await {
        Ok(Ok(response)) => {
            let (parts, body) = response.into_parts();
            match body.collect().await {
                Ok(collected) => http::Response::from_parts(parts, collected.to_bytes()),
                Err(e) => {
                    // The guest failed (usually trapped) while writing the body.
                    let detail = match task.await {
                        Ok((Err(trap), calls)) => {
                            app.record_calls(component_id, calls);
                            format!("{trap:?}")
                        }
                        _ => format!("{e:?}"),
                    };
                    return Ok(internal_error(component_id, &detail));
                }
            }
        }
        Ok(Err(code)) => internal_error(
            component_id,
            &format!("component responded with error code {code:?}"),
        ),
        Err(_) => {
            let detail = match task.await {
                Ok((Ok(()), calls)) => {
                    app.record_calls(component_id, calls);
                    "component did not set a response".to_string()
                }
                Ok((Err(trap), calls)) => {
                    app.record_calls(component_id, calls);
                    format!("{trap:?}")
                }
                Err(join) => format!("instance task failed: {join}"),
            };
            return Ok(internal_error(component_id, &detail));
        }
    };
    // The handler has answered; its instance ends with it. Waiting for that keeps the count
    // of its host calls exact for whoever reads it next.
    if let Ok((_, calls)) = task.await {
        app.record_calls(component_id, calls);
    }
    Ok(response)
}

/// The 500 Spin answers when a component fails; the reason goes to stderr, as Spin logs it.
fn internal_error(component_id: &str, detail: &str) -> http::Response<Bytes> {
    eprintln!("spin-test-host: component '{component_id}' failed: {detail}");
    let mut response = http::Response::new(Bytes::from_static(b"Internal Server Error"));
    *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    response
}

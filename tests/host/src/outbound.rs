//! Outbound HTTP as Spin allows it: a component may call only the hosts its
//! `allowed_outbound_hosts` names (Spin's `scheme://host[:port]` patterns with `*` wildcards,
//! `*.domain` subdomains, port ranges (`8000..8010`) and `insecure:allow-all`); anything else
//! fails with `HttpRequestDenied`. Requests to `http://<component-id>.spin.internal/...` (service
//! chaining) are dispatched in-process to that component, which needs the same permission
//! (`http://<id>.spin.internal` or `http://*.spin.internal`). Plugs into wasmtime-wasi-http
//! through its `send_request` hook.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Full};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use crate::app::AppShared;
use crate::routing::RouteMatch;

/// The suffix of service-chaining hosts.
pub const SERVICE_CHAINING_DOMAIN: &str = ".spin.internal";

/// One `allowed_outbound_hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    scheme: Option<String>,
    host: HostPattern,
    ports: PortPattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    /// `*.example.com`: any subdomain (stored with its leading dot).
    Subdomain(String),
    Exact(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Any,
    Ranges(Vec<(u16, u16)>),
}

/// The parsed `allowed_outbound_hosts` of a component.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    allow_all: bool,
    hosts: Vec<AllowedHost>,
}

impl AllowedHosts {
    /// Parses the entries (templates already expanded).
    pub fn parse(entries: &[String]) -> anyhow::Result<AllowedHosts> {
        let mut allowed = AllowedHosts::default();
        for entry in entries {
            if entry == "insecure:allow-all" {
                allowed.allow_all = true;
                continue;
            }
            allowed.hosts.push(
                AllowedHost::parse(entry)
                    .with_context(|| format!("invalid allowed_outbound_hosts entry {entry:?}"))?,
            );
        }
        Ok(allowed)
    }

    /// Whether a request to `scheme://host:port` is allowed.
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        self.allow_all || self.hosts.iter().any(|h| h.allows(scheme, host, port))
    }
}

impl AllowedHost {
    fn parse(entry: &str) -> anyhow::Result<AllowedHost> {
        let Some((scheme, rest)) = entry.split_once("://") else {
            bail!("it has no scheme (e.g. \"https://{entry}\")");
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') {
            bail!("it must not contain a path");
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
            _ => (rest, None),
        };
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostPattern::Any
        } else if let Some(domain) = host.strip_prefix("*.") {
            HostPattern::Subdomain(format!(".{domain}"))
        } else if host.contains('*') {
            bail!("'*' is only allowed as the whole host or as its first label");
        } else if host.is_empty() {
            bail!("the host is empty");
        } else {
            HostPattern::Exact(host)
        };
        let ports = match port {
            Some("*") => PortPattern::Any,
            Some(p) => {
                let mut ranges = Vec::new();
                for part in p.split(',') {
                    // Spin 3 writes a range `8000..8010`, its end excluded; `8000-8009`
                    // (end included) is this host's older spelling of the same.
                    let range = match (part.split_once(".."), part.split_once('-')) {
                        (Some((a, b)), _) => {
                            let end: u16 = b.parse()?;
                            (a.parse()?, end.checked_sub(1).context("empty port range")?)
                        }
                        (None, Some((a, b))) => (a.parse()?, b.parse()?),
                        (None, None) => {
                            let n: u16 = part.parse()?;
                            (n, n)
                        }
                    };
                    ranges.push(range);
                }
                PortPattern::Ranges(ranges)
            }
            None => match scheme {
                "http" => PortPattern::Ranges(vec![(80, 80)]),
                "https" => PortPattern::Ranges(vec![(443, 443)]),
                _ => bail!("a port is required for scheme {scheme:?}"),
            },
        };
        let scheme = (scheme != "*").then(|| scheme.to_ascii_lowercase());
        Ok(AllowedHost {
            scheme,
            host,
            ports,
        })
    }

    fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        let host = host.to_ascii_lowercase();
        let scheme_ok = self.scheme.as_deref().is_none_or(|s| s == scheme);
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Subdomain(d) => host.ends_with(d.as_str()),
            HostPattern::Exact(h) => *h == host,
        };
        let port_ok = match &self.ports {
            PortPattern::Any => true,
            PortPattern::Ranges(r) => r.iter().any(|(a, b)| (*a..=*b).contains(&port)),
        };
        scheme_ok && host_ok && port_ok
    }
}

/// The component id a service-chaining host names, if it is one.
pub fn chained_component(host: &str) -> Option<&str> {
    host.strip_suffix(SERVICE_CHAINING_DOMAIN)
        .filter(|id| !id.is_empty() && !id.contains('.'))
}

/// wasmtime-wasi-http hooks of one instance: enforces the component's outbound permissions
/// and dispatches service-chaining requests to the app.
pub(crate) struct OutboundHooks {
    pub(crate) app: Arc<AppShared>,
    pub(crate) component_id: String,
    pub(crate) allowed: Arc<AllowedHosts>,
}

type SendFuture = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), HttpError>> + Send>,
                ),
                HttpError,
            >,
        > + Send,
>;

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> SendFuture {
        let uri = request.uri();
        let scheme = uri.scheme_str().unwrap_or("http").to_ascii_lowercase();
        let host = uri.host().unwrap_or_default().to_ascii_lowercase();
        let port = uri
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        if !self.allowed.allows(&scheme, &host, port) {
            eprintln!(
                "spin-test-host: component '{}' may not send requests to {scheme}://{host}:{port}; \
                 add it to allowed_outbound_hosts in spin.toml",
                self.component_id
            );
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        if let Some(target) = chained_component(&host) {
            let app = self.app.clone();
            let target = target.to_string();
            return Box::new(async move {
                let response = chain(app, &target, request).await?;
                let done: Box<dyn Future<Output = Result<(), HttpError>> + Send> =
                    Box::new(async { Ok(()) });
                Ok((response, done))
            });
        }
        Box::new(async move {
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            let done: Box<dyn Future<Output = Result<(), HttpError>> + Send> = Box::new(io);
            Ok((response.map(BodyExt::boxed_unsync), done))
        })
    }
}

/// Serves a service-chaining request in-process, as Spin does: the target component sees the
/// whole path as `spin-path-info` under the synthetic route `/...`.
async fn chain(
    app: Arc<AppShared>,
    target: &str,
    request: http::Request<WasiBody>,
) -> Result<http::Response<WasiBody>, HttpError> {
    if !app.components.contains_key(target) {
        eprintln!("spin-test-host: service chaining to unknown component '{target}'");
        return Err(HttpError::DestinationNotFound);
    }
    let (mut parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    parts.headers.remove(http::header::HOST);
    let path = parts.uri.path().to_string();
    let route = RouteMatch::synthetic(target, &path);
    let full_url = parts.uri.to_string();
    let request = http::Request::from_parts(parts, body);
    let client: SocketAddr = ([127, 0, 0, 1], 0).into();
    let response = crate::instance::dispatch(app, request, route, full_url, client)
        .await
        .map_err(|e| HttpError::InternalError(Some(format!("{e:#}"))))?;
    Ok(response.map(|b| {
        Full::new(b)
            .map_err(|never: Infallible| match never {})
            .boxed_unsync()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(entries: &[&str]) -> AllowedHosts {
        AllowedHosts::parse(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn default_ports_follow_the_scheme() {
        let a = allowed(&["https://api.example.com"]);
        assert!(a.allows("https", "api.example.com", 443));
        assert!(!a.allows("https", "api.example.com", 8443));
        assert!(!a.allows("http", "api.example.com", 80));
        assert!(!a.allows("https", "other.example.com", 443));
    }

    #[test]
    fn wildcards_for_ports_hosts_and_subdomains() {
        let a = allowed(&[
            "http://localhost:*",
            "http://*.spin.internal",
            "*://10.0.0.1:8000-8010",
        ]);
        assert!(a.allows("http", "localhost", 1234));
        assert!(a.allows("http", "cart.spin.internal", 80));
        assert!(!a.allows("http", "spin.internal", 80));
        assert!(a.allows("https", "10.0.0.1", 8005));
        assert!(!a.allows("https", "10.0.0.1", 8011));
    }

    #[test]
    fn spin_port_ranges_exclude_their_end() {
        let a = allowed(&["http://127.0.0.1:8000..8010"]);
        assert!(a.allows("http", "127.0.0.1", 8000));
        assert!(a.allows("http", "127.0.0.1", 8009));
        assert!(!a.allows("http", "127.0.0.1", 8010));
        assert!(AllowedHosts::parse(&["http://x:8000..0".into()]).is_err());
    }

    #[test]
    fn empty_list_denies_everything_and_allow_all_allows() {
        assert!(!allowed(&[]).allows("https", "example.com", 443));
        assert!(allowed(&["insecure:allow-all"]).allows("http", "x", 1));
    }

    #[test]
    fn entries_without_scheme_are_rejected() {
        assert!(AllowedHosts::parse(&["example.com".into()]).is_err());
    }

    #[test]
    fn chaining_hosts_name_a_component() {
        assert_eq!(chained_component("cart.spin.internal"), Some("cart"));
        assert_eq!(chained_component("a.b.spin.internal"), None);
        assert_eq!(chained_component("example.com"), None);
    }
}

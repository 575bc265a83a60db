//! Spin's HTTP trigger routing: which component serves a path, and the `spin-*` headers that
//! tell it how it was matched. Follows `spin_http::routes` (Spin 3): exact routes beat
//! wildcards, among wildcards the longest static prefix wins, `:name` segments capture one
//! segment (`spin-path-match-<name>`), `/...` captures the rest (`spin-path-info`), private
//! routes are not routable, and a later duplicate of a route replaces the earlier one.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use anyhow::bail;

use crate::manifest::{HttpTrigger, RouteDecl};

/// One parsed segment of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Static(String),
    Named(String),
}

/// A routable pattern and the component behind it.
#[derive(Debug, Clone)]
struct Route {
    component_id: String,
    /// The route with the application base, as Spin's `based_route`.
    based_route: String,
    /// The route as written in the manifest.
    raw_route: String,
    segments: Vec<Segment>,
    trailing_wildcard: bool,
}

/// The routing table of an application's HTTP trigger.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
}

/// The result of routing a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// The component that serves the request.
    pub component_id: String,
    /// The matched route including the base (`spin-matched-route`).
    pub based_route: String,
    /// The matched route as written (`spin-raw-component-route`).
    pub raw_route: String,
    /// What `/...` captured (`spin-path-info`), "" when nothing or no wildcard.
    pub path_info: String,
    /// `:name` captures (`spin-path-match-<name>`).
    pub named: BTreeMap<String, String>,
}

/// A route that is listed at startup (private routes are not).
#[derive(Debug, Clone)]
pub struct ListedRoute {
    /// The component id.
    pub component_id: String,
    /// The route prefix or exact path, including the base.
    pub path: String,
    /// Whether the route ends in `/...`.
    pub wildcard: bool,
}

impl Router {
    /// Builds the table from `[[trigger.http]]` entries under the application `base`.
    pub fn build(base: &str, triggers: &[HttpTrigger]) -> anyhow::Result<Router> {
        let mut routes: Vec<Route> = Vec::new();
        for t in triggers {
            let RouteDecl::Path(raw) = &t.route else {
                continue;
            };
            let based = format!(
                "{}{}",
                strip_one_slash(base),
                strip_one_slash(&absolutize(raw))
            );
            let (pattern, trailing_wildcard) = match based.strip_suffix("/...") {
                Some(p) => (p.to_string(), true),
                None => match based.strip_suffix("/*") {
                    Some(p) => (p.to_string(), true),
                    None => (based.clone(), false),
                },
            };
            let mut segments = Vec::new();
            for seg in pattern.split('/').filter(|s| !s.is_empty()) {
                if seg == "..." || seg == "*" {
                    bail!(
                        "route {raw:?} of component '{}': a wildcard may only end a route",
                        t.component
                    );
                }
                segments.push(match seg.strip_prefix(':') {
                    Some(name) if !name.is_empty() => Segment::Named(name.to_string()),
                    Some(_) => bail!(
                        "route {raw:?} of component '{}': empty capture name",
                        t.component
                    ),
                    None => Segment::Static(seg.to_string()),
                });
            }
            let route = Route {
                component_id: t.component.clone(),
                based_route: based,
                raw_route: raw.clone(),
                segments,
                trailing_wildcard,
            };
            // Spin keeps the last of duplicate routes (and warns); so do we.
            if let Some(existing) = routes.iter_mut().find(|r| r.raw_route == *raw) {
                eprintln!(
                    "warning: route {raw:?} of component '{}' is replaced by component '{}'",
                    existing.component_id, t.component
                );
                *existing = route;
            } else {
                routes.push(route);
            }
        }
        Ok(Router { routes })
    }

    /// Routes `path` (no query) to the most specific matching route.
    pub fn route(&self, path: &str) -> Option<RouteMatch> {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.routes
            .iter()
            .filter_map(|r| r.matches(path, &segs).map(|m| (r, m)))
            .max_by(|(a, _), (b, _)| a.specificity_cmp(b))
            .map(|(_, m)| m)
    }

    /// Routes listed at startup, in manifest order.
    pub fn listed_routes(&self) -> Vec<ListedRoute> {
        self.routes
            .iter()
            .map(|r| ListedRoute {
                component_id: r.component_id.clone(),
                path: r
                    .based_route
                    .strip_suffix("/...")
                    .or_else(|| r.based_route.strip_suffix("/*"))
                    .unwrap_or(&r.based_route)
                    .to_string(),
                wildcard: r.trailing_wildcard,
            })
            .collect()
    }
}

impl Route {
    fn matches(&self, path: &str, segs: &[&str]) -> Option<RouteMatch> {
        if segs.len() < self.segments.len()
            || (!self.trailing_wildcard && segs.len() != self.segments.len())
        {
            return None;
        }
        let mut named = BTreeMap::new();
        for (pattern, actual) in self.segments.iter().zip(segs) {
            match pattern {
                Segment::Static(s) if s == actual => {}
                Segment::Static(_) => return None,
                Segment::Named(n) => {
                    named.insert(n.clone(), (*actual).to_string());
                }
            }
        }
        let path_info = if self.trailing_wildcard {
            let rest = segs[self.segments.len()..].join("/");
            // As Spin: the captured rest keeps the request's trailing slash.
            match (rest.is_empty(), path.ends_with('/')) {
                (true, false) => String::new(),
                (true, true) => "/".into(),
                (false, false) => format!("/{rest}"),
                (false, true) => format!("/{rest}/"),
            }
        } else {
            String::new()
        };
        Some(RouteMatch {
            component_id: self.component_id.clone(),
            based_route: self.based_route.clone(),
            raw_route: self.raw_route.clone(),
            path_info,
            named,
        })
    }

    /// Orders routes by how specific they are: segment by segment, static beats named beats
    /// wildcard, and an exact end beats a wildcard end.
    fn specificity_cmp(&self, other: &Route) -> Ordering {
        fn ranks(r: &Route) -> Vec<u8> {
            let mut v: Vec<u8> = r
                .segments
                .iter()
                .map(|s| match s {
                    Segment::Static(_) => 3,
                    Segment::Named(_) => 2,
                })
                .collect();
            v.push(if r.trailing_wildcard { 1 } else { 4 });
            v
        }
        ranks(self).cmp(&ranks(other))
    }
}

impl RouteMatch {
    /// The match Spin synthesises for a service-chained request: the whole path is path-info.
    pub fn synthetic(component_id: &str, path: &str) -> RouteMatch {
        RouteMatch {
            component_id: component_id.to_string(),
            based_route: "/...".into(),
            raw_route: "/...".into(),
            path_info: path.to_string(),
            named: BTreeMap::new(),
        }
    }

    /// `spin-component-route`: the raw route without its trailing wildcard.
    pub fn component_route(&self) -> String {
        self.raw_route
            .strip_suffix("/...")
            .unwrap_or(&self.raw_route)
            .to_string()
    }

    /// The `spin-*` headers Spin adds to the request, as (lower-case name, value).
    /// `full_url` is scheme, host and path with query as the client sent them.
    pub fn spin_headers(&self, full_url: &str, client_addr: &str) -> Vec<(String, String)> {
        let mut h = vec![
            ("spin-path-info".to_string(), self.path_info.clone()),
            ("spin-full-url".to_string(), full_url.to_string()),
            ("spin-matched-route".to_string(), self.based_route.clone()),
            ("spin-base-path".to_string(), "/".to_string()),
            (
                "spin-raw-component-route".to_string(),
                self.raw_route.clone(),
            ),
            ("spin-component-route".to_string(), self.component_route()),
            ("spin-client-addr".to_string(), client_addr.to_string()),
        ];
        for (name, value) in &self.named {
            h.push((
                format!(
                    "spin-path-match-{}",
                    name.to_ascii_lowercase().replace('_', "-")
                ),
                value.clone(),
            ));
        }
        h
    }
}

fn absolutize(s: &str) -> String {
    if s.starts_with('/') {
        s.to_string()
    } else {
        format!("/{s}")
    }
}

fn strip_one_slash(s: &str) -> &str {
    s.strip_suffix('/').unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        let triggers: Vec<HttpTrigger> = routes
            .iter()
            .map(|(c, r)| HttpTrigger {
                route: RouteDecl::Path((*r).into()),
                component: (*c).into(),
            })
            .collect();
        Router::build("/", &triggers).unwrap()
    }

    #[test]
    fn exact_route_beats_catch_all() {
        let r = router(&[("all", "/..."), ("one", "/one")]);
        assert_eq!(r.route("/one").unwrap().component_id, "one");
        assert_eq!(r.route("/two").unwrap().component_id, "all");
        assert_eq!(r.route("/").unwrap().component_id, "all");
    }

    #[test]
    fn longest_wildcard_prefix_wins_regardless_of_order() {
        let r = router(&[
            ("a", "/one/..."),
            ("abc", "/one/two/three/..."),
            ("ab", "/one/two/..."),
        ]);
        assert_eq!(r.route("/one/two/three/four").unwrap().component_id, "abc");
        assert_eq!(r.route("/one/two/x").unwrap().component_id, "ab");
        assert_eq!(r.route("/one").unwrap().component_id, "a");
    }

    #[test]
    fn wildcard_path_info_keeps_trailing_slash_like_spin() {
        let r = router(&[("cart", "/cart/...")]);
        assert_eq!(r.route("/cart").unwrap().path_info, "");
        assert_eq!(r.route("/cart/").unwrap().path_info, "/");
        assert_eq!(r.route("/cart/abc").unwrap().path_info, "/abc");
        assert_eq!(r.route("/cart/abc/").unwrap().path_info, "/abc/");
        assert!(r.route("/carts").is_none());
    }

    #[test]
    fn named_segments_capture_and_rank_below_static() {
        let r = router(&[("by-id", "/users/:id"), ("me", "/users/me")]);
        assert_eq!(r.route("/users/me").unwrap().component_id, "me");
        let m = r.route("/users/42").unwrap();
        assert_eq!(m.component_id, "by-id");
        assert_eq!(m.named["id"], "42");
    }

    #[test]
    fn spin_headers_match_spin_for_wildcard_route() {
        let r = router(&[("cart", "/cart/...")]);
        let m = r.route("/cart/abc").unwrap();
        let h: BTreeMap<_, _> = m
            .spin_headers("http://127.0.0.1:3000/cart/abc?x=1", "127.0.0.1:9")
            .into_iter()
            .collect();
        assert_eq!(h["spin-path-info"], "/abc");
        assert_eq!(h["spin-component-route"], "/cart");
        assert_eq!(h["spin-raw-component-route"], "/cart/...");
        assert_eq!(h["spin-matched-route"], "/cart/...");
        assert_eq!(h["spin-base-path"], "/");
        assert_eq!(h["spin-full-url"], "http://127.0.0.1:3000/cart/abc?x=1");
    }

    #[test]
    fn later_duplicate_route_replaces_earlier() {
        let r = router(&[("first", "/x"), ("second", "/x")]);
        assert_eq!(r.route("/x").unwrap().component_id, "second");
    }
}

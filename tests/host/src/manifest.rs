//! The Spin application manifest (`spin.toml`, manifest version 2) as far as the HTTP trigger
//! needs it: application variables, `[[trigger.http]]` routes and the `[component.*]` tables
//! with their sources, granted stores and databases, outbound hosts and variable templates.
//! Parsing is strict about what the host relies on and ignores the rest (`build`, `description`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use serde::Deserialize;

/// A parsed `spin.toml`.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The application name from `[application]`.
    pub name: String,
    /// The directory holding the manifest: component sources are relative to it.
    pub dir: PathBuf,
    /// The HTTP trigger's base path (`[application.trigger.http] base`, default "/").
    pub base: String,
    /// `[variables]`, by name.
    pub variables: BTreeMap<String, VariableDecl>,
    /// `[[trigger.http]]` entries, in manifest order.
    pub http_triggers: Vec<HttpTrigger>,
    /// `[component.<id>]` tables, by id.
    pub components: BTreeMap<String, ComponentDecl>,
}

/// One entry of `[variables]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableDecl {
    /// The value used when no provider has one.
    pub default: Option<String>,
    /// Loading fails when no provider has a value.
    #[serde(default)]
    pub required: bool,
    /// Marks the value as sensitive (never printed by the host).
    #[serde(default)]
    pub secret: bool,
    /// Free text.
    pub description: Option<String>,
}

/// The route of a `[[trigger.http]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteDecl {
    /// A path pattern: exact (`/cart`), trailing wildcard (`/cart/...`), named segments (`/:id`).
    Path(String),
    /// `route = { private = true }`: reachable only by service chaining.
    Private,
}

/// A `[[trigger.http]]` entry.
#[derive(Debug, Clone)]
pub struct HttpTrigger {
    /// The route it serves.
    pub route: RouteDecl,
    /// The id of the component handling it.
    pub component: String,
}

/// A `[component.<id>]` table.
#[derive(Debug, Clone)]
pub struct ComponentDecl {
    /// The component id.
    pub id: String,
    /// The wasm file, resolved against the manifest directory.
    pub source: PathBuf,
    /// Key-value store labels the component may open.
    pub key_value_stores: Vec<String>,
    /// SQLite database labels the component may open.
    pub sqlite_databases: Vec<String>,
    /// Outbound host patterns (Spin syntax, may contain variable templates).
    pub allowed_outbound_hosts: Vec<String>,
    /// Component variables: name to template (`"{{ app_var }}"` or a literal).
    pub variables: BTreeMap<String, String>,
    /// Environment variables given to the component through WASI.
    pub environment: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawManifest {
    spin_manifest_version: toml::Value,
    application: Option<RawApplication>,
    #[serde(default)]
    variables: BTreeMap<String, VariableDecl>,
    #[serde(default)]
    trigger: HashMap<String, toml::Value>,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Deserialize)]
struct RawApplication {
    name: Option<String>,
    #[serde(default)]
    trigger: HashMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct RawHttpTrigger {
    route: toml::Value,
    component: toml::Value,
}

#[derive(Deserialize)]
struct RawComponent {
    source: toml::Value,
    #[serde(default)]
    key_value_stores: Vec<String>,
    #[serde(default)]
    sqlite_databases: Vec<String>,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    #[serde(default)]
    environment: BTreeMap<String, String>,
}

impl Manifest {
    /// Reads and parses the manifest at `path`.
    pub fn load(path: &Path) -> anyhow::Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read manifest {}", path.display()))?;
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        Self::parse(&text, &dir).with_context(|| format!("invalid manifest {}", path.display()))
    }

    /// Parses manifest text; `dir` is where relative component sources live.
    pub fn parse(text: &str, dir: &Path) -> anyhow::Result<Manifest> {
        let raw: RawManifest = toml::from_str(text)?;
        ensure!(
            raw.spin_manifest_version.as_integer() == Some(2)
                || raw.spin_manifest_version.as_str() == Some("2"),
            "only spin_manifest_version = 2 is supported"
        );
        let application = raw.application;
        let base = application
            .as_ref()
            .and_then(|a| a.trigger.get("http"))
            .and_then(|h| h.get("base"))
            .and_then(|b| b.as_str())
            .unwrap_or("/")
            .to_string();
        let name = application
            .and_then(|a| a.name)
            .unwrap_or_else(|| "spin-app".into());

        let mut http_triggers = Vec::new();
        if let Some(triggers) = raw.trigger.get("http") {
            let triggers: Vec<RawHttpTrigger> = triggers
                .clone()
                .try_into()
                .context("[[trigger.http]] must be an array of tables with route and component")?;
            for t in triggers {
                let component = match t.component {
                    toml::Value::String(id) => id,
                    _ => bail!(
                        "inline components in [[trigger.http]] are not supported: name a [component.<id>]"
                    ),
                };
                let route = match t.route {
                    toml::Value::String(r) => RouteDecl::Path(r),
                    toml::Value::Table(t) => match t.get("private").and_then(|p| p.as_bool()) {
                        Some(true) => RouteDecl::Private,
                        _ => bail!(
                            "route must be a string pattern or '{{ private = true }}': component '{component}' has {t}"
                        ),
                    },
                    other => {
                        bail!("route of component '{component}' must be a string, got {other}")
                    }
                };
                http_triggers.push(HttpTrigger { route, component });
            }
        }

        let mut components = BTreeMap::new();
        for (id, c) in raw.component {
            let source = match c.source {
                toml::Value::String(s) => dir.join(s),
                _ => bail!("component '{id}': only a local file path is supported as source"),
            };
            components.insert(
                id.clone(),
                ComponentDecl {
                    id,
                    source,
                    key_value_stores: c.key_value_stores,
                    sqlite_databases: c.sqlite_databases,
                    allowed_outbound_hosts: c.allowed_outbound_hosts,
                    variables: c.variables,
                    environment: c.environment,
                },
            );
        }
        for t in &http_triggers {
            ensure!(
                components.contains_key(&t.component),
                "trigger for route {:?} names component '{}', which has no [component.{}] table",
                t.route,
                t.component,
                t.component
            );
        }
        for (var, decl) in &raw.variables {
            ensure!(
                !(decl.required && decl.default.is_some()),
                "variable '{var}' cannot be both required and have a default"
            );
        }
        Ok(Manifest {
            name,
            dir: dir.to_path_buf(),
            base,
            variables: raw.variables,
            http_triggers,
            components,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
spin_manifest_version = 2
[application]
name = "shop"
[variables]
jwt_secret = { required = true, secret = true }
greeting = { default = "hi" }
[[trigger.http]]
route = "/cart/..."
component = "cart"
[[trigger.http]]
route = { private = true }
component = "cart"
[component.cart]
source = "target/cart.wasm"
key_value_stores = ["default"]
allowed_outbound_hosts = ["http://*.spin.internal"]
[component.cart.variables]
secret = "{{ jwt_secret }}"
"#;

    #[test]
    fn parses_routes_components_and_variables() {
        let m = Manifest::parse(MANIFEST, Path::new("/app")).unwrap();
        assert_eq!(m.name, "shop");
        assert_eq!(m.http_triggers.len(), 2);
        assert_eq!(
            m.http_triggers[0].route,
            RouteDecl::Path("/cart/...".into())
        );
        assert_eq!(m.http_triggers[1].route, RouteDecl::Private);
        let cart = &m.components["cart"];
        assert_eq!(cart.source, Path::new("/app/target/cart.wasm"));
        assert_eq!(cart.variables["secret"], "{{ jwt_secret }}");
        assert!(m.variables["jwt_secret"].required);
        assert_eq!(m.variables["greeting"].default.as_deref(), Some("hi"));
    }

    #[test]
    fn the_shop_manifest_parses_and_every_route_builds() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spin.toml");
        let m = Manifest::load(&path).unwrap();
        assert!(!m.http_triggers.is_empty());
        crate::routing::Router::build(&m.base, &m.http_triggers).unwrap();
    }

    #[test]
    fn rejects_trigger_naming_unknown_component() {
        let text = MANIFEST.replace(
            "component = \"cart\"\n[[trigger",
            "component = \"nope\"\n[[trigger",
        );
        assert!(Manifest::parse(&text, Path::new(".")).is_err());
    }
}

//! `spin-test-host`: serves a Spin app from its manifest the way `spin up` does, for local
//! demos and load tests. Prints "Serving http://..." and the routes, then serves until Ctrl-C
//! or SIGTERM.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use spin_test_host::{HostOptions, SpinApp};

/// Serve a Spin application (spin.toml, manifest version 2) with the spin-test-host runtime.
#[derive(Parser, Debug)]
#[command(name = "spin-test-host", version)]
struct Args {
    /// The application manifest.
    #[arg(long, short = 'f', default_value = "spin.toml")]
    manifest: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Where key-value and SQLite files live (default: `.spin` next to the manifest).
    #[arg(long, conflicts_with = "in_memory")]
    state_dir: Option<PathBuf>,
    /// Keep all state in memory; it is lost when the host stops.
    #[arg(long)]
    in_memory: bool,
    /// SQL to run against the default database before serving; `@file` runs a file.
    #[arg(long = "sqlite", value_name = "STATEMENT|@FILE")]
    sqlite: Vec<String>,
    /// Set an application variable (wins over SPIN_VARIABLE_* and defaults).
    #[arg(long = "variable", value_name = "NAME=VALUE")]
    variables: Vec<String>,
    /// A Spin runtime config file: the labels of its [key_value_store.*] and
    /// [sqlite_database.*] tables exist (their backends are this host's SQLite files).
    #[arg(long)]
    runtime_config_file: Option<PathBuf>,
    /// Where compiled components are cached.
    #[arg(long)]
    cache_dir: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let manifest_dir = args
        .manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let state_dir = match (args.in_memory, args.state_dir) {
        (true, _) => None,
        (false, Some(dir)) => Some(dir),
        (false, None) => Some(manifest_dir.join(".spin")),
    };
    let mut variables = HashMap::new();
    for v in &args.variables {
        let Some((name, value)) = v.split_once('=') else {
            bail!("--variable must be NAME=VALUE, got {v:?}");
        };
        variables.insert(name.to_string(), value.to_string());
    }
    let (key_value_stores, sqlite_databases) = match &args.runtime_config_file {
        Some(path) => runtime_config_labels(path)?,
        None => (Vec::new(), Vec::new()),
    };
    let opts = HostOptions {
        state_dir,
        variables,
        sqlite_statements: args.sqlite,
        key_value_stores,
        sqlite_databases,
        cache_dir: args.cache_dir,
    };
    let manifest = args.manifest.clone();
    let app = tokio::task::spawn_blocking(move || SpinApp::load(&manifest, opts)).await??;
    let server = app.serve(args.listen).await?;
    let base = server.url();
    println!("\nServing {base}");
    println!("Available Routes:");
    for route in app.routes() {
        let wildcard = if route.wildcard { " (wildcard)" } else { "" };
        println!("  {}: {base}{}{wildcard}", route.component_id, route.path);
    }
    stop_signal().await?;
    server.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one (how scripts stop the host).
async fn stop_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// The store and database labels a Spin runtime config file defines.
fn runtime_config_labels(path: &PathBuf) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read runtime config {}", path.display()))?;
    let config: toml::Table = toml::from_str(&text)
        .with_context(|| format!("invalid runtime config {}", path.display()))?;
    let labels = |section: &str| -> Vec<String> {
        config
            .get(section)
            .and_then(|s| s.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    };
    Ok((labels("key_value_store"), labels("sqlite_database")))
}

//! `host-bench`: in-process latency of instantiate-and-handle on the probe fixture's trivial
//! route (a fresh instance per request, as in production), reported as p50/p99 over N
//! sequential requests after a warm-up. Not a test: timing goals live in benchmarks.
//!
//! Usage: `host-bench [--requests N] [--route /exact]` (needs the probe wasm built).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use spin_test_host::{HostOptions, SpinApp};

fn main() -> anyhow::Result<()> {
    let mut requests = 1_000usize;
    let mut route = "/exact".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--requests" => requests = args.next().context("--requests N")?.parse()?,
            "--route" => route = args.next().context("--route PATH")?,
            other => {
                bail!("unknown argument {other:?}; usage: host-bench [--requests N] [--route PATH]")
            }
        }
    }
    ensure!(requests > 0, "--requests must be positive");

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/probe.toml");
    let opts = HostOptions {
        variables: HashMap::from([("api_token".to_string(), "bench".to_string())]),
        key_value_stores: vec!["sessions".into()],
        sqlite_databases: vec!["analytics".into()],
        ..HostOptions::default()
    };
    let load_started = Instant::now();
    let app = SpinApp::load(&manifest, opts)
        .context("cannot load the probe app (run scripts/build first)")?;
    let load_time = load_started.elapsed();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut samples = runtime.block_on(async {
        for _ in 0..50 {
            one(&app, &route).await?;
        }
        let mut samples = Vec::with_capacity(requests);
        for _ in 0..requests {
            let started = Instant::now();
            one(&app, &route).await?;
            samples.push(started.elapsed());
        }
        anyhow::Ok(samples)
    })?;
    samples.sort();
    let pct =
        |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1];
    let total: Duration = samples.iter().sum();
    println!("host-bench: {requests} sequential requests to {route} (fresh instance each)");
    println!("  app load (incl. compile cache): {:.1} ms", ms(load_time));
    println!(
        "  p50 {:.3} ms   p99 {:.3} ms   max {:.3} ms   mean {:.3} ms",
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(*samples.last().unwrap_or(&Duration::ZERO)),
        ms(total / requests as u32)
    );
    Ok(())
}

async fn one(app: &SpinApp, route: &str) -> anyhow::Result<()> {
    let response = app
        .handle(http::Request::get(route).body(Vec::new())?)
        .await?;
    ensure!(
        response.status() == 200,
        "{route} answered {}",
        response.status()
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

//! Compiled components, cached twice. Cranelift compilation of a component takes seconds in
//! debug test builds, so each wasm file is compiled once per content and engine: on disk the
//! artifact is keyed by the SHA-256 of the wasm bytes plus the engine's compatibility hash and
//! loaded back with `Component::deserialize_file`; in the process, every app shares one engine
//! and each distinct component is loaded once (tests load many apps).

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use anyhow::Context;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

/// The engine every app of this process uses, so compiled components can be shared.
pub fn shared_engine() -> anyhow::Result<Engine> {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    if let Some(engine) = ENGINE.get() {
        return Ok(engine.clone());
    }
    let engine = Engine::new(&Config::new()).map_err(anyhow::Error::from)?;
    Ok(ENGINE.get_or_init(|| engine).clone())
}

/// Components already loaded in this process, by artifact path. Held while loading, so
/// concurrent loads of one component compile it once.
fn loaded() -> &'static Mutex<HashMap<PathBuf, Component>> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Component>>> = OnceLock::new();
    LOADED.get_or_init(Default::default)
}

/// The default cache directory: `spin-test-host-cache` in the cargo target directory.
pub fn default_cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("spin-test-host-cache")
}

/// Loads the component at `wasm`, compiling it only when `cache_dir` has no artifact for it.
pub fn load_component(engine: &Engine, wasm: &Path, cache_dir: &Path) -> anyhow::Result<Component> {
    let bytes =
        std::fs::read(wasm).with_context(|| format!("cannot read component {}", wasm.display()))?;
    let mut engine_hash = DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut engine_hash);
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let artifact = cache_dir.join(format!("{hex}-{:016x}.cwasm", engine_hash.finish()));
    let mut loaded = loaded().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(component) = loaded.get(&artifact) {
        return Ok(component.clone());
    }
    let component = load_uncached(engine, wasm, &bytes, &artifact, cache_dir)?;
    loaded.insert(artifact, component.clone());
    Ok(component)
}

fn load_uncached(
    engine: &Engine,
    wasm: &Path,
    bytes: &[u8],
    artifact: &Path,
    cache_dir: &Path,
) -> anyhow::Result<Component> {
    if artifact.exists() {
        // SAFETY: the file was written by `precompile_component` of an engine with the same
        // compatibility hash, by this host, into a directory it owns.
        match unsafe { Component::deserialize_file(engine, artifact) } {
            Ok(component) => return Ok(component),
            Err(e) => eprintln!(
                "spin-test-host: recompiling {} (cached artifact unusable: {e})",
                wasm.display()
            ),
        }
    }

    let compiled = engine
        .precompile_component(bytes)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot compile component {}", wasm.display()))?;
    if std::fs::create_dir_all(cache_dir).is_ok() {
        // Write then rename, so a concurrent loader never sees half a file.
        let tmp = artifact.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &compiled).is_ok() && std::fs::rename(&tmp, artifact).is_ok() {
            // SAFETY: as above; we just wrote it.
            if let Ok(component) = unsafe { Component::deserialize_file(engine, artifact) } {
                return Ok(component);
            }
        }
        let _ = std::fs::remove_file(&tmp);
    }
    // SAFETY: the bytes come straight from `precompile_component` of this engine.
    unsafe { Component::deserialize(engine, &compiled) }.map_err(anyhow::Error::from)
}

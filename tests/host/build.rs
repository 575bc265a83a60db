//! Locates the WIT of the Spin 2.0 platform interfaces (key-value, sqlite, variables) in the
//! spin-sdk 5.2 crate that the shop's components are built with, and writes a small WIT package
//! plus a `bindgen!` invocation into OUT_DIR. The WIT is never copied into the repository: the
//! host always implements exactly the interfaces that the guest SDK imports.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The interfaces of `fermyon:spin@2.0.0` the host implements.
const SPIN_INTERFACES: [&str; 3] = ["key-value", "sqlite", "variables"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SPIN_SDK_WIT_DIR");
    let wit = spin_sdk_wit_dir().unwrap_or_else(|e| panic!("cannot find spin-sdk 5.2's WIT: {e}"));
    let spin_dir = wit.join("deps").join("spin@2.0.0");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let gen_wit = out.join("spin-wit");
    let gen_deps = gen_wit.join("deps").join("fermyon-spin");
    fs::create_dir_all(&gen_deps).expect("create OUT_DIR/spin-wit");
    fs::write(
        gen_deps.join("package.wit"),
        "package fermyon:spin@2.0.0;\n",
    )
    .expect("write package.wit");
    for name in SPIN_INTERFACES {
        let src = spin_dir.join(format!("{name}.wit"));
        println!("cargo:rerun-if-changed={}", src.display());
        fs::copy(&src, gen_deps.join(format!("{name}.wit")))
            .unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
    }
    let imports: String = SPIN_INTERFACES
        .iter()
        .map(|i| format!("  import fermyon:spin/{i}@2.0.0;\n"))
        .collect();
    fs::write(
        gen_wit.join("world.wit"),
        format!("package spin-test-host:host;\n\nworld spin-platform {{\n{imports}}}\n"),
    )
    .expect("write world.wit");
    let bindings = format!(
        r#"wasmtime::component::bindgen!({{
    path: {path:?},
    world: "spin-test-host:host/spin-platform",
    imports: {{ default: async | trappable }},
    with: {{
        "fermyon:spin/key-value.store": crate::key_value::StoreHandle,
        "fermyon:spin/sqlite.connection": crate::sqlite::ConnectionHandle,
    }},
}});
"#,
        path = gen_wit.display().to_string()
    );
    fs::write(out.join("spin_bindings.rs"), bindings).expect("write spin_bindings.rs");
}

/// The `wit` directory of spin-sdk 5.2.x: from `SPIN_SDK_WIT_DIR`, else from `cargo metadata`
/// of this workspace, else from the cargo registry sources.
fn spin_sdk_wit_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = env::var("SPIN_SDK_WIT_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = from_cargo_metadata() {
        return Ok(dir);
    }
    from_registry().ok_or_else(|| "spin-sdk 5.2.x is neither in cargo metadata nor in the cargo registry; set SPIN_SDK_WIT_DIR".into())
}

fn from_cargo_metadata() -> Option<PathBuf> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").ok()?;
    let target = env::var("TARGET").ok()?;
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
        ])
        .arg(target)
        .current_dir(manifest_dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    meta["packages"].as_array()?.iter().find_map(|p| {
        let is_sdk = p["name"] == "spin-sdk" && p["version"].as_str()?.starts_with("5.2.");
        let manifest = Path::new(p["manifest_path"].as_str()?);
        is_sdk.then(|| manifest.parent().map(|d| d.join("wit")))?
    })
}

fn from_registry() -> Option<PathBuf> {
    let home = env::var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|_| env::var("HOME").map(|h| Path::new(&h).join(".cargo")))
        .ok()?;
    let mut found: Vec<PathBuf> = fs::read_dir(home.join("registry").join("src"))
        .ok()?
        .flatten()
        .flat_map(|index| fs::read_dir(index.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("spin-sdk-5.2."))
        })
        .map(|p| p.join("wit"))
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found.pop()
}

//! The wasm toolchain pieces: wasm-bindgen-cli at exactly the pinned version, and wasm-opt when
//! the machine has one that understands our modules.

use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::cmd;

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
pub fn pinned_wasm_bindgen() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(cmd::root().join("Cargo.lock"))
        .context("Cargo.lock is missing; run a cargo build first")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_string());
        }
    }
    anyhow::bail!("wasm-bindgen is not in Cargo.lock")
}

/// Installs wasm-bindgen-cli at the pinned version unless that exact version is on PATH.
pub fn ensure_wasm_bindgen() -> anyhow::Result<()> {
    let want = pinned_wasm_bindgen()?;
    let have = cmd::output(Command::new("wasm-bindgen").arg("--version"));
    if have.as_deref() == Some(&format!("wasm-bindgen {want}")) {
        return Ok(());
    }
    eprintln!(
        "wasm-bindgen-cli {want} is needed (found {}); installing it",
        have.unwrap_or_else(|| "none".into())
    );
    // Not --locked: the registry has lacked one of the CLI's locked dependency versions before.
    cmd::run(
        Command::new("cargo")
            .args(["install", "wasm-bindgen-cli", "--force", "--version"])
            .arg(&want),
    )
}

/// The wasm-opt to use: binaryen from the project's npm packages (pinned in package.json), or
/// one on PATH that is new enough. Older ones (Debian's 108) corrupt wasm-bindgen's externref
/// table, so they are not used.
fn wasm_opt() -> Option<std::path::PathBuf> {
    let pinned = cmd::root().join("node_modules/.bin/wasm-opt");
    if pinned.is_file() {
        return Some(pinned);
    }
    let on_path = cmd::on_path("wasm-opt")?;
    let version = cmd::output(Command::new(&on_path).arg("--version"))?;
    let major: u32 = version.split_whitespace().nth(2)?.parse().ok()?;
    (major >= MIN_WASM_OPT).then_some(on_path)
}

const MIN_WASM_OPT: u32 = 120;

/// Optimises a module in place with wasm-opt when a good one is available. Without one the
/// module is still correct, only larger and a little slower.
pub fn optimise(wasm: &Path) {
    let Some(wasm_opt) = wasm_opt() else {
        eprintln!(
            "no wasm-opt >= {MIN_WASM_OPT} (run npm ci for the pinned one); keeping {} unoptimised",
            wasm.display()
        );
        return;
    };
    let ok = Command::new(wasm_opt)
        .arg(wasm)
        .arg("-O3")
        .args([
            "--enable-simd",
            "--enable-bulk-memory",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-nontrapping-float-to-int",
            "--enable-reference-types",
            "--enable-multivalue",
            // The engine's threaded build: atomics on a shared memory.
            "--enable-threads",
        ])
        .arg("-o")
        .arg(wasm)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "wasm-opt could not optimise {}; keeping it as built",
            wasm.display()
        );
    }
}

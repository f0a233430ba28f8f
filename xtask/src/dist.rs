//! `cargo xtask dist`: builds the wasm crates and assembles the unpacked extension in dist/.

pub mod threads;
pub mod wasm_tools;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::cmd;

/// Each wasm crate, the dist/ folder it goes to, and the name its JS glue is loaded by.
const WASM_CRATES: [(&str, &str, &str); 4] = [
    ("background", "background", "background"),
    ("offscreen", "offscreen", "engine"),
    ("popup", "ui", "ui_app"),
    // The MCP client: the offscreen document imports it, and the conformance entry
    // (tests/mcp/client.mjs) runs this same module under Node.
    ("mcp_web", "mcp", "mcp_client"),
];

/// The crate built with threads (atomics, a shared memory: `threads.rs`); the others are built
/// on stable without.
const THREADED: &str = "offscreen";

/// Folders copied as they are: (source, destination in dist/).
const STATIC: [(&str, &str); 6] = [
    ("background/static", "background"),
    ("offscreen/static", "offscreen"),
    ("popup/static", "ui"),
    ("content/static", "content"),
    ("icons", "icons"),
    // Beside the MCP client module: the offscreen document's sessions with the user's servers.
    ("mcp_web/static", "mcp"),
];

pub fn dist_dir() -> PathBuf {
    cmd::root().join("dist")
}

/// Builds dist/ and returns its path. `catalog_url` becomes the extension's default catalog
/// (dist/config.json), read by the engine when the user has not chosen one.
pub fn dist(catalog_url: Option<&str>) -> anyhow::Result<PathBuf> {
    let started = Instant::now();
    let root = cmd::root();
    let dist = dist_dir();
    cmd::run(
        cmd::cargo()
            .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
            .args(
                WASM_CRATES
                    .iter()
                    .filter(|(krate, _, _)| *krate != THREADED)
                    .flat_map(|(krate, _, _)| ["-p", krate]),
            ),
    )?;
    let threaded = threads::build(THREADED)?;
    wasm_tools::ensure_wasm_bindgen()?;
    if dist.exists() {
        fs::remove_dir_all(&dist).context("could not clear dist/")?;
    }
    let built = root.join("target/wasm32-unknown-unknown/release");
    for (krate, folder, out_name) in WASM_CRATES {
        let out_dir = dist.join(folder);
        let wasm = if krate == THREADED {
            threaded.clone()
        } else {
            built.join(format!("{krate}.wasm"))
        };
        cmd::run(
            Command::new("wasm-bindgen")
                .arg(wasm)
                .args(["--target", "web", "--no-typescript", "--out-name", out_name])
                .arg("--out-dir")
                .arg(&out_dir),
        )?;
        if krate == THREADED {
            threads::point_rayon_workers_at_glue(&out_dir, out_name)?;
        }
        wasm_tools::optimise(&out_dir.join(format!("{out_name}_bg.wasm")));
    }
    for (source, destination) in STATIC {
        copy_files(&root.join(source), &dist.join(destination))?;
    }
    fs::copy(root.join("manifest.json"), dist.join("manifest.json"))?;
    copy_locales(&root.join("_locales"), &dist.join("_locales"))?;
    let config = serde_json::json!({ "catalog_url": catalog_url });
    fs::write(dist.join("config.json"), format!("{config:#}\n"))?;
    check_manifest_files(&dist)?;
    for (_, folder, out_name) in WASM_CRATES {
        let wasm = dist.join(folder).join(format!("{out_name}_bg.wasm"));
        let size = fs::metadata(&wasm)?.len();
        eprintln!(
            "{:>10} bytes  {}",
            size,
            wasm.strip_prefix(&root)?.display()
        );
    }
    eprintln!(
        "dist/ assembled in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(dist)
}

/// Copies the files of a folder (not its subfolders' build artefacts: there are none; scripts
/// that generate files, like icons/make_icons.py, are left out).
fn copy_files(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        let keep = path.is_file() && path.extension().is_none_or(|ext| ext != "py");
        if keep {
            fs::copy(&path, to.join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(())
}

/// Copies `_locales/<lang>/messages.json` of every language (chrome.i18n reads them there).
fn copy_locales(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            copy_files(&path, &to.join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(())
}

/// Every file manifest.json names must be in dist/, or Chromium refuses to load the extension.
fn check_manifest_files(dist: &Path) -> anyhow::Result<()> {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dist.join("manifest.json"))?)?;
    let mut files = vec![
        manifest["background"]["service_worker"].clone(),
        manifest["action"]["default_popup"].clone(),
        manifest["side_panel"]["default_path"].clone(),
        manifest["options_ui"]["page"].clone(),
    ];
    files.extend(
        manifest["icons"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.values().cloned()),
    );
    if let Some(locale) = manifest["default_locale"].as_str() {
        files.push(format!("_locales/{locale}/messages.json").into());
    }
    for file in files {
        let Some(file) = file.as_str() else { continue };
        if !dist.join(file).is_file() {
            bail!("manifest.json names {file}, which is not in dist/");
        }
    }
    Ok(())
}

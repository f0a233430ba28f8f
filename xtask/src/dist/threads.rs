//! The engine's threaded build: the offscreen crate's wasm with atomics and a shared memory, so
//! each engine worker can run a rayon pool on Web Workers (wasm-bindgen-rayon). Stable Rust ships
//! wasm32's std without atomics, so this one build uses a pinned nightly that rebuilds std
//! (`-Z build-std`), in a target dir of its own: the stable builds (background, popup, clippy,
//! tests) keep theirs untouched.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::cmd;

/// The nightly the threaded build uses: rustc 1.97.0-nightly (e50aa6fba 2026-05-19), the build
/// rustup's channel published on 2026-05-20. `.ci/run` installs it (with rust-src) by this name.
pub const NIGHTLY: &str = "nightly-2026-05-20";

/// Where the threaded build's artefacts go, apart from the stable target dir.
const TARGET_DIR: &str = "target/wasm-threads";

/// Atomics and a shared memory for the crate and for the std built with it. rustc passes the
/// shared-memory link arguments itself once atomics are on, with a 1 GiB maximum; they are
/// spelled out here, with the maximum raised to wasm32's whole 4 GiB (the last value counts).
const RUSTFLAGS: &[&str] = &[
    "-Ctarget-feature=+atomics,+bulk-memory,+mutable-globals,+simd128",
    "-Clink-arg=--shared-memory",
    "-Clink-arg=--import-memory",
    "-Clink-arg=--max-memory=4294967296",
    "-Clink-arg=--export=__wasm_init_tls",
    "-Clink-arg=--export=__tls_size",
    "-Clink-arg=--export=__tls_align",
    "-Clink-arg=--export=__tls_base",
];

/// Builds `krate` (release, wasm32) with threads and returns its .wasm.
pub fn build(krate: &str) -> anyhow::Result<PathBuf> {
    ensure_nightly()?;
    let root = cmd::root();
    let target_dir = root.join(TARGET_DIR);
    fs::create_dir_all(&target_dir)?;
    let candle = patched_candle(&target_dir)?;
    let mut command = Command::new("rustup");
    command
        .current_dir(&root)
        .args(["run", NIGHTLY, "cargo", "build", "--release"])
        .args(["--target", "wasm32-unknown-unknown", "-p", krate])
        .args(["-Z", "build-std=panic_abort,std"])
        .arg("--target-dir")
        .arg(&target_dir)
        // A path override (not a `[patch]`): Cargo.lock stays as it is, and std's own
        // dependencies, which build-std resolves with std's lock file, are left alone.
        .arg("--config")
        .arg(format!("paths=[{}]", toml_string(&candle)));
    // This process runs under the stable toolchain: nothing of it may leak into the nightly's.
    for var in [
        "CARGO",
        "RUSTC",
        "RUSTDOC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTFLAGS",
        "RUSTUP_TOOLCHAIN",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
    ] {
        command.env_remove(var);
    }
    // Replaces .cargo/config.toml's wasm32 flags (simd128 is repeated above).
    command.env("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS.join("\u{1f}"));
    cmd::run(&mut command)?;
    Ok(target_dir
        .join("wasm32-unknown-unknown/release")
        .join(format!("{krate}.wasm")))
}

/// A path as a TOML string, for `--config`.
fn toml_string(path: &Path) -> String {
    serde_json::Value::from(path.to_string_lossy()).to_string()
}

/// Candle 0.11.1 sizes gemm's parallelism (its f32 matmul: all of Whisper's, and the
/// convolutions it lowers to matmuls) by `utils::get_num_threads`, which counts CPUs with
/// num_cpus: one on wasm32, whatever pool rayon has. In the threaded build it answers the size
/// of rayon's global pool, whose threads are the engine worker's Web Workers. Nothing else
/// changes: Candle's quantized kernels run on a pool of its own (`utils::barrier_pool`, std
/// threads, which wasm32 cannot spawn) sized by other functions, and stay on one thread.
const CANDLE_THREADS_FROM: &str = "pub fn get_num_threads() -> usize {
    // Respond to the same environment variable as rayon.
    rayon_num_threads()
}";
const CANDLE_THREADS_TO: &str =
    "#[cfg(not(all(target_arch = \"wasm32\", target_feature = \"atomics\")))]
pub fn get_num_threads() -> usize {
    // Respond to the same environment variable as rayon.
    rayon_num_threads()
}

/// Lantern's threaded wasm build: the threads are those of rayon's global pool (Web Workers).
#[cfg(all(target_arch = \"wasm32\", target_feature = \"atomics\"))]
pub fn get_num_threads() -> usize {
    rayon::current_num_threads()
}";

/// A copy of the locked candle-core with `CANDLE_THREADS_TO` in place of `CANDLE_THREADS_FROM`,
/// made once (its files keep their times, so cargo does not rebuild it every time).
fn patched_candle(target_dir: &Path) -> anyhow::Result<PathBuf> {
    let copy = target_dir.join("patched/candle-core");
    let utils = copy.join("src/utils.rs");
    let patched = fs::read_to_string(&utils).is_ok_and(|text| text.contains(CANDLE_THREADS_TO));
    if patched {
        return Ok(copy);
    }
    let metadata = cmd::output(cmd::cargo().args(["metadata", "--format-version", "1"]))
        .context("cargo metadata failed")?;
    let metadata: serde_json::Value = serde_json::from_str(&metadata)?;
    let manifest = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "candle-core")
        .and_then(|p| p["manifest_path"].as_str())
        .context("candle-core is not in the workspace's dependencies")?;
    let source = Path::new(manifest)
        .parent()
        .context("candle-core's manifest has no folder")?;
    if copy.exists() {
        fs::remove_dir_all(&copy)?;
    }
    copy_tree(source, &copy)?;
    let text = fs::read_to_string(&utils)?;
    if text.matches(CANDLE_THREADS_FROM).count() != 1 {
        bail!(
            "{} no longer has get_num_threads as the threaded build expects; update \
             xtask/src/dist/threads.rs for this Candle",
            source.join("src/utils.rs").display()
        );
    }
    fs::write(&utils, text.replace(CANDLE_THREADS_FROM, CANDLE_THREADS_TO))?;
    Ok(copy)
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

/// Installs the pinned nightly with rust-src (what `-Z build-std` compiles) unless it is there.
fn ensure_nightly() -> anyhow::Result<()> {
    let sysroot =
        cmd::output(Command::new("rustup").args(["run", NIGHTLY, "rustc", "--print", "sysroot"]));
    let has_src = sysroot.is_some_and(|s| {
        Path::new(&s)
            .join("lib/rustlib/src/rust/library/std")
            .is_dir()
    });
    if has_src {
        return Ok(());
    }
    eprintln!("the threaded engine build needs {NIGHTLY} with rust-src; installing it");
    cmd::run(Command::new("rustup").args([
        "toolchain",
        "install",
        NIGHTLY,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
    ]))
}

/// wasm-bindgen-rayon's worker script finds the module's JS glue as a bundler would, by its
/// package folder (`import('../../..')`); without a bundler that folder is no module. It is
/// pointed at the glue itself (`out_name`.js, three folders up from the snippet).
pub fn point_rayon_workers_at_glue(out_dir: &Path, out_name: &str) -> anyhow::Result<()> {
    let snippets = out_dir.join("snippets");
    let mut fixed = 0;
    for entry in
        fs::read_dir(&snippets).with_context(|| format!("reading {}", snippets.display()))?
    {
        let helper = entry?.path().join("src/workerHelpers.js");
        if !entry_is_rayon(&helper) {
            continue;
        }
        let text = fs::read_to_string(&helper)?;
        let from = "import('../../..')";
        if text.matches(from).count() != 1 {
            bail!("{} no longer imports {from} once", helper.display());
        }
        fs::write(
            &helper,
            text.replace(from, &format!("import('../../../{out_name}.js')")),
        )?;
        fixed += 1;
    }
    if fixed != 1 {
        bail!(
            "expected one wasm-bindgen-rayon worker script in {}, found {fixed}",
            snippets.display()
        );
    }
    Ok(())
}

fn entry_is_rayon(helper: &Path) -> bool {
    helper.is_file()
        && helper
            .parent()
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .is_some_and(|name| name.to_string_lossy().starts_with("wasm-bindgen-rayon-"))
}

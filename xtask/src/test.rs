//! `cargo xtask test`: every check CI runs, in order from cheapest to dearest.

use std::process::Command;

use anyhow::bail;

use crate::{browser, cmd, dist, mcp_conformance};

/// Crates that compile to wasm32 (linted and tested for that target too).
const WASM_CRATES: [&str; 11] = [
    "protocol",
    "models",
    "tools",
    "mcp",
    "mcp_web",
    "backends",
    "content",
    "webext",
    "background",
    "offscreen",
    "popup",
];

pub fn test(lint: bool, e2e_filter: Option<&str>) -> anyhow::Result<()> {
    let mut steps = Steps::default();
    if lint {
        steps.time("fmt", || {
            cmd::run(cmd::cargo().args(["fmt", "--all", "--check"]))
        })?;
        steps.time("clippy native", || {
            cmd::run(cmd::cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        })?;
        steps.time("clippy wasm32", || {
            cmd::run(
                cmd::cargo()
                    .args([
                        "clippy",
                        "--all-targets",
                        "--target",
                        "wasm32-unknown-unknown",
                    ])
                    .args(WASM_CRATES.iter().flat_map(|c| ["-p", c]))
                    .args(["--", "-D", "warnings"]),
            )
        })?;
    }
    // Native model tests and the end-to-end tests run on real weights from the local mirror
    // (all of it: the tool-calling test needs the bigger Qwen model). Asking twice checks that a
    // filled mirror downloads nothing more.
    steps.time("fetch-models", || {
        let all = crate::mirror::fetch::Selection {
            all: true,
            ..Default::default()
        };
        crate::mirror::fetch::fetch_models(&all)?;
        let again = crate::mirror::fetch::fetch_models(&all)?;
        if again != 0 {
            bail!("fetch-models downloaded {again} bytes into a mirror that was already complete");
        }
        eprintln!("fetch-models: a second run downloaded nothing");
        Ok(())
    })?;
    steps.time("native tests", || {
        cmd::run(cmd::cargo().args(["test", "--workspace"]))
    })?;
    steps.time("wasm tests", wasm_tests)?;
    let dist = steps.time("dist", || dist::dist(None))?;
    steps.time("mcp conformance", || mcp_conformance::run(&dist))?;
    steps.time("end to end", || end_to_end(&dist, e2e_filter))?;
    steps.report();
    Ok(())
}

/// How long each step took, printed at the end (and when a step fails), so a CI log says
/// where its minutes went.
#[derive(Default)]
struct Steps(Vec<(&'static str, std::time::Duration)>);

impl Steps {
    fn time<T>(
        &mut self,
        name: &'static str,
        step: impl FnOnce() -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let started = std::time::Instant::now();
        let result = step();
        self.0.push((name, started.elapsed()));
        if result.is_err() {
            self.report();
        }
        result
    }

    fn report(&self) {
        let total: std::time::Duration = self.0.iter().map(|(_, d)| *d).sum();
        eprintln!("xtask test, time per step:");
        for (name, took) in &self.0 {
            eprintln!("  {name:<16} {:>6.0} s", took.as_secs_f64());
        }
        eprintln!("  {:<16} {:>6.0} s", "total", total.as_secs_f64());
    }
}

/// wasm-bindgen-test suites, run by wasm-bindgen-test-runner in headless Chromium: the browser
/// glue, and the model kernels and tiny-model parity on the SIMD128 code the extension ships.
fn wasm_tests() -> anyhow::Result<()> {
    crate::dist::wasm_tools::ensure_wasm_bindgen()?;
    let Some(driver) = std::env::var_os("CHROMEDRIVER")
        .map(std::path::PathBuf::from)
        .or_else(|| cmd::on_path("chromedriver"))
    else {
        bail!(
            "chromedriver is needed for the wasm tests (Debian: apt-get install chromium-driver)"
        );
    };
    cmd::run(
        cmd::cargo()
            .args(["test", "--target", "wasm32-unknown-unknown"])
            .args(["-p", "webext", "-p", "models"])
            .env("CHROMEDRIVER", driver),
    )
}

/// The end-to-end suite: Node's test runner driving Chromium through playwright-core.
fn end_to_end(dist: &std::path::Path, filter: Option<&str>) -> anyhow::Result<()> {
    let root = cmd::root();
    let tests = root.join("tests");
    if !root.join("node_modules/playwright-core").is_dir() {
        cmd::run(Command::new("npm").arg("ci").current_dir(&root))?;
    }
    let chrome = browser::find_chrome()?;
    let python_mcp = crate::python_env::mcp()?;
    let python_llama = crate::python_env::xllamacpp()?;
    // The voice command's tests speak their questions with Lantern's own voices.
    let cli = cmd::build_cli()?;
    let mut files: Vec<_> = std::fs::read_dir(tests.join("e2e"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.to_string_lossy().ends_with(".test.mjs"))
        .filter(|path| filter.is_none_or(|f| path.to_string_lossy().contains(f)))
        .collect();
    files.sort();
    cmd::run(
        Command::new("node")
            // A test that hangs fails after 10 minutes (the slowest takes ~4 on a loaded
            // machine) instead of holding CI until its limit.
            .args(["--test", "--test-concurrency=1", "--test-timeout=600000"])
            .args(&files)
            .current_dir(&tests)
            .env("LANTERN_DIST", dist)
            .env("LANTERN_EXTENSION_ID", browser::extension_id()?)
            .env("LANTERN_XTASK", crate::cmd::own_exe()?)
            .env("LANTERN_MODELS_DIR", crate::mirror::mirror_dir())
            .env("CHROME", chrome)
            .env("LANTERN_PYTHON_MCP", python_mcp)
            .env("LANTERN_PYTHON_LLAMA", python_llama)
            .env("LANTERN_CLI", cli),
    )
}

//! `cargo xtask bench NAME`: benchmarks in the real extension (headless Chromium with `dist/`),
//! each reporting a ratio against a peer measured in the same run.

use std::process::Command;

use anyhow::bail;

use crate::{browser, cmd, dist};

/// The benchmarks there are, with the script that runs each.
const BENCHES: &[(&str, &str)] = &[("summarize", "bench/summarize.bench.mjs")];

pub fn bench(name: &str) -> anyhow::Result<()> {
    let Some((_, script)) = BENCHES.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = BENCHES.iter().map(|(n, _)| *n).collect();
        bail!("no benchmark {name:?}; there are: {}", names.join(", "));
    };
    let root = cmd::root();
    if !root.join("node_modules/playwright-core").is_dir() {
        cmd::run(Command::new("npm").arg("ci").current_dir(&root))?;
    }
    let dist = dist::dist(None)?;
    cmd::run(
        Command::new("node")
            .arg(script)
            .current_dir(root.join("tests"))
            .env("LANTERN_DIST", dist)
            .env("LANTERN_EXTENSION_ID", browser::extension_id()?)
            .env("LANTERN_XTASK", std::env::current_exe()?)
            .env("LANTERN_MODELS_DIR", crate::fetch_models::mirror_dir())
            .env("CHROME", browser::find_chrome()?),
    )
}

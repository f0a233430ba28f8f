//! `cargo xtask bench summarize`: time to the first summary token in the real extension
//! (headless Chromium with `dist/`), against a plain chat on the same text in the same run
//! (`tests/bench/summarize.bench.mjs`).

use std::process::Command;

use crate::{browser, cmd, dist};

pub fn summarize() -> anyhow::Result<()> {
    let script = "bench/summarize.bench.mjs";
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
            .env("LANTERN_XTASK", crate::cmd::own_exe()?)
            .env("LANTERN_MODELS_DIR", crate::mirror::mirror_dir())
            .env("CHROME", browser::find_chrome()?),
    )
}

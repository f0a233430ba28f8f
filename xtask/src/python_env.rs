//! PyPI packages the end-to-end tests run as real servers, each in its own virtual environment
//! under target/ (installed with pip from PyPI on first use, then reused), pinned exactly:
//! `mcp`, the one server here that speaks the 2026-07-28 protocol and refuses browser Origins by
//! default; `xllamacpp`, llama.cpp's own OpenAI-compatible server in a prebuilt CPU wheel (no
//! dependencies, one ~34 MB wheel), the model server the backends test adds.

use std::path::PathBuf;
use std::process::Command;

use crate::cmd;

/// The environment's Python, with `mcp` installed.
pub fn mcp() -> anyhow::Result<PathBuf> {
    ensure("python-mcp", "mcp", "2.3.0")
}

/// The environment's Python, with `xllamacpp` installed.
pub fn xllamacpp() -> anyhow::Result<PathBuf> {
    ensure("python-llama", "xllamacpp", "2026.10.11549")
}

/// `target/<dir>`'s Python with exactly `package==version`, made or updated when it has not.
fn ensure(dir: &str, package: &str, version: &str) -> anyhow::Result<PathBuf> {
    let venv = cmd::root().join("target").join(dir);
    let python = venv.join("bin/python");
    let installed = Command::new(&python)
        .args([
            "-c",
            &format!("import importlib.metadata as m; print(m.version('{package}'))"),
        ])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == version);
    if !installed {
        cmd::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        cmd::run(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg(format!("{package}=={version}")),
        )?;
    }
    Ok(python)
}

//! PyPI's `mcp` server package for the end-to-end tests, in its own virtual environment under
//! target/ (installed with pip from PyPI on first use, then reused): the one server here that
//! speaks the 2026-07-28 protocol and refuses browser Origins by default.

use std::path::PathBuf;
use std::process::Command;

use crate::cmd;

/// The exact version the tests were written against.
const MCP: &str = "mcp==2.3.0";

/// The environment's Python, with `mcp` installed.
pub fn ensure() -> anyhow::Result<PathBuf> {
    let venv = cmd::root().join("target/python-mcp");
    let python = venv.join("bin/python");
    let installed = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('mcp'))",
        ])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == &MCP[5..]);
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
                .arg(MCP),
        )?;
    }
    Ok(python)
}

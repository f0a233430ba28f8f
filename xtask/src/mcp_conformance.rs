//! The official MCP conformance suite against Lantern's MCP client: the module in dist/mcp/,
//! loaded by tests/mcp/client.mjs under the Node 22 that npm brings (the suite needs Node >= 22,
//! the machine may have an older one). Both legs run: 0.1.16's core suite (2025-11-25) and
//! 0.2.0-alpha.12's 2026-07-28 requirement set. Scenarios not passing yet are listed, with
//! the reason, in tests/mcp/expected-failures.*.yaml; the suite fails on any other failure and
//! on a listed scenario that passes.

use std::path::Path;
use std::process::Command;

use anyhow::bail;

use crate::cmd;

/// (npm alias of the suite's version, what to run, its expected failures).
const LEGS: [(&str, &[&str], &str); 2] = [
    (
        "mcp-conformance",
        &["--suite", "core"],
        "expected-failures.core.yaml",
    ),
    (
        "mcp-conformance-next",
        &["--requirements", "2026-07-28"],
        "expected-failures.2026-07-28.yaml",
    ),
];

pub fn run(dist: &Path) -> anyhow::Result<()> {
    let root = cmd::root();
    let node = root.join("node_modules/node22/bin/node");
    if !node.is_file() {
        bail!(
            "{} is missing: npm ci installs it (package.json's node22)",
            node.display()
        );
    }
    let tests = root.join("tests/mcp");
    let client = format!("{} {}", node.display(), tests.join("client.mjs").display());
    for (package, selection, expected) in LEGS {
        let suite = root
            .join("node_modules")
            .join(package)
            .join("dist/index.js");
        cmd::run(
            Command::new(&node)
                .arg(suite)
                .args(["client", "--command", &client])
                .args(selection)
                .arg("--expected-failures")
                .arg(tests.join(expected))
                .env("LANTERN_MCP_MODULE_DIR", dist.join("mcp"))
                .current_dir(&root),
        )?;
    }
    Ok(())
}

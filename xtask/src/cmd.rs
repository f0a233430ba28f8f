//! Running commands from the workspace root, loudly: each is echoed before it runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// This program's path, for tests and benches that run its other commands (the model mirror).
/// Read at start: `cargo test --workspace` relinks this very binary for xtask's own integration
/// tests, after which the running process's `current_exe` names a deleted file; the path itself
/// then holds the fresh build.
pub fn own_exe() -> anyhow::Result<PathBuf> {
    static AT_START: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    AT_START
        .get_or_init(|| std::env::current_exe().ok())
        .clone()
        .context("cannot tell where the xtask binary is")
}

/// Builds the `lantern` CLI in the dev profile (the one tests and `cargo run` use; the model
/// kernels and dependencies are optimised there) and returns its path.
pub fn build_cli() -> anyhow::Result<PathBuf> {
    run(cargo().args(["build", "--bin", "lantern"]))?;
    Ok(root().join("target/debug/lantern"))
}

pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root());
    command
}

/// Runs a command to completion and fails if it fails.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .with_context(|| format!("could not start {}", describe(command)))?;
    if !status.success() {
        bail!("{} failed with {status}", describe(command));
    }
    Ok(())
}

/// Runs a command and returns its standard output, or None when it cannot run or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Whether a program is on PATH.
pub fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

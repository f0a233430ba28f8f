//! `cargo xtask run`: Lantern in a real Chromium with a fresh profile.

use std::process::Command;

use crate::{browser, cmd, dist};

pub fn run() -> anyhow::Result<()> {
    let dist = dist::dist()?;
    let chrome = browser::find_chrome()?;
    let id = browser::extension_id()?;
    let profile = cmd::root().join("target/lantern-profile");
    if profile.exists() {
        std::fs::remove_dir_all(&profile)?;
    }
    let mut command = Command::new(chrome);
    command
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--load-extension={}", dist.display()))
        .arg(format!("--disable-extensions-except={}", dist.display()))
        .args(["--no-first-run", "--no-default-browser-check"])
        .arg(format!("chrome-extension://{id}/ui/welcome.html"));
    if browser::running_as_root() {
        command.arg("--no-sandbox");
    }
    cmd::run(&mut command)
}

//! `cargo xtask run`: Lantern in a real Chromium with a fresh profile, its models served from the
//! local mirror so it works offline out of the box.

use std::process::Command;

use crate::mirror::{self, fetch, serve};
use crate::{browser, cmd, dist};

pub fn run() -> anyhow::Result<()> {
    fetch::fetch_models(&fetch::Selection::default())?;
    let port = serve::DEFAULT_PORT;
    let catalog_url = format!("http://127.0.0.1:{port}/catalog.json");
    let dist = dist::dist(Some(&catalog_url))?;
    let config = serve::Config {
        root: mirror::mirror_dir(),
        drop_at_fraction: None,
        corrupt: Vec::new(),
    };
    // The mirror lives as long as this command: Chromium runs in the foreground below.
    std::thread::spawn(move || {
        if let Err(err) = serve::serve_models(port, config) {
            eprintln!("the model mirror stopped: {err:#}");
        }
    });
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

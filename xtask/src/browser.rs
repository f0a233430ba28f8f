//! Finding a Chromium to run, and the extension id its fixed manifest key gives.

use std::path::PathBuf;

use anyhow::{Context, bail};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::cmd;

/// The browser: $CHROME, else chromium or google-chrome on PATH.
pub fn find_chrome() -> anyhow::Result<PathBuf> {
    if let Some(chrome) = std::env::var_os("CHROME") {
        return Ok(PathBuf::from(chrome));
    }
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        if let Some(path) = cmd::on_path(name) {
            return Ok(path);
        }
    }
    bail!("no Chromium found: set CHROME, or install one (Debian: apt-get install chromium)")
}

/// The extension id Chromium derives from manifest.json's `key`: the first 128 bits of the
/// key's SHA-256, written with the letters a-p.
pub fn extension_id() -> anyhow::Result<String> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cmd::root().join("manifest.json"))?)?;
    let key = manifest["key"]
        .as_str()
        .context("manifest.json has no key")?;
    let der = base64::engine::general_purpose::STANDARD.decode(key)?;
    let digest = Sha256::digest(der);
    Ok(digest[..16]
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0xf])
        .map(|nibble| char::from(b'a' + nibble))
        .collect())
}

/// Whether we run as root, where Chromium's sandbox cannot start.
pub fn running_as_root() -> bool {
    cmd::output(std::process::Command::new("id").arg("-u")).as_deref() == Some("0")
}

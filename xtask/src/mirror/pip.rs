//! Getting package archives with each registry's own client (pip for PyPI, `npm pack` for npm;
//! for crates.io the download endpoint cargo itself fetches `.crate` files from), into a cache
//! where an archive whose hash matches is never downloaded again.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

use super::sources::{Package, Registry};
use crate::cmd;
use crate::digest::sha256_file;

/// What `ensure` did.
pub struct Fetched {
    pub downloaded: Vec<&'static str>,
    pub bytes: u64,
}

/// Makes sure every package's archive is in `cache` with its recorded SHA-256, downloading the
/// missing PyPI ones in one `pip download` call and npm ones with `npm pack`. A cached archive
/// with another hash is replaced.
pub fn ensure(packages: &[&'static Package], cache: &Path) -> anyhow::Result<Fetched> {
    std::fs::create_dir_all(cache)?;
    let mut missing = Vec::new();
    for package in packages {
        if !cached(package, cache)? {
            missing.push(*package);
        }
    }
    let mut fetched = Fetched {
        downloaded: Vec::new(),
        bytes: 0,
    };
    if missing.is_empty() {
        return Ok(fetched);
    }
    let from = |registry: Registry| missing.iter().filter(move |p| p.registry == registry);
    let pypi =
        |python: Option<&'static str>| from(Registry::Pypi).filter(move |p| p.python == python);
    if pypi(None).next().is_some() {
        cmd::run(
            pip_download(cache).args(pypi(None).map(|p| format!("{}=={}", p.name, p.version))),
        )?;
    }
    for package in from(Registry::Pypi).filter(|p| p.python.is_some()) {
        // A wheel for another Python is only downloadable as a binary for that version.
        cmd::run(
            pip_download(cache)
                .args(["--only-binary=:all:", "--python-version"])
                .arg(package.python.unwrap_or_default())
                .arg(format!("{}=={}", package.name, package.version)),
        )?;
    }
    for package in from(Registry::Crates) {
        cmd::run(
            Command::new("curl")
                .args(["--silent", "--show-error", "--fail", "--location", "-o"])
                .arg(archive(package, cache))
                .arg(format!(
                    "https://static.crates.io/crates/{0}/{0}-{1}.crate",
                    package.name, package.version
                )),
        )?;
    }
    for package in from(Registry::Npm) {
        cmd::run(
            Command::new("npm")
                .args(["pack", "--silent", "--pack-destination"])
                .arg(cache)
                .arg(format!("{}@{}", package.name, package.version)),
        )?;
    }
    for package in missing {
        let path = archive(package, cache);
        if !path.is_file() {
            bail!(
                "the registry client did not save {} for {} {}",
                package.file,
                package.name,
                package.version
            );
        }
        let (sha256, size) = sha256_file(&path)?;
        if sha256 != package.sha256 {
            let bad = path.with_extension("unexpected");
            std::fs::rename(&path, &bad)?;
            bail!(
                "{}=={} has sha256 {sha256}, not the recorded {}; kept as {}",
                package.name,
                package.version,
                package.sha256,
                bad.display()
            );
        }
        fetched.downloaded.push(package.file);
        fetched.bytes += size;
    }
    Ok(fetched)
}

fn pip_download(cache: &Path) -> Command {
    let mut command = Command::new("python3");
    command
        .args(["-m", "pip", "download", "--no-deps", "--quiet"])
        .args(["--disable-pip-version-check", "--progress-bar", "off"])
        .arg("-d")
        .arg(cache);
    command
}

pub fn archive(package: &Package, cache: &Path) -> PathBuf {
    cache.join(package.file)
}

fn cached(package: &Package, cache: &Path) -> anyhow::Result<bool> {
    let path = archive(package, cache);
    if !path.is_file() {
        return Ok(false);
    }
    let (sha256, _) = sha256_file(&path)?;
    if sha256 == package.sha256 {
        return Ok(true);
    }
    eprintln!(
        "cached {} has sha256 {sha256}, not {}; downloading it again",
        package.file, package.sha256
    );
    std::fs::remove_file(&path)?;
    Ok(false)
}

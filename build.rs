//! Checks manifest.json, the extension's source of truth, and hands its version to the CLI.
//! It only reads metadata: building the wasm crates is `cargo xtask dist`'s job (running cargo
//! from here would deadlock on the target-directory lock).

use std::fs;

fn main() {
    println!("cargo:rerun-if-changed=manifest.json");
    let text = fs::read_to_string("manifest.json").expect("manifest.json is readable");
    let manifest: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("manifest.json is not JSON: {e}"));
    assert_eq!(
        manifest["manifest_version"], 3,
        "manifest.json must be Manifest V3"
    );
    let version = manifest["version"].as_str().unwrap_or_default();
    let crate_version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        version, crate_version,
        "manifest.json version {version:?} differs from the workspace version {crate_version:?}"
    );
    let csp = manifest["content_security_policy"]["extension_pages"]
        .as_str()
        .unwrap_or_default();
    // Fetches go to catalogs, MCP servers and model servers the user names (connect-src);
    // code never comes from anywhere but the extension.
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name).map(str::trim))
            .unwrap_or_default()
    };
    let (scripts, default) = (directive("script-src"), directive("default-src"));
    assert!(
        scripts.contains("'wasm-unsafe-eval'")
            && !scripts.contains("'unsafe-eval'")
            && !scripts.contains("http")
            && !default.contains("http"),
        "extension-page CSP must allow wasm and no remote code: {csp:?}"
    );
    println!("cargo:rustc-env=LANTERN_MANIFEST_VERSION={version}");
}

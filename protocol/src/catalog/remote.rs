//! The extra rules for a catalog fetched from a URL the user (or a build) chose: Lantern stores
//! what such a catalog points at, so it may only point at its own site, over HTTPS (plain HTTP
//! only on this computer, where a local mirror runs), and must say what every file hashes to.

use super::Catalog;
use super::url::resolve_url;
use crate::error::CatalogError;

impl Catalog {
    /// Checks this catalog, already rebased on `catalog_url`, against the rules for a catalog
    /// from elsewhere (the built-in one is written and reviewed with Lantern and is exempt).
    pub fn validate_remote(&self, catalog_url: &str) -> Result<(), CatalogError> {
        let catalog_origin = secure_origin(catalog_url)?;
        for model in &self.models {
            for file in &model.files {
                let url = resolve_url(&self.base_url, &file.path);
                let origin = secure_origin(&url)?;
                // A catalog this computer serves may point at other local servers (a mirror
                // on another port): all of them are the user's own.
                let both_local = is_loopback_origin(&origin) && is_loopback_origin(&catalog_origin);
                if origin != catalog_origin && !both_local {
                    return Err(CatalogError::ForeignFile {
                        model: model.id.clone(),
                        file: file.name.clone(),
                        origin,
                        catalog_origin,
                    });
                }
                if file.sha256.is_none() {
                    return Err(CatalogError::MissingSha256 {
                        model: model.id.clone(),
                        file: file.name.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// `scheme://host[:port]` of an absolute URL that is HTTPS, or HTTP to a loopback host.
fn secure_origin(url: &str) -> Result<String, CatalogError> {
    let insecure = || CatalogError::InsecureUrl(url.to_string());
    let (scheme, rest) = url.split_once("://").ok_or_else(insecure)?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Credentials in a URL would hide the real host behind an `@`.
    if authority.is_empty() || authority.contains('@') {
        return Err(insecure());
    }
    let authority = authority.to_ascii_lowercase();
    match scheme.as_str() {
        "https" => {}
        "http" if is_loopback(host_of(&authority)) => {}
        _ => return Err(insecure()),
    }
    Ok(format!("{scheme}://{authority}"))
}

fn is_loopback_origin(origin: &str) -> bool {
    let authority = origin.split_once("://").map_or("", |(_, a)| a);
    is_loopback(host_of(authority))
}

fn host_of(authority: &str) -> &str {
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}

/// `localhost`, `127.0.0.0/8` written as four decimal parts, or `::1`.
fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host == "::1" {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CATALOG_SCHEMA, FileEntry};

    fn catalog(base: &str, path: &str, sha256: Option<&str>) -> Catalog {
        let mut model = Catalog::builtin().models[0].clone();
        model.files = vec![FileEntry {
            name: "w.gguf".into(),
            path: path.into(),
            size: Some(1),
            sha256: sha256.map(str::to_string),
        }];
        Catalog {
            schema: CATALOG_SCHEMA,
            base_url: base.into(),
            models: vec![model],
        }
    }

    const HASH: &str = "b179c952d3a5e6b7a8d9b179c952d3a5e6b7a8d9b179c952d3a5e6b7a8d9db53";

    #[test]
    fn a_catalog_on_its_own_https_site_with_hashes_passes() {
        let url = "https://models.example.org/lantern/catalog.json";
        let c = catalog(
            "https://models.example.org/lantern/",
            "a/w.gguf",
            Some(HASH),
        );
        assert_eq!(c.validate_remote(url), Ok(()));
        let local = catalog("http://127.0.0.1:8799/", "a/w.gguf", Some(HASH));
        assert_eq!(
            local.validate_remote("http://127.0.0.1:8799/catalog.json"),
            Ok(())
        );
    }

    #[test]
    fn plain_http_elsewhere_is_refused() {
        let c = catalog("http://models.example.org/", "w.gguf", Some(HASH));
        assert!(matches!(
            c.validate_remote("http://models.example.org/catalog.json"),
            Err(CatalogError::InsecureUrl(_))
        ));
        for host in [
            "127.0.0.1.evil.com",
            "127.1",
            "localhost.evil.com",
            "user@127.0.0.1",
        ] {
            let url = format!("http://{host}/catalog.json");
            assert!(secure_origin(&url).is_err(), "{host}");
        }
    }

    #[test]
    fn files_on_another_site_are_refused() {
        let url = "https://models.example.org/catalog.json";
        let c = catalog(
            "https://models.example.org/",
            "http://127.0.0.1:11434/api/x",
            Some(HASH),
        );
        assert!(matches!(
            c.validate_remote(url),
            Err(CatalogError::InsecureUrl(_)) | Err(CatalogError::ForeignFile { .. })
        ));
        let c = catalog(
            "https://models.example.org/",
            "https://other.example.com/w.gguf",
            Some(HASH),
        );
        assert!(matches!(
            c.validate_remote(url),
            Err(CatalogError::ForeignFile { .. })
        ));
        // A local catalog may name another local server; a remote one may not.
        let local = catalog(
            "http://127.0.0.1:8799/",
            "http://127.0.0.1:8800/w.gguf",
            Some(HASH),
        );
        assert_eq!(
            local.validate_remote("http://127.0.0.1:8799/catalog.json"),
            Ok(())
        );
        // A loopback service reached from a remote catalog is another site too.
        let c = catalog(
            "https://models.example.org/",
            "https://localhost:8080/w.gguf",
            Some(HASH),
        );
        assert!(matches!(
            c.validate_remote(url),
            Err(CatalogError::ForeignFile { .. })
        ));
    }

    #[test]
    fn a_file_without_a_hash_is_refused() {
        let url = "https://models.example.org/catalog.json";
        let c = catalog("https://models.example.org/", "w.gguf", None);
        assert!(matches!(
            c.validate_remote(url),
            Err(CatalogError::MissingSha256 { .. })
        ));
    }
}

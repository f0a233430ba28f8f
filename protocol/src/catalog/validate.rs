//! The rules a catalog must keep before anything is downloaded from it.

use std::collections::HashSet;

use super::url::has_scheme;
use super::{CATALOG_SCHEMA, Catalog, ModelEntry, Role, Task};
use crate::error::CatalogError;

impl Catalog {
    /// Checks: the schema is known; ids are unique and non-empty; every model has files, each
    /// with a unique name, a usable path and a well-formed hash; languages are ISO 639-1 codes;
    /// every required id is another entry of this catalog; every task that has models has
    /// exactly one default, and no asset is a default.
    pub fn validate(&self) -> Result<(), CatalogError> {
        if self.schema != CATALOG_SCHEMA {
            return Err(CatalogError::UnsupportedSchema(self.schema));
        }
        if !has_scheme(&self.base_url) && has_parent_segment(&self.base_url) {
            return Err(CatalogError::BadBaseUrl(self.base_url.clone()));
        }
        let mut ids = HashSet::new();
        for model in &self.models {
            if model.id.is_empty() {
                return Err(CatalogError::EmptyId);
            }
            if !ids.insert(model.id.as_str()) {
                return Err(CatalogError::DuplicateId(model.id.clone()));
            }
            validate_files(model)?;
            if model.default && model.role == Role::Asset {
                return Err(CatalogError::DefaultAsset(model.id.clone()));
            }
            if let Some(language) = model.languages.iter().find(|l| !is_iso_639_1(l)) {
                return Err(CatalogError::BadLanguage {
                    model: model.id.clone(),
                    language: language.clone(),
                });
            }
        }
        // After the loop above, which collected every id.
        for model in &self.models {
            if model.requires.contains(&model.id) {
                return Err(CatalogError::RequiresItself(model.id.clone()));
            }
            if let Some(required) = model.requires.iter().find(|r| !ids.contains(r.as_str())) {
                return Err(CatalogError::UnknownRequirement {
                    model: model.id.clone(),
                    required: required.clone(),
                });
            }
        }
        for task in Task::ALL {
            let choices = self
                .models
                .iter()
                .filter(|m| m.task == task && m.role == Role::Model);
            let (count, defaults) =
                choices.fold((0, 0), |(n, d), m| (n + 1, d + usize::from(m.default)));
            if count > 0 && defaults != 1 {
                return Err(CatalogError::DefaultCount {
                    task: task.as_str(),
                    count: defaults,
                });
            }
        }
        Ok(())
    }
}

fn validate_files(model: &ModelEntry) -> Result<(), CatalogError> {
    if model.files.is_empty() {
        return Err(CatalogError::NoFiles(model.id.clone()));
    }
    let mut names = HashSet::new();
    for file in &model.files {
        if file.name.is_empty() {
            return Err(CatalogError::EmptyFileName {
                model: model.id.clone(),
            });
        }
        if !names.insert(file.name.as_str()) {
            return Err(CatalogError::DuplicateFileName {
                model: model.id.clone(),
                file: file.name.clone(),
            });
        }
        if !usable_path(&file.path) {
            return Err(CatalogError::BadPath {
                model: model.id.clone(),
                file: file.name.clone(),
                path: file.path.clone(),
            });
        }
        if file.sha256.as_deref().is_some_and(|h| !is_sha256_hex(h)) {
            return Err(CatalogError::BadSha256 {
                model: model.id.clone(),
                file: file.name.clone(),
            });
        }
    }
    Ok(())
}

/// An absolute http(s) URL, or a relative path that stays under the base: not empty, no leading
/// `/`, no `..` segment, no backslash.
fn usable_path(path: &str) -> bool {
    if has_scheme(path) {
        return path.starts_with("https://") || path.starts_with("http://");
    }
    !path.is_empty() && !path.starts_with('/') && !path.contains('\\') && !has_parent_segment(path)
}

fn has_parent_segment(path: &str) -> bool {
    path.split('/').any(|segment| segment == "..")
}

/// Two lowercase ASCII letters (`en`, `de`): the form Whisper and the settings use.
fn is_iso_639_1(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

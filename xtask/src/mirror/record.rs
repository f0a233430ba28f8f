//! The mirror on disk: where it lives (`target/models/`), and the record each model directory
//! keeps in `.fetched.json` of how it was made (its recipe) and which files came out. Fetching
//! compares the record with the recipe to skip work; the catalog lists what the records say.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::sources::Source;
use crate::cmd;
use crate::digest::sha256_file;

/// Bumped when the conversion code changes its output, so converted models are made again.
const CONVERTER_REVISION: u32 = 1;
const RECORD_FILE: &str = ".fetched.json";

pub fn mirror_dir() -> PathBuf {
    cmd::root().join("target/models")
}

/// A file in the mirror, as recorded after it was written and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// How a model directory was made (`recipe`) and what is in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub recipe: String,
    pub files: Vec<FileRecord>,
}

/// How a model is made: its packages and outputs, and the converter's revision. Any change
/// makes the model again.
pub fn recipe(source: &Source) -> String {
    format!(
        "converter {CONVERTER_REVISION}; {:?}; {:?}",
        source.packages, source.outputs
    )
}

impl Record {
    /// The record of what `source`'s recipe makes, listing `files`.
    pub fn new(source: &Source, files: Vec<FileRecord>) -> Record {
        Record {
            recipe: recipe(source),
            files,
        }
    }

    /// The record in `model_dir` when it was made by `source`'s current recipe; `None` when there
    /// is none, it cannot be read, or an older recipe made it.
    pub fn current(model_dir: &Path, source: &Source) -> Option<Record> {
        let text = fs::read_to_string(model_dir.join(RECORD_FILE)).ok()?;
        let record: Record = serde_json::from_str(&text).ok()?;
        (record.recipe == recipe(source)).then_some(record)
    }

    /// Writes the record into `model_dir`, after its files: a record means they are complete.
    pub fn write(&self, model_dir: &Path) -> anyhow::Result<()> {
        fs::write(
            model_dir.join(RECORD_FILE),
            serde_json::to_string_pretty(self)?,
        )?;
        Ok(())
    }

    /// Whether every recorded file is in `model_dir` with its recorded size (cheap: no hashing).
    pub fn files_present(&self, model_dir: &Path) -> bool {
        self.files
            .iter()
            .all(|f| size_of(&model_dir.join(&f.name)) == Some(f.size))
    }

    /// Whether every recorded file is in `model_dir` with its recorded size and SHA-256.
    pub fn files_match(&self, model_dir: &Path) -> anyhow::Result<bool> {
        for file in &self.files {
            let path = model_dir.join(&file.name);
            if size_of(&path) != Some(file.size) || sha256_file(&path)?.0 != file.sha256 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

fn size_of(path: &Path) -> Option<u64> {
    fs::metadata(path).map(|m| m.len()).ok()
}

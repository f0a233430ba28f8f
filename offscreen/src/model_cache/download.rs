//! Downloading one model into the cache: every file streamed in `CHUNK_BYTES` pieces, each piece
//! stored with the progress that describes it, SHA-256 computed as the bytes arrive, resumed with
//! a Range request after an interruption, and the model marked installed only when all is checked.

use protocol::{ErrorCode, Event, FileEntry, LanternError, ModelEntry};
use sha2::{Digest, Sha256};
use web_sys::AbortSignal;
use webext::model_store::{
    CHUNK_BYTES, FileProgress, InstalledModel, ModelSource, ModelStore, StoredFile,
};

use super::fetch::{self, Body, FetchError};
use super::quota;
use crate::errors;

/// What wasm32 can address, less room for the engine itself: a model larger than this cannot be
/// loaded in a browser tab, so it is refused before a byte is downloaded.
pub const MAX_MODEL_BYTES: u64 = 3_500_000_000;
/// Reconnections tried within one download after the connection drops.
const RETRIES: u32 = 4;
/// Progress events at most this often.
const PROGRESS_EVERY_MS: f64 = 200.0;

/// Shared state of a running download, read by progress reporting and cancellation.
pub trait Reporter {
    fn report(&self, event: Event);
}

pub struct Download<'a> {
    pub entry: &'a ModelEntry,
    pub urls: Vec<String>,
    pub store: &'a ModelStore,
    pub signal: &'a AbortSignal,
    pub reporter: &'a dyn Reporter,
}

struct Meter {
    done_before: u64,
    total: Option<u64>,
    started: f64,
    started_bytes: u64,
    last: f64,
}

impl Download<'_> {
    pub async fn run(&self) -> Result<InstalledModel, LanternError> {
        let entry = self.entry;
        let total = entry.total_size();
        if total.is_some_and(|t| t > MAX_MODEL_BYTES) || entry.ram_bytes > 4 * 1024 * 1024 * 1024 {
            return Err(LanternError::new(
                ErrorCode::ModelTooLarge,
                format!(
                    "{} needs more memory than a browser's WebAssembly can use (4 GiB)",
                    entry.name
                ),
            ));
        }
        self.check_quota().await?;
        let mut meter = Meter {
            done_before: 0,
            total,
            started: now(),
            started_bytes: 0,
            last: 0.0,
        };
        let mut files = Vec::new();
        for (file, url) in entry.files.iter().zip(&self.urls) {
            let stored = self.file(file, url, &mut meter).await?;
            meter.done_before += stored.size;
            files.push(stored);
        }
        let installed = InstalledModel {
            entry: entry.clone(),
            source: ModelSource::Catalog,
            bytes: files.iter().map(|f| f.size).sum(),
            files,
            installed_at: js_sys::Date::now(),
        };
        self.store
            .mark_installed(&installed)
            .await
            .map_err(errors::storage)?;
        Ok(installed)
    }

    /// Refuses a download the browser's quota cannot hold, before anything is stored.
    async fn check_quota(&self) -> Result<(), LanternError> {
        let Some(total) = self.entry.total_size() else {
            return Ok(());
        };
        let mut stored = 0;
        for file in &self.entry.files {
            if let Ok(Some(progress)) = self.store.progress(&self.entry.id, &file.name).await
                && progress.version == self.entry.version
            {
                stored += progress.bytes;
            }
        }
        let needed = total.saturating_sub(stored);
        if let Some(estimate) = quota::estimate().await
            && estimate.free() < needed
        {
            return Err(LanternError::new(
                ErrorCode::QuotaExceeded,
                format!(
                    "{} needs {} MB but the browser allows Lantern only {} MB more; delete a model or free disk space",
                    self.entry.name,
                    needed.div_ceil(1_000_000),
                    estimate.free() / 1_000_000
                ),
            ));
        }
        Ok(())
    }

    /// Downloads (or resumes, or keeps) one file.
    async fn file(
        &self,
        file: &FileEntry,
        url: &str,
        meter: &mut Meter,
    ) -> Result<StoredFile, LanternError> {
        let id = &self.entry.id;
        let existing = self
            .store
            .progress(id, &file.name)
            .await
            .map_err(errors::storage)?
            .filter(|p| p.version == self.entry.version && p.url == url);
        let mut progress = match existing {
            Some(done) if done.sha256.is_some() => return Ok(stored_file(&done)),
            Some(partial) => partial,
            None => {
                let fresh = FileProgress {
                    model_id: id.clone(),
                    name: file.name.clone(),
                    version: self.entry.version.clone(),
                    url: url.to_string(),
                    chunks: 0,
                    bytes: 0,
                    expected_size: file.size,
                    expected_sha256: file.sha256.clone(),
                    sha256: None,
                };
                self.store
                    .start_file(&fresh)
                    .await
                    .map_err(errors::storage)?;
                fresh
            }
        };
        let mut hasher = Sha256::new();
        // Resuming: the hash must cover what is already stored.
        for index in 0..progress.chunks {
            let chunk = self
                .store
                .chunk(id, &file.name, index)
                .await
                .map_err(errors::storage)?;
            hasher.update(chunk.to_vec());
        }
        meter.started_bytes = meter.done_before + progress.bytes;
        meter.started = now();
        let mut retries = 0;
        loop {
            match self.transfer(url, &mut progress, &mut hasher, meter).await {
                Ok(()) => break,
                Err(Interrupted::Fatal(error)) => return Err(error),
                Err(Interrupted::Aborted) => {
                    return Err(LanternError::new(
                        ErrorCode::Cancelled,
                        "download cancelled",
                    ));
                }
                Err(Interrupted::Dropped(why)) if retries < RETRIES => {
                    retries += 1;
                    web_sys::console::warn_1(
                        &format!(
                            "Lantern: {url} dropped at {} bytes ({why}); resuming",
                            progress.bytes
                        )
                        .into(),
                    );
                    gloo_timers::future::TimeoutFuture::new(250 * retries).await;
                }
                Err(Interrupted::Dropped(why)) => return Err(errors::offline(url, &why)),
            }
        }
        let sha256 = hex(&hasher.finalize());
        let size_ok = file.size.is_none_or(|size| size == progress.bytes);
        let hash_ok = file
            .sha256
            .as_deref()
            .is_none_or(|want| want.eq_ignore_ascii_case(&sha256));
        if !size_ok || !hash_ok {
            // Nothing corrupt may stay: the next attempt starts clean.
            self.store
                .forget_file(id, &file.name)
                .await
                .map_err(errors::storage)?;
            return Err(LanternError::new(
                ErrorCode::HashMismatch,
                format!(
                    "{} from {url} is not the file the catalog names (got {} bytes, sha256 {sha256}); it was discarded",
                    file.name, progress.bytes
                ),
            ));
        }
        progress.sha256 = Some(sha256);
        self.store
            .put_progress(&progress)
            .await
            .map_err(errors::storage)?;
        Ok(stored_file(&progress))
    }

    /// One HTTP request, from `progress.bytes` to the end or until it breaks.
    async fn transfer(
        &self,
        url: &str,
        progress: &mut FileProgress,
        hasher: &mut Sha256,
        meter: &mut Meter,
    ) -> Result<(), Interrupted> {
        let response = fetch::get(url, progress.bytes, self.signal)
            .await
            .map_err(Interrupted::from)?;
        match response.status() {
            206 if fetch::range_start(&response) == Some(progress.bytes) => {}
            200 if progress.bytes == 0 => {}
            200 | 206 => {
                // The server ignored or misread the range: start the file over.
                let fresh = FileProgress {
                    chunks: 0,
                    bytes: 0,
                    sha256: None,
                    ..progress.clone()
                };
                self.store.start_file(&fresh).await.map_err(storage_fatal)?;
                *progress = fresh;
                *hasher = Sha256::new();
                if response.status() == 206 {
                    return Err(Interrupted::Dropped(
                        "the server answered another range".into(),
                    ));
                }
            }
            416 if progress.expected_size == Some(progress.bytes) => return Ok(()),
            status => {
                return Err(Interrupted::Fatal(LanternError::new(
                    ErrorCode::ServerError,
                    format!("{url} answered HTTP {status}"),
                )));
            }
        }
        let body = Body::of(&response)
            .ok_or_else(|| Interrupted::Dropped("the response has no body".into()))?;
        let chunk_bytes = CHUNK_BYTES as usize;
        let mut buffer: Vec<u8> = Vec::with_capacity(chunk_bytes);
        loop {
            let piece = match body.next(self.signal).await {
                Ok(Some(piece)) => piece,
                Ok(None) => break,
                Err(err) => {
                    body.cancel();
                    return Err(err.into());
                }
            };
            let piece = piece.to_vec();
            let mut rest = piece.as_slice();
            while !rest.is_empty() {
                let take = (chunk_bytes - buffer.len()).min(rest.len());
                let (head, tail) = rest.split_at(take);
                buffer.extend_from_slice(head);
                rest = tail;
                if buffer.len() == chunk_bytes {
                    self.store_chunk(progress, hasher, &mut buffer).await?;
                    self.report(progress, meter, false);
                }
            }
        }
        if !buffer.is_empty() {
            self.store_chunk(progress, hasher, &mut buffer).await?;
        }
        self.report(progress, meter, true);
        Ok(())
    }

    async fn store_chunk(
        &self,
        progress: &mut FileProgress,
        hasher: &mut Sha256,
        buffer: &mut Vec<u8>,
    ) -> Result<(), Interrupted> {
        if let Some(size) = progress.expected_size
            && progress.bytes + buffer.len() as u64 > size
        {
            return Err(Interrupted::Fatal(LanternError::new(
                ErrorCode::HashMismatch,
                format!(
                    "{} is larger than the catalog says ({size} bytes)",
                    progress.name
                ),
            )));
        }
        hasher.update(&buffer[..]);
        progress.chunks += 1;
        progress.bytes += buffer.len() as u64;
        self.store
            .append_chunk(progress, buffer)
            .await
            .map_err(storage_fatal)?;
        buffer.clear();
        Ok(())
    }

    fn report(&self, progress: &FileProgress, meter: &mut Meter, force: bool) {
        let t = now();
        if !force && t - meter.last < PROGRESS_EVERY_MS {
            return;
        }
        meter.last = t;
        let bytes = meter.done_before + progress.bytes;
        let seconds = ((t - meter.started) / 1000.0).max(1e-3);
        self.reporter.report(Event::Download {
            model_id: self.entry.id.clone(),
            file: progress.name.clone(),
            bytes,
            total: meter.total,
            bytes_per_s: (bytes - meter.started_bytes.min(bytes)) as f64 / seconds,
        });
    }
}

enum Interrupted {
    /// The connection broke: resume with a Range request.
    Dropped(String),
    Aborted,
    Fatal(LanternError),
}

impl From<FetchError> for Interrupted {
    fn from(err: FetchError) -> Interrupted {
        match err {
            FetchError::Aborted => Interrupted::Aborted,
            FetchError::Unreachable(why) => Interrupted::Dropped(why),
        }
    }
}

fn storage_fatal(err: webext::idb::IdbError) -> Interrupted {
    Interrupted::Fatal(errors::storage(err))
}

fn stored_file(progress: &FileProgress) -> StoredFile {
    StoredFile {
        name: progress.name.clone(),
        size: progress.bytes,
        sha256: progress.sha256.clone().unwrap_or_default(),
        chunks: progress.chunks,
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

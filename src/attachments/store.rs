//! Files on disk: every upload is checked completely (count, size, type by content) before
//! anything is written, then written under a random key in `<data_dir>/files/` — outside
//! the static files, so nothing there is ever served except through the scoped download.
//! A `Staged` set removes its files again unless the transaction that records them commits.
use std::path::PathBuf;

use rocket::fs::TempFile;
use rocket::tokio::io::AsyncReadExt;
use sha2::{Digest, Sha256};

use super::sniff;
use crate::config::Settings;
use crate::error::{AppError, AppResult};

/// At most this many files in one submission.
pub const MAX_FILES: usize = 10;

/// The form field of the file inputs (HTML forms and the API).
pub const FIELD: &str = "files";

/// One uploaded file as the form parser left it (capped at Rocket's `file` limit).
pub type Upload<'r> = rocket::data::Capped<TempFile<'r>>;

/// A file that passed every check: its bytes and what they are.
pub struct Checked {
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A checked file written to disk.
#[derive(Debug, Clone)]
pub struct StagedFile {
    pub storage_key: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// Files written for one submission. Dropped without `keep`, they are deleted again, so a
/// refused or failed submission leaves no file behind.
pub struct Staged {
    dir: PathBuf,
    pub files: Vec<StagedFile>,
    kept: bool,
}

impl Staged {
    pub fn none() -> Staged {
        Staged { dir: PathBuf::new(), files: Vec::new(), kept: true }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The text that goes with these files: it may be empty when files carry the message,
    /// and must be there when none do.
    pub fn message(&self, field: &str, body: &str, max: usize) -> AppResult<String> {
        if body.trim().is_empty() && !self.is_empty() {
            return Ok(String::new());
        }
        crate::validate::multiline(field, body, max)
    }

    /// The transaction that records the files committed: they stay.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.kept {
            for file in &self.files {
                let _ = std::fs::remove_file(self.dir.join(&file.storage_key));
            }
        }
    }
}

/// "10 MB": a limit as people read it.
pub fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} Bytes")
    }
}

fn too_large(settings: &Settings) -> AppError {
    AppError::invalid_with(FIELD, "attachments.too_large", human_size(settings.attachment_max_bytes))
}

/// Reads and checks the uploads of a form. An empty file input (no name, no bytes) is no
/// upload; anything else must be a file of an accepted type within the size limit.
pub async fn check(settings: &Settings, uploads: &[Upload<'_>]) -> AppResult<Vec<Checked>> {
    let real: Vec<&Upload<'_>> = uploads
        .iter()
        .filter(|u| {
            let named = u.raw_name().is_some_and(|n| !n.dangerous_unsafe_unsanitized_raw().as_str().trim().is_empty());
            named || !u.is_empty()
        })
        .collect();
    if real.len() > MAX_FILES {
        return Err(AppError::invalid_with(FIELD, "attachments.too_many", MAX_FILES));
    }
    let max = settings.attachment_max_bytes;
    let mut checked = Vec::with_capacity(real.len());
    for upload in real {
        // A file cut off at Rocket's own limit is larger than that limit, hence too large.
        if !upload.is_complete() || upload.len() > max {
            return Err(too_large(settings));
        }
        let raw = upload.raw_name().map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string());
        let filename = sniff::sanitise(raw.as_deref().unwrap_or(""));
        if upload.is_empty() {
            return Err(AppError::invalid_with(FIELD, "attachments.empty", filename));
        }
        let mut bytes = Vec::with_capacity(upload.len() as usize);
        let mut reader = upload.open().await.map_err(|e| AppError::caused("opening an upload", e))?;
        // Never more than the limit, whatever the file claimed.
        (&mut reader)
            .take(max + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| AppError::caused("reading an upload", e))?;
        if bytes.len() as u64 > max {
            return Err(too_large(settings));
        }
        let kind = sniff::detect(&bytes, &filename)
            .ok_or_else(|| AppError::invalid_with(FIELD, "attachments.type_refused", &filename))?;
        checked.push(Checked { filename: sniff::fit_name(&filename, kind), content_type: kind.mime, bytes });
    }
    Ok(checked)
}

/// Writes checked files under fresh random keys.
pub async fn stage(settings: &Settings, checked: Vec<Checked>) -> AppResult<Staged> {
    let dir = settings.files_dir();
    let mut staged = Staged { dir: dir.clone(), files: Vec::new(), kept: false };
    if checked.is_empty() {
        return Ok(staged);
    }
    crate::private_files::create_dir(&dir).map_err(|e| AppError::writing("creating the files directory", e))?;
    for file in checked {
        let storage_key = crate::crypto::random_hex(16);
        let sha256 = hex::encode(Sha256::digest(&file.bytes));
        // On a full disk: a clear error, and the files of this submission written so far
        // go again with `staged` (this one is removed by `write_durable`).
        crate::private_files::write_durable(&dir.join(&storage_key), &file.bytes)
            .await
            .map_err(|e| AppError::writing("writing an upload", e))?;
        staged.files.push(StagedFile {
            storage_key,
            filename: file.filename,
            content_type: file.content_type.to_string(),
            size: file.bytes.len() as i64,
            sha256,
        });
    }
    Ok(staged)
}

/// Checks and writes the uploads of one submission.
pub async fn accept(settings: &Settings, uploads: &[Upload<'_>]) -> AppResult<Staged> {
    let checked = check(settings, uploads).await?;
    stage(settings, checked).await
}

/// Where an attachment's bytes are.
pub fn path_of(settings: &Settings, storage_key: &str) -> Option<PathBuf> {
    // Keys are ours (hex), but a row is no reason to trust a path.
    (!storage_key.is_empty() && storage_key.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| settings.files_dir().join(storage_key))
}

/// Rocket's body limits must let the largest attachment through: `file` for the file
/// itself, `data-form` for a form carrying it (plus its text fields). Where the configured
/// (or Rocket's default, 1 MiB) limits are lower, they are raised, so that `staffel serve`
/// accepts what the settings promise from any directory, with or without a Rocket.toml.
pub fn with_upload_limits(figment: rocket::figment::Figment) -> rocket::figment::Figment {
    let Ok(settings) = Settings::from_figment(&figment) else {
        // Ignition reports the configuration error properly.
        return figment;
    };
    let limits = figment.extract::<rocket::Config>().map(|c| c.limits).unwrap_or_default();
    let max = settings.attachment_max_bytes;
    let mut figment = figment;
    for (name, needed) in [("file", max), ("data-form", max.saturating_add(1024 * 1024))] {
        if limits.get(name).map(|l| l.as_u64()).unwrap_or(0) < needed {
            figment = figment.merge((format!("limits.{name}"), needed));
        }
    }
    figment
}

//! Files without a row: a process that died between writing an upload and committing its
//! transaction leaves its bytes behind (a refused or failed submission removes them itself,
//! see `store::Staged`). The sweep deletes such files once they are old enough that no
//! submission can still be on its way to committing them.
use std::time::{Duration, SystemTime};

use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};

use crate::config::Settings;
use crate::db::Db;
use entities::attachment;

/// Older than this, a file without a row is an orphan.
pub const GRACE: Duration = Duration::from_secs(60 * 60);

/// Deletes orphaned files last changed before `now - GRACE`; returns how many.
pub async fn sweep_orphans(db: &Db, settings: &Settings, now: SystemTime) -> Result<usize, DbErr> {
    let dir = settings.files_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(0) };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        // Only our own keys: whatever else an operator keeps there is left alone.
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_hexdigit()) {
            continue;
        }
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > GRACE);
        if !old_enough {
            continue;
        }
        let recorded = attachment::Entity::find()
            .filter(attachment::Column::StorageKey.eq(name.as_str()))
            .one(db.read())
            .await?
            .is_some();
        if !recorded && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

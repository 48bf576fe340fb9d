//! Whether Staffel can write: the data directory (attachments, the search index, SQLite's
//! files) and the database. `/healthz` and `/metrics` ask; start-up asks once before it
//! opens anything, so that a full disk or a read-only directory is named as such.
//!
//! Cheap on purpose: the directory is probed with a small file at most every
//! `PROBE_EVERY`, and the database is written to only while a write is known to have
//! failed for want of storage (then a small real write shows when writes get through again,
//! with no request having to try first). A healthy check costs neither.
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbErr};
use tokio::io::AsyncWriteExt;

use crate::db::{Db, StorageFault};

/// How long a probe's finding stands.
pub const PROBE_EVERY: Duration = Duration::from_secs(2);
const PROBE_FILE: &str = ".write-probe";
/// A few pages' worth: the probes need real space, not just a directory entry.
const PROBE_BYTES: usize = 16 * 1024;

/// The last findings of the probes, shared by everyone who asks.
pub struct StorageWatch {
    data_dir: PathBuf,
    probed: tokio::sync::Mutex<Probed>,
}

#[derive(Default)]
struct Probed {
    dir_at: Option<Instant>,
    dir: Option<StorageFault>,
    db_at: Option<Instant>,
}

impl StorageWatch {
    pub fn new(data_dir: &Path) -> StorageWatch {
        StorageWatch { data_dir: data_dir.to_path_buf(), probed: Default::default() }
    }

    /// What stops writes now, if anything.
    pub async fn blocked(&self, db: &Db) -> Option<StorageFault> {
        let mut probed = self.probed.lock().await;
        let stale = |at: Option<Instant>| at.is_none_or(|at| at.elapsed() >= PROBE_EVERY);
        if stale(probed.dir_at) {
            probed.dir = probe_dir(&self.data_dir).await.err().map(|(fault, _)| fault);
            probed.dir_at = Some(Instant::now());
        }
        if db.health().unresolved() && stale(probed.db_at) {
            probed.db_at = Some(Instant::now());
            // A probe that commits counts as a write that got through; one that fails is
            // recorded like any failed write.
            if let Err(e) = probe_db(db).await {
                tracing::debug!(error = %e, "write probe: writes are still blocked");
            }
        }
        probed.dir.or(db.health().fault())
    }
}

/// Writes (and removes) a small file in the data directory.
pub async fn probe_dir(dir: &Path) -> Result<(), (StorageFault, std::io::Error)> {
    let path = dir.join(PROBE_FILE);
    let written = async {
        let mut file = tokio::fs::OpenOptions::new().write(true).create(true).truncate(true).open(&path).await?;
        file.write_all(&[0u8; PROBE_BYTES]).await?;
        // Some file systems only find out at the sync that the blocks are not there.
        file.sync_data().await
    }
    .await;
    let _ = tokio::fs::remove_file(&path).await;
    written.map_err(|e| (StorageFault::of_io(&e).unwrap_or(StorageFault::Io), e))
}

/// One small real write, committed, leaving nothing behind.
async fn probe_db(db: &Db) -> Result<(), DbErr> {
    use sea_orm::sea_query::Query;
    let txn = db.write().await?;
    let insert = Query::insert()
        .into_table("write_probes")
        .columns(["id", "payload"])
        .values_panic([1.into(), vec![0u8; PROBE_BYTES].into()])
        .to_owned();
    txn.execute(&insert).await?;
    txn.execute(&Query::delete().from_table("write_probes").to_owned()).await?;
    txn.commit().await
}

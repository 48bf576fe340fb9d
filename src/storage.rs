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

use crate::db::check::probe_dir;
use crate::db::{Db, StorageFault};

/// How long a probe's finding stands.
pub const PROBE_EVERY: Duration = Duration::from_secs(2);
/// The database probe's row: a few pages' worth, real space rather than an index entry.
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
            let dir = self.data_dir.clone();
            // A sick disk can take long to answer a sync: not on the runtime's threads.
            let probe = tokio::task::spawn_blocking(move || probe_dir(&dir)).await;
            probed.dir = match probe {
                Ok(probe) => probe.err().map(|(fault, _)| fault),
                Err(_) => Some(StorageFault::Io),
            };
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

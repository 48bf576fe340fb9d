//! The SQLite file is looked at before it is opened: a damaged file (garbage where the
//! header belongs, cut short, emptied) opened and served until a request touched the
//! damage, and a zero-length file was taken for a new installation, silently starting
//! over with an empty database. Only a missing file is a new installation.
//!
//! The look is the 100-byte header and the file's size, a few microseconds: `PRAGMA
//! quick_check` reads every page (0.45 s for a 400 MB database with a warm cache), too
//! slow for a start that must take under a second (SPEC §10). Damage the header cannot show
//! surfaces as SQLITE_CORRUPT while migrating, and is refused the same way.
use std::io::Read;
use std::path::{Path, PathBuf};

use sea_orm::{DbErr, RuntimeErr};

use super::fault::StorageFault;

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A database file Staffel refuses to open, and why.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} is damaged: {problem}. Restore it from a backup, or move it away (with any -wal and -shm \
     file beside it) to start with an empty installation",
    path.display()
)]
pub struct Damaged {
    pub path: PathBuf,
    pub problem: String,
}

/// What the look at the file found short of damage.
#[derive(Debug, PartialEq, Eq)]
pub enum Looked {
    /// Missing (a new installation) or sound as far as the header can tell.
    Fine,
    /// Shorter than its header says, with a WAL beside it: after a crash in the middle of a
    /// checkpoint that is sound (the WAL holds the rest), after damage it is not. SQLite's
    /// `quick_check` decides, once the file is open; only in this case, so a normal start
    /// never pays for it.
    Doubtful(String),
}

/// Checks a database file that is already there; a missing one is fine (a new installation).
pub fn existing_file(path: &Path) -> Result<Looked, Damaged> {
    let damaged = |problem: String| Damaged { path: path.to_path_buf(), problem };
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Looked::Fine),
        // Not ours to judge (permissions, a directory): opening reports it.
        Err(_) => return Ok(Looked::Fine),
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Err(damaged("it is empty (0 bytes), as if it had been emptied or cut off".into()));
    }
    let mut header = [0u8; 100];
    if len < header.len() as u64 || file.read_exact(&mut header).is_err() {
        return Err(damaged(format!("it is {len} bytes long, too short for a database")));
    }
    if &header[..16] != MAGIC {
        return Err(damaged("it does not begin with SQLite's header (not a database, or overwritten)".into()));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        n => return Err(damaged(format!("its header names an impossible page size ({n})"))),
    };
    let pages = u32::from_be_bytes([header[28], header[29], header[30], header[31]]);
    // The size in the header counts only when written by a version that keeps it
    // (the "version-valid-for" number equals the change counter).
    let size_valid = header[92..96] == header[24..28] && pages > 0;
    let promised = u64::from(pages) * page_size;
    let problem = if size_valid && len < promised {
        format!("it is cut short: {len} bytes of the {promised} its header names")
    } else if len % page_size != 0 {
        format!("it is cut off within a page ({len} bytes, pages of {page_size})")
    } else {
        return Ok(Looked::Fine);
    };
    let wal_pending = std::fs::metadata(wal_of(path)).map(|m| m.len() > 0).unwrap_or(false);
    if wal_pending {
        return Ok(Looked::Doubtful(problem));
    }
    Err(damaged(problem))
}

/// Settles a doubt about the file with SQLite's `quick_check` (it reads every page).
pub async fn settle_doubt(db: &impl sea_orm::ConnectionTrait, path: &Path, doubt: String) -> Result<(), Damaged> {
    let checked =
        db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), "PRAGMA quick_check")).await;
    let verdict = match checked {
        Ok(Some(row)) => row.try_get_by_index::<String>(0).unwrap_or_else(|e| e.to_string()),
        Ok(None) => "no answer".to_string(),
        Err(e) => e.to_string(),
    };
    if verdict == "ok" {
        tracing::info!(file = %path.display(), %doubt, "the WAL beside the database holds the rest; quick_check finds it sound");
        return Ok(());
    }
    Err(Damaged { path: path.to_path_buf(), problem: format!("{doubt}, and SQLite's quick_check says: {verdict}") })
}

fn wal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Whether SQLite itself found the file damaged (SQLITE_CORRUPT, SQLITE_NOTADB).
pub fn is_damage(e: &DbErr) -> bool {
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = e
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(e) = &**e else { return false };
    let primary = e.code().and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff);
    matches!(primary, Some(11 | 26))
}

/// What to tell a person at start when storage stops Staffel from writing.
pub fn storage_message(fault: StorageFault, data_dir: &Path) -> String {
    let dir = data_dir.display();
    match fault {
        StorageFault::Full => format!(
            "the disk holding the data directory {dir} is full: Staffel cannot write there. Free some \
             space (or give it a larger disk) and start again"
        ),
        StorageFault::ReadOnly => format!(
            "the data directory {dir} cannot be written (a read-only file system, or no write \
             permission for Staffel's user): make it writable, or point STAFFEL_DATA_DIR elsewhere, \
             and start again"
        ),
        StorageFault::Io => format!(
            "the disk holding the data directory {dir} fails to read or write: check the disk (and \
             the system log) before starting again"
        ),
    }
}

const PROBE_FILE: &str = ".write-probe";
/// The directory probe's size: more than SQLite's shared-memory file grows by at a time
/// (32 KiB), so a disk that passes can take what opening the database writes first.
const DIR_PROBE_BYTES: usize = 64 * 1024;

/// Whether the disk holding `dir` takes writes: a small file (`DIR_PROBE_BYTES`) written,
/// synced and removed again; else the fault and the error behind it. The one probe of the
/// data directory, for the storage watch and for start-up (which asks before it opens
/// anything, and again to tell a full disk from other I/O errors). It blocks: async
/// callers other than start-up run it on a blocking thread.
pub fn probe_dir(dir: &Path) -> Result<(), (StorageFault, std::io::Error)> {
    use std::io::Write;
    let path = dir.join(PROBE_FILE);
    let written = std::fs::File::create(&path).and_then(|mut file| {
        file.write_all(&[0u8; DIR_PROBE_BYTES])?;
        // Some file systems only find out at the sync that the blocks are not there.
        file.sync_data()
    });
    let _ = std::fs::remove_file(&path);
    written.map_err(|e| (StorageFault::of_io(&e).unwrap_or(StorageFault::Io), e))
}

/// Whether the disk holding `dir` is full (not read-only or failing: those `probe_dir` names).
pub fn disk_is_full(dir: &Path) -> bool {
    matches!(probe_dir(dir), Err((StorageFault::Full, _)))
}

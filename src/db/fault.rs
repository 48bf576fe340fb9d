//! Storage faults: the disk is full, the data directory is read-only, the disk fails. They
//! are nobody's input error and no bug of ours, and they pass when an operator acts, so
//! they are told apart from other database errors: requests get a clear 507/503 instead of
//! a 500, and `/healthz` reports that writes are blocked until a write gets through again.
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sea_orm::{DbErr, RuntimeErr};

/// What stops writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    /// No space left (SQLite's SQLITE_FULL, PostgreSQL's 53100, ENOSPC).
    Full,
    /// The database or the data directory cannot be written (SQLITE_READONLY, PostgreSQL's
    /// 25006, EROFS, a directory without write permission).
    ReadOnly,
    /// The disk failed a read or a write (SQLITE_IOERR, EIO).
    Io,
}

impl StorageFault {
    /// The reason as `/healthz` names it.
    pub fn reason(self) -> &'static str {
        match self {
            StorageFault::Full => "disk full",
            StorageFault::ReadOnly => "read-only",
            StorageFault::Io => "storage error",
        }
    }

    /// The storage fault behind a database error, if it is one.
    pub fn of_db(e: &DbErr) -> Option<StorageFault> {
        let sqlx = match e {
            DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
            DbErr::Conn(RuntimeErr::SqlxError(e)) => e,
            _ => return None,
        };
        match &**sqlx {
            sea_orm::sqlx::Error::Database(e) => {
                let code = e.code()?;
                if e.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>().is_some() {
                    // The extended code; its low byte is the primary one.
                    match code.parse::<i32>().ok()? & 0xff {
                        13 => Some(StorageFault::Full),
                        8 => Some(StorageFault::ReadOnly),
                        10 => Some(StorageFault::Io),
                        _ => None,
                    }
                } else {
                    match &*code {
                        "53100" => Some(StorageFault::Full),
                        "25006" => Some(StorageFault::ReadOnly),
                        "58030" => Some(StorageFault::Io),
                        _ => None,
                    }
                }
            }
            sea_orm::sqlx::Error::Io(e) => StorageFault::of_io(e),
            _ => None,
        }
    }

    /// The storage fault behind a file-system error, if it is one.
    pub fn of_io(e: &std::io::Error) -> Option<StorageFault> {
        use std::io::ErrorKind;
        match e.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded => Some(StorageFault::Full),
            ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied => Some(StorageFault::ReadOnly),
            _ if e.raw_os_error() == Some(5) => Some(StorageFault::Io),
            _ => None,
        }
    }
}

/// How long a storage fault counts after writes got through again: a disk that is only
/// nearly full lets small writes through and refuses large ones, and one small commit
/// should not report writes healthy while the next ticket is refused.
pub const FAULT_LINGERS: Duration = Duration::from_secs(5);

/// The last storage fault a write of this process ran into, and when a write last
/// committed.
#[derive(Default)]
pub struct WriteHealth {
    state: Mutex<State>,
}

#[derive(Default, Clone, Copy)]
struct State {
    fault: Option<(StorageFault, Instant)>,
    committed: Option<Instant>,
}

impl WriteHealth {
    pub fn note(&self, e: &DbErr) {
        if let Some(fault) = StorageFault::of_db(e) {
            self.lock().fault = Some((fault, Instant::now()));
        }
    }

    /// A write committed.
    pub fn committed(&self) {
        let mut state = self.lock();
        if let Some((fault, at)) = state.fault.filter(|(_, at)| state.committed.is_none_or(|c| c <= *at)) {
            tracing::info!(was = fault.reason(), blocked_for = ?at.elapsed(), "writes get through again");
        }
        state.committed = Some(Instant::now());
    }

    /// What blocks writes, as far as the writes themselves have seen: a storage fault that
    /// no commit followed, or one of the last few seconds.
    pub fn fault(&self) -> Option<StorageFault> {
        let state = *self.lock();
        let (fault, at) = state.fault?;
        let committed_since = state.committed.is_some_and(|c| c > at);
        (!committed_since || at.elapsed() < FAULT_LINGERS).then_some(fault)
    }

    /// Whether writes failed for want of storage and none committed since: then only a
    /// write can tell when they get through again.
    pub fn unresolved(&self) -> bool {
        let state = *self.lock();
        state.fault.is_some_and(|(_, at)| state.committed.is_none_or(|c| c <= at))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::StorageFault;
    use sea_orm::sqlx::error::{DatabaseError, ErrorKind};
    use sea_orm::{DbErr, RuntimeErr};
    use std::borrow::Cow;

    /// A PostgreSQL server's error as sqlx reports it, with only its SQLSTATE (a full disk
    /// cannot be made on a real server from a test).
    #[derive(Debug)]
    struct ServerSays(&'static str);

    impl std::fmt::Display for ServerSays {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for ServerSays {}

    impl DatabaseError for ServerSays {
        fn message(&self) -> &str {
            "from the server"
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> ErrorKind {
            ErrorKind::Other
        }
    }

    fn from_server(code: &'static str) -> DbErr {
        let error = sea_orm::sqlx::Error::Database(Box::new(ServerSays(code)));
        DbErr::Exec(RuntimeErr::SqlxError(std::sync::Arc::new(error)))
    }

    #[test]
    fn postgresqls_storage_codes_are_storage_faults() {
        assert_eq!(StorageFault::of_db(&from_server("53100")), Some(StorageFault::Full), "disk_full");
        assert_eq!(
            StorageFault::of_db(&from_server("25006")),
            Some(StorageFault::ReadOnly),
            "read_only_sql_transaction"
        );
        assert_eq!(StorageFault::of_db(&from_server("58030")), Some(StorageFault::Io), "io_error");
        assert_eq!(StorageFault::of_db(&from_server("23505")), None, "a unique violation is no storage fault");
        let full = crate::error::AppError::from(from_server("53100"));
        assert_eq!(full.status(), rocket::http::Status::InsufficientStorage, "{}", full.chain());
    }
}

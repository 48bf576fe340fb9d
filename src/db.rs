//! The database: connect (SQLite in WAL mode by default, PostgreSQL by URL), migrate, and
//! `Db`, through which every read and every write of the server and the CLI goes.
//!
//! A write is a `WriteTxn` from `Db::write`. On SQLite it holds this process's write turn
//! for as long as it lives and begins `IMMEDIATE`:
//! - SQLite lets one connection write at a time; the others wait in its busy handler,
//!   which sleeps (1, 2, 5 … 100 ms) and polls, so under load writers slept well past the
//!   moment the lock came free (p99 of ticket creation: 600 ms). Writers of one process
//!   wait for the turn in arrival order instead and wake when the previous one is done.
//! - A transaction that reads before it writes (`BEGIN DEFERRED`) fails at once with
//!   "database is locked" when another process (a CLI command beside the server) committed
//!   in between; one that begins `IMMEDIATE` takes the write lock first and waits for it in
//!   the busy handler like any writer.
//!
//! PostgreSQL locks rows, not the database: no turn, a plain transaction.
use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

use crate::config::Settings;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data directory {}", path.display())]
    DataDir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot connect to the database")]
    Connect(#[source] DbErr),
    #[error("cannot switch SQLite to WAL mode")]
    Wal(#[source] DbErr),
    #[error("the database migration failed")]
    Migrate(#[source] DbErr),
}

/// The database of this process: a connection pool, and on SQLite the write turn its
/// writers take. Cheap to clone; clones share the pool and the turn.
#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    turn: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl Db {
    pub fn new(conn: DatabaseConnection) -> Db {
        let sqlite = conn.get_database_backend() == DbBackend::Sqlite;
        Db { conn, turn: sqlite.then(|| Arc::new(tokio::sync::Mutex::new(()))) }
    }

    /// For queries that only read. Writes go through `write`.
    pub fn read(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    pub fn is_sqlite(&self) -> bool {
        self.backend() == DbBackend::Sqlite
    }

    /// A write transaction in this process's turn (see the module's comment). Dropped
    /// without `commit`, it rolls back and passes the turn on.
    pub async fn write(&self) -> Result<WriteTxn, DbErr> {
        let turn = match &self.turn {
            Some(turn) => Some(turn.clone().lock_owned().await),
            None => None,
        };
        let options = TransactionOptions {
            sqlite_transaction_mode: turn.as_ref().map(|_| SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let txn = self.conn.begin_with_options(options).await?;
        Ok(WriteTxn { txn, _turn: turn })
    }

    pub async fn close(self) -> Result<(), DbErr> {
        self.conn.close().await
    }
}

/// A write transaction that owns the SQLite write turn: the turn passes on when it is
/// committed or dropped. (The fields drop in this order: the transaction rolls back
/// before the next writer may begin.)
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        let WriteTxn { txn, _turn } = self;
        txn.commit().await
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// Queries take any `ConnectionTrait`; a write transaction is one.
#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.txn.is_mock_connection()
    }
}

pub async fn connect(settings: &Settings) -> Result<Db, OpenError> {
    let url = settings.database_url();
    let mut options = ConnectOptions::new(url.clone());
    let most = |default: u32| if settings.db_connections > 0 { settings.db_connections } else { default };
    let acquire = match settings.db_acquire_timeout_secs {
        0 => 10,
        secs => secs,
    };
    // Connecting happens inside an acquire, so this bounds both: while a PostgreSQL server
    // is gone, sqlx retries a refused connection until this deadline, and every request
    // waits that long before it can answer 503. It also bounds the wait for a busy pool, and
    // a burst (400 comments at once on 20 connections, beside other work) needs seconds:
    // 2 s refused most of such a burst with 503, so the default stays at 10 s.
    options.sqlx_logging(false).acquire_timeout(Duration::from_secs(acquire));
    if settings.is_postgres() {
        options.max_connections(most(20)).min_connections(1);
    } else {
        if url.starts_with("sqlite://") && !url.contains(":memory:") {
            crate::private_files::create_dir(&settings.data_dir)
                .map_err(|source| OpenError::DataDir { path: settings.data_dir.clone(), source })?;
            // Created here, not by SQLite, so that it is private from the start.
            let file = settings.data_dir.join("staffel.db");
            if settings.database_url.is_empty() {
                crate::private_files::create_file(&file)
                    .map_err(|source| OpenError::DataDir { path: file.clone(), source })?;
            }
        }
        // WAL lets readers run beside one writer, and lets CLI commands write while the
        // server runs; busy_timeout makes a second writer wait instead of failing. FULL
        // syncs the WAL at every commit, so an acknowledged write survives a power cut;
        // NORMAL (by choice) syncs only at checkpoints.
        use sea_orm::sqlx::sqlite::SqliteSynchronous;
        let synchronous =
            if settings.sqlite_synchronous == "normal" { SqliteSynchronous::Normal } else { SqliteSynchronous::Full };
        options.max_connections(most(8)).min_connections(1).map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    }
    let conn = Database::connect(options).await.map_err(OpenError::Connect)?;
    if !settings.is_postgres() {
        conn.execute_unprepared("PRAGMA journal_mode=WAL").await.map_err(OpenError::Wal)?;
    }
    Ok(Db::new(conn))
}

/// Whether an error says that the database cannot be reached right now (the server is
/// gone, the connection broke, no connection could be had in time) rather than that a
/// statement was wrong: such a request answers 503, and may succeed when tried again.
pub fn is_unreachable(e: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::RuntimeErr;
    let sqlx = match e {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx.as_ref() {
        Sqlx::Io(_) | Sqlx::Tls(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception) and 57P01–57P03: the server is shutting
        // down, was shut down, or is not accepting connections yet.
        // (PostgreSQL's codes only: SQLite's are numbers of another scheme.)
        Sqlx::Database(db) => {
            db.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>().is_some()
                && db.code().is_some_and(|code| code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03"))
        }
        _ => false,
    }
}

pub async fn migrate(db: &Db) -> Result<(), OpenError> {
    Migrator::up(db.read(), None).await.map_err(OpenError::Migrate)
}

/// Connect and migrate: what `serve` and every CLI command do first.
pub async fn open(settings: &Settings) -> Result<Db, OpenError> {
    let db = connect(settings).await?;
    migrate(&db).await?;
    Ok(db)
}

#[cfg(test)]
mod tests {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};

    fn query(e: Sqlx) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(e)))
    }

    #[test]
    fn a_lost_server_is_unreachable_a_wrong_statement_is_not() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(super::is_unreachable(&DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)));
        assert!(super::is_unreachable(&query(Sqlx::Io(reset))));
        assert!(super::is_unreachable(&query(Sqlx::PoolTimedOut)));
        assert!(!super::is_unreachable(&query(Sqlx::RowNotFound)));
        assert!(!super::is_unreachable(&DbErr::RecordNotFound("ticket".into())));
        assert!(!super::is_unreachable(&DbErr::Custom("no such column".into())));
    }
}

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
//!
//! On SQLite the writes have a connection of their own (`writer`); a write that did not
//! commit has it checked before the next one begins. A write that fails for want of
//! storage is remembered in `WriteHealth` until one commits again (`/healthz`).
pub mod check;
pub mod fault;
pub mod reach;
pub mod sql;
mod writer;

pub use reach::is_unreachable;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

use crate::config::Settings;
pub use fault::{StorageFault, WriteHealth};

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
    #[error(transparent)]
    Damaged(#[from] check::Damaged),
    #[error("{message}")]
    Storage {
        message: String,
        #[source]
        source: DbErr,
    },
}

/// The database of this process: a connection pool, and on SQLite the write turn its
/// writers take and the connection they write on. Cheap to clone; clones share all.
#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    writer: Option<Writer>,
    health: Arc<WriteHealth>,
    reach: Arc<reach::Reachability>,
    /// The desk's time zone: the days the kernel's tallies are counted in (`tickets::tally`)
    /// begin at its midnight, so every write must know it.
    calendar: chrono_tz::Tz,
}

/// SQLite's writing side: one writer at a time, on a connection of its own.
#[derive(Clone)]
struct Writer {
    turn: Arc<tokio::sync::Mutex<()>>,
    conn: DatabaseConnection,
    /// Set when a write ended without committing: the next writer settles the connection.
    unsettled: Arc<AtomicBool>,
    /// A pool of one connection for writes alone (not shared with reads).
    dedicated: bool,
}

impl Db {
    /// A database over one pool, which writes share with reads.
    pub fn new(conn: DatabaseConnection) -> Db {
        let writer = conn.clone();
        Db::with_writer(conn, writer, false)
    }

    fn with_writer(conn: DatabaseConnection, writer: DatabaseConnection, dedicated: bool) -> Db {
        let sqlite = conn.get_database_backend() == DbBackend::Sqlite;
        let writer = sqlite.then(|| Writer {
            turn: Arc::new(tokio::sync::Mutex::new(())),
            conn: writer,
            unsettled: Arc::new(AtomicBool::new(false)),
            dedicated,
        });
        Db { conn, writer, health: Arc::default(), reach: Arc::default(), calendar: chrono_tz::Europe::Berlin }
    }

    /// The same database with the desk's days in `calendar`.
    pub fn in_calendar(mut self, calendar: chrono_tz::Tz) -> Db {
        self.calendar = calendar;
        self
    }

    /// The time zone whose days the tallies count.
    pub fn calendar(&self) -> chrono_tz::Tz {
        self.calendar
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

    /// Whether the database server is known to be gone (PostgreSQL, while `reach::watch`
    /// runs); a request then answers 503 without waiting for a connection.
    pub fn reach(&self) -> &Arc<reach::Reachability> {
        &self.reach
    }

    /// What the writes of this process last ran into, if anything blocks them.
    pub fn health(&self) -> &WriteHealth {
        &self.health
    }

    /// A write transaction in this process's turn (see the module's comment). Dropped
    /// without `commit`, it rolls back and passes the turn on.
    pub async fn write(&self) -> Result<WriteTxn, DbErr> {
        let Some(writer) = &self.writer else {
            let txn = self.conn.begin().await;
            return Ok(WriteTxn::new(self.note(txn)?, None, None, self.health.clone(), self.calendar));
        };
        let turn = writer.turn.clone().lock_owned().await;
        if writer.unsettled.swap(false, Ordering::AcqRel) && writer.dedicated {
            writer::settle(writer.conn.get_sqlite_connection_pool()).await;
        }
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let txn = self.note(writer.conn.begin_with_options(options).await)?;
        Ok(WriteTxn::new(txn, Some(turn), Some(writer.unsettled.clone()), self.health.clone(), self.calendar))
    }

    fn note<T>(&self, result: Result<T, DbErr>) -> Result<T, DbErr> {
        if let Err(e) = &result {
            self.health.note(e);
        }
        result
    }

    pub async fn close(self) -> Result<(), DbErr> {
        if let Some(writer) = self.writer {
            // A writer of its own is closed with the readers; a shared pool only once.
            if writer.dedicated {
                writer.conn.close().await?;
            }
        }
        self.conn.close().await
    }
}

/// A write transaction that owns the SQLite write turn: the turn passes on when it is
/// committed or dropped. (The transaction rolls back before the next writer may begin.)
pub struct WriteTxn {
    txn: Option<DatabaseTransaction>,
    turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// Told when this transaction ends without committing (SQLite only).
    unsettled: Option<Arc<AtomicBool>>,
    health: Arc<WriteHealth>,
    committed: bool,
    calendar: chrono_tz::Tz,
}

impl WriteTxn {
    fn new(
        txn: DatabaseTransaction,
        turn: Option<tokio::sync::OwnedMutexGuard<()>>,
        unsettled: Option<Arc<AtomicBool>>,
        health: Arc<WriteHealth>,
        calendar: chrono_tz::Tz,
    ) -> WriteTxn {
        WriteTxn { txn: Some(txn), turn, unsettled, health, committed: false, calendar }
    }

    /// The time zone of the desk's days (`Db::calendar`).
    pub fn calendar(&self) -> chrono_tz::Tz {
        self.calendar
    }

    pub async fn commit(mut self) -> Result<(), DbErr> {
        let txn = self.txn.take().expect("a write transaction commits once");
        match txn.commit().await {
            Ok(()) => {
                self.committed = true;
                self.health.committed();
                Ok(())
            }
            Err(e) => {
                self.health.note(&e);
                Err(e)
            }
        }
    }

    fn txn(&self) -> &DatabaseTransaction {
        self.txn.as_ref().expect("a write transaction in use is open")
    }

    fn note<T>(&self, result: Result<T, DbErr>) -> Result<T, DbErr> {
        if let Err(e) = &result {
            self.health.note(e);
        }
        result
    }
}

impl Drop for WriteTxn {
    fn drop(&mut self) {
        // Not committed (or the commit failed): the rollback is queued on the connection
        // here, and the next writer checks that it took before anyone writes again.
        drop(self.txn.take());
        if let (false, Some(unsettled)) = (self.committed, &self.unsettled) {
            unsettled.store(true, Ordering::Release);
        }
        drop(self.turn.take());
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        self.txn()
    }
}

/// Queries take any `ConnectionTrait`; a write transaction is one.
#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn().get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.note(self.txn().execute_raw(stmt).await)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.note(self.txn().execute_unprepared(sql).await)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.note(self.txn().query_one_raw(stmt).await)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.note(self.txn().query_all_raw(stmt).await)
    }

    fn support_returning(&self) -> bool {
        self.txn().support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.txn().is_mock_connection()
    }
}

pub async fn connect(settings: &Settings) -> Result<Db, OpenError> {
    Ok(connect_pool(settings).await?.in_calendar(settings.tz()))
}

async fn connect_pool(settings: &Settings) -> Result<Db, OpenError> {
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
        if settings.db_statement_timeout_secs > 0 {
            let timeout = format!("{}s", settings.db_statement_timeout_secs);
            options.map_sqlx_postgres_opts(move |o| o.options([("statement_timeout", timeout.as_str())]));
        }
        let conn = Database::connect(options).await.map_err(OpenError::Connect)?;
        return Ok(Db::new(conn));
    }
    let in_memory = url.contains(":memory:");
    let mut looked = check::Looked::Fine;
    if url.starts_with("sqlite://") && !in_memory {
        crate::private_files::create_dir(&settings.data_dir)
            .map_err(|source| OpenError::DataDir { path: settings.data_dir.clone(), source })?;
        let file = settings.data_dir.join("staffel.db");
        if settings.database_url.is_empty() {
            // A file that is there must be a database; only a missing one is a new
            // installation. Created here, not by SQLite, so that it is private from the start.
            looked = check::existing_file(&file)?;
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
    let sqlite = move |o: sea_orm::sqlx::sqlite::SqliteConnectOptions| {
        o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
    };
    let mut writer_options = options.clone();
    options.max_connections(most(8)).min_connections(1).map_sqlx_sqlite_opts(sqlite);
    let conn = Database::connect(options).await.map_err(|e| opening_failed(settings, e, OpenError::Connect))?;
    let wal = conn.execute_unprepared("PRAGMA journal_mode=WAL").await;
    wal.map_err(|e| opening_failed(settings, e, OpenError::Wal))?;
    if let check::Looked::Doubtful(doubt) = looked {
        check::settle_doubt(&conn, &settings.data_dir.join("staffel.db"), doubt).await?;
    }
    if in_memory {
        // Every connection to `:memory:` is a database of its own.
        return Ok(Db::new(conn));
    }
    writer_options.max_connections(1).min_connections(1).map_sqlx_sqlite_opts(sqlite);
    let writer =
        Database::connect(writer_options).await.map_err(|e| opening_failed(settings, e, OpenError::Connect))?;
    Ok(Db::with_writer(conn, writer, true))
}

pub async fn migrate(db: &Db) -> Result<(), OpenError> {
    Migrator::up(db.read(), None).await.map_err(OpenError::Migrate)
}

/// Connect and migrate: what `serve` and every CLI command do first. On PostgreSQL the
/// migrations run on connections without the statement timeout (an index over a million
/// tickets may take longer than any request should), which are closed afterwards.
pub async fn open(settings: &Settings) -> Result<Db, OpenError> {
    if settings.is_postgres() && settings.db_statement_timeout_secs > 0 {
        let unbounded = Settings { db_statement_timeout_secs: 0, db_connections: 1, ..settings.clone() };
        let migrating = connect(&unbounded).await?;
        migrate(&migrating).await?;
        let _ = migrating.close().await;
        return connect(settings).await;
    }
    let db = connect(settings).await?;
    match migrate(&db).await {
        Err(OpenError::Migrate(e)) if db.is_sqlite() => Err(opening_failed(settings, e, OpenError::Migrate)),
        other => other.map(|()| db),
    }
}

/// Why SQLite could not be opened, in the words a person can act on: a damaged file or
/// storage that cannot be written; anything else as `otherwise`.
fn opening_failed(settings: &Settings, e: DbErr, otherwise: fn(DbErr) -> OpenError) -> OpenError {
    if check::is_damage(&e) {
        let path = settings.data_dir.join("staffel.db");
        return OpenError::Damaged(check::Damaged { path, problem: format!("SQLite finds it malformed ({e})") });
    }
    match StorageFault::of_db(&e) {
        // SQLite reports a full disk at opening as an I/O error (its shared-memory file
        // cannot grow): whether the disk is full, a small write of our own tells.
        Some(StorageFault::Io) if check::disk_is_full(&settings.data_dir) => {
            OpenError::Storage { message: check::storage_message(StorageFault::Full, &settings.data_dir), source: e }
        }
        Some(fault) => OpenError::Storage { message: check::storage_message(fault, &settings.data_dir), source: e },
        None => otherwise(e),
    }
}

//! The database: connect (SQLite in WAL mode by default, PostgreSQL by URL) and migrate.
//! A migration error stops the launch; Staffel never serves on a half-migrated schema.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, TransactionTrait};

use crate::config::Settings;

pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, String> {
    let url = settings.database_url();
    let mut options = ConnectOptions::new(url.clone());
    options.sqlx_logging(false).connect_timeout(Duration::from_secs(10));
    let most = |default: u32| if settings.db_connections > 0 { settings.db_connections } else { default };
    if settings.is_postgres() {
        options.max_connections(most(20)).min_connections(1);
    } else {
        if url.starts_with("sqlite://") && !url.contains(":memory:") {
            std::fs::create_dir_all(&settings.data_dir)
                .map_err(|e| format!("cannot create data dir {}: {e}", settings.data_dir.display()))?;
        }
        // WAL lets readers run beside one writer, and lets CLI commands write while the
        // server runs; busy_timeout makes a second writer wait instead of failing.
        options.max_connections(most(8)).min_connections(1).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    }
    let db = Database::connect(options).await.map_err(|e| format!("cannot connect to the database: {e}"))?;
    if !settings.is_postgres() {
        db.execute_unprepared("PRAGMA journal_mode=WAL").await.map_err(|e| e.to_string())?;
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), String> {
    Migrator::up(db, None).await.map_err(|e| format!("migration failed: {e}"))
}

/// Connect and migrate: what `serve` and every CLI command do first.
pub async fn open(settings: &Settings) -> Result<DatabaseConnection, String> {
    let db = connect(settings).await?;
    migrate(&db).await?;
    crate::catalogue::services::ensure_defaults(&db)
        .await
        .map_err(|e| format!("cannot set up the service catalogue: {e}"))?;
    crate::desk::service::ensure_defaults(&db).await.map_err(|e| format!("cannot set up the SLA defaults: {e}"))?;
    Ok(db)
}

/// Writers of this process take turns here before a write transaction on SQLite. SQLite
/// lets one connection write at a time; the others wait in its busy handler, which sleeps
/// (1, 2, 5 … 100 ms) and polls, so under load writers slept well past the moment the lock
/// came free (p99 of ticket creation: 600 ms). Here they wait in arrival order and wake
/// when the previous writer is done. PostgreSQL locks rows, not the database: no turn.
/// Managed state, shared by the requests and the background jobs of one process.
pub struct WriteTurn {
    turn: Option<tokio::sync::Mutex<()>>,
}

impl WriteTurn {
    pub fn for_db(db: &DatabaseConnection) -> WriteTurn {
        let sqlite = db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
        WriteTurn { turn: sqlite.then(|| tokio::sync::Mutex::new(())) }
    }

    /// Hold the returned guard until the writes have committed or rolled back.
    pub async fn take(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.turn {
            Some(turn) => Some(turn.lock().await),
            None => None,
        }
    }

    /// A transaction begun in this process's turn. Bind both, turn first
    /// (`let (_turn, txn) = …`): the turn passes on when `_turn` goes out of scope.
    pub async fn begin(
        &self,
        db: &DatabaseConnection,
    ) -> Result<(Option<tokio::sync::MutexGuard<'_, ()>>, sea_orm::DatabaseTransaction), sea_orm::DbErr> {
        let turn = self.take().await;
        Ok((turn, db.begin().await?))
    }
}

//! The database: connect (SQLite in WAL mode by default, PostgreSQL by URL) and migrate.
//! A migration error stops the launch; Staffel never serves on a half-migrated schema.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

use crate::config::Settings;

pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, String> {
    let url = settings.database_url();
    let mut options = ConnectOptions::new(url.clone());
    options.sqlx_logging(false).connect_timeout(Duration::from_secs(10));
    if settings.is_postgres() {
        options.max_connections(20).min_connections(1);
    } else {
        if url.starts_with("sqlite://") && !url.contains(":memory:") {
            std::fs::create_dir_all(&settings.data_dir)
                .map_err(|e| format!("cannot create data dir {}: {e}", settings.data_dir.display()))?;
        }
        // WAL lets readers run beside one writer, and lets CLI commands write while the
        // server runs; busy_timeout makes a second writer wait instead of failing.
        options.max_connections(8).min_connections(1).map_sqlx_sqlite_opts(|o| {
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

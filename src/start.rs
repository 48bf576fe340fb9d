//! Opening Staffel: the settings, the database (migrated, with the defaults every
//! installation has), templates, mail, the search engine in step with the database, and
//! the shipped FAQ. `build()` does this when the server ignites; CLI commands open the
//! parts they need the same way.
use crate::app::App;
use crate::config::{ConfigError, Settings};
use crate::db::{self, Db, StorageFault};
use crate::error::AppError;
use crate::kb::import::ImportError;
use crate::mail::{Transport, TransportError};
use crate::search;
use crate::templates::{TemplateError, Templates};

/// Why Staffel cannot start; the message names what and where, the source says why.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the configuration cannot be used")]
    Config(#[from] ConfigError),
    #[error("cannot create {}", path.display())]
    Dir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database")]
    Database(#[from] db::OpenError),
    #[error("{message}")]
    Storage {
        message: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot set up the service catalogue, the desk's defaults and the chat channel")]
    Defaults(#[source] AppError),
    #[error("cannot load the templates")]
    Templates(#[from] TemplateError),
    #[error("cannot set up mail")]
    Mail(#[from] TransportError),
    #[error("cannot open the search engine: {0}")]
    Search(String),
    #[error("cannot import the shipped FAQ articles")]
    Import(#[from] ImportError),
}

impl StartError {
    /// The error and every cause below it, as one line for a person at the shell.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}

/// The database, migrated, with the default services and the desk's default SLA targets
/// and week (both only where missing: an operator's changes stay).
pub async fn open_db(settings: &Settings) -> Result<Db, StartError> {
    let data_dir = &settings.data_dir;
    crate::private_files::restrict_data_dir(data_dir).map_err(|source| match StorageFault::of_io(&source) {
        Some(fault) => StartError::Storage { message: db::check::storage_message(fault, data_dir), source },
        None => StartError::Dir { path: data_dir.clone(), source },
    })?;
    // Before anything is opened: a full disk or a read-only directory is said as such,
    // not as whatever first fails to write (SQLite's WAL, the search index, a mark file).
    if let Err((fault, source)) = db::check::probe_dir(data_dir) {
        return Err(StartError::Storage { message: db::check::storage_message(fault, data_dir), source });
    }
    let db = db::open(settings).await?;
    crate::catalogue::services::ensure_defaults(&db).await.map_err(StartError::Defaults)?;
    crate::sla::settings::ensure_defaults(&db).await.map_err(StartError::Defaults)?;
    crate::chat::channels::ensure_default(&db).await.map_err(StartError::Defaults)?;
    crate::tickets::tally::ensure(&db).await.map_err(StartError::Defaults)?;
    Ok(db)
}

/// Everything the server runs with.
pub async fn open_app(settings: Settings) -> Result<App, StartError> {
    let files = settings.files_dir();
    let db = open_db(&settings).await?;
    crate::private_files::create_dir(&files).map_err(|source| StartError::Dir { path: files, source })?;
    let templates = Templates::load(&settings)?;
    let transport = Transport::from_settings(&settings)?;
    let search_failed = |e: String| search_failed(&settings, e);
    let engine = search::open(&settings).await.map_err(search_failed)?;
    import_shipped_articles(&db, &settings).await?;
    let mark = search_mark(&settings, &engine);
    search::sync::catch_up(db.read(), &engine, &mark).await.map_err(search_failed)?;
    search::sync::verify(db.read(), &engine, &mark).await.map_err(search_failed)?;
    Ok(App::new(settings, db, templates, transport, engine))
}

/// The search index could not be written: on a full disk that is said as such (the index
/// is the first to write when the database itself opened in the last free blocks).
fn search_failed(settings: &Settings, e: String) -> StartError {
    if db::check::disk_is_full(&settings.data_dir) {
        let full = db::check::storage_message(StorageFault::Full, &settings.data_dir);
        return StartError::Search(format!("{full} ({e})"));
    }
    StartError::Search(e)
}

/// Where this instance records up to when its search engine is in step with the database.
pub fn search_mark(settings: &Settings, engine: &search::Engine) -> search::sync::Mark {
    search::sync::Mark::new(settings.data_dir.join(format!("search-synced-{}", engine.name())))
}

/// The shipped FAQ is imported on every start; only changed files cost anything.
async fn import_shipped_articles(db: &Db, settings: &Settings) -> Result<(), StartError> {
    let files = crate::kb::import::shipped(settings.kb_dir.as_deref())?;
    let report = crate::kb::import::import(db, crate::audit::By::System, files, || {}).await?;
    if !report.added.is_empty() || !report.changed.is_empty() {
        tracing::info!(added = report.added.len(), changed = report.changed.len(), "imported shipped FAQ articles");
    }
    for (file, reason) in &report.rejected {
        tracing::warn!(%file, %reason, "FAQ article rejected");
    }
    Ok(())
}

//! Staffel: tiered IT support for schools. `build` assembles the Rocket that `staffel
//! serve` runs and that every test drives, so tests exercise exactly what production runs.
pub mod accounts;
pub mod api;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod desk;
pub mod error;
pub mod forwards;
pub mod i18n;
pub mod jobs;
pub mod kb;
pub mod mail;
pub mod portals;
pub mod reports;
pub mod schools;
pub mod search;
pub mod tickets;
pub mod validate;
pub mod web;

use std::sync::Arc;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::{Build, Rocket};

use config::Settings;
use web::page::Templates;

/// The Rocket for a figment (see `config::figment()`): settings, database, templates,
/// mailer and jobs are set up when it ignites; any failure there stops the launch.
pub fn build(figment: Figment) -> Rocket<Build> {
    let figment = match config::with_secret_key(figment.clone()) {
        Ok(with_key) => with_key,
        Err(e) => {
            // Ignition reports the configuration error properly; keep going until then.
            tracing::error!(error = %e, "cannot prepare the secret key");
            figment
        }
    };
    let figment = attachments::store::with_upload_limits(figment);
    rocket::custom(figment)
        .attach(AdHoc::try_on_ignite("Staffel state", |rocket| async move {
            match prepare(&rocket).await {
                Ok(state) => Ok(state.manage_in(rocket)),
                Err(e) => {
                    tracing::error!(error = %e, "Staffel cannot start");
                    eprintln!("staffel: {e}");
                    Err(rocket)
                }
            }
        }))
        .attach(jobs::Jobs::default())
        .attach(web::SecurityHeaders)
        .attach(web::metrics::RequestMetrics)
        .mount("/", accounts::routes())
        .mount("/", portals::routes())
        .mount("/", kb::routes())
        .mount("/", desk::routes())
        .mount("/", tickets::routes())
        .mount("/", reports::routes())
        .mount("/", forwards::routes())
        .mount("/", attachments::routes())
        .mount("/", schools::routes())
        .mount("/", catalogue::routes())
        .mount("/", web::assets::routes())
        .mount("/", web::health::routes())
        .mount("/", web::metrics::routes())
        .mount("/api/v1", api::routes())
        .mount("/api/v1", kb::api::routes())
        .mount("/api/v1", tickets::api::routes())
        .mount("/api/v1", forwards::api::routes())
        .mount("/api/v1", attachments::api::routes())
        .register("/", web::catchers::catchers())
}

struct State {
    settings: Settings,
    db: sea_orm::DatabaseConnection,
    templates: Templates,
    mailer: mail::Mailer,
    transport: mail::Transport,
    engine: search::Engine,
}

impl State {
    fn manage_in(self, rocket: Rocket<Build>) -> Rocket<Build> {
        rocket
            .manage(self.settings)
            .manage(Arc::new(db::WriteTurn::for_db(&self.db)))
            .manage(Arc::new(tickets::opening::Intake::for_db(&self.db)))
            .manage(self.db)
            .manage(self.templates)
            .manage(self.mailer)
            .manage(self.transport)
            .manage(self.engine)
            .manage(Arc::new(web::metrics::Metrics::default()))
            .manage(Arc::new(desk::clock::DeskClockCache::default()))
            .manage(tickets::queue::OverdueCount::default())
    }
}

async fn prepare(rocket: &Rocket<Build>) -> Result<State, String> {
    let settings = Settings::from_figment(rocket.figment())?;
    std::fs::create_dir_all(settings.files_dir())
        .map_err(|e| format!("cannot create {}: {e}", settings.files_dir().display()))?;
    let db = db::open(&settings).await?;
    let templates = Templates::load(&settings)?;
    let mailer = mail::Mailer::new(templates.clone(), &settings);
    let transport = mail::Transport::from_settings(&settings)?;
    let engine = search::open(&settings).await?;
    import_shipped_articles(&db, &settings).await?;
    search::sync::catch_up(&db, &engine, &search_mark(&settings, &engine)).await?;
    Ok(State { settings, db, templates, mailer, transport, engine })
}

/// Where this instance records up to when its search engine is in step with the database.
pub fn search_mark(settings: &Settings, engine: &search::Engine) -> search::sync::Mark {
    search::sync::Mark::new(settings.data_dir.join(format!("search-synced-{}", engine.name())))
}

/// The shipped FAQ is imported on every start; only changed files cost anything.
async fn import_shipped_articles(db: &sea_orm::DatabaseConnection, settings: &Settings) -> Result<(), String> {
    let files = kb::import::shipped(settings.kb_dir.as_deref())?;
    let report = kb::import::import(db, audit::By::System, files, || {}).await?;
    if !report.added.is_empty() || !report.changed.is_empty() {
        tracing::info!(added = report.added.len(), changed = report.changed.len(), "imported shipped FAQ articles");
    }
    for (file, reason) in &report.rejected {
        tracing::warn!(%file, %reason, "FAQ article rejected");
    }
    Ok(())
}

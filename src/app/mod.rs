//! The application context: one `App` for everything a request, a background job or a CLI
//! command works with — the database with its write turn, the settings, templates and mail,
//! the search engine, metrics, the desk's clock, the intake of new tickets and the hub of
//! live events. It is managed
//! once by Rocket; handlers take it as `&App`, jobs and the CLI hold a clone (every part is
//! shared, so a clone costs a few reference counts). The request guards that hand the acting
//! user to handlers are in `guards`.
pub mod guards;

use std::sync::Arc;

use rocket::request::{FromRequest, Outcome, Request};

use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;
use crate::mail::{Mailer, Transport};
use crate::metrics::Metrics;
use crate::templates::Templates;
use crate::tickets::queue::OverdueCount;
use crate::tickets::Intake;

pub use guards::{Agent, AnyUser, Author, CurrentUser, DeskLead, Operator, SchoolAdmin, Teacher, Viewer};

#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub templates: Templates,
    pub mailer: Mailer,
    pub transport: Transport,
    pub search: crate::search::Engine,
    pub metrics: Arc<Metrics>,
    pub desk_clock: Arc<crate::sla::ClockCache>,
    pub intake: Arc<Intake>,
    pub overdue: Arc<OverdueCount>,
    /// Live events for chats, the desk and the availability of chat.
    pub live: crate::live::Hub,
    /// Searches that found nothing, until the next flush writes them.
    pub misses: Arc<crate::search::misses::MissCounter>,
    /// Who opened which ticket, report or file, until the next flush writes it (SPEC §9).
    pub views: Arc<crate::audit::views::ViewLog>,
    /// Whether writes get through (the data directory and the database), for `/healthz`.
    pub storage: Arc<crate::storage::StorageWatch>,
}

impl App {
    /// The context around an open database, loaded templates, a mail transport and a search
    /// engine (see `start::open` for how they are opened).
    pub fn new(
        settings: Settings,
        db: Db,
        templates: Templates,
        transport: Transport,
        search: crate::search::Engine,
    ) -> App {
        let mailer = Mailer::new(templates.clone(), &settings);
        let storage = Arc::new(crate::storage::StorageWatch::new(&settings.data_dir));
        App {
            intake: Arc::new(Intake::for_db(&db)),
            db,
            settings: Arc::new(settings),
            templates,
            mailer,
            transport,
            search,
            metrics: Arc::new(Metrics::default()),
            desk_clock: Arc::new(crate::sla::ClockCache::default()),
            overdue: Arc::new(OverdueCount::default()),
            live: crate::live::Hub::default(),
            misses: Arc::new(crate::search::misses::MissCounter::default()),
            views: Arc::new(crate::audit::views::ViewLog::default()),
            storage,
        }
    }
}

impl crate::tickets::Env for App {
    fn db(&self) -> &Db {
        &self.db
    }

    fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn desk_clock(&self) -> &crate::sla::ClockCache {
        &self.desk_clock
    }

    fn intake(&self) -> &Intake {
        &self.intake
    }

    fn live(&self) -> &crate::live::Hub {
        &self.live
    }
}

/// Handlers take `app: &App`; while the database is known to be gone, a handler that
/// needs it is not run (503 at once).
#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r App {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AppError> {
        match req.rocket().state::<App>() {
            // The database is known to be gone: 503 now, not after the pool's timeout.
            Some(app) if app.db.reach().is_known_down() => {
                Outcome::Error((rocket::http::Status::ServiceUnavailable, AppError::Unavailable))
            }
            Some(app) => Outcome::Success(app),
            None => {
                Outcome::Error((rocket::http::Status::InternalServerError, AppError::internal("App is not managed")))
            }
        }
    }
}

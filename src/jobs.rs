//! Background work started when the server lifts off and stopped when it shuts down:
//! the mail outbox, the search index sync, the SLA and provider-deadline reminders, and the
//! sweep of orphaned upload files.
use std::sync::{Arc, Mutex};

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Orbit, Rocket};
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::mail::{worker::Worker, Transport};
use crate::web::metrics::Metrics;

#[derive(Default)]
pub struct Jobs {
    stop: Mutex<Option<tokio::sync::watch::Sender<bool>>>,
}

#[rocket::async_trait]
impl Fairing for Jobs {
    fn info(&self) -> Info {
        Info { name: "Background jobs", kind: Kind::Liftoff | Kind::Shutdown }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let (Some(settings), Some(db), Some(transport)) =
            (rocket.state::<Settings>(), rocket.state::<DatabaseConnection>(), rocket.state::<Transport>())
        else {
            return;
        };
        if !settings.run_jobs {
            return;
        }
        let Some(write_turn) = rocket.state::<Arc<crate::db::WriteTurn>>() else {
            return;
        };
        let (tx, rx) = tokio::sync::watch::channel(false);
        let worker = Worker {
            db: db.clone(),
            transport: transport.clone(),
            settings: settings.clone(),
            metrics: rocket.state::<Arc<Metrics>>().cloned(),
            write_turn: write_turn.clone(),
        };
        tokio::spawn(worker.run(rx.clone()));
        tokio::spawn(sweep_orphaned_files(db.clone(), settings.clone(), rx.clone()));
        let desk_clock = rocket.state::<Arc<crate::desk::clock::DeskClockCache>>();
        let intake = rocket.state::<Arc<crate::tickets::opening::Intake>>();
        if let (Some(mailer), Some(desk_clock), Some(intake)) =
            (rocket.state::<crate::mail::Mailer>(), desk_clock, intake)
        {
            let ctx = Owned {
                db: db.clone(),
                mailer: mailer.clone(),
                settings: settings.clone(),
                desk_clock: desk_clock.clone(),
                write_turn: write_turn.clone(),
                intake: intake.clone(),
            };
            tokio::spawn(send_reminders(ctx, rx.clone()));
        }
        if let Some(engine) = rocket.state::<crate::search::Engine>() {
            let mark = crate::search_mark(settings, engine);
            tokio::spawn(keep_search_in_step(db.clone(), engine.clone(), mark, rx));
        }
        if let Ok(mut stop) = self.stop.lock() {
            *stop = Some(tx);
        }
    }

    async fn on_shutdown(&self, _rocket: &Rocket<Orbit>) {
        if let Some(tx) = self.stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = tx.send(true);
        }
    }
}

/// Applies article changes made elsewhere (the CLI, another instance) to this instance's
/// search engine every two seconds.
async fn keep_search_in_step(
    db: DatabaseConnection,
    engine: crate::search::Engine,
    mark: crate::search::sync::Mark,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut since = mark.load().unwrap_or_else(chrono::Utc::now);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
            _ = shutdown.changed() => break,
        }
        match crate::search::sync::sync_changes(&db, &engine, since).await {
            Ok(next) => {
                if next != since {
                    mark.save(next);
                    since = next;
                }
            }
            Err(e) => tracing::warn!(error = %e, "search sync failed"),
        }
    }
}

/// What a ticket change needs, owned by a job that outlives any request.
struct Owned {
    db: DatabaseConnection,
    mailer: crate::mail::Mailer,
    settings: Settings,
    desk_clock: Arc<crate::desk::clock::DeskClockCache>,
    write_turn: Arc<crate::db::WriteTurn>,
    intake: Arc<crate::tickets::opening::Intake>,
}

/// Mails the SLA and provider-deadline reminders that came due, every
/// `reminder_interval_secs`; each is claimed in the database, so several instances share
/// the work without sending anything twice.
async fn send_reminders(owned: Owned, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let every = std::time::Duration::from_secs(owned.settings.reminder_interval_secs);
    loop {
        let ctx = crate::tickets::service::Ctx {
            db: &owned.db,
            mailer: &owned.mailer,
            settings: &owned.settings,
            desk_clock: &owned.desk_clock,
            write_turn: &owned.write_turn,
            intake: &owned.intake,
        };
        match crate::tickets::reminders::run_once(&ctx, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(mails) => tracing::info!(mails, "reminders queued"),
            Err(e) => tracing::warn!(error = %e, "reminders failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => break,
        }
    }
}

/// Removes upload files that no attachment row records (left by a crash mid-upload), at
/// start and then every six hours.
async fn sweep_orphaned_files(
    db: DatabaseConnection,
    settings: Settings,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match crate::attachments::sweep::sweep_orphans(&db, &settings, std::time::SystemTime::now()).await {
            Ok(0) => {}
            Ok(files) => tracing::info!(files, "orphaned upload files removed"),
            Err(e) => tracing::warn!(error = %e, "sweeping upload files failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(6 * 60 * 60)) => {}
            _ = shutdown.changed() => break,
        }
    }
}

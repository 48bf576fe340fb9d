//! Background work started when the server lifts off and stopped when it shuts down:
//! the mail outbox, the search index sync, the SLA and provider-deadline reminders, the
//! chat's upkeep, the missed searches and the view log counted in memory, retention (SPEC
//! §9), the sweep of orphaned upload files, and on PostgreSQL the watcher that knows when
//! the server is gone. Each job holds a clone of the `App`.
use std::sync::Mutex;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Orbit, Rocket};
use tokio::sync::watch;

use crate::app::App;
use crate::error::AppResult;
use crate::mail::worker::Worker;

#[derive(Default)]
pub struct Jobs {
    stop: Mutex<Option<watch::Sender<bool>>>,
}

#[rocket::async_trait]
impl Fairing for Jobs {
    fn info(&self) -> Info {
        Info { name: "Background jobs", kind: Kind::Liftoff | Kind::Shutdown }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(app) = rocket.state::<App>() else { return };
        if !app.settings.run_jobs {
            return;
        }
        let (tx, rx) = watch::channel(false);
        let worker = Worker {
            db: app.db.clone(),
            transport: app.transport.clone(),
            settings: app.settings.clone(),
            metrics: Some(app.metrics.clone()),
        };
        tokio::spawn(worker.run(rx.clone()));
        tokio::spawn(sweep_orphaned_files(app.clone(), rx.clone()));
        tokio::spawn(send_reminders(app.clone(), rx.clone()));
        tokio::spawn(keep_chat_current(app.clone(), rx.clone()));
        tokio::spawn(keep_search_in_step(app.clone(), rx.clone()));
        tokio::spawn(write_missed_searches(app.clone(), rx.clone()));
        tokio::spawn(write_view_log(app.clone(), rx.clone()));
        if app.settings.is_postgres() {
            let url = app.settings.database_url();
            tokio::spawn(crate::db::reach::watch(url, app.db.reach().clone(), rx.clone()));
        }
        tokio::spawn(apply_retention(app.clone(), rx));
        if let Ok(mut stop) = self.stop.lock() {
            *stop = Some(tx);
        }
    }

    async fn on_shutdown(&self, rocket: &Rocket<Orbit>) {
        if let Some(tx) = self.stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = tx.send(true);
        }
        // The last misses counted, written before the process ends (the job's loop may
        // not get to run again).
        if let Some(app) = rocket.state::<App>() {
            if let Err(e) = crate::kb::service::flush_misses(&app.db, &app.misses).await {
                tracing::warn!(error = %e.chain(), "writing missed searches at shutdown failed");
            }
            if let Err(e) = crate::audit::views::flush(&app.db, &app.views).await {
                tracing::warn!(error = %e.chain(), "writing the view log at shutdown failed");
            }
        }
    }
}

/// Sleeps for `every`; false when the server shuts down meanwhile.
async fn pause(every: std::time::Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(every) => true,
        _ = shutdown.changed() => false,
    }
}

/// Applies article changes made elsewhere (the CLI, another instance) to this instance's
/// search engine every two seconds.
async fn keep_search_in_step(app: App, mut shutdown: watch::Receiver<bool>) {
    let mark = crate::start::search_mark(&app.settings, &app.search);
    let mut since = mark.load().unwrap_or_else(chrono::Utc::now);
    while pause(std::time::Duration::from_secs(2), &mut shutdown).await {
        match crate::search::sync::sync_changes(app.db.read(), &app.search, since).await {
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

/// Writes the searches that found nothing, counted in memory, every five seconds.
async fn write_missed_searches(app: App, mut shutdown: watch::Receiver<bool>) {
    while pause(std::time::Duration::from_secs(5), &mut shutdown).await {
        if let Err(e) = crate::kb::service::flush_misses(&app.db, &app.misses).await {
            tracing::warn!(error = %e.chain(), "writing missed searches failed");
        }
    }
}

/// Writes who opened which ticket, report or file, collected in memory, every two seconds
/// (see `audit::views` for why views are not written one by one).
async fn write_view_log(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut dropped = 0;
    while pause(std::time::Duration::from_secs(2), &mut shutdown).await {
        if let Err(e) = crate::audit::views::flush(&app.db, &app.views).await {
            tracing::warn!(error = %e.chain(), "writing the view log failed");
        }
        let now_dropped = app.views.dropped();
        if now_dropped > dropped {
            tracing::warn!(views = now_dropped - dropped, "view records dropped: the buffer was full");
            dropped = now_dropped;
        }
    }
}

/// Retention (SPEC §9), a minute after start and then once an hour: closed tickets and
/// finished reports past `ticket_retention_months` anonymised, old chats, mail and view
/// records deleted (`privacy::retention`). Every ticket is claimed by its own transaction,
/// so several instances running this at once change nothing twice.
async fn apply_retention(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut wait = std::time::Duration::from_secs(60);
    while pause(wait, &mut shutdown).await {
        match crate::privacy::retention::run(&app.db, &app.settings, crate::audit::By::System, chrono::Utc::now()).await
        {
            Ok(done) if done.is_empty() => {}
            Ok(done) => tracing::info!(
                tickets = done.tickets.len(),
                reports = done.reports.len(),
                attachments = done.attachments,
                chats = done.chats,
                mails = done.mails,
                views = done.views,
                "retention applied"
            ),
            Err(e) => tracing::warn!(error = %e.chain(), "retention failed"),
        }
        wait = std::time::Duration::from_secs(60 * 60);
    }
}

/// The chat's clockwork, every three seconds: requests left unanswered are offered again,
/// availability and presence that idle time changed are announced; once an hour chats past
/// their retention period are deleted.
async fn keep_chat_current(app: App, mut shutdown: watch::Receiver<bool>) {
    let mut announced = crate::chat::upkeep::Announced::default();
    let mut retention_due = std::time::Instant::now();
    loop {
        let now = chrono::Utc::now();
        if let Err(e) = crate::chat::upkeep::offer_again(&app, now).await {
            tracing::warn!(error = %e.chain(), "offering chat requests again failed");
        }
        if let Err(e) = crate::chat::upkeep::announce(&app, &mut announced, now).await {
            tracing::warn!(error = %e.chain(), "announcing chat presence failed");
        }
        if std::time::Instant::now() >= retention_due {
            match crate::chat::upkeep::delete_expired(&app, now).await {
                Ok(0) => {}
                Ok(chats) => tracing::info!(chats, "chats past their retention period deleted"),
                Err(e) => tracing::warn!(error = %e.chain(), "deleting old chats failed"),
            }
            retention_due = std::time::Instant::now() + std::time::Duration::from_secs(60 * 60);
        }
        if !pause(std::time::Duration::from_secs(3), &mut shutdown).await {
            break;
        }
    }
}

/// One run of the reminder job: the SLA reminders of the tickets, then the providers'
/// deadlines. Returns how many mails were queued.
pub async fn remind_once(app: &App, now: chrono::DateTime<chrono::Utc>) -> AppResult<usize> {
    let tickets = crate::tickets::reminders::send_due(app, now).await?;
    let providers = crate::forwards::reminders::send_due(app, now).await?;
    Ok(tickets + providers)
}

/// Mails the SLA and provider-deadline reminders that came due, every
/// `reminder_interval_secs`; each is claimed in the database, so several instances share
/// the work without sending anything twice.
async fn send_reminders(app: App, mut shutdown: watch::Receiver<bool>) {
    let every = std::time::Duration::from_secs(app.settings.reminder_interval_secs);
    loop {
        match remind_once(&app, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(mails) => tracing::info!(mails, "reminders queued"),
            Err(e) => tracing::warn!(error = %e.chain(), "reminders failed"),
        }
        if !pause(every, &mut shutdown).await {
            break;
        }
    }
}

/// Removes upload files that no attachment row records (left by a crash mid-upload), at
/// start and then every six hours.
async fn sweep_orphaned_files(app: App, mut shutdown: watch::Receiver<bool>) {
    loop {
        match crate::attachments::sweep::sweep_orphans(&app.db, &app.settings, std::time::SystemTime::now()).await {
            Ok(0) => {}
            Ok(files) => tracing::info!(files, "orphaned upload files removed"),
            Err(e) => tracing::warn!(error = %e, "sweeping upload files failed"),
        }
        if !pause(std::time::Duration::from_secs(6 * 60 * 60), &mut shutdown).await {
            break;
        }
    }
}

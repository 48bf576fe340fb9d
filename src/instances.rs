//! Several instances on one PostgreSQL: the live relay between them (see `live::relay`),
//! started when the server lifts off. What a notice of another instance stands for is built
//! again here, at the composition layer, where the domains are known. On SQLite there is one
//! instance and nothing to relay.
use std::sync::{Arc, Mutex};

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Orbit, Rocket};
use serde_json::json;
use tokio::sync::watch;

use crate::app::App;
use crate::live::relay::{self, Notice, Rebuild};
use crate::live::{Event, Topic};

#[derive(Default)]
pub struct LiveRelay {
    stop: Mutex<Option<watch::Sender<bool>>>,
}

#[rocket::async_trait]
impl Fairing for LiveRelay {
    fn info(&self) -> Info {
        Info { name: "Live relay between instances", kind: Kind::Liftoff | Kind::Shutdown }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(app) = rocket.state::<App>() else { return };
        if !app.settings.is_postgres() {
            return;
        }
        let (tx, rx) = watch::channel(false);
        match relay::start(&app.live, &app.settings.database_url(), rebuilder(app.clone()), rx).await {
            Ok(()) => tracing::info!(channel = relay::CHANNEL, "live events are relayed between instances"),
            // The server still serves; only its live events stay in this instance.
            Err(e) => tracing::error!(error = %e, "the live relay cannot listen: live events stay in this instance"),
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

fn rebuilder(app: App) -> Rebuild {
    Arc::new(move |notice: Notice| {
        let app = app.clone();
        Box::pin(async move {
            let built = match notice.topic {
                // Some ticket changed: the desk's queues read where they stand themselves.
                Topic::Queue if notice.kind == "tickets" => Ok(Some(Event::new("tickets", json!({})))),
                Topic::Queue => Ok(None),
                _ => crate::chat::relay::rebuild(&app, &notice).await,
            };
            built.unwrap_or_else(|e| {
                tracing::warn!(error = %e.chain(), kind = %notice.kind, "a live notice could not be read back");
                None
            })
        })
    })
}

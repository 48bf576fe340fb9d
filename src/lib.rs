//! Staffel: tiered IT support for schools. `build` assembles the Rocket that `staffel
//! serve` runs and that every test drives, so tests exercise exactly what production runs.
//! How the modules are layered, and why, is in ARCHITECTURE.md.
pub mod accounts;
pub mod api;
pub mod app;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod canned;
pub mod catalogue;
pub mod chat;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod error;
pub mod forwards;
pub mod i18n;
pub mod instances;
pub mod jobs;
pub mod kb;
pub mod ladder;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod metrics;
pub mod ops;
pub mod portals;
pub mod privacy;
pub mod private_files;
pub mod reports;
pub mod saved_filters;
pub mod schools;
pub mod search;
pub mod sla;
pub mod start;
pub mod stats;
pub mod storage;
pub mod templates;
pub mod tickets;
pub mod validate;
pub mod web;
pub mod widget;
pub mod xmpp;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::{Build, Rocket};

use config::Settings;

/// The Rocket for a figment (see `config::figment()`): the `App` is opened when it
/// ignites, and any failure there stops the launch with the reason.
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
        .attach(AdHoc::try_on_ignite("Staffel", |rocket| async move {
            let opened = match Settings::from_figment(rocket.figment()) {
                Ok(settings) => start::open_app(settings).await,
                Err(e) => Err(e.into()),
            };
            match opened {
                Ok(app) => Ok(rocket.manage(app)),
                Err(e) => {
                    tracing::error!(error = %e.chain(), "Staffel cannot start");
                    eprintln!("staffel: {}", e.chain());
                    Err(rocket)
                }
            }
        }))
        .manage(widget::StatusCache::default())
        .attach(jobs::Jobs::default())
        .attach(instances::LiveRelay::default())
        .attach(xmpp::bridge::XmppBridge::default())
        .attach(web::SecurityHeaders)
        .attach(web::RequestMetrics)
        .mount("/", portals::routes())
        .mount("/", web::assets::routes())
        .mount("/", ops::routes())
        .mount("/api/v1", api::routes())
        .register("/", web::catchers::catchers())
}

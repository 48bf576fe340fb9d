//! For operations: `/healthz` for load balancers (cheap, and honest about the database)
//! and `/metrics` in the Prometheus text format.
use std::fmt::Write;
use std::sync::atomic::Ordering;

use rocket::http::{ContentType, Status};
use rocket::serde::json::{json, Value};
use rocket::{Route, State};
use sea_orm::ConnectionTrait;

use crate::app::App;
use crate::metrics::BUCKETS;

const HEALTH_PING_DEADLINE: std::time::Duration = std::time::Duration::from_secs(1);

/// `State`, not the `&App` guard: health and metrics answer while the database is gone.
#[rocket::get("/healthz")]
async fn healthz(app: &State<App>) -> (Status, Value) {
    if app.db.reach().is_known_down() {
        return (Status::ServiceUnavailable, json!({ "status": "database unavailable" }));
    }
    // Its own deadline, shorter than the pool's: a load balancer must hear at once that
    // the database is gone, not after a connection attempt has timed out.
    let ping = tokio::time::timeout(HEALTH_PING_DEADLINE, app.db.read().execute_unprepared("SELECT 1"));
    match ping.await.unwrap_or_else(|_| Err(sea_orm::DbErr::Custom("no answer within the deadline".into()))) {
        Ok(_) => match app.storage.blocked(&app.db).await {
            None => (Status::Ok, json!({ "status": "ok" })),
            // Reads still work; a balancer should not send writers here.
            Some(fault) => {
                let body = json!({ "status": "degraded", "writes": "blocked", "reason": fault.reason() });
                (Status::ServiceUnavailable, body)
            }
        },
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (Status::ServiceUnavailable, json!({ "status": "database unavailable" }))
        }
    }
}

#[rocket::get("/metrics")]
async fn metrics(app: &State<App>) -> (ContentType, String) {
    let metrics = &app.metrics;
    let mut out = String::new();
    let _ = writeln!(out, "# HELP staffel_http_requests_total HTTP responses by status class.");
    let _ = writeln!(out, "# TYPE staffel_http_requests_total counter");
    for (i, counter) in metrics.by_class.iter().enumerate() {
        let _ =
            writeln!(out, "staffel_http_requests_total{{class=\"{}xx\"}} {}", i + 1, counter.load(Ordering::Relaxed));
    }
    let _ = writeln!(out, "# HELP staffel_http_request_duration_seconds Time to answer a request.");
    let _ = writeln!(out, "# TYPE staffel_http_request_duration_seconds histogram");
    for (i, bound) in BUCKETS.iter().enumerate() {
        let _ = writeln!(
            out,
            "staffel_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
            metrics.buckets[i].load(Ordering::Relaxed)
        );
    }
    let count = metrics.count.load(Ordering::Relaxed);
    let _ = writeln!(out, "staffel_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}");
    let _ = writeln!(
        out,
        "staffel_http_request_duration_seconds_sum {}",
        metrics.micros_sum.load(Ordering::Relaxed) as f64 / 1e6
    );
    let _ = writeln!(out, "staffel_http_request_duration_seconds_count {count}");
    let _ = writeln!(out, "# TYPE staffel_mails_sent_total counter");
    let _ = writeln!(out, "staffel_mails_sent_total {}", metrics.mails_sent.load(Ordering::Relaxed));
    let _ = writeln!(out, "# TYPE staffel_mail_delivery_failures_total counter");
    let _ = writeln!(out, "staffel_mail_delivery_failures_total {}", metrics.mail_failures.load(Ordering::Relaxed));
    // While the database is known to be gone, nothing below waits for it.
    let reachable = !app.db.reach().is_known_down();
    let _ = writeln!(out, "# HELP staffel_database_reachable 0 while the database server is known to be gone.");
    let _ = writeln!(out, "# TYPE staffel_database_reachable gauge");
    let _ = writeln!(out, "staffel_database_reachable {}", u8::from(reachable));
    for (name, help, value) in [
        (
            "staffel_view_log_pending",
            "Views (who opened what) waiting in memory to be written.",
            app.views.pending() as u64,
        ),
        (
            "staffel_search_misses_pending",
            "Distinct missed searches waiting in memory to be written.",
            app.misses.pending() as u64,
        ),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        let _ = writeln!(out, "{name} {value}");
    }
    for (name, help, value) in [
        ("staffel_view_log_dropped_total", "Views not recorded because the buffer was full.", app.views.dropped()),
        (
            "staffel_search_misses_dropped_total",
            "Missed searches not counted because the buffer was full.",
            app.misses.dropped(),
        ),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} counter");
        let _ = writeln!(out, "{name} {value}");
    }
    // What needs the database gets the health check's deadline: a scrape must not hang on
    // a server that went away a moment ago, before the watcher noticed.
    let blocked = match reachable {
        true => tokio::time::timeout(HEALTH_PING_DEADLINE, app.storage.blocked(&app.db)).await.unwrap_or(None),
        false => None,
    };
    let _ = writeln!(out, "# HELP staffel_writes_blocked 1 while a full disk or read-only storage stops writes.");
    let _ = writeln!(out, "# TYPE staffel_writes_blocked gauge");
    let _ = writeln!(out, "staffel_writes_blocked {}", u8::from(blocked.is_some()));
    let relay = &app.live.relay_counts;
    let _ = writeln!(out, "# HELP staffel_live_relay_up 1 while live events travel to and from other instances.");
    let _ = writeln!(out, "# TYPE staffel_live_relay_up gauge");
    let _ = writeln!(out, "staffel_live_relay_up {}", u8::from(app.live.relays()));
    for (name, help, counter) in [
        ("sent", "Live notices sent to the other instances.", &relay.sent),
        ("heard", "Live notices heard from the other instances.", &relay.heard),
        ("refused", "Notices on the live channel that were none of Staffel's.", &relay.refused),
        ("resyncs", "Times the live relay lost its connection and had every topic read anew.", &relay.resyncs),
    ] {
        let _ = writeln!(out, "# HELP staffel_live_relay_{name}_total {help}");
        let _ = writeln!(out, "# TYPE staffel_live_relay_{name}_total counter");
        let _ = writeln!(out, "staffel_live_relay_{name}_total {}", counter.load(Ordering::Relaxed));
    }
    let _ = writeln!(out, "# HELP staffel_xmpp_up 1 while this instance is signed in to the XMPP server for agents.");
    let _ = writeln!(out, "# TYPE staffel_xmpp_up gauge");
    let _ = writeln!(out, "staffel_xmpp_up {}", metrics.xmpp_up.load(Ordering::Relaxed));
    for (name, help, counter) in [
        ("sent", "Messages the XMPP bridge wrote to agents.", &metrics.xmpp_sent),
        ("received", "Messages the XMPP bridge read from XMPP addresses.", &metrics.xmpp_received),
    ] {
        let _ = writeln!(out, "# HELP staffel_xmpp_messages_{name}_total {help}");
        let _ = writeln!(out, "# TYPE staffel_xmpp_messages_{name}_total counter");
        let _ = writeln!(out, "staffel_xmpp_messages_{name}_total {}", counter.load(Ordering::Relaxed));
    }
    let intake = app.intake.counts();
    let _ = writeln!(out, "# HELP staffel_tickets_opened_total New tickets written through the intake.");
    let _ = writeln!(out, "# TYPE staffel_tickets_opened_total counter");
    let _ = writeln!(out, "staffel_tickets_opened_total {}", intake.arrived);
    let _ = writeln!(out, "# HELP staffel_ticket_groups_total Transactions the new tickets were written in.");
    let _ = writeln!(out, "# TYPE staffel_ticket_groups_total counter");
    let _ = writeln!(out, "staffel_ticket_groups_total {}", intake.groups);
    if !reachable {
        return (ContentType::new("text", "plain").with_params(("version", "0.0.4")), out);
    }
    let outbox = tokio::time::timeout(HEALTH_PING_DEADLINE, crate::mail::retry::health(&app.db, chrono::Utc::now()));
    match outbox.await.unwrap_or_else(|_| Err(sea_orm::DbErr::Custom("no answer within the deadline".into()))) {
        Ok(outbox) => {
            let gauges = [
                ("staffel_mail_outbox_pending", "Mails waiting for delivery.", outbox.pending as i64),
                (
                    "staffel_mail_outbox_long_pending",
                    "Mails waiting for delivery for more than an hour.",
                    outbox.long_pending as i64,
                ),
                (
                    "staffel_mail_outbox_oldest_pending_seconds",
                    "Age of the oldest mail waiting for delivery.",
                    outbox.oldest_pending_secs,
                ),
                (
                    "staffel_mail_outbox_failed",
                    "Mails given up after days of failing; `staffel mail retry` sends them again.",
                    outbox.failed as i64,
                ),
            ];
            for (name, help, value) in gauges {
                let _ = writeln!(out, "# HELP {name} {help}");
                let _ = writeln!(out, "# TYPE {name} gauge");
                let _ = writeln!(out, "{name} {value}");
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read the outbox"),
    }
    (ContentType::new("text", "plain").with_params(("version", "0.0.4")), out)
}

pub fn routes() -> Vec<Route> {
    rocket::routes![healthz, metrics]
}

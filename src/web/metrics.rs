//! Prometheus metrics: request counts by status class, a latency histogram, and gauges
//! read from the database when scraped.
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::ContentType;
use rocket::{Data, Request, Response, Route, State};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    micros_sum: AtomicU64,
    pub mails_sent: AtomicU64,
    pub mail_failures: AtomicU64,
}

impl Metrics {
    fn observe(&self, status: u16, seconds: f64) {
        let class = (status / 100).clamp(1, 5) as usize - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.micros_sum.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }
}

struct Started(Instant);

pub struct RequestMetrics;

#[rocket::async_trait]
impl Fairing for RequestMetrics {
    fn info(&self) -> Info {
        Info { name: "Request metrics and log", kind: Kind::Request | Kind::Response }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Started(Instant::now()));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let elapsed = req.local_cache(|| Started(Instant::now())).0.elapsed();
        if let Some(metrics) = req.rocket().state::<std::sync::Arc<Metrics>>() {
            metrics.observe(res.status().code, elapsed.as_secs_f64());
        }
        tracing::info!(
            target: "staffel::http",
            method = %req.method(),
            path = %req.uri().path(),
            status = res.status().code,
            micros = elapsed.as_micros() as u64,
        );
    }
}

#[rocket::get("/metrics")]
async fn metrics(
    metrics: &State<std::sync::Arc<Metrics>>,
    intake: &State<std::sync::Arc<crate::tickets::opening::Intake>>,
    db: &State<DatabaseConnection>,
) -> (ContentType, String) {
    use std::fmt::Write;
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
    let intake = intake.counts();
    let _ = writeln!(out, "# HELP staffel_tickets_opened_total New tickets written through the intake.");
    let _ = writeln!(out, "# TYPE staffel_tickets_opened_total counter");
    let _ = writeln!(out, "staffel_tickets_opened_total {}", intake.arrived);
    let _ = writeln!(out, "# HELP staffel_ticket_groups_total Transactions the new tickets were written in.");
    let _ = writeln!(out, "# TYPE staffel_ticket_groups_total counter");
    let _ = writeln!(out, "staffel_ticket_groups_total {}", intake.groups);
    let pending = entities::mail_outbox::Entity::find()
        .filter(entities::mail_outbox::Column::Status.eq("pending"))
        .count(db.inner())
        .await
        .unwrap_or(0);
    let _ = writeln!(out, "# HELP staffel_mail_outbox_pending Mails waiting for delivery.");
    let _ = writeln!(out, "# TYPE staffel_mail_outbox_pending gauge");
    let _ = writeln!(out, "staffel_mail_outbox_pending {pending}");
    (ContentType::new("text", "plain").with_params(("version", "0.0.4")), out)
}

pub fn routes() -> Vec<Route> {
    rocket::routes![metrics]
}

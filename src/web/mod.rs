//! The web shell every route uses: pages and their error answers, the form tail
//! (post/redirect/get), the API's JSON bodies, typed path segments, flash messages, static
//! assets, catchers, and the fairings that add security headers and measure every request.
pub mod assets;
pub mod catchers;
pub mod errors;
pub mod flash;
pub mod form;
pub mod json;
pub mod page;
pub mod params;

use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};

use crate::app::App;

/// Headers that make every page safer by default: no sniffing, no framing, no inline or
/// foreign script, and no referrer leaking a provider link to other sites.
pub struct SecurityHeaders;

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info { name: "Security headers", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, _req: &'r Request<'_>, res: &mut Response<'r>) {
        res.set_raw_header("X-Content-Type-Options", "nosniff");
        res.set_raw_header("X-Frame-Options", "DENY");
        res.set_raw_header("Referrer-Policy", "same-origin");
        // A response that brings its own, stricter policy keeps it (downloads: a sandbox).
        if res.headers().contains("Content-Security-Policy") {
            return;
        }
        res.set_raw_header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        );
    }
}

struct Started(Instant);

/// Counts every response for `/metrics` and logs it (target `staffel::http`, with its
/// duration; Rocket's own request lines are turned down).
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
        if let Some(app) = req.rocket().state::<App>() {
            app.metrics.observe(res.status().code, elapsed.as_secs_f64());
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

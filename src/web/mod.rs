//! The web shell: templates and pages, static assets, catchers, security headers,
//! metrics and health.
pub mod assets;
pub mod catchers;
pub mod flash;
pub mod health;
pub mod metrics;
pub mod page;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Request, Response};

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

//! The web shell every route uses: pages and their error answers, the form tail
//! (post/redirect/get), the API's JSON bodies, typed path segments, flash messages, static
//! assets, catchers, and the fairings that add security headers and measure every request.
pub mod assets;
pub mod catchers;
pub mod client;
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
/// foreign script, no referrer leaking a provider link to other sites, and no cached JSON.
pub struct SecurityHeaders;

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info { name: "Security headers", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        res.set_raw_header("X-Content-Type-Options", "nosniff");
        // A response with its own framing rule (the widget's dialog, which its configured
        // embedders may frame) keeps it; X-Frame-Options cannot name origins.
        let own_framing = res
            .headers()
            .get_one("Content-Security-Policy")
            .is_some_and(|p| p.contains("frame-ancestors") && !p.contains("frame-ancestors 'none'"));
        if own_framing {
            // Rocket's shield adds SAMEORIGIN; the policy's list is the rule here.
            res.remove_header("X-Frame-Options");
        } else {
            res.set_raw_header("X-Frame-Options", "DENY");
        }
        res.set_raw_header("Referrer-Policy", "same-origin");
        // JSON answers carry tickets, accounts and provider links: no cache (a shared proxy's
        // or the browser's disk) keeps them, as no page is kept. The API's own description
        // is the same for everyone.
        let json = res.content_type().is_some_and(|t| t.is_json());
        if json && !res.headers().contains("Cache-Control") && req.uri().path() != "/api/v1/openapi.json" {
            res.set_raw_header("Cache-Control", "no-store");
        }
        if req.rocket().state::<App>().is_some_and(|app| app.settings.https()) {
            only_over_https(res);
        }
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

/// Behind an https proxy Rocket itself speaks plain http, so it would send session and
/// CSRF cookies without `Secure`: every cookie of the response gets it here, whoever set
/// it, and browsers are told to use https only for a year.
fn only_over_https(res: &mut Response<'_>) {
    res.set_raw_header("Strict-Transport-Security", "max-age=31536000");
    let cookies: Vec<String> = res.headers().get("Set-Cookie").map(str::to_string).collect();
    if cookies.is_empty() {
        return;
    }
    res.remove_header("Set-Cookie");
    for cookie in cookies {
        let secure = cookie.split(';').skip(1).any(|part| part.trim().eq_ignore_ascii_case("secure"));
        res.adjoin_raw_header("Set-Cookie", if secure { cookie } else { format!("{cookie}; Secure") });
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
            path = %loggable_path(req.uri().path().as_str()),
            status = res.status().code,
            micros = elapsed.as_micros() as u64,
        );
    }
}

/// A request path as it may be logged: the segments that are secrets themselves (a
/// provider's link token, a password-reset token) are replaced, so that whoever reads the
/// logs cannot open a ticket's provider view or take over an account with them.
pub fn loggable_path(path: &str) -> String {
    // Segments as routing sees them: empty ones skipped, compared with percent-escapes
    // undone (and logged as they came, so that no escaped line break reaches the log).
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let starts = |prefix: &[&str]| {
        segments.len() > prefix.len()
            && segments.iter().zip(prefix).all(|(s, p)| rocket::http::RawStr::new(s).percent_decode_lossy() == *p)
    };
    let token_at = [&["provider"][..], &["api", "v1", "provider"], &["password", "reset"]]
        .into_iter()
        .find(|prefix| starts(prefix))
        .map(<[&str]>::len);
    let mut logged = String::new();
    for (i, segment) in segments.iter().enumerate() {
        logged.push('/');
        logged.push_str(if Some(i) == token_at { "<redacted>" } else { segment });
    }
    if logged.is_empty() {
        logged.push('/');
    }
    logged
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_segments_are_redacted() {
        for (path, logged) in [
            ("/provider/abc123", "/provider/<redacted>"),
            ("/provider/abc123/attachments/7", "/provider/<redacted>/attachments/7"),
            ("/api/v1/provider/abc123/ack", "/api/v1/provider/<redacted>/ack"),
            ("/password/reset/abc123", "/password/reset/<redacted>"),
            ("//provider//abc123/", "/provider/<redacted>"),
            ("/%70rovider/abc123", "/%70rovider/<redacted>"),
            ("/api/v1/providers", "/api/v1/providers"),
            ("/admin/provider/netz", "/admin/provider/netz"),
            ("/desk/tickets/T-000001", "/desk/tickets/T-000001"),
            ("/", "/"),
        ] {
            assert_eq!(super::loggable_path(path), logged, "{path}");
        }
    }
}

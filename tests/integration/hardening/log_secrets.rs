//! Provider link tokens and password-reset tokens are secrets: the request log names the
//! route with the token replaced, and `/metrics` never holds one.
use std::sync::{Arc, Mutex};

use crate::common::{Backend, TestApp};
use rocket::http::Status;

const TICKET: &str = r#"{"title":"Beamer flackert","description":"Raum 12.","service":"wifi"}"#;
const FORWARD: &str = r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen Sie den Zugang."}"#;

/// What the log subscriber of this thread wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

both_dbs!(
    async fn secret_path_segments_never_reach_the_log_or_the_metrics(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
        app.provider("netz", "Netz GmbH", "16", &["Support <support@netz.de>"], &["wifi"]).await;
        let school = app.token("admin@gym.de").await;
        let desk = app.token("agent@desk.de").await;
        let number = app.open_ticket(&school, TICKET).await;
        app.forward_ticket(&desk, &number, FORWARD).await;
        let link = app.latest_provider_token().await;
        let reset = app.reset_token("admin@gym.de").await;

        // The requests run on this thread (rocket::local dispatches in place), so a
        // subscriber of this thread sees their log lines.
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        let mut browser = app.browser();
        assert_eq!(browser.get(&format!("/provider/{link}")).await.status, Status::Ok);
        assert_eq!(app.api_get(None, &format!("/api/v1/provider/{link}")).await.status, Status::Ok);
        assert_eq!(browser.get(&format!("/password/reset/{reset}")).await.status, Status::Ok);
        let unknown = browser.get(&format!("/provider/{link}/nichts")).await;
        assert_eq!(unknown.status, Status::NotFound);
        drop(guard);

        let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
        assert!(log.contains("/provider/<redacted>"), "{log}");
        assert!(log.contains("/api/v1/provider/<redacted>"), "{log}");
        assert!(log.contains("/password/reset/<redacted>"), "{log}");
        assert!(!log.contains(&link), "a provider token in the log: {log}");
        assert!(!log.contains(&reset), "a reset token in the log: {log}");
        let metrics = app.client.get("/metrics").dispatch().await.into_string().await.unwrap_or_default();
        assert!(!metrics.contains(&link) && !metrics.contains(&reset), "{metrics}");
    }
);

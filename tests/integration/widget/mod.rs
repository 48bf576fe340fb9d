//! The embeddable support widget: which origins it answers (CORS, framing), its badge and
//! script, signed user assertions (accepted once; expired, replayed, tampered ones and
//! unknown or deactivated people refused, logged and audited, with no session), the dialog
//! that fits its reader's level, and the context that reaches the desk as text.
mod assertions;
mod dialog;
mod origins;

use rocket::http::Header;

use crate::common::{Backend, TestApp};

pub const LMS: &str = "https://lms.example.org";
pub const PORTAL: &str = "http://127.0.0.1:8081";
pub const SECRET: &str = "lms-geheimnis-0123456789-abcdefghijklmnop";

pub const TEACHER: &str = "lehrer@gym-a.de";
pub const ADMIN: &str = "admin@gym-a.de";
pub const PUPIL: &str = "schueler@gym-a.de";
pub const AGENT: &str = "anna@desk.de";

/// An app that the LMS (with a secret for assertions) and a portal (without) may embed,
/// with a school, its teacher, admin and pupil, and an agent.
pub async fn widget_app(backend: &Backend) -> TestApp {
    let app = TestApp::with(backend, |f| {
        f.merge(("staffel.widget_origins", format!("{LMS}, {PORTAL}")))
            .merge(("staffel.widget_secrets", format!("{LMS}={SECRET}")))
    })
    .await;
    app.school("gym-a").await;
    app.users(&[
        (TEACHER, "teacher", "gym-a"),
        (ADMIN, "school_admin", "gym-a"),
        (PUPIL, "pupil", "gym-a"),
        (AGENT, "agent", ""),
    ])
    .await;
    app
}

/// What a test reads of a widget answer: status, the headers it names, body.
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A GET with these request headers, read with all response headers.
pub async fn raw_get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut request = app.client.get(path.to_string());
    for (name, value) in headers {
        request = request.header(Header::new(name.to_string(), value.to_string()));
    }
    let response = request.dispatch().await;
    let status = response.status().code;
    let headers = response.headers().iter().map(|h| (h.name().to_string(), h.value().to_string())).collect();
    let body = response.into_string().await.unwrap_or_default();
    Raw { status, headers, body }
}

/// An agent's tab reports in with input: chat is available.
pub async fn agent_online(app: &TestApp) {
    let agent = app.actor(AGENT).await;
    staffel::chat::presence::heartbeat(app.app(), &agent, "widget-tab", true).await.expect("the agent is online");
}

/// An assertion of the LMS for this person, valid for a minute, with a fresh nonce.
pub fn assertion_for(email: &str) -> String {
    let exp = chrono::Utc::now().timestamp() + 60;
    staffel::widget::assertion::sign(SECRET, LMS, email, exp, &staffel::crypto::random_hex(16))
}

/// The query of a dialog opened from the LMS's course page with a context.
pub fn lms_query(context: &str) -> String {
    crate::common::encode(&[("origin", LMS), ("page", "https://lms.example.org/kurs/9b"), ("context", context)])
}

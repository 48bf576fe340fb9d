//! JSON that carries personal data is never cached: `Cache-Control: no-store` on the API
//! (the signed-in person, tickets, a provider's link) and on the desk's change poll.
use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::{Header, Status};

const TICKET: &str = r#"{"title":"Beamer flackert","description":"Raum 12.","service":"wifi"}"#;
const FORWARD: &str = r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen Sie den Zugang."}"#;

/// The status and `Cache-Control` of a GET, with a bearer token or a browser's cookies.
async fn cache_control(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    cookies: Vec<rocket::http::Cookie<'static>>,
) -> (Status, Option<String>) {
    let mut request = app.client.get(path.to_string()).cookies(cookies);
    if let Some(token) = token {
        request = request.header(Header::new("Authorization", format!("Bearer {token}")));
    }
    let response = request.dispatch().await;
    (response.status(), response.headers().get_one("Cache-Control").map(str::to_string))
}

both_dbs!(
    async fn json_with_personal_data_is_sent_no_store(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
        app.provider("netz", "Netz GmbH", "16", &["Support <support@netz.de>"], &["wifi"]).await;
        let school = app.token("admin@gym.de").await;
        let desk = app.token("agent@desk.de").await;
        let number = app.open_ticket(&school, TICKET).await;
        app.forward_ticket(&desk, &number, FORWARD).await;
        let link = app.latest_provider_token().await;

        for path in ["/api/v1/me", "/api/v1/tickets", &format!("/api/v1/tickets/{number}")] {
            assert_eq!(
                cache_control(&app, path, Some(&school), vec![]).await,
                (Status::Ok, Some("no-store".into())),
                "{path}"
            );
        }
        let provider = format!("/api/v1/provider/{link}");
        assert_eq!(cache_control(&app, &provider, None, vec![]).await, (Status::Ok, Some("no-store".into())));
        // An error in JSON is not kept either.
        assert_eq!(
            cache_control(&app, "/api/v1/me", None, vec![]).await,
            (Status::Unauthorized, Some("no-store".into()))
        );
        let agent = app.login("agent@desk.de", PASSWORD).await;
        let cookies = agent.cookies.values().cloned().collect();
        assert_eq!(cache_control(&app, "/desk/changes", None, cookies).await, (Status::Ok, Some("no-store".into())));
    }
);

//! Behind an https proxy (`STAFFEL_BASE_URL=https://…`) every cookie is `Secure` and
//! browsers are told to keep to https; with a plain http base URL neither.
use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::Status;

async fn https_app(backend: &Backend) -> TestApp {
    let app = TestApp::with(backend, |f| f.merge(("staffel.base_url", "https://staffel.test"))).await;
    app.user("o@op.de", "operator", "").await;
    app
}

both_dbs!(
    async fn an_https_base_url_makes_every_cookie_secure(backend: Backend) {
        let app = https_app(&backend).await;
        let mut browser = app.browser();
        let page = browser.get("/login").await;
        let csrf = page.set_cookies.iter().find(|c| c.name() == "staffel_csrf").expect("a CSRF cookie");
        assert_eq!(csrf.secure(), Some(true), "CSRF cookie: {csrf}");
        let login = browser.post_form("/login", &[("email", "o@op.de"), ("password", PASSWORD)]).await;
        assert_eq!(login.status, Status::SeeOther, "{}", login.body);
        assert!(!login.set_cookies.is_empty());
        for cookie in &login.set_cookies {
            assert_eq!(cookie.secure(), Some(true), "{cookie}");
        }
        assert!(login.set_cookies.iter().any(|c| c.name() == "staffel_session"));
        // Still usable: the session works and keeps its other attributes.
        let session = login.set_cookies.iter().find(|c| c.name() == "staffel_session").unwrap();
        assert_eq!(session.http_only(), Some(true), "{session}");
        assert_eq!(browser.get("/admin").await.status, Status::Ok);
    }
);

both_dbs!(
    async fn an_https_base_url_sends_strict_transport_security(backend: Backend) {
        let app = https_app(&backend).await;
        for path in ["/login", "/api/v1/me", "/healthz"] {
            let response = app.client.get(path).dispatch().await;
            let hsts = response.headers().get_one("Strict-Transport-Security").map(str::to_string);
            assert_eq!(hsts.as_deref(), Some("max-age=31536000"), "{path}");
        }
    }
);

both_dbs!(
    async fn a_plain_http_base_url_sends_neither(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let response = app.client.get("/login").dispatch().await;
        assert!(response.headers().get_one("Strict-Transport-Security").is_none());
        let csrf = response.cookies().get("staffel_csrf").expect("a CSRF cookie").clone();
        assert_ne!(csrf.secure(), Some(true), "{csrf}");
    }
);

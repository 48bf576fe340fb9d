//! The login limit per address counts the connection's peer: a forwarding header is
//! believed only from a proxy listed in `STAFFEL_TRUSTED_PROXIES`.
use std::net::SocketAddr;

use crate::common;

use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::{ContentType, Header, Status};

/// Three failures lock an address; accounts get far more.
async fn strict_app(backend: &Backend, trusted: &'static str) -> TestApp {
    let app = TestApp::with(backend, move |f| {
        f.merge(("staffel.login_lock_after_per_address", 3))
            .merge(("staffel.login_lock_after", 100))
            .merge(("staffel.trusted_proxies", trusted))
    })
    .await;
    app.user("o@op.de", "operator", "").await;
    app
}

/// A login from `peer` with a forwarding header; its status.
async fn login_from(app: &TestApp, peer: &str, header: (&str, &str), email: &str, password: &str) -> Status {
    let mut browser = app.browser();
    browser.get("/login").await;
    let body = browser.form_body(&[("email", email), ("password", password)]);
    let request = app
        .client
        .post("/login")
        .remote(peer.parse::<SocketAddr>().expect("a socket address"))
        .header(ContentType::Form)
        .header(Header::new(header.0.to_string(), header.1.to_string()))
        .cookies(browser.cookies.values().cloned().collect::<Vec<_>>())
        .body(body);
    request.dispatch().await.status()
}

both_dbs!(
    async fn a_rotated_forwarding_header_does_not_escape_the_limit_per_address(backend: Backend) {
        let app = strict_app(&backend, "").await;
        for i in 0..3 {
            let claimed = format!("198.51.100.{i}");
            let status = login_from(&app, "203.0.113.5:4000", ("X-Real-IP", &claimed), "x@op.de", "falsch!").await;
            assert_eq!(status, Status::UnprocessableEntity);
        }
        let locked = login_from(&app, "203.0.113.5:4001", ("X-Real-IP", "198.51.100.99"), "o@op.de", PASSWORD).await;
        assert_eq!(locked, Status::TooManyRequests, "the peer is locked, whatever X-Real-IP says");
        let forwarded =
            login_from(&app, "203.0.113.5:4002", ("X-Forwarded-For", "198.51.100.98"), "o@op.de", PASSWORD).await;
        assert_eq!(forwarded, Status::TooManyRequests, "X-Forwarded-For is not believed either");
        // Naming the locked address from elsewhere locks nobody else out.
        let other = login_from(&app, "203.0.113.6:4000", ("X-Real-IP", "203.0.113.5"), "o@op.de", PASSWORD).await;
        assert_eq!(other, Status::SeeOther);
    }
);

both_dbs!(
    async fn a_trusted_proxy_forwards_the_clients_address(backend: Backend) {
        let app = strict_app(&backend, "10.0.0.0/8, ::1").await;
        let proxy = "10.1.2.3:5000";
        for _ in 0..3 {
            let header = ("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.9.9.9");
            assert_eq!(login_from(&app, proxy, header, "x@op.de", "falsch!").await, Status::UnprocessableEntity);
        }
        let same_client = ("X-Forwarded-For", "198.51.100.7");
        assert_eq!(login_from(&app, proxy, same_client, "o@op.de", PASSWORD).await, Status::TooManyRequests);
        let real_ip = ("X-Real-IP", "198.51.100.7");
        assert_eq!(login_from(&app, proxy, real_ip, "o@op.de", PASSWORD).await, Status::TooManyRequests);
        // Another client behind the same proxy, and the proxy's own address, are not locked.
        let another = ("X-Forwarded-For", "198.51.100.8");
        assert_eq!(login_from(&app, proxy, another, "o@op.de", PASSWORD).await, Status::SeeOther);
        assert_eq!(login_from(&app, "10.1.2.3:5001", ("X-Other", "x"), "o@op.de", PASSWORD).await, Status::SeeOther);
    }
);

/// Not a database test: the settings refuse the list before anything opens.
#[test]
fn a_trusted_proxy_list_that_is_no_list_of_addresses_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let figment = common::test_figment(dir.path(), "").merge(("staffel.trusted_proxies", "10.0.0.1, nginx"));
    let refused = staffel::config::Settings::from_figment(&figment).expect_err("refused").to_string();
    assert!(refused.contains("STAFFEL_TRUSTED_PROXIES") && refused.contains("nginx"), "{refused}");
}

//! CLI changes reaching a running `staffel serve` over real HTTP, and mail across a killed
//! server.
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use super::Setup;
use crate::common::{self, Backend};
use sea_orm::EntityTrait;

/// A running `staffel serve`, killed when dropped (also when a test panics).
struct Server {
    child: Child,
    log: PathBuf,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(setup: &Setup, env: &[(&str, &str)]) -> Server {
        let port = common::free_port();
        let log = setup.dir.path().join(format!("serve-{port}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let mut command = setup.command(&["serve"]);
        command
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env("STAFFEL_BASE_URL", format!("http://127.0.0.1:{port}"));
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.stdout(out.try_clone().unwrap()).stderr(out).spawn().expect("start staffel serve");
        Server { child, log, base: format!("http://127.0.0.1:{port}") }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_until_healthy(&mut self, http: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("staffel serve exited ({status}):\n{}", self.log());
            }
            if let Ok(response) = http.get(format!("{}/healthz", self.base)).send().await {
                if response.status() == reqwest::StatusCode::OK {
                    let body: serde_json::Value = response.json().await.unwrap();
                    assert_eq!(body["status"], "ok");
                    return;
                }
            }
            assert!(Instant::now() < deadline, "staffel serve never became healthy:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn csrf_of(html: &str) -> String {
    common::find_csrf(html).unwrap_or_else(|| panic!("no CSRF field in {html}"))
}

/// Signs a demo account in through the login form; returns the path it landed on.
async fn sign_in(http: &reqwest::Client, base: &str, email: &str) -> String {
    let page = http.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let signed_in = http
        .post(format!("{base}/login"))
        .form(&[("_csrf", csrf.as_str()), ("email", email), ("password", staffel::demo::DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), reqwest::StatusCode::OK, "{email}");
    assert_ne!(signed_in.url().path(), "/login", "{email} is signed in");
    signed_in.url().path().to_string()
}

both_dbs!(
    async fn cli_changes_reach_the_running_server(backend: Backend) {
        let setup = Setup::new(&backend).await;
        setup.ok(&["demo"]);
        let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(30)).build().unwrap();
        // Text settings keep their text, even when it looks like a number.
        let mut server =
            Server::start(&setup, &[("STAFFEL_DESK_PHONE", "0301234567"), ("STAFFEL_MEILI_KEY", "123456")]);
        server.wait_until_healthy(&http).await;

        // While it runs: a school, a user in it, a token for the user.
        setup.ok(&["school", "add", "--slug", "live-schule", "--name", "Live-Schule am Park"]);
        setup.ok(&[
            "user",
            "add",
            "--email",
            "live@live-schule.de",
            "--name",
            "Live Lehrer",
            "--role",
            "teacher",
            "--school",
            "live-schule",
            "--password",
            "ein-sicheres-passwort",
        ]);
        let token = setup.ok(&["token", "new", "--email", "live@live-schule.de"]);
        let token = token.trim();

        let me = http.get(format!("{}/api/v1/me", server.base)).bearer_auth(token).send().await.unwrap();
        assert_eq!(me.status(), reqwest::StatusCode::OK, "{}", server.log());
        let me: serde_json::Value = me.json().await.unwrap();
        assert_eq!(me["email"], "live@live-schule.de");
        assert_eq!(me["name"], "Live Lehrer");
        assert_eq!(me["role"], "teacher");
        assert_eq!(me["school"], "live-schule");
        let anonymous = http.get(format!("{}/api/v1/me", server.base)).send().await.unwrap();
        assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED);

        // The demo operator (a printed login) sees the new school on the admin page.
        let landed = sign_in(&http, &server.base, "operator@staffel.demo").await;
        assert_eq!(landed, "/admin", "the operator's start page");
        let schools = http.get(format!("{}/admin/schools", server.base)).send().await.unwrap();
        assert_eq!(schools.status(), reqwest::StatusCode::OK);
        let schools = schools.text().await.unwrap();
        assert!(schools.contains("Live-Schule am Park"), "{schools}");
        assert!(schools.contains("Gymnasium Mitte"), "demo schools too");

        // A school admin's helpdesk tile shows the configured phone number as written.
        let admin = reqwest::Client::builder().cookie_store(true).build().unwrap();
        sign_in(&admin, &server.base, "admin@gym-mitte.demo").await;
        let tile = admin.get(format!("{}/helpdesk", server.base)).send().await.unwrap().text().await.unwrap();
        assert!(tile.contains("0301234567"), "{tile}");

        // Metrics are served by the binary as well.
        let metrics = http.get(format!("{}/metrics", server.base)).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("staffel_http_requests_total"), "{metrics}");

        drop(server);
    }
);

// ---------------------------------------------------------------------------------------

/// The outbox row of the one mail in this test's database.
async fn only_mail(setup: &Setup) -> Option<entities::mail_outbox::Model> {
    let db = setup.db().await;
    let rows = entities::mail_outbox::Entity::find().all(&db).await.unwrap();
    let _ = db.close().await;
    assert!(rows.len() <= 1, "{rows:?}");
    rows.into_iter().next()
}

both_dbs!(
    /// No message lost or doubled across a mail-server outage and a process kill.
    async fn mail_survives_an_outage_and_a_killed_server(backend: Backend) {
        let setup = Setup::new(&backend).await;
        setup.ok(&["demo"]);
        let smtp_port = common::free_port();
        let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
        let mail_env = [
            ("STAFFEL_MAIL", "smtp"),
            ("STAFFEL_SMTP_URL", smtp_url.as_str()),
            ("STAFFEL_MAIL_POLL_MS", "100"),
            ("STAFFEL_MAIL_RETRY_BASE_SECS", "1"),
            ("STAFFEL_MAIL_MAX_ATTEMPTS", "50"),
        ];
        let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(30)).build().unwrap();
        let mut server = Server::start(&setup, &mail_env);
        server.wait_until_healthy(&http).await;

        let page = http.get(format!("{}/password/forgot", server.base)).send().await.unwrap().text().await.unwrap();
        let asked = http
            .post(format!("{}/password/forgot", server.base))
            .form(&[("_csrf", csrf_of(&page).as_str()), ("email", "lehrer@gym-mitte.demo")])
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), reqwest::StatusCode::OK);

        // The server's worker tries, and fails: nothing listens for SMTP yet.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(row) = only_mail(&setup).await {
                if row.attempts >= 1 && row.last_error.is_some() && row.claimed_until.is_none() {
                    assert_eq!(row.status.as_str(), "pending");
                    break;
                }
            }
            assert!(Instant::now() < deadline, "the worker never tried:\n{}", server.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Killed, not stopped.
        drop(server);
        let row = only_mail(&setup).await.expect("the mail is still there");
        assert_ne!(row.status.as_str(), "sent");
        assert_ne!(row.status.as_str(), "failed");

        // The mail server comes back, and so does Staffel.
        let smtp = common::SmtpServer::start_on(smtp_port);
        let mut server = Server::start(&setup, &mail_env);
        server.wait_until_healthy(&http).await;
        // A killed worker's claim lasts two minutes; the deadline allows for one.
        let deadline = Instant::now() + Duration::from_secs(200);
        loop {
            let row = only_mail(&setup).await.unwrap();
            if row.status.as_str() == "sent" {
                assert!(row.sent_at.is_some());
                break;
            }
            assert_eq!(row.status.as_str(), "pending");
            assert!(Instant::now() < deadline, "never delivered: {row:?}\n{}", server.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(server);
        let messages = smtp.messages();
        assert_eq!(messages.len(), 1, "delivered exactly once");
        assert_eq!(messages[0].to, vec!["lehrer@gym-mitte.demo".to_string()]);
        let raw = String::from_utf8_lossy(&messages[0].data);
        let row = only_mail(&setup).await.unwrap();
        assert!(raw.contains(&row.message_id), "{raw}");
    }
);

//! CLI changes reaching a running `staffel serve` over real HTTP, and mail across a killed
//! server.
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use super::Setup;
use crate::common::{self, Backend};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A running `staffel serve`, killed when dropped (also when a test panics).
pub(super) struct Server {
    pub(super) child: Child,
    log: PathBuf,
    pub(super) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub(super) fn start(setup: &Setup, env: &[(&str, &str)]) -> Server {
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

    pub(super) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub(super) async fn wait_until_healthy(&mut self, http: &reqwest::Client) {
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

pub(super) fn csrf_of(html: &str) -> String {
    common::find_csrf(html).unwrap_or_else(|| panic!("no CSRF field in {html}"))
}

/// Signs a demo account in through the login form; returns the path it landed on.
pub(super) async fn sign_in(http: &reqwest::Client, base: &str, email: &str) -> String {
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
        // One account, not the demo: the demo's story leaves mails of its own in the outbox.
        setup.ok(&["school", "add", "--slug", "gym-mitte", "--name", "Gymnasium Mitte"]);
        setup.ok(&[
            "user",
            "add",
            "--email",
            "lehrer@gym-mitte.demo",
            "--name",
            "Jonas Lehmann",
            "--role",
            "teacher",
            "--school",
            "gym-mitte",
            "--password",
            staffel::demo::DEMO_PASSWORD,
        ]);
        let smtp_port = common::free_port();
        let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
        let mail_env = [
            ("STAFFEL_MAIL", "smtp"),
            ("STAFFEL_SMTP_URL", smtp_url.as_str()),
            ("STAFFEL_MAIL_POLL_MS", "100"),
            ("STAFFEL_MAIL_RETRY_BASE_SECS", "1"),
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

both_dbs!(
    /// The CLI writes while a serving instance is busy writing too: every command succeeds
    /// without "database is locked", nothing either side wrote is lost. (SQLite has one
    /// writer: both processes wait their turn instead of failing.)
    #[worker_threads(2)]
    async fn cli_writes_beside_a_busy_server_lose_nothing(backend: Backend) {
        let setup = Setup::new(&backend).await;
        setup.ok(&["demo"]);
        let token = setup.ok(&["token", "new", "--email", "admin@gym-mitte.demo"]).trim().to_string();
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let mut server = Server::start(&setup, &[]);
        server.wait_until_healthy(&http).await;
        let tickets_before = {
            let db = setup.db().await;
            entities::ticket::Entity::find().count(&db).await.unwrap()
        };

        // The server's load: tickets opened one after another, two at a time, until told.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writers = Vec::new();
        for writer in 0..2 {
            let (http, base, token, stop) = (http.clone(), server.base.clone(), token.clone(), stop.clone());
            writers.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) || n < 5 {
                    n += 1;
                    let body = serde_json::json!({
                        "title": format!("Last {writer}-{n}: Drucker streikt"),
                        "description": "Papierstau im Lehrerzimmer, seit heute früh.",
                    });
                    let answer =
                        http.post(format!("{base}/api/v1/tickets")).bearer_auth(&token).json(&body).send().await;
                    statuses.push(answer.map(|a| a.status().as_u16()).unwrap_or(0));
                }
                statuses
            }));
        }

        // The CLI meanwhile: users added and the FAQ imported, each a write of its own.
        let cli = tokio::task::spawn_blocking({
            let setup_dir = setup.dir.path().to_path_buf();
            let database_url = setup.database_url.clone();
            move || {
                let mut runs = Vec::new();
                let run = |args: &[&str]| {
                    let url = (!database_url.is_empty()).then_some(database_url.as_str());
                    let data = setup_dir.join("data");
                    common::cli::staffel_command(args, &setup_dir, &data, url).output().expect("run staffel")
                };
                for n in 0..8 {
                    let email = format!("last{n}@gym-mitte.demo");
                    runs.push(run(&[
                        "user",
                        "add",
                        "--email",
                        &email,
                        "--name",
                        "Last Lehrer",
                        "--role",
                        "teacher",
                        "--school",
                        "gym-mitte",
                        "--password",
                        "ein-sicheres-passwort",
                    ]));
                    if n % 4 == 0 {
                        runs.push(run(&["kb", "import"]));
                    }
                }
                runs
            }
        })
        .await
        .unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut statuses = Vec::new();
        for writer in writers {
            statuses.extend(writer.await.unwrap());
        }

        for output in &cli {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "a CLI write failed beside the server: {stderr}");
            assert!(!stderr.contains("locked") && !stderr.contains("busy"), "{stderr}");
        }
        let refused: Vec<_> = statuses.iter().filter(|s| **s != 201).collect();
        assert!(refused.is_empty(), "the server's writes failed under the CLI: {refused:?}\n{}", server.log());
        let log = server.log();
        assert!(!log.contains("database is locked"), "{log}");
        let db = setup.db().await;
        let tickets = entities::ticket::Entity::find().count(&db).await.unwrap();
        assert_eq!(tickets - tickets_before, statuses.len() as u64, "every acknowledged ticket is stored");
        for n in 0..8 {
            let email = format!("last{n}@gym-mitte.demo");
            let found = entities::user::Entity::find()
                .filter(entities::user::Column::Email.eq(email.as_str()))
                .one(&db)
                .await
                .unwrap();
            assert!(found.is_some(), "{email} was added");
        }
        drop(server);
    }
);

//! The `staffel` binary itself: every SPEC §11 command spelling against a fresh data dir
//! (SQLite, and PostgreSQL when `STAFFEL_TEST_PG` is set), refusals that change nothing,
//! and CLI changes reaching a running `staffel serve` over real HTTP.
mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Backend, PgDatabase};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tempfile::TempDir;

/// A data dir (and database) of its own for the commands of one test.
struct Setup {
    dir: TempDir,
    database_url: String,
    _pg: Option<PgDatabase>,
}

/// How many of each record there are; a refused command must leave these alone.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    schools: u64,
    users: u64,
    providers: u64,
    contacts: u64,
    provider_services: u64,
    tokens: u64,
    services: u64,
    audit: u64,
}

struct Run {
    success: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            success: output.status.success(),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Setup {
    async fn new(backend: &Backend) -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = match backend {
            Backend::Postgres(admin) => Some(PgDatabase::create(admin).await),
            Backend::Sqlite => None,
        };
        Setup { dir, database_url: pg.as_ref().map(|p| p.url.clone()).unwrap_or_default(), _pg: pg }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `staffel ARGS` with this setup's configuration, from a directory without a
    /// Rocket.toml, speaking English (the C locale).
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_staffel"));
        for (key, _) in std::env::vars() {
            if key.starts_with("STAFFEL_") || key.starts_with("ROCKET_") || key.starts_with("LC_") {
                command.env_remove(key);
            }
        }
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("STAFFEL_DATA_DIR", self.data_dir())
            .env("LANG", "C.UTF-8")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        if !self.database_url.is_empty() {
            command.env("STAFFEL_DATABASE_URL", &self.database_url);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        self.command(args).output().expect("run staffel").into()
    }

    /// Runs a command that must succeed; returns its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(run.success, "staffel {args:?} failed ({:?}):\n{}\n{}", run.code, run.stdout, run.stderr);
        run.stdout
    }

    /// Runs a command that must fail with a message; returns its standard error.
    fn fails(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(!run.success, "staffel {args:?} should have failed:\n{}", run.stdout);
        assert_ne!(run.code, Some(0));
        assert!(!run.stderr.trim().is_empty(), "staffel {args:?} failed without a message");
        assert!(!run.stderr.contains("panicked"), "staffel {args:?} panicked:\n{}", run.stderr);
        run.stderr
    }

    async fn db(&self) -> DatabaseConnection {
        let settings = staffel::config::Settings {
            data_dir: self.data_dir(),
            database_url: self.database_url.clone(),
            ..Default::default()
        };
        staffel::db::connect(&settings).await.expect("connect")
    }

    async fn counts(&self) -> Counts {
        let db = self.db().await;
        let counts = Counts {
            schools: entities::school::Entity::find().count(&db).await.unwrap(),
            users: entities::user::Entity::find().count(&db).await.unwrap(),
            providers: entities::provider::Entity::find().count(&db).await.unwrap(),
            contacts: entities::provider_contact::Entity::find().count(&db).await.unwrap(),
            provider_services: entities::provider_service::Entity::find().count(&db).await.unwrap(),
            tokens: entities::api_token::Entity::find().count(&db).await.unwrap(),
            services: entities::service::Entity::find().count(&db).await.unwrap(),
            audit: entities::audit_event::Entity::find().count(&db).await.unwrap(),
        };
        let _ = db.close().await;
        counts
    }
}

// ---------------------------------------------------------------------------------------

async fn every_documented_command_works(backend: Backend) {
    let setup = Setup::new(&backend).await;

    let out = setup.ok(&["migrate"]);
    assert!(out.contains("up to date"), "{out}");
    if setup.database_url.is_empty() {
        assert!(setup.data_dir().join("staffel.db").exists(), "SQLite in the data dir");
    }
    let empty = setup.counts().await;
    assert_eq!((empty.schools, empty.users, empty.providers), (0, 0, 0));
    assert!(empty.services > 0, "the service catalogue is set up");
    setup.ok(&["migrate"]);
    assert_eq!(setup.counts().await, empty, "migrating twice changes nothing");
    // Text settings may look like numbers or booleans.
    let run: Run = setup
        .command(&["migrate"])
        .env("STAFFEL_MEILI_KEY", "123456")
        .env("STAFFEL_DESK_PHONE", "0301234567")
        .env("STAFFEL_DESK_HOURS", "true")
        .output()
        .unwrap()
        .into();
    assert!(run.success, "{}", run.stderr);

    // demo: idempotent, prints every login.
    let expected = staffel::demo::SCHOOLS.len() + staffel::demo::USERS.len() + staffel::demo::PROVIDERS.len();
    let first = setup.ok(&["demo"]);
    assert!(first.contains(&format!("({expected} new records)")), "{first}");
    let after_demo = setup.counts().await;
    let second = setup.ok(&["demo"]);
    assert!(second.contains("(0 new records)"), "{second}");
    assert_eq!(setup.counts().await, after_demo, "the second run adds nothing");
    for out in [&first, &second] {
        assert!(out.contains(staffel::demo::DEMO_PASSWORD), "{out}");
        for (email, _, role, _) in staffel::demo::USERS {
            let line =
                out.lines().find(|l| l.contains(email)).unwrap_or_else(|| panic!("{email} is not printed:\n{out}"));
            assert!(line.contains(role), "{line}");
        }
        for (slug, ..) in staffel::demo::PROVIDERS {
            assert!(out.contains(slug), "{slug} is not printed:\n{out}");
        }
    }
    assert_eq!(after_demo.users - empty.users, staffel::demo::USERS.len() as u64);

    // school add
    let out = setup.ok(&["school", "add", "--slug", "rs-west", "--name", "Realschule West"]);
    assert!(out.contains("rs-west"), "{out}");
    let db = setup.db().await;
    let school = staffel::schools::service::find_by_slug(&db, "rs-west").await.unwrap().expect("the school exists");
    assert_eq!(school.name, "Realschule West");
    assert!(school.active);

    // user add, with and without a school
    setup.ok(&[
        "user",
        "add",
        "--email",
        "Lehrerin@RS-West.de",
        "--name",
        "Frau Weber",
        "--role",
        "teacher",
        "--school",
        "rs-west",
        "--password",
        "ein-sicheres-passwort",
    ]);
    setup.ok(&[
        "user",
        "add",
        "--email",
        "neu@desk.de",
        "--name",
        "Neuer Agent",
        "--role",
        "agent",
        "--password",
        "ein-sicheres-passwort",
    ]);
    let teacher = staffel::accounts::service::find_by_email(&db, "lehrerin@rs-west.de")
        .await
        .unwrap()
        .expect("the teacher exists");
    assert_eq!(teacher.name, "Frau Weber");
    assert_eq!(teacher.role, "teacher");
    assert_eq!(teacher.school_id, Some(school.id));
    let agent = staffel::accounts::service::find_by_email(&db, "neu@desk.de").await.unwrap().expect("the agent exists");
    assert_eq!(agent.role, "agent");
    assert_eq!(agent.school_id, None);
    assert!(
        staffel::auth::password::verify("ein-sicheres-passwort".into(), agent.password_hash.clone()).await,
        "the password was set"
    );

    // provider add, with two contacts and two services
    let out = setup.ok(&[
        "provider",
        "add",
        "--slug",
        "it-west",
        "--name",
        "IT West GmbH",
        "--email",
        "support@it-west.de",
        "--email",
        "Hotline <hotline@it-west.de>",
        "--service",
        "wifi",
        "--service",
        "lms",
    ]);
    assert!(out.contains("it-west"), "{out}");
    let providers = staffel::catalogue::providers::list(&db, false).await.unwrap();
    let provider = providers.iter().find(|p| p.slug == "it-west").expect("the provider exists");
    assert_eq!(provider.name, "IT West GmbH");
    let mut emails: Vec<&str> = provider.contacts.iter().map(|c| c.email.as_str()).collect();
    emails.sort();
    assert_eq!(emails, ["hotline@it-west.de", "support@it-west.de"]);
    let mut services = provider.services.clone();
    services.sort();
    assert_eq!(services, ["lms", "wifi"]);

    // token new: prints a token that works
    let out = setup.ok(&["token", "new", "--email", "lehrerin@rs-west.de"]);
    let token = out.trim();
    assert!(!token.is_empty() && !token.contains(char::is_whitespace), "{out}");
    let actor = staffel::auth::session::actor_for_token(&db, token).await.expect("the printed token authenticates");
    assert_eq!(actor.email, "lehrerin@rs-west.de");
    let other = setup.ok(&["token", "new", "--email", "lehrerin@rs-west.de"]);
    assert_ne!(other.trim(), token, "every token is new");
    let _ = db.close().await;
}

#[rocket::async_test]
async fn documented_commands() {
    on_each_backend!(every_documented_command_works);
}

// ---------------------------------------------------------------------------------------

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let setup = Setup::new(&backend).await;
    setup.ok(&["school", "add", "--slug", "gym", "--name", "Gymnasium"]);
    let before = setup.counts().await;
    assert_eq!(before.schools, 1);

    let cases: &[(&[&str], &str)] = &[
        (&["school", "add", "--slug", "gym", "--name", "Noch ein Gymnasium"], "slug: The slug “gym” is already taken."),
        (&["school", "add", "--slug", "Kein Slug!", "--name", "X"], "slug:"),
        (
            &[
                "user",
                "add",
                "--email",
                "t@x.de",
                "--name",
                "T",
                "--role",
                "teacher",
                "--school",
                "nirgendwo",
                "--password",
                "ein-sicheres-passwort",
            ],
            "school: There is no (active) school “nirgendwo”.",
        ),
        (
            &[
                "user",
                "add",
                "--email",
                "t@x.de",
                "--name",
                "T",
                "--role",
                "teacher",
                "--password",
                "ein-sicheres-passwort",
            ],
            "school:",
        ),
        (
            &[
                "user",
                "add",
                "--email",
                "a@x.de",
                "--name",
                "A",
                "--role",
                "agent",
                "--school",
                "gym",
                "--password",
                "ein-sicheres-passwort",
            ],
            "school: The service desk and operators belong to no school.",
        ),
        (
            &[
                "user",
                "add",
                "--email",
                "t@x.de",
                "--name",
                "T",
                "--role",
                "teacher",
                "--school",
                "gym",
                "--password",
                "kurz",
            ],
            "password: The password needs at least",
        ),
        (
            &[
                "user",
                "add",
                "--email",
                "t@x.de",
                "--name",
                "T",
                "--role",
                "king",
                "--password",
                "ein-sicheres-passwort",
            ],
            "role: Unknown role.",
        ),
        (
            &[
                "user",
                "add",
                "--email",
                "kein-at-zeichen",
                "--name",
                "T",
                "--role",
                "agent",
                "--password",
                "ein-sicheres-passwort",
            ],
            "email:",
        ),
        (
            &[
                "provider",
                "add",
                "--slug",
                "p1",
                "--name",
                "P",
                "--email",
                "p@p.de",
                "--service",
                "wifi",
                "--service",
                "gibtsnicht",
            ],
            "services: There is no service “gibtsnicht”.",
        ),
        (&["provider", "add", "--slug", "p1", "--name", "P", "--email", "keine-adresse"], "contacts:"),
        (
            &["token", "new", "--email", "niemand@x.de"],
            "email: There is no active account with the address niemand@x.de.",
        ),
        // Missing and unknown arguments: clap explains.
        (&["user", "add", "--email", "t@x.de", "--name", "T", "--role", "agent"], "--password"),
        (&["provider", "add", "--slug", "p2", "--name", "P"], "--email"),
        (&["school", "remove", "--slug", "gym"], "remove"),
    ];
    for (args, message) in cases {
        let stderr = setup.fails(args);
        assert!(stderr.contains(message), "staffel {args:?}: expected {message:?} in\n{stderr}");
        assert_eq!(setup.counts().await, before, "staffel {args:?} changed something");
    }

    // Taken addresses, too, and nothing changes.
    setup.ok(&[
        "user",
        "add",
        "--email",
        "t@gym.de",
        "--name",
        "T",
        "--role",
        "teacher",
        "--school",
        "gym",
        "--password",
        "ein-sicheres-passwort",
    ]);
    let before = setup.counts().await;
    let stderr = setup.fails(&[
        "user",
        "add",
        "--email",
        "T@gym.de",
        "--name",
        "T2",
        "--role",
        "pupil",
        "--school",
        "gym",
        "--password",
        "ein-sicheres-passwort",
    ]);
    assert!(stderr.contains("email: This email address is already taken."), "{stderr}");
    assert_eq!(setup.counts().await, before);

    // Bad configuration is named, and nothing starts.
    for (key, value, message) in [
        ("STAFFEL_MAIL", "bogus", "STAFFEL_MAIL"),
        ("STAFFEL_MAIL_POLL_MS", "oft", "MAIL_POLL_MS"),
        ("STAFFEL_DATABASE_URL", "mysql://localhost/x", "STAFFEL_DATABASE_URL must start with sqlite: or postgres://"),
        ("STAFFEL_BASE_URL", "staffel.schule", "STAFFEL_BASE_URL must be an absolute URL"),
    ] {
        let run: Run = setup
            .command(&["school", "add", "--slug", "neu", "--name", "Neu"])
            .env(key, value)
            .output()
            .unwrap()
            .into();
        assert!(!run.success, "{key}={value}");
        assert!(run.stderr.contains(message), "{key}={value}: {}", run.stderr);
    }
    let run: Run = setup.command(&["migrate"]).env("STAFFEL_MAIL", "smtp").output().unwrap().into();
    assert!(!run.success);
    assert!(run.stderr.contains("STAFFEL_MAIL=smtp needs STAFFEL_SMTP_URL"), "{}", run.stderr);
    assert_eq!(setup.counts().await, before);

    // The messages speak the shell's language.
    let german =
        setup.command(&["school", "add", "--slug", "gym", "--name", "X"]).env("LANG", "de_DE.UTF-8").output().unwrap();
    assert!(!german.status.success());
    let stderr = String::from_utf8_lossy(&german.stderr);
    assert!(stderr.contains("bereits vergeben"), "{stderr}");
    // An empty LC_ALL counts as unset (POSIX): LANG decides.
    let german = setup
        .command(&["school", "add", "--slug", "gym", "--name", "X"])
        .env("LC_ALL", "")
        .env("LANG", "de_DE.UTF-8")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&german.stderr);
    assert!(stderr.contains("bereits vergeben"), "{stderr}");
    let german = setup
        .command(&["school", "add", "--slug", "gym", "--name", "X"])
        .env("LC_MESSAGES", "de_AT.UTF-8")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&german.stderr);
    assert!(stderr.contains("bereits vergeben"), "{stderr}");
    let english = setup
        .command(&["school", "add", "--slug", "gym", "--name", "X"])
        .env("LC_ALL", "en_GB.UTF-8")
        .env("LANG", "de_DE.UTF-8")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&english.stderr);
    assert!(stderr.contains("already taken"), "{stderr}");
    assert_eq!(setup.counts().await, before);
}

#[rocket::async_test]
async fn bad_input() {
    on_each_backend!(bad_input_is_refused_and_changes_nothing);
}

// ---------------------------------------------------------------------------------------

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

async fn cli_changes_reach_the_running_server(backend: Backend) {
    let setup = Setup::new(&backend).await;
    setup.ok(&["demo"]);
    let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(30)).build().unwrap();
    // Text settings keep their text, even when it looks like a number.
    let mut server = Server::start(&setup, &[("STAFFEL_DESK_PHONE", "0301234567"), ("STAFFEL_MEILI_KEY", "123456")]);
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

#[rocket::async_test]
async fn cli_while_serving() {
    on_each_backend!(cli_changes_reach_the_running_server);
}

// ---------------------------------------------------------------------------------------

/// The outbox row of the one mail in this test's database.
async fn only_mail(setup: &Setup) -> Option<entities::mail_outbox::Model> {
    let db = setup.db().await;
    let rows = entities::mail_outbox::Entity::find().all(&db).await.unwrap();
    let _ = db.close().await;
    assert!(rows.len() <= 1, "{rows:?}");
    rows.into_iter().next()
}

/// SPEC §10: no message lost or doubled across a mail-server outage and a process kill.
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
                assert_eq!(row.status, "pending");
                break;
            }
        }
        assert!(Instant::now() < deadline, "the worker never tried:\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Killed, not stopped.
    drop(server);
    let row = only_mail(&setup).await.expect("the mail is still there");
    assert_ne!(row.status, "sent");
    assert_ne!(row.status, "failed");

    // The mail server comes back, and so does Staffel.
    let smtp = common::SmtpServer::start_on(smtp_port);
    let mut server = Server::start(&setup, &mail_env);
    server.wait_until_healthy(&http).await;
    // A killed worker's claim lasts two minutes; the deadline allows for one.
    let deadline = Instant::now() + Duration::from_secs(200);
    loop {
        let row = only_mail(&setup).await.unwrap();
        if row.status == "sent" {
            assert!(row.sent_at.is_some());
            break;
        }
        assert_eq!(row.status, "pending");
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

#[rocket::async_test]
async fn mail_across_a_kill() {
    on_each_backend!(mail_survives_an_outage_and_a_killed_server);
}

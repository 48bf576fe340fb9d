//! `TestApp`: the real `staffel::build()` on a fresh database (SQLite in a temp dir, or a
//! fresh PostgreSQL database when `STAFFEL_TEST_PG` is set), mail into a temp outbox,
//! background jobs off so tests drive them; plus helpers that sign in through the real
//! login form and keep cookies like a browser.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tempfile::TempDir;

pub mod uploads;

pub const SECRET: &str = "8f1c2b7e4a9d0c3f6e5b8a7d2c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f";
pub const PASSWORD: &str = "richtig-gutes-passwort";

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

static PG_NOTICE: Once = Once::new();

/// SQLite always; PostgreSQL too when `STAFFEL_TEST_PG` holds a server URL. Without it
/// the suite says so loudly, once.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    match std::env::var("STAFFEL_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => list.push(Backend::Postgres(url.trim().to_string())),
        _ => PG_NOTICE.call_once(|| {
            eprintln!(
                "\n!!! STAFFEL_TEST_PG is not set: these tests run on SQLite ONLY and SKIP PostgreSQL.\n\
                 !!! Set STAFFEL_TEST_PG=postgres://postgres@127.0.0.1:5432/postgres to test both.\n"
            )
        }),
    }
    list
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh PostgreSQL database, dropped (with its connections) when this is dropped.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create(admin_url: &str) -> PgDatabase {
        let name = format!(
            "staffel_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            staffel::auth::tokens::random_hex(4)
        );
        let admin = Database::connect(admin_url).await.expect("connect to STAFFEL_TEST_PG");
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
        let _ = admin.close().await;
        let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or_else(|| admin_url.to_string());
        PgDatabase { admin_url: admin_url.to_string(), url: format!("{base}/{name}"), name }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a separate thread with its own runtime can
        // block on the DROP without upsetting it.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub client: Client,
    pub backend: Backend,
    pub dir: TempDir,
    pub pg: Option<PgDatabase>,
}

/// The figment a test app runs with: fixed secret, quiet logs, its own data dir and
/// database, jobs off, no login delays.
pub fn test_figment(dir: &std::path::Path, database_url: &str) -> Figment {
    staffel::config::figment()
        .merge(("secret_key", SECRET))
        .merge(("log_level", "off"))
        .merge(("staffel.data_dir", dir.display().to_string()))
        .merge(("staffel.database_url", database_url))
        .merge(("staffel.mail", "file"))
        .merge(("staffel.run_jobs", false))
        .merge(("staffel.login_delay_ms", 0))
        .merge(("staffel.base_url", "http://staffel.test"))
}

impl TestApp {
    pub async fn new(backend: &Backend) -> TestApp {
        TestApp::with(backend, |f| f).await
    }

    /// A test app whose figment the test may adjust further.
    pub async fn with(backend: &Backend, adjust: impl FnOnce(Figment) -> Figment) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = match backend {
            Backend::Postgres(admin) => Some(PgDatabase::create(admin).await),
            Backend::Sqlite => None,
        };
        let url = pg.as_ref().map(|p| p.url.clone()).unwrap_or_default();
        let figment = adjust(test_figment(dir.path(), &url));
        let client = Client::untracked(staffel::build(figment)).await.expect("Staffel ignites");
        TestApp { client, backend: backend.clone(), dir, pg }
    }

    pub fn db(&self) -> &DatabaseConnection {
        self.client.rocket().state::<DatabaseConnection>().expect("database in state")
    }

    pub fn settings(&self) -> &staffel::config::Settings {
        self.client.rocket().state::<staffel::config::Settings>().expect("settings in state")
    }

    pub async fn school(&self, slug: &str) {
        staffel::schools::service::create(self.db(), staffel::audit::By::Cli, slug, &format!("Schule {slug}"))
            .await
            .expect("create school");
    }

    /// Creates a user with `PASSWORD`; `school` is a slug or "".
    pub async fn user(&self, email: &str, role: &str, school: &str) {
        let input = staffel::accounts::service::UserInput {
            email: email.into(),
            name: format!("Test {role}"),
            role: role.into(),
            school: school.into(),
            language: "de".into(),
            password: PASSWORD.into(),
        };
        staffel::accounts::service::create_user(self.db(), staffel::audit::By::Cli, input).await.expect("create user");
    }

    /// A browser without a session yet.
    pub fn browser(&self) -> Browser<'_> {
        Browser { app: self, cookies: HashMap::new(), csrf: String::new() }
    }

    /// A browser signed in through the real login form.
    pub async fn login(&self, email: &str, password: &str) -> Browser<'_> {
        let mut browser = self.browser();
        let response = browser.post_form("/login", &[("email", email), ("password", password)]).await;
        assert_eq!(response.status, Status::SeeOther, "login of {email} failed: {}", response.body);
        browser
    }

    /// A new API token for an existing user.
    pub async fn token(&self, email: &str) -> String {
        staffel::accounts::api_tokens::create(self.db(), staffel::audit::By::Cli, email, "test").await.expect("token")
    }

    pub async fn api_get(&self, token: Option<&str>, path: &str) -> Reply {
        let mut request = self.client.get(path.to_string());
        if let Some(token) = token {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        Reply::read(request.dispatch().await).await
    }

    pub async fn api_send(
        &self,
        method: rocket::http::Method,
        token: Option<&str>,
        path: &str,
        body: &str,
        content_type: ContentType,
    ) -> Reply {
        let mut request = self.client.req(method, path.to_string()).header(content_type).body(body);
        if let Some(token) = token {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        Reply::read(request.dispatch().await).await
    }

    /// The mails the file transport has written, in delivery order.
    pub fn outbox_files(&self) -> Vec<String> {
        let dir = self.dir.path().join("outbox");
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "eml")).collect())
            .unwrap_or_default();
        names.sort();
        names.into_iter().map(|p| std::fs::read_to_string(p).unwrap_or_default()).collect()
    }

    /// Runs one pass of the mail worker with the app's transport.
    pub async fn deliver_mail(&self) -> staffel::mail::worker::Pass {
        let worker = staffel::mail::worker::Worker {
            db: self.db().clone(),
            transport: self.client.rocket().state::<staffel::mail::Transport>().expect("transport").clone(),
            settings: self.settings().clone(),
            metrics: None,
            write_turn: self.client.rocket().state::<std::sync::Arc<staffel::db::WriteTurn>>().expect("turn").clone(),
        };
        worker.deliver_due().await.expect("outbox pass")
    }
}

/// What a test reads from a response.
#[derive(Debug)]
pub struct Reply {
    pub status: Status,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
    pub set_cookies: Vec<Cookie<'static>>,
}

impl Reply {
    pub async fn read(response: LocalResponse<'_>) -> Reply {
        let status = response.status();
        let location = response.headers().get_one("Location").map(str::to_string);
        let content_type = response.content_type().map(|c| c.to_string());
        let set_cookies = response.cookies().iter().map(|c| c.clone().into_owned()).collect();
        let body = response.into_string().await.unwrap_or_default();
        Reply { status, location, content_type, body, set_cookies }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Cookies and the CSRF token of one person's browser.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: HashMap<String, Cookie<'static>>,
    pub csrf: String,
}

impl Browser<'_> {
    fn keep(&mut self, reply: &Reply) {
        for cookie in &reply.set_cookies {
            let expired = cookie.max_age().is_some_and(|a| a.is_zero() || a.is_negative())
                || cookie.expires_datetime().is_some_and(|t| t < rocket::time::OffsetDateTime::now_utc());
            if expired || cookie.value().is_empty() {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies.insert(cookie.name().to_string(), cookie.clone());
            }
        }
        if let Some(token) = find_csrf(&reply.body) {
            self.csrf = token;
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self.app.client.get(path.to_string()).cookies(self.cookies.values().cloned().collect::<Vec<_>>());
        let reply = Reply::read(request.dispatch().await).await;
        self.keep(&reply);
        reply
    }

    /// Posts a form the way a browser would after showing the page: with the CSRF token
    /// (fetched from a page first if this browser has none yet).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        if self.csrf.is_empty() {
            self.get("/login").await;
        }
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let body = encode(&all);
        self.post_raw(path, &body, ContentType::Form).await
    }

    pub async fn post_raw(&mut self, path: &str, body: &str, content_type: ContentType) -> Reply {
        let request = self
            .app
            .client
            .post(path.to_string())
            .header(content_type)
            .cookies(self.cookies.values().cloned().collect::<Vec<_>>())
            .body(body);
        let reply = Reply::read(request.dispatch().await).await;
        self.keep(&reply);
        reply
    }
}

pub fn encode(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter()).finish()
}

pub fn find_csrf(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// Runs a test body once per backend.
#[macro_export]
macro_rules! on_each_backend {
    ($body:expr) => {
        for backend in common::backends() {
            eprintln!("-- backend: {}", backend.name());
            $body(backend).await;
        }
    };
}

// ---- Added for tests/mail.rs, tests/cli.rs and tests/api.rs: restarts and fresh workers ----

impl TestApp {
    /// A new Rocket on this app's data dir and database, as after a process restart; the
    /// old one is dropped first.
    pub async fn restart(self, adjust: impl FnOnce(Figment) -> Figment) -> TestApp {
        let TestApp { client, backend, dir, pg } = self;
        drop(client);
        let url = pg.as_ref().map(|p| p.url.clone()).unwrap_or_default();
        let figment = adjust(test_figment(dir.path(), &url));
        let client = Client::untracked(staffel::build(figment)).await.expect("Staffel ignites again");
        TestApp { client, backend, dir, pg }
    }

    /// A mail worker with a transport of its own, built from the settings the way a newly
    /// started process builds it.
    pub fn fresh_mail_worker(&self) -> staffel::mail::worker::Worker {
        staffel::mail::worker::Worker {
            db: self.db().clone(),
            transport: staffel::mail::Transport::from_settings(self.settings()).expect("transport from settings"),
            settings: self.settings().clone(),
            metrics: None,
            write_turn: std::sync::Arc::new(staffel::db::WriteTurn::for_db(self.db())),
        }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// What an in-process SMTP server received: the envelope and the raw message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Clone)]
struct Collect {
    inbox: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    current: Option<Received>,
}

impl mailin_embedded::Handler for Collect {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> mailin_embedded::Response {
        self.current = Some(Received { from: from.to_string(), to: to.to_vec(), data: Vec::new() });
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        if let Some(done) = self.current.take() {
            self.inbox.lock().unwrap().push(done);
        }
        mailin_embedded::response::OK
    }
}

/// An SMTP server in this process (mailin-embedded on a std thread) that keeps every
/// message it accepts. It serves until the test process ends.
pub struct SmtpServer {
    pub port: u16,
    inbox: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

impl SmtpServer {
    /// A server on a port of its own.
    pub fn start() -> SmtpServer {
        SmtpServer::serve(std::net::TcpListener::bind("127.0.0.1:0").expect("bind an SMTP port"))
    }

    /// A server on this port (one that the test found free earlier).
    pub fn start_on(port: u16) -> SmtpServer {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match std::net::TcpListener::bind(("127.0.0.1", port)) {
                Ok(listener) => return SmtpServer::serve(listener),
                Err(e) if std::time::Instant::now() < deadline => {
                    eprintln!("port {port} not free yet: {e}");
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => panic!("cannot bind SMTP port {port}: {e}"),
            }
        }
    }

    fn serve(listener: std::net::TcpListener) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let inbox = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let handler = Collect { inbox: inbox.clone(), current: None };
        let mut server = mailin_embedded::Server::new(handler);
        server.with_name("smtp.test").with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer { port, inbox }
    }

    /// `smtp://127.0.0.1:PORT`, for `staffel.smtp_url` / `STAFFEL_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}

// ---- end of the section for tests/mail.rs, tests/cli.rs and tests/api.rs ----

// ---- Added for tests/access_matrix.rs and tests/bad_input.rs: raw requests, browser copies,
// ---- reset links, expected messages and a fingerprint of the whole database ----

impl<'a> Browser<'a> {
    /// A copy of this browser (cookies and CSRF token): what it does leaves the original's
    /// cookies alone (its server-side session is still shared, of course).
    pub fn fork(&self) -> Browser<'a> {
        Browser { app: self.app, cookies: self.cookies.clone(), csrf: self.csrf.clone() }
    }

    /// A urlencoded form body that starts with this browser's CSRF token.
    pub fn form_body(&self, fields: &[(&str, &str)]) -> String {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        encode(&all)
    }

    /// Any request with this browser's cookies: raw bytes as the body, an optional content
    /// type and extra headers (`Accept-Language`, `Authorization`, ...).
    pub async fn send(
        &mut self,
        method: rocket::http::Method,
        path: &str,
        body: Vec<u8>,
        content_type: Option<ContentType>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .app
            .client
            .req(method, path.to_string())
            .cookies(self.cookies.values().cloned().collect::<Vec<_>>())
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header(content_type);
        }
        for (name, value) in headers {
            request = request.header(Header::new(name.to_string(), value.to_string()));
        }
        let reply = Reply::read(request.dispatch().await).await;
        self.keep(&reply);
        reply
    }
}

impl TestApp {
    /// A fresh, valid password-reset link token for the user with this email (as if they
    /// had asked for one by mail).
    pub async fn reset_token(&self, email: &str) -> String {
        use sea_orm::{ActiveModelTrait, Set};
        let user = staffel::accounts::service::find_by_email(self.db(), email)
            .await
            .expect("look up user")
            .expect("user exists");
        let token = staffel::auth::tokens::random_hex(32);
        let now = chrono::Utc::now();
        entities::password_reset::ActiveModel {
            user_id: Set(user.id),
            token_hash: Set(staffel::auth::tokens::hash(&token)),
            created_at: Set(now),
            expires_at: Set(now + chrono::Duration::minutes(30)),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(self.db())
        .await
        .expect("insert reset");
        token
    }

    /// The id of the user with this email.
    pub async fn user_id(&self, email: &str) -> i32 {
        staffel::accounts::service::find_by_email(self.db(), email)
            .await
            .expect("look up user")
            .expect("user exists")
            .id
    }

    /// Every row of every table (found in the database's own catalogue, so new tables count
    /// too) except the login throttle's, where a failed login counts on purpose; each row as
    /// `table: JSON`, sorted. Equal fingerprints mean nothing was changed.
    pub async fn fingerprint(&self) -> String {
        use sea_orm::{DbBackend, Statement};
        let db = self.db();
        let backend = db.get_database_backend();
        let texts = |sql: String| async move {
            db.query_all_raw(Statement::from_string(backend, sql))
                .await
                .expect("read the database")
                .iter()
                .map(|row| row.try_get_by_index::<String>(0).expect("text column"))
                .collect::<Vec<String>>()
        };
        let tables = texts(match backend {
            DbBackend::Postgres => "SELECT table_name::text FROM information_schema.tables \
                                    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                .to_string(),
            _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'".to_string(),
        })
        .await;
        let mut all = Vec::new();
        for table in tables.iter().filter(|t| *t != "login_attempts" && *t != "seaql_migrations") {
            let rows = match backend {
                DbBackend::Postgres => texts(format!("SELECT row_to_json(t)::text FROM \"{table}\" t")).await,
                _ => {
                    let columns = texts(format!("SELECT name FROM pragma_table_info('{table}')")).await;
                    let list = columns.iter().map(|c| format!("'{c}', \"{c}\"")).collect::<Vec<_>>().join(", ");
                    texts(format!("SELECT json_object({list}) FROM \"{table}\"")).await
                }
            };
            all.extend(rows.into_iter().map(|row| format!("{table}: {row}")));
        }
        all.sort();
        all.join("\n")
    }
}

/// A catalogue message with `{arg}` filled in, HTML-escaped the way the templates print it.
pub fn html_message(lang: staffel::i18n::Lang, key: &str, arg: &str) -> String {
    assert!(staffel::i18n::has_key(key), "no catalogue key {key}");
    tera::escape_html(&staffel::i18n::tr_arg(lang, key, arg))
}

/// A catalogue message with `{arg}` filled in, as the JSON API sends it.
pub fn text_message(lang: staffel::i18n::Lang, key: &str, arg: &str) -> String {
    assert!(staffel::i18n::has_key(key), "no catalogue key {key}");
    staffel::i18n::tr_arg(lang, key, arg)
}

// ---- end of the section for tests/access_matrix.rs and tests/bad_input.rs ----

// ---- Added for tests/kb.rs and tests/search.rs: article files, imports and the search engine ----

/// Writes an article file (with any folders) under `dir`.
pub fn write_article(dir: &std::path::Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folder");
    std::fs::write(path, text).expect("write article");
}

/// A complete article text: front matter lines (without the `---`) and a Markdown body.
pub fn article_text(front_matter: &str, body: &str) -> String {
    format!("---\n{}\n---\n\n{body}\n", front_matter.trim())
}

impl TestApp {
    /// The app's search engine.
    pub fn engine(&self) -> staffel::search::Engine {
        self.client.rocket().state::<staffel::search::Engine>().expect("engine in state").clone()
    }

    /// Imports every article file under `dir` the way `staffel kb import DIR` does.
    pub async fn import_articles(&self, dir: &std::path::Path) -> staffel::kb::import::ImportReport {
        let files = staffel::kb::import::read_dir(dir).expect("read article dir");
        staffel::kb::import::import(self.db(), staffel::audit::By::Cli, files, || {}).await.expect("import")
    }

    /// One pass of the server's search sync over every article (as the running server
    /// does every few seconds).
    pub async fn sync_search(&self) {
        staffel::search::sync::sync_changes(self.db(), &self.engine(), chrono::DateTime::UNIX_EPOCH)
            .await
            .expect("search sync");
    }
}

// ---- end of the section for tests/kb.rs and tests/search.rs ----

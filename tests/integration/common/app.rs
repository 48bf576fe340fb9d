//! `TestApp`: the real `staffel::build()` on a fresh database (SQLite in a temp dir, or a
//! fresh PostgreSQL database when `STAFFEL_TEST_PG` is set), mail into a temp outbox,
//! background jobs off so tests drive them. The library items tests reach into (managed
//! state, accounts, the mail worker, imports) are reached through here, so that a change
//! of their shape in `src/` is mended in one place.
use std::collections::HashMap;

use rocket::figment::Figment;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::Client;
use sea_orm::DatabaseConnection;
use tempfile::TempDir;

use super::{Backend, Browser, PgDatabase, Reply, PASSWORD, SECRET};

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
            Backend::Postgres(admin) => Some(PgDatabase::migrated(admin).await),
            Backend::Sqlite => None,
        };
        let url = pg.as_ref().map(|p| p.url.clone()).unwrap_or_default();
        let figment = adjust(test_figment(dir.path(), &url));
        let client = Client::untracked(staffel::build(figment)).await.expect("Staffel ignites");
        TestApp { client, backend: backend.clone(), dir, pg }
    }

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

    /// The application context the server runs with (the one thing in managed state).
    pub fn app(&self) -> &staffel::app::App {
        self.client.rocket().state::<staffel::app::App>().expect("App in state")
    }

    /// The server's database for reads (and for a test's own direct writes).
    pub fn db(&self) -> &DatabaseConnection {
        self.app().db.read()
    }

    /// The server's database as services take it (writes in its turn).
    pub fn store(&self) -> &staffel::db::Db {
        &self.app().db
    }

    pub fn settings(&self) -> &staffel::config::Settings {
        &self.app().settings
    }

    /// The app's search engine.
    pub fn engine(&self) -> staffel::search::Engine {
        self.app().search.clone()
    }

    // ---- schools and people ----

    pub async fn school(&self, slug: &str) {
        staffel::schools::service::create(self.store(), staffel::audit::By::Cli, slug, &format!("Schule {slug}"))
            .await
            .expect("create school");
    }

    /// Renames a school and opens or closes it, as an operator does.
    pub async fn update_school(&self, slug: &str, name: &str, active: bool) {
        staffel::schools::service::update(self.store(), staffel::audit::By::Cli, slug, name, active)
            .await
            .expect("update school");
    }

    pub async fn find_school(&self, slug: &str) -> Option<entities::school::Model> {
        staffel::schools::service::find_by_slug(self.db(), slug).await.expect("look up school")
    }

    /// Creates a user with `PASSWORD`; `school` is a slug or "".
    pub async fn user(&self, email: &str, role: &str, school: &str) {
        self.user_named(email, &format!("Test {role}"), role, school, "de").await;
    }

    /// Creates every (email, role, school slug or "") with `PASSWORD`.
    pub async fn users(&self, people: &[(&str, &str, &str)]) {
        for (email, role, school) in people {
            self.user(email, role, school).await;
        }
    }

    /// Creates a user with `PASSWORD`, a name and a language of the test's choosing.
    pub async fn user_named(&self, email: &str, name: &str, role: &str, school: &str, language: &str) {
        let input = staffel::accounts::service::UserInput {
            email: email.into(),
            name: name.into(),
            role: role.into(),
            school: school.into(),
            language: language.into(),
            password: PASSWORD.into(),
        };
        staffel::accounts::service::create_user(self.store(), staffel::audit::By::Cli, input)
            .await
            .expect("create user");
    }

    pub async fn find_user(&self, email: &str) -> Option<entities::user::Model> {
        staffel::accounts::service::find_by_email(self.db(), email).await.expect("look up user")
    }

    /// The id of the user with this email.
    pub async fn user_id(&self, email: &str) -> i32 {
        self.find_user(email).await.expect("user exists").id
    }

    /// The signed-in person the services act for.
    pub async fn actor(&self, email: &str) -> staffel::auth::Actor {
        staffel::auth::session::load_actor(self.store(), self.user_id(email).await)
            .await
            .expect("load actor")
            .expect("actor is active")
    }

    pub async fn set_active(&self, email: &str, active: bool) {
        let id = self.user_id(email).await;
        staffel::accounts::service::set_active(self.store(), staffel::audit::By::Cli, id, active)
            .await
            .expect("set active");
    }

    /// A new API token for an existing user.
    pub async fn token(&self, email: &str) -> String {
        staffel::accounts::api_tokens::create(self.store(), staffel::audit::By::Cli, email, "test")
            .await
            .expect("token")
    }

    /// A fresh, valid password-reset link token for the user with this email (as if they
    /// had asked for one by mail).
    pub async fn reset_token(&self, email: &str) -> String {
        use sea_orm::{ActiveModelTrait, Set};
        let user = self.find_user(email).await.expect("user exists");
        let token = staffel::crypto::random_hex(32);
        let now = chrono::Utc::now();
        entities::password_reset::ActiveModel {
            user_id: Set(user.id),
            token_hash: Set(staffel::crypto::hash(&token)),
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

    // ---- browsers and API calls ----

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

    pub async fn api_get(&self, token: Option<&str>, path: &str) -> Reply {
        let mut request = self.client.get(path.to_string());
        if let Some(token) = token {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        Reply::read(request.dispatch().await).await
    }

    pub async fn api_send(
        &self,
        method: Method,
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

    /// A POST of a JSON body to the API.
    pub async fn api_post(&self, token: Option<&str>, path: &str, json: &str) -> Reply {
        self.api_send(Method::Post, token, path, json, ContentType::JSON).await
    }

    // ---- mail ----

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
            db: self.store().clone(),
            transport: self.app().transport.clone(),
            settings: self.app().settings.clone(),
            metrics: None,
        };
        worker.deliver_due().await.expect("outbox pass")
    }

    /// A mail worker with a transport of its own, built from the settings the way a newly
    /// started process builds it.
    pub fn fresh_mail_worker(&self) -> staffel::mail::worker::Worker {
        staffel::mail::worker::Worker {
            db: self.store().clone(),
            transport: staffel::mail::Transport::from_settings(self.settings()).expect("transport from settings"),
            settings: self.app().settings.clone(),
            metrics: None,
        }
    }

    // ---- the FAQ and its search index ----

    /// Writes the searches that found nothing, as the server's job does every few seconds;
    /// how many distinct queries.
    pub async fn flush_missed_searches(&self) -> usize {
        staffel::kb::service::flush_misses(self.store(), &self.app().misses).await.expect("flush missed searches")
    }

    /// Imports every article file under `dir` the way `staffel kb import DIR` does.
    pub async fn import_articles(&self, dir: &std::path::Path) -> staffel::kb::import::ImportReport {
        let files = staffel::kb::import::read_dir(dir).expect("read article dir");
        staffel::kb::import::import(self.store(), staffel::audit::By::Cli, files, || {}).await.expect("import")
    }

    /// One pass of the server's search sync over every article (as the running server
    /// does every few seconds).
    pub async fn sync_search(&self) {
        self.sync_search_since(chrono::DateTime::UNIX_EPOCH).await;
    }

    /// One pass of the search sync over the articles changed since `mark`; the next mark.
    pub async fn sync_search_since(&self, mark: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        staffel::search::sync::sync_changes(self.db(), &self.engine(), mark).await.expect("search sync")
    }
}

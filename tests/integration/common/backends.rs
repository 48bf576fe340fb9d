//! Which databases a test runs on, a fresh PostgreSQL database per test, and `both_dbs!`,
//! which makes one test of a body that takes the backend.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};

use sea_orm::{ConnectionTrait, Database};

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
            loud_notice(
                "\n!!! STAFFEL_TEST_PG is not set: these tests run on SQLite ONLY and SKIP PostgreSQL.\n\
                 !!! Set STAFFEL_TEST_PG=postgres://postgres@127.0.0.1:5432/postgres to test both.\n\n",
            )
        }),
    }
    list
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A runtime for a few blocking database statements outside a test's runtime (at the
/// start of a test or in a `Drop`, where the test's runtime must not be blocked on).
fn side_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

/// The server part of a PostgreSQL URL, for the URL of another database on it.
fn server_of(admin_url: &str) -> &str {
    admin_url.rsplit_once('/').map(|(server, _)| server).unwrap_or(admin_url)
}

/// A PostgreSQL database of its own for one test, dropped (with its connections) when this
/// is dropped.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    /// An empty database, as a first `staffel migrate` finds it.
    pub async fn create(admin_url: &str) -> PgDatabase {
        PgDatabase::copy_of(admin_url, "template1").await
    }

    /// A database with every migration applied, copied from this process's template: what
    /// a fresh database is once the app has migrated it, without running the migrations
    /// again for every test.
    pub async fn migrated(admin_url: &str) -> PgDatabase {
        PgDatabase::copy_of(admin_url, migrated_template(admin_url)).await
    }

    async fn copy_of(admin_url: &str, template: &str) -> PgDatabase {
        // SAFETY: atexit only keeps the address of a function without arguments, which is
        // safe Rust itself.
        AT_EXIT.call_once(|| unsafe {
            atexit(clean_up_at_exit);
        });
        let name = format!(
            "staffel_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            staffel::crypto::random_hex(4)
        );
        let admin = Database::connect(admin_url).await.expect("connect to STAFFEL_TEST_PG");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
            .expect("create test database");
        let _ = admin.close().await;
        PgDatabase { admin_url: admin_url.to_string(), url: format!("{}/{name}", server_of(admin_url)), name }
    }
}

impl Drop for PgDatabase {
    /// The database goes in the background, so that the test need not wait for the server
    /// to end the app's connections; the process waits for every such drop at exit.
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropping = std::thread::spawn(move || side_runtime().block_on(drop_database(&admin_url, &name)));
        PENDING_DROPS.lock().unwrap_or_else(|e| e.into_inner()).push(dropping);
    }
}

/// Databases being dropped, for the exit to wait for.
static PENDING_DROPS: Mutex<Vec<std::thread::JoinHandle<()>>> = Mutex::new(Vec::new());

async fn drop_database(admin_url: &str, name: &str) {
    if let Ok(admin) = Database::connect(admin_url).await {
        let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        let _ = admin.close().await;
    }
}

/// The admin URL and name of this process's migrated template, for dropping it at exit.
static TEMPLATE: OnceLock<(String, String)> = OnceLock::new();

/// The name of this process's migrated template database, made on first use: migrated the
/// way the app migrates, then closed to connections (a template must have none while it is
/// copied). It is dropped when the process exits.
fn migrated_template(admin_url: &str) -> &'static str {
    let (_, name) = TEMPLATE.get_or_init(|| {
        let name = format!("staffel_template_{}_{}", std::process::id(), staffel::crypto::random_hex(4));
        let (server, template) = (admin_url.to_string(), name.clone());
        std::thread::spawn(move || side_runtime().block_on(make_template(&server, &template)))
            .join()
            .expect("make the migrated template");
        (admin_url.to_string(), name)
    });
    name
}

async fn make_template(admin_url: &str, name: &str) {
    let admin = Database::connect(admin_url).await.expect("connect to STAFFEL_TEST_PG");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create the template");
    let mut options = sea_orm::ConnectOptions::new(format!("{}/{name}", server_of(admin_url)));
    options.sqlx_logging(false);
    let template = staffel::db::Db::new(Database::connect(options).await.expect("connect to the template"));
    staffel::db::migrate(&template).await.expect("migrate the template");
    template.read().clone().close().await.expect("close the template");
    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"))
        .await
        .expect("close the template to connections");
    let _ = admin.close().await;
}

extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
}

static AT_EXIT: Once = Once::new();

/// When the test process ends: wait for the test databases still being dropped, then drop
/// the template, which outlived every test.
extern "C" fn clean_up_at_exit() {
    for dropping in std::mem::take(&mut *PENDING_DROPS.lock().unwrap_or_else(|e| e.into_inner())) {
        let _ = dropping.join();
    }
    if let Some((admin_url, name)) = TEMPLATE.get() {
        let _ = std::thread::spawn(move || side_runtime().block_on(drop_database(admin_url, name))).join();
    }
}

/// Writes straight to standard error, past the test harness's capture: a notice that must
/// be seen even when every test passes.
pub fn loud_notice(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Runs one test's body on each backend at once, each in a thread of its own (named after
/// the test and the backend, so a panic names both) on a runtime as `#[rocket::async_test]`
/// builds it, with `workers` worker threads. The test fails naming every backend it failed
/// on: a failure on SQLite does not hide one on PostgreSQL.
pub fn on_each_backend<F: std::future::Future<Output = ()>>(
    test: &str,
    workers: usize,
    body: impl Fn(Backend) -> F + Sync,
) {
    let body = &body;
    let failed: Vec<&str> = std::thread::scope(|scope| {
        let runs: Vec<_> = backends()
            .into_iter()
            .map(|backend| {
                let name = backend.name();
                let run = std::thread::Builder::new()
                    .name(format!("{test} on {name}"))
                    .spawn_scoped(scope, move || {
                        let runtime = tokio::runtime::Builder::new_multi_thread()
                            .worker_threads(workers)
                            .max_blocking_threads(32)
                            .enable_all()
                            .build()
                            .expect("a test runtime");
                        let outcome =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.block_on(body(backend))));
                        runtime.shutdown_timeout(std::time::Duration::from_millis(500));
                        outcome.is_ok()
                    })
                    .expect("a thread for the backend");
                (name, run)
            })
            .collect();
        runs.into_iter().filter_map(|(name, run)| (!run.join().unwrap_or(false)).then_some(name)).collect()
    });
    assert!(failed.is_empty(), "{test} failed on {} (the panic above says why)", failed.join(" and "));
}

/// `both_dbs!(async fn name(backend: Backend) { … });` is the test `name`: its body runs on
/// SQLite and, when `STAFFEL_TEST_PG` is set, on PostgreSQL (see `on_each_backend`).
/// `#[worker_threads(n)]` after the doc comment gives the runtime n worker threads.
macro_rules! both_dbs {
    ($(#[doc = $doc:literal])* #[worker_threads($workers:literal)]
     async fn $name:ident($backend:ident: $backend_type:ty) $body:block) => {
        $(#[doc = $doc])*
        #[test]
        fn $name() {
            async fn test_body($backend: $backend_type) $body
            $crate::common::on_each_backend(concat!(module_path!(), "::", stringify!($name)), $workers, test_body);
        }
    };
    ($(#[doc = $doc:literal])* async fn $name:ident($backend:ident: $backend_type:ty) $body:block) => {
        both_dbs!($(#[doc = $doc])* #[worker_threads(1)] async fn $name($backend: $backend_type) $body);
    };
}

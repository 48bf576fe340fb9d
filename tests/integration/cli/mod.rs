//! The `staffel` binary itself: every documented command spelling against a fresh data dir
//! (SQLite, and PostgreSQL when `STAFFEL_TEST_PG` is set), refusals that change nothing,
//! and CLI changes reaching a running `staffel serve` over real HTTP.
mod commands;
mod db_outage;
mod demo_story;
mod killed_intake;
mod refusals;
mod serve;

use crate::common;

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::common::{Backend, PgDatabase};
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
    tickets: u64,
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
        let database_url = (!self.database_url.is_empty()).then_some(self.database_url.as_str());
        common::cli::staffel_command(args, self.dir.path(), &self.data_dir(), database_url)
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
        staffel::db::connect(&settings).await.expect("connect").read().clone()
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
            tickets: entities::ticket::Entity::find().count(&db).await.unwrap(),
        };
        let _ = db.close().await;
        counts
    }
}

/// `staffel migrate` on the setup's fresh data dir and database.
fn migrate(setup: &Setup) {
    let out = setup.ok(&["migrate"]);
    assert!(out.contains("up to date"), "{out}");
}

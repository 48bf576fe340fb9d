//! A statement that runs away on PostgreSQL is cancelled by the server after
//! `STAFFEL_DB_STATEMENT_TIMEOUT_SECS`, and its request answers 503 (busy, try again) —
//! not a 500, and not a connection held for ever. Migrations are not bound by it.
use sea_orm::ConnectionTrait;
use std::time::{Duration, Instant};

use crate::common::{self, Backend, TestApp};

#[tokio::test]
async fn a_runaway_statement_is_cancelled_and_answers_503() {
    let Some(admin) = common::backends().into_iter().find_map(|b| match b {
        Backend::Postgres(url) => Some(url),
        Backend::Sqlite => None,
    }) else {
        common::loud_notice("!!! SKIPPED faults::statement_timeout (PostgreSQL only): STAFFEL_TEST_PG is not set.\n");
        return;
    };
    let app = TestApp::with(&Backend::Postgres(admin), |f| f.merge(("staffel.db_statement_timeout_secs", 1))).await;
    let started = Instant::now();
    let failed = app.db().execute_unprepared("SELECT pg_sleep(5)").await.expect_err("cancelled");
    assert!(started.elapsed() < Duration::from_secs(4), "cancelled after {:?}", started.elapsed());
    let error = staffel::error::AppError::from(failed);
    assert_eq!(error.status(), rocket::http::Status::ServiceUnavailable, "{}", error.chain());
    // The connection is good for the next statement.
    app.db().execute_unprepared("SELECT 1").await.expect("the pool goes on");
}

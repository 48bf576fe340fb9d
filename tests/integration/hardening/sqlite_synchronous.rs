//! `STAFFEL_SQLITE_SYNCHRONOUS` reaches SQLite's connections: `full` by default, so that an
//! acknowledged write survives a power cut, `normal` by choice; anything else is refused
//! with a message naming the setting.
use crate::common::{self, Backend, TestApp};
use sea_orm::{ConnectionTrait, Statement};

async fn synchronous(app: &TestApp) -> i64 {
    let db = app.db();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "PRAGMA synchronous"))
        .await
        .unwrap()
        .expect("a row");
    row.try_get_by_index::<i64>(0).unwrap()
}

both_dbs!(
    async fn sqlite_synchronous_is_full_by_default_and_normal_by_choice(backend: Backend) {
        if matches!(backend, Backend::Postgres(_)) {
            // A SQLite setting: PostgreSQL starts with it and ignores it.
            TestApp::with(&backend, |f| f.merge(("staffel.sqlite_synchronous", "normal"))).await;
            return;
        }
        let by_default = TestApp::new(&backend).await;
        // Every connection of the pool, not just the first.
        for _ in 0..8 {
            assert_eq!(synchronous(&by_default).await, 2, "FULL");
        }
        let full = TestApp::with(&backend, |f| f.merge(("staffel.sqlite_synchronous", "full"))).await;
        assert_eq!(synchronous(&full).await, 2);
        let normal = TestApp::with(&backend, |f| f.merge(("staffel.sqlite_synchronous", "normal"))).await;
        assert_eq!(synchronous(&normal).await, 1, "NORMAL");
    }
);

#[test]
fn an_unknown_sqlite_synchronous_is_refused_by_name() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let out = common::cli::staffel_command(&["migrate"], work.path(), &data, None)
        .env("STAFFEL_SQLITE_SYNCHRONOUS", "off")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("STAFFEL_SQLITE_SYNCHRONOUS must be full or normal, not \"off\""), "{stderr}");
    assert!(!data.join("staffel.db").exists(), "nothing created");
}

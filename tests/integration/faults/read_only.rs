//! A data directory that cannot be written (issue #13: `/healthz` said ok while it was
//! read-only; a start on it failed with whatever wrote first). The directory is bind-mounted
//! read-only over itself, as a file system remounted read-only after errors; this needs a
//! mount (root with CAP_SYS_ADMIN, as in the project's container) and is skipped with a
//! notice elsewhere. SQLite only: the database file is what lives in the directory.
use super::{healthz, serve_until_exit, skipped, staffel_ok, until_healthy, writes_blocked_gauge, ReadOnly};
use crate::common::{Backend, TestApp};

#[rocket::async_test]
async fn healthz_reports_writes_blocked_while_the_data_dir_is_read_only() {
    let app = TestApp::new(&Backend::Sqlite).await;
    assert_eq!(healthz(&app).await.0, 200);
    let Some(read_only) = ReadOnly::mount(app.dir.path()) else {
        return skipped("healthz_reports_writes_blocked_while_the_data_dir_is_read_only", "cannot mount here");
    };
    // The last probe's finding stands for a moment; the next one finds the directory read-only.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let (status, body) = loop {
        let (status, body) = healthz(&app).await;
        if status != 200 || std::time::Instant::now() > deadline {
            break (status, body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(status, 503, "{body}");
    assert_eq!(body, serde_json::json!({ "status": "degraded", "writes": "blocked", "reason": "read-only" }));
    assert_eq!(writes_blocked_gauge(&app).await, "1");
    drop(read_only);
    until_healthy(&app).await;
    assert_eq!(writes_blocked_gauge(&app).await, "0");
}

#[test]
fn staffel_serve_on_a_read_only_data_dir_refuses_with_a_message_and_harms_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    staffel_ok(dir.path(), &data, &["demo"]);
    let before = std::fs::read(data.join("staffel.db")).unwrap();
    let Some(read_only) = ReadOnly::mount(&data) else {
        return skipped("staffel_serve_on_a_read_only_data_dir…", "cannot mount here");
    };
    let ended = serve_until_exit(dir.path(), &data);
    drop(read_only);
    assert!(!ended.success, "staffel serve must refuse:\n{}", ended.output);
    assert!(
        ended.output.contains(&format!("the data directory {} cannot be written", data.display())),
        "{}",
        ended.output
    );
    assert!(!ended.output.contains("panicked"), "{}", ended.output);
    assert_eq!(std::fs::read(data.join("staffel.db")).unwrap(), before, "the database is untouched");
    // And once writable again, it starts as before.
    staffel_ok(dir.path(), &data, &["migrate"]);
}

//! Storage faults (issue #13): a full disk, a read-only data directory, damaged files.
//! What they share: making SQLite's writes "full", a data directory made read-only for a
//! while, and the real `staffel serve` run until it exits.
mod damaged_db;
mod disk_full;
mod read_only;
mod search_index;
mod statement_timeout;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

use crate::common::TestApp;

/// SQLite's default `max_page_count`: no limit below the file format's own.
const UNLIMITED_PAGES: i64 = 4_294_967_294;

/// Lets SQLite's write connection grow the database by no page more (`Some(0)`), or
/// lifts the limit (`None`). SQLite then answers SQLITE_FULL exactly as on a full disk;
/// every write of the process goes through that one connection.
async fn limit_growth(app: &TestApp, more_pages: Option<i64>) {
    let txn = app.store().write().await.expect("the write turn");
    let pages = match more_pages {
        Some(more) => {
            let row = txn.query_one_raw(sqlite("PRAGMA page_count")).await.unwrap().expect("a page count");
            row.try_get_by_index::<i64>(0).unwrap() + more
        }
        None => UNLIMITED_PAGES,
    };
    txn.execute_unprepared(&format!("PRAGMA max_page_count = {pages}")).await.expect("set max_page_count");
    // A pragma of the connection, not of the transaction: nothing to commit.
    drop(txn);
}

fn sqlite(sql: &str) -> sea_orm::Statement {
    sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, sql)
}

/// `/healthz` as a load balancer sees it: the status and the body.
async fn healthz(app: &TestApp) -> (u16, serde_json::Value) {
    let reply = app.api_get(None, "/healthz").await;
    (reply.status.code, serde_json::from_str(&reply.body).unwrap_or_default())
}

/// The `staffel_writes_blocked` gauge of `/metrics`.
async fn writes_blocked_gauge(app: &TestApp) -> String {
    let metrics = app.api_get(None, "/metrics").await.body;
    metrics
        .lines()
        .find(|l| l.starts_with("staffel_writes_blocked "))
        .unwrap_or_else(|| panic!("no staffel_writes_blocked in {metrics}"))
        .trim_start_matches("staffel_writes_blocked ")
        .to_string()
}

/// Waits (a few probe intervals at most) until `/healthz` says ok again.
async fn until_healthy(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = healthz(app).await;
        if status == 200 {
            assert_eq!(body["status"], "ok", "{body}");
            return;
        }
        assert!(Instant::now() < deadline, "/healthz never recovered: {status} {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A data directory mounted read-only over itself until dropped: what a file system
/// remounted read-only after errors looks like. (Tests run as root, which ignores file
/// modes, so a mode would prove nothing.) Files already open for writing keep working;
/// nothing new can be written under the directory.
struct ReadOnly {
    dir: PathBuf,
}

impl ReadOnly {
    /// None where this process may not mount (no CAP_SYS_ADMIN): the caller says so and
    /// skips.
    fn mount(dir: &Path) -> Option<ReadOnly> {
        let bind = Command::new("mount").arg("--bind").arg(dir).arg(dir).stderr(Stdio::null()).status().ok()?;
        if !bind.success() {
            return None;
        }
        let ro = ReadOnly { dir: dir.to_path_buf() };
        let remount =
            Command::new("mount").args(["-o", "remount,bind,ro"]).arg(dir).stderr(Stdio::null()).status().ok()?;
        remount.success().then_some(ro)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        // Lazily: a file opened through the mount meanwhile (a new pool connection under
        // load) makes a plain umount fail as busy, and the directory stayed read-only.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

fn skipped(test: &str, why: &str) {
    crate::common::loud_notice(&format!("\n!!! {test} SKIPPED: {why}\n\n"));
}

/// A run of the real `staffel ARGS` that ended by itself within a minute.
struct Ended {
    success: bool,
    output: String,
}

/// Runs `staffel serve` on this data dir and waits for it to exit (a server that starts
/// is killed after a minute, and the test fails on its success).
fn serve_until_exit(cwd: &Path, data_dir: &Path) -> Ended {
    let port = crate::common::free_port();
    let log = cwd.join(format!("serve-{port}.log"));
    let out = std::fs::File::create(&log).unwrap();
    let mut child = crate::common::cli::staffel_command(&["serve"], cwd, data_dir, None)
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("start staffel serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ended { success: status.success(), output: std::fs::read_to_string(&log).unwrap_or_default() }
}

/// Runs `staffel ARGS` on this data dir to its end; panics unless it succeeds.
fn staffel_ok(cwd: &Path, data_dir: &Path, args: &[&str]) {
    let output = crate::common::cli::staffel_command(args, cwd, data_dir, None).output().expect("run staffel");
    assert!(output.status.success(), "staffel {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

//! A damaged `staffel.db` is refused at start by the real `staffel serve`, with a message
//! naming the file and the remedy, and exit code ≠ 0 (issue #13: a garbage header or a
//! file cut to half started and served, a zero-length file started as an empty
//! installation). SQLite only: the damage is to SQLite's file.
use std::path::Path;

use super::{serve_until_exit, staffel_ok};

/// A data dir with a migrated database (and the demo data, so that it has some size).
fn installed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    staffel_ok(dir.path(), &dir.path().join("data"), &["demo"]);
    dir
}

fn refused(dir: &Path, what: &str) {
    let db = dir.join("data").join("staffel.db");
    let ended = serve_until_exit(dir, &dir.join("data"));
    assert!(!ended.success, "{what}: staffel serve must refuse to start:\n{}", ended.output);
    let output = &ended.output;
    assert!(output.contains(&db.display().to_string()), "{what}: the message names the file:\n{output}");
    assert!(output.contains("Restore it from a backup, or move it away"), "{what}: the remedy:\n{output}");
    assert!(!output.contains("panicked"), "{what}: a message, not a panic:\n{output}");
}

#[test]
fn a_database_with_a_garbage_header_is_refused_at_start() {
    let dir = installed();
    let db = dir.path().join("data").join("staffel.db");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[..100].copy_from_slice(&[0x5a; 100]);
    std::fs::write(&db, bytes).unwrap();
    refused(dir.path(), "garbage header");
}

/// Cuts the database to half its length; with `wal`, the WAL its last writer left beside
/// it stays (then SQLite's quick_check judges), else it goes too (the header tells). With
/// the WAL, whether the cut lost anything depends on how much of the data is still only in
/// the WAL (then the database is sound and starts, rightly), so only the case without one
/// is a test.
fn cut_to_half(dir: &Path, wal: bool) {
    let db = dir.join("data").join("staffel.db");
    let wal_file = dir.join("data").join("staffel.db-wal");
    if !wal {
        // Checkpointed first, as after a clean shutdown: the WAL's pages are in the file.
        let output = std::process::Command::new("sqlite3").arg(&db).arg("PRAGMA wal_checkpoint(TRUNCATE);").output();
        assert!(output.is_ok_and(|o| o.status.success()), "sqlite3 checkpoints the WAL");
        let _ = std::fs::remove_file(&wal_file);
    }
    let len = std::fs::metadata(&db).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&db).unwrap().set_len(len / 2).unwrap();
}

#[test]
fn a_database_cut_to_half_is_refused_at_start() {
    let dir = installed();
    cut_to_half(dir.path(), false);
    refused(dir.path(), "cut to half");
}

#[test]
fn a_zero_length_database_is_refused_not_taken_for_a_new_installation() {
    let dir = installed();
    let db = dir.path().join("data").join("staffel.db");
    std::fs::write(&db, b"").unwrap();
    refused(dir.path(), "zero length");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "the file is left as it was");
}

#[test]
fn a_missing_database_is_a_new_installation() {
    let dir = tempfile::tempdir().unwrap();
    staffel_ok(dir.path(), &dir.path().join("data"), &["migrate"]);
    assert!(std::fs::metadata(dir.path().join("data").join("staffel.db")).unwrap().len() > 0);
}

//! The data directory and what is in it are readable by Staffel's user only (0700
//! directories, 0600 files), from their creation, and a data directory left readable by
//! an older version is put right at start. Unix only.
#![cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::uploads::{api_files, PNG};
use crate::common::{self, Backend, PgDatabase, TestApp};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every directory and file under `dir` that is not private, with its mode.
fn not_private(dir: &Path) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(not_private(&path));
        } else if mode(&path) != 0o600 {
            found.push((path.display().to_string(), mode(&path)));
        }
    }
    if mode(dir) != 0o700 {
        found.push((dir.display().to_string(), mode(dir)));
    }
    found
}

/// `staffel migrate` on `data` (and the database, if any); must succeed.
fn migrate(cwd: &Path, data: &Path, url: Option<&str>) {
    let out = common::cli::staffel_command(&["migrate"], cwd, data, url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

both_dbs!(
    async fn a_new_data_dir_and_its_files_are_readable_by_staffel_only(backend: Backend) {
        let pg = match &backend {
            Backend::Postgres(admin) => Some(PgDatabase::create(admin).await),
            Backend::Sqlite => None,
        };
        let work = tempfile::tempdir().unwrap();
        let data = work.path().join("data");
        migrate(work.path(), &data, pg.as_ref().map(|p| p.url.as_str()));
        assert_eq!(not_private(&data), vec![], "after the first start");
        if pg.is_none() {
            assert_eq!(mode(&data.join("staffel.db")), 0o600);
        }

        // Attachments and mails (the file transport) the server writes.
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
        let school = app.token("admin@gym.de").await;
        let number =
            app.open_ticket(&school, r#"{"title":"Beamer flackert","description":"Raum 12.","service":"wifi"}"#).await;
        let path = format!("/api/v1/tickets/{number}/attachments");
        let uploaded = api_files(&app, Some(&school), &path, &[], &[("files", "bild.png", "image/png", PNG)]).await;
        assert!(uploaded.status.code < 300, "{}", uploaded.body);
        app.deliver_mail().await;
        let (files, outbox) = (app.dir.path().join("files"), app.dir.path().join("outbox"));
        assert_eq!(std::fs::read_dir(&files).unwrap().count(), 1, "the upload is stored");
        assert!(std::fs::read_dir(&outbox).unwrap().count() > 0, "a mail was written");
        for dir in [&files, &outbox] {
            assert_eq!(not_private(dir), vec![], "{}", dir.display());
        }
    }
);

both_dbs!(
    async fn a_readable_data_dir_is_made_private_at_start(backend: Backend) {
        let pg = match &backend {
            Backend::Postgres(admin) => Some(PgDatabase::create(admin).await),
            Backend::Sqlite => None,
        };
        let url = pg.as_ref().map(|p| p.url.as_str());
        let work = tempfile::tempdir().unwrap();
        let data = work.path().join("data");
        migrate(work.path(), &data, url);
        // As an older version left it under the default umask.
        std::fs::create_dir_all(data.join("files")).unwrap();
        std::fs::write(data.join("files").join("0123abcd"), b"upload").unwrap();
        for dir in [&data, &data.join("files")] {
            set_mode(dir, 0o755);
        }
        for entry in std::fs::read_dir(&data).unwrap().flatten().filter(|e| e.path().is_file()) {
            set_mode(&entry.path(), 0o644);
        }
        set_mode(&data.join("files").join("0123abcd"), 0o644);
        assert!(!not_private(&data).is_empty());

        migrate(work.path(), &data, url);
        assert_eq!(not_private(&data), vec![], "put right at start");
    }
);

//! Upload files that no attachment row records (a crash between writing and committing)
//! are swept once they are old enough; recorded, recent and foreign files stay.
use std::time::{Duration, SystemTime};

use crate::common::{Backend, TestApp};
use sea_orm::{ActiveModelTrait, Set};

fn write_aged(dir: &std::path::Path, name: &str, age: Duration) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, b"bytes").unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
    path
}

both_dbs!(
    async fn orphaned_upload_files_are_swept(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        let school = app.find_school("gym").await.unwrap();
        let dir = app.settings().files_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let hour = Duration::from_secs(3600);
        let orphan = write_aged(&dir, "0123456789abcdef0123456789abcdef", 2 * hour);
        let recent = write_aged(&dir, "fedcba9876543210fedcba9876543210", Duration::from_secs(60));
        let foreign = write_aged(&dir, "README.txt", 2 * hour);
        let recorded = write_aged(&dir, "00112233445566778899aabbccddeeff", 2 * hour);
        entities::attachment::ActiveModel {
            storage_key: Set("00112233445566778899aabbccddeeff".into()),
            filename: Set("stundenplan.pdf".into()),
            content_type: Set("application/pdf".into()),
            size: Set(5),
            sha256: Set(String::new()),
            school_id: Set(school.id),
            report_id: Set(None),
            ticket_id: Set(None),
            internal: Set(false),
            uploaded_by: Set(None),
            forward_id: Set(None),
            uploader_label: Set("Test".into()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(app.db())
        .await
        .unwrap();

        let removed =
            staffel::attachments::sweep::sweep_orphans(app.store(), app.settings(), SystemTime::now()).await.unwrap();
        assert_eq!(removed, 1);
        assert!(!orphan.exists(), "an old file without a row is swept");
        assert!(recent.exists(), "a recent one may still be on its way to a commit");
        assert!(foreign.exists(), "files that are not ours stay");
        assert!(recorded.exists(), "recorded files stay");
    }
);

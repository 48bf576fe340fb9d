//! A damaged or incomplete search index is rebuilt from the database at start, by itself,
//! and says so in the log (issue #13: a damaged index started with every search finding
//! nothing). The embedded index lives in the data directory on both databases.
use crate::common::{Backend, TestApp};

/// How many articles a pupil finds for "wlan".
async fn found(app: &TestApp) -> u64 {
    found_slugs(app).await.len() as u64
}

async fn found_slugs(app: &TestApp) -> Vec<String> {
    let reply = app.api_get(None, "/api/v1/kb/search?q=wlan&limit=50").await;
    assert_eq!(reply.status.code, 200, "{}", reply.body);
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    body["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect()
}

both_dbs!(
    async fn an_index_with_garbage_in_its_files_is_rebuilt_at_start(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let before = found(&app).await;
        assert!(before > 0, "the shipped articles are found");
        let index = app.dir.path().join("index");
        // Overwrite every segment file's beginning and end, as a failing disk would.
        for entry in std::fs::read_dir(&index).unwrap().flatten() {
            let path = entry.path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".json") || name.starts_with('.') {
                continue;
            }
            let len = std::fs::metadata(&path).unwrap().len() as usize;
            std::fs::write(&path, vec![0x5a; len]).unwrap();
        }
        let app = app.restart(|f| f).await;
        assert_eq!(found(&app).await, before, "search finds the articles again");
    }
);

both_dbs!(
    async fn an_index_that_lost_documents_is_rebuilt_at_start(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let before = found(&app).await;
        assert!(before > 0, "the shipped articles are found");
        // Gone from the index, still in the database: nothing a change would bring back,
        // and the index is not empty (which start-up rebuilt before).
        app.engine().remove(found_slugs(&app).await).await.unwrap();
        assert!(app.engine().doc_count().await.unwrap() > 0);
        assert_eq!(found(&app).await, 0);
        let app = app.restart(|f| f).await;
        assert_eq!(found(&app).await, before, "search finds the articles again");
    }
);

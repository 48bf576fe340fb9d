//! Searches that find nothing are counted in memory and written in batches, not one write
//! each; the desk's list shows them after the flush, and the counter is bounded.
use crate::common::{Backend, TestApp, PASSWORD};
use entities::{kb_search_miss, Role};
use sea_orm::{EntityTrait, PaginatorTrait};
use staffel::search::misses::MAX_PENDING;

async fn stored(app: &TestApp) -> Vec<(String, i32)> {
    let mut rows: Vec<_> =
        kb_search_miss::Entity::find().all(app.db()).await.unwrap().into_iter().map(|m| (m.query, m.count)).collect();
    rows.sort();
    rows
}

both_dbs!(
    async fn searches_that_find_nothing_are_written_in_batches(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("l@desk.de", "desk_lead", "").await;
        for i in 0..60 {
            let q = ["Quantenfluxkompensator", "Holodeck", "Warpkern"][i % 3];
            assert_eq!(app.api_get(None, &format!("/api/v1/kb/search?q={q}")).await.json()["total"], 0);
        }
        assert_eq!(kb_search_miss::Entity::find().count(app.db()).await.unwrap(), 0, "no write per miss");

        assert_eq!(app.flush_missed_searches().await, 3);
        let counted =
            vec![("holodeck".to_string(), 20), ("quantenfluxkompensator".into(), 20), ("warpkern".into(), 20)];
        assert_eq!(stored(&app).await, counted);
        let page = app.login("l@desk.de", PASSWORD).await.get("/desk/kb/misses").await;
        assert!(page.body.contains("quantenfluxkompensator") && page.body.contains("warpkern"), "{}", page.body);

        // The next batch adds to what is stored.
        for _ in 0..5 {
            app.api_get(None, "/api/v1/kb/search?q=holodeck").await;
        }
        assert_eq!(app.flush_missed_searches().await, 1);
        assert_eq!(stored(&app).await[0], ("holodeck".to_string(), 25));
        assert_eq!(app.flush_missed_searches().await, 0, "nothing counted, nothing written");
    }
);

both_dbs!(
    async fn the_missed_searches_waiting_for_a_flush_are_bounded(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let misses = &app.app().misses;
        let now = chrono::Utc::now();
        for i in 0..MAX_PENDING + 100 {
            misses.record(format!("unsinn {i}"), Role::Pupil, now);
        }
        assert_eq!(misses.pending(), MAX_PENDING);
        assert_eq!(misses.dropped(), 100);
        // A query already waiting still counts.
        misses.record("unsinn 0".into(), Role::Teacher, now);
        assert_eq!(app.flush_missed_searches().await, MAX_PENDING);
        assert_eq!(misses.pending(), 0);
        let rows = kb_search_miss::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(rows.len(), MAX_PENDING);
        let first = rows.iter().find(|r| r.query == "unsinn 0").unwrap();
        assert_eq!((first.count, first.last_role), (2, Role::Teacher));
    }
);

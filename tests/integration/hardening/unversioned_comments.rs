//! A comment that names no version is appended, whatever changed the ticket a moment ago:
//! hundreds sent at once to one ticket over the real API are all stored. Only a change
//! that names a version is checked against it.
use crate::common::{Backend, LiveServer};
use entities::{ticket, ticket_event, EventKind};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

const COMMENTS: usize = 400;

both_dbs!(
    #[worker_threads(2)]
    async fn concurrent_comments_without_a_version_are_all_stored(backend: Backend) {
        // What this checks is that no comment is refused for a version, not how long a
        // burst may wait for a connection: beside the rest of the suite on two cores the
        // last of 400 waited past the default 10 s and was answered 503.
        let server = LiveServer::start_with(&backend, |f| f.merge(("staffel.db_acquire_timeout_secs", 60))).await;
        let app = &server.app;
        app.school("gym").await;
        app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
        let school_token = app.token("admin@gym.de").await;
        let number = app
            .open_ticket(&school_token, r#"{"title":"Drucker offline","description":"Raum 3.","service":"wifi"}"#)
            .await;
        let (school, desk) = (server.client("admin@gym.de").await, server.client("agent@desk.de").await);
        let path = format!("/api/v1/tickets/{number}/comments");
        let sends = (0..COMMENTS).map(|i| {
            let (caller, path) = (if i % 2 == 0 { &desk } else { &school }, &path);
            async move { caller.post(path, json!({ "body": format!("Nachricht {i}") })).await }
        });
        let answers = futures_util::future::join_all(sends).await;
        let refused: Vec<_> = answers.iter().filter(|a| a.status != 200).map(|a| (a.status, &a.json)).collect();
        assert!(refused.is_empty(), "{} of {COMMENTS} refused, e.g. {:?}", refused.len(), refused.first());

        let stored = ticket_event::Entity::find()
            .filter(ticket_event::Column::Kind.eq(EventKind::Comment))
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(stored, COMMENTS as u64, "every comment is on the timeline");
        let row = ticket::Entity::find().one(app.db()).await.unwrap().expect("the ticket");
        assert_eq!(row.version, 1 + COMMENTS as i32, "one version per comment");
        // A change that names a version is still checked against it.
        let stale = desk.post(&path, json!({ "body": "Veraltet", "version": 1 })).await;
        assert_eq!(stale.status, 409, "{:?}", stale.json);
    }
);

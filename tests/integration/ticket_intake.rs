//! On SQLite new tickets are written in groups (`tickets::opening::Intake`): requests that
//! arrive while one group is being written go together into the next. These tests hold the
//! writers back (SQLite: the process's write turn; PostgreSQL: a lock on the tickets
//! table), let a dozen creations pile up, and check that they were written in at most two
//! transactions on SQLite (one each, concurrently, on PostgreSQL) and that each answer,
//! timeline event, audit record and mail belongs to the ticket it names. A ticket the
//! database refuses fails alone.
use crate::common;

use std::time::Duration;

use crate::common::{Backend, TestApp};
use rocket::futures::future::join_all;
use rocket::http::{ContentType, Header, Status};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait};
use staffel::tickets::opening::Intake;

async fn setup(backend: &Backend) -> (TestApp, Vec<(String, String)>) {
    let app = TestApp::new(backend).await;
    let mut openers = Vec::new();
    for school in ["gym", "gs"] {
        app.school(school).await;
        let email = format!("admin@{school}.de");
        app.user(&email, "school_admin", school).await;
        openers.push((email.clone(), app.token(&email).await));
    }
    (app, openers)
}

fn intake(app: &TestApp) -> &Intake {
    &app.app().intake
}

/// What keeps every writer waiting until it is dropped or committed.
enum Held {
    Turn(staffel::db::WriteTxn),
    TableLock(DatabaseTransaction),
}

async fn hold_writers(app: &TestApp) -> Held {
    match app.backend {
        Backend::Sqlite => Held::Turn(app.store().write().await.expect("the write turn")),
        Backend::Postgres(_) => {
            let txn = app.db().begin().await.unwrap();
            txn.execute_unprepared("LOCK TABLE tickets IN EXCLUSIVE MODE").await.unwrap();
            Held::TableLock(txn)
        }
    }
}

async fn release(held: Held) {
    match held {
        Held::Turn(txn) => drop(txn),
        Held::TableLock(txn) => txn.commit().await.unwrap(),
    }
}

/// Fires one creation per title at once (school admins in turn) with the writers held
/// until all have reached the intake; the answers, in the titles' order.
async fn open_together(app: &TestApp, openers: &[(String, String)], titles: &[String]) -> Vec<common::Reply> {
    let before = intake(app).counts().arrived;
    let held = hold_writers(app).await;
    let requests = titles.iter().enumerate().map(|(i, title)| {
        let (_, token) = &openers[i % openers.len()];
        let body = serde_json::json!({ "title": title, "description": "Seit heute früh", "priority": "P2" });
        let request = app
            .client
            .post("/api/v1/tickets")
            .header(ContentType::JSON)
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .body(body.to_string());
        async move { common::Reply::read(request.dispatch().await).await }
    });
    let release_when_all_arrived = async {
        let want = before + titles.len() as u64;
        let waited = tokio::time::timeout(Duration::from_secs(20), async {
            while intake(app).counts().arrived < want {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        release(held).await;
        assert!(waited.is_ok(), "all creations reach the intake while the writers are held");
    };
    let (replies, ()) = tokio::join!(join_all(requests), release_when_all_arrived);
    replies
}

both_dbs!(
    async fn creations_arriving_together_are_written_together(backend: Backend) {
        let (app, openers) = setup(&backend).await;
        let titles: Vec<String> = (1..=12).map(|i| format!("Beamer {i} im Raum {}", 100 + i)).collect();
        let groups_before = intake(&app).counts().groups;
        let replies = open_together(&app, &openers, &titles).await;
        let groups = intake(&app).counts().groups - groups_before;
        match backend {
            Backend::Sqlite => assert!(groups <= 2, "{} tickets took {groups} transactions", titles.len()),
            // PostgreSQL writes concurrently and commits together by itself: one each, at once.
            Backend::Postgres(_) => assert_eq!(groups, titles.len() as u64, "one transaction per ticket"),
        }

        let mut numbers = std::collections::HashSet::new();
        for (i, (reply, title)) in replies.iter().zip(&titles).enumerate() {
            assert_eq!(reply.status, Status::Created, "{title}: {}", reply.body);
            let json = reply.json();
            let (email, _) = &openers[i % openers.len()];
            let school = email.trim_start_matches("admin@").trim_end_matches(".de");
            assert_eq!(json["title"], title.as_str(), "each answer names its own ticket");
            assert_eq!(json["school"], school);
            assert_eq!(json["priority"], "P2");
            assert_eq!(json["events"][0]["kind"], "created");
            let number = json["number"].as_str().expect("number").to_string();
            assert!(numbers.insert(number.clone()), "{number} handed out twice");

            let id: i32 = number.trim_start_matches("T-").parse().expect("numeric");
            let stored = entities::ticket::Entity::find_by_id(id).one(app.db()).await.unwrap().expect("ticket stored");
            assert_eq!(stored.title, *title);
            let creator = app.find_user(email).await.expect("opener");
            assert_eq!(stored.created_by, creator.id);
            let events = entities::ticket_event::Entity::find()
                .filter(entities::ticket_event::Column::TicketId.eq(id))
                .all(app.db())
                .await
                .unwrap();
            assert_eq!(events.len(), 1, "{number}: one first event");
            assert_eq!(events[0].actor_id, Some(creator.id));
            let audits = entities::audit_event::Entity::find()
                .filter(entities::audit_event::Column::Action.eq("ticket.open"))
                .filter(entities::audit_event::Column::TargetId.eq(id))
                .all(app.db())
                .await
                .unwrap();
            assert_eq!(audits.len(), 1, "{number}: one audit record");
            assert_eq!(audits[0].actor_id, Some(creator.id));
            let mails: Vec<_> = entities::mail_outbox::Entity::find()
                .all(app.db())
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.subject.contains(&number))
                .collect();
            assert_eq!(mails.len(), 1, "{number}: one mail");
            assert_eq!(mails[0].to_addr, *email, "{number}: the mail goes to its opener");
            assert!(mails[0].body_text.contains(title.as_str()), "{number}: the mail names its ticket");
        }
    }
);

async fn install_poison(app: &TestApp) {
    let statements: &[&str] = match app.backend {
        Backend::Sqlite => &["CREATE TRIGGER poison_ticket BEFORE INSERT ON tickets WHEN NEW.title = 'Gift' \
                              BEGIN SELECT RAISE(ABORT, 'poisoned'); END"],
        Backend::Postgres(_) => &[
            "CREATE FUNCTION poison_ticket() RETURNS trigger AS $$ BEGIN \
             IF NEW.title = 'Gift' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER poison_ticket BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION poison_ticket()",
        ],
    };
    for statement in statements {
        app.db().execute_unprepared(statement).await.unwrap();
    }
}

both_dbs!(
    async fn a_ticket_the_database_refuses_fails_alone(backend: Backend) {
        let (app, openers) = setup(&backend).await;
        install_poison(&app).await;
        let titles: Vec<String> =
            ["Drucker", "Gift", "WLAN", "Tablet", "Beamer", "Whiteboard"].iter().map(|t| t.to_string()).collect();
        let replies = open_together(&app, &openers, &titles).await;
        for (reply, title) in replies.iter().zip(&titles) {
            if title == "Gift" {
                assert_eq!(reply.status, Status::InternalServerError, "the refused ticket fails: {}", reply.body);
            } else {
                assert_eq!(reply.status, Status::Created, "{title} lands although its group failed: {}", reply.body);
                assert_eq!(reply.json()["title"], title.as_str());
            }
        }
        let tickets = entities::ticket::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(tickets.len(), 5);
        assert!(tickets.iter().all(|t| t.title != "Gift"));
        let audits = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("ticket.open"))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(audits.len(), 5, "no audit record without its ticket");
        assert_eq!(entities::ticket_event::Entity::find().all(app.db()).await.unwrap().len(), 5);
        let ticket_mails = entities::mail_outbox::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject.contains("T-0"))
            .count();
        assert_eq!(ticket_mails, 5, "no mail without its ticket");
    }
);

//! How a chat ends: as a ticket of its school with the transcript on the timeline and as
//! a PDF, attached to an existing ticket, or just closed; transcripts by mail and as PDF;
//! closed chats deleted after their retention period, and nothing else.
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use super::*;
use crate::common::uploads::{multipart, PNG};
use crate::common::Backend;

async fn say(caller: &Caller, id: i64, text: &str) {
    let sent = caller.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": text })).await;
    assert_eq!(sent.status, 201, "{:?}", sent.json);
}

async fn pdf_of(caller: &Caller, id: i64) -> (u16, Vec<u8>) {
    let got = caller.request(reqwest::Method::GET, &format!("/api/v1/chats/{id}/transcript.pdf")).send().await.unwrap();
    (got.status().as_u16(), got.bytes().await.unwrap().to_vec())
}

both_dbs!(
    /// The agent turns the chat into a ticket: it belongs to the chat's school and the
    /// requester, the transcript is one event of its timeline and a PDF among its files.
    #[worker_threads(2)]
    async fn a_chat_becomes_a_ticket_with_its_transcript(backend: Backend) {
        let server = desk(&backend).await;
        let (admin, agent, id) = running_chat(&server).await;
        say(&agent, id, "Welcher Raum genau?").await;
        say(&admin, id, "Raum 104, Größe egal – Übergabe läuft.").await;
        let mut follower = admin.socket(&format!("/api/v1/chats/{id}/ws?after=4")).await;
        let made = agent.post(&format!("/api/v1/chats/{id}/ticket"), json!({})).await;
        assert_eq!(made.status, 201, "{:?}", made.json);
        let ticket = &made.json;
        assert_eq!(ticket["school"], "gym-a");
        assert_eq!(ticket["title"], "Grüße! Das WLAN im Lehrerzimmer ist weg.");
        let transcript = ticket["events"].as_array().unwrap().iter().find(|e| e["kind"] == "chat_transcript").cloned();
        let transcript = transcript.expect("the transcript on the timeline");
        assert!(transcript["body"].as_str().unwrap().contains("Jörg Schäfer: Raum 104, Größe egal – Übergabe läuft."));
        let pdf =
            ticket["attachments"].as_array().unwrap().iter().find(|a| a["name"] == format!("chat-{id}.pdf")).cloned();
        let pdf = pdf.expect("the transcript as PDF among the ticket's files");
        let number = ticket["number"].as_str().unwrap();
        let got = admin
            .request(reqwest::Method::GET, &format!("/api/v1/tickets/{number}/attachments/{}", pdf["id"]))
            .send()
            .await
            .unwrap();
        assert_eq!(got.status().as_u16(), 200);
        assert!(got.bytes().await.unwrap().starts_with(b"%PDF-"));
        // The school admin sees the ticket as theirs; the chat is closed and says so.
        let mine = admin.get(&format!("/api/v1/tickets/{number}")).await;
        assert_eq!(mine.status, 200);
        let (_, closed) = follower.until("closed").await;
        assert_eq!(closed["message"]["author"], "Anna Agentin");
        let chat = admin.get(&format!("/api/v1/chats/{id}")).await.json;
        assert_eq!((chat["status"].as_str(), chat["ticket"].as_str()), (Some("closed"), Some(number)));
        let again = agent.post(&format!("/api/v1/chats/{id}/ticket"), json!({})).await;
        assert_eq!(again.status, 409, "a chat ends once");
        let late = admin.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Noch da?" })).await;
        assert_eq!(late.status, 409);
        // Either side may still read and download the transcript.
        let (status, bytes) = pdf_of(&admin, id).await;
        assert_eq!(status, 200);
        assert!(bytes.starts_with(b"%PDF-"));
    }
);

both_dbs!(
    /// Attached to an existing ticket of the school (never another school's); the
    /// transcript by mail through the outbox.
    #[worker_threads(2)]
    async fn a_chat_attached_to_a_ticket_and_its_transcript_mailed(backend: Backend) {
        let server = desk(&backend).await;
        let (admin, agent, id) = running_chat(&server).await;
        let token_a = server.app.token(ADMIN_A).await;
        let token_b = server.app.token(ADMIN_B).await;
        let body = r#"{"title":"WLAN weg","description":"Lehrerzimmer"}"#;
        let ours = server.app.open_ticket(&token_a, body).await;
        let theirs = server.app.open_ticket(&token_b, body).await;
        let refused = agent.post(&format!("/api/v1/chats/{id}/attach"), json!({ "ticket": theirs })).await;
        assert_eq!((refused.status, refused.json["error"]["field"].as_str()), (422, Some("ticket")));
        let refused = agent.post(&format!("/api/v1/chats/{id}/attach"), json!({ "ticket": "T-999999" })).await;
        assert_eq!(refused.status, 422);

        let mailed = admin.post(&format!("/api/v1/chats/{id}/transcript/mail"), json!({})).await;
        assert_eq!(mailed.status, 202, "{:?}", mailed.json);
        let mails = server.app.mails_to(ADMIN_A).await;
        let mail = mails.iter().find(|m| m.subject.starts_with("Verlauf Ihres Chats")).expect("the transcript mail");
        assert!(mail.body_text.contains("Grüße! Das WLAN im Lehrerzimmer ist weg."));

        let attached = agent.post(&format!("/api/v1/chats/{id}/attach"), json!({ "ticket": ours })).await;
        assert_eq!(attached.status, 200, "{:?}", attached.json);
        assert_eq!(attached.json["number"], ours.as_str());
        assert!(attached.json["events"].as_array().unwrap().iter().any(|e| e["kind"] == "chat_transcript"));
        let chat = agent.get(&format!("/api/v1/chats/{id}")).await.json;
        assert_eq!(chat["ticket"], ours.as_str());
    }
);

async fn age(server: &LiveServer, id: i64, days: i64) {
    entities::chat::Entity::update_many()
        .col_expr(entities::chat::Column::ClosedAt, Expr::value(Some(Utc::now() - Duration::days(days))))
        .filter(entities::chat::Column::Id.eq(id as i32))
        .exec(server.app.db())
        .await
        .unwrap();
}

both_dbs!(
    /// Retention deletes closed chats older than its period with their lines and files,
    /// and nothing else: younger chats, running ones, and what a ticket keeps.
    #[worker_threads(2)]
    async fn retention_deletes_what_is_due_and_nothing_else(backend: Backend) {
        let server = desk_with(&backend, |f| f.merge(("staffel.chat_max_active", 10))).await;
        let (admin, agent, old_closed) = running_chat(&server).await;
        let (content_type, body) = multipart(&[], &[("files", "alt.png", "image/png", PNG)]);
        let sent = admin
            .request(reqwest::Method::POST, &format!("/api/v1/chats/{old_closed}/attachments"))
            .header("Content-Type", content_type.to_string())
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status().as_u16(), 201);
        let old_file = entities::attachment::Entity::find().one(server.app.db()).await.unwrap().expect("the file row");
        agent.post(&format!("/api/v1/chats/{old_closed}/close"), json!({})).await;
        let start = |text: &'static str| {
            let (admin, agent) = (&admin, &agent);
            async move {
                let id = ask(admin, text).await["id"].as_i64().unwrap();
                assert_eq!(agent.post(&format!("/api/v1/chats/{id}/accept"), json!({})).await.status, 200);
                id
            }
        };
        let young_closed = start("Zweite Frage").await;
        agent.post(&format!("/api/v1/chats/{young_closed}/close"), json!({})).await;
        let old_ticket = start("Dritte Frage").await;
        let made = agent.post(&format!("/api/v1/chats/{old_ticket}/ticket"), json!({})).await;
        assert_eq!(made.status, 201);
        let running = start("Vierte Frage").await;
        age(&server, old_closed, 91).await;
        age(&server, young_closed, 89).await;
        age(&server, old_ticket, 120).await;
        age(&server, running, 200).await; // a stray date on a running chat changes nothing

        let files_dir = server.app.settings().files_dir();
        let old_path = files_dir.join(&old_file.storage_key);
        assert!(old_path.exists());
        let deleted = staffel::chat::upkeep::delete_expired(&server.live, Utc::now()).await.unwrap();
        assert_eq!(deleted, 2);
        let left: Vec<i32> =
            entities::chat::Entity::find().all(server.app.db()).await.unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(left, vec![young_closed as i32, running as i32]);
        assert_eq!(stored_bodies(&server, old_closed).await.len(), 0, "the lines went with the chat");
        assert!(!old_path.exists(), "the chat's own file went too");
        assert!(entities::attachment::Entity::find_by_id(old_file.id).one(server.app.db()).await.unwrap().is_none());
        // The ticket keeps the transcript.
        let number = made.json["number"].as_str().unwrap();
        let ticket =
            server.app.api_get(Some(&server.app.token(AGENT_1).await), &format!("/api/v1/tickets/{number}")).await;
        let ticket = ticket.json();
        assert!(ticket["events"].as_array().unwrap().iter().any(|e| e["kind"] == "chat_transcript"));
        let pdfs = entities::attachment::Entity::find()
            .filter(entities::attachment::Column::TicketId.is_not_null())
            .count(server.app.db())
            .await
            .unwrap();
        assert_eq!(pdfs, 1, "the ticket's PDF stays");
        assert_eq!(staffel::chat::upkeep::delete_expired(&server.live, Utc::now()).await.unwrap(), 0);
    }
);

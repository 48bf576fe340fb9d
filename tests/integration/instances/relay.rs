//! Two in-process instances on one PostgreSQL database.
use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::json;

use super::*;
use crate::chat::{ADMIN_B, LEAD};
use crate::common::Backend;

both_dbs!(
    /// The requester writes on one instance, the agent answers on the other: the request
    /// reaches the agent's desk there, the agent's joining, messages and typing reach the
    /// requester here, and the desk lead on the first instance sees the request taken.
    #[worker_threads(2)]
    async fn a_chat_spans_two_instances(backend: Backend) {
        let Some((server, other)) = two_instances(&backend).await else { return };
        let agent = other.client(&server.app.token(AGENT_1).await);
        online(&agent, "tab-on-b").await;
        let mut agent_desk = agent.events("/api/v1/chat/desk/events", None).await;
        assert_eq!(agent_desk.next().await.data["type"], "snapshot");
        let mut lead_desk = server.client(LEAD).await.events("/api/v1/chat/desk/events", None).await;
        assert_eq!(lead_desk.next().await.data["type"], "snapshot");

        let admin = server.client(ADMIN_A).await;
        let id = ask(&admin, "Der Beamer in Raum 104 bleibt schwarz.").await["id"].as_i64().unwrap();
        let (_, request) = agent_desk.until("request").await;
        assert_eq!(request.data["chat"]["id"], id, "the request reached the desk of the other instance");
        assert_eq!(request.data["chat"]["status"], "waiting");

        let mut school = admin.socket(&format!("/api/v1/chats/{id}/ws?after=0")).await;
        let (_, first) = school.until("message").await;
        assert_eq!(first["message"]["body"], "Der Beamer in Raum 104 bleibt schwarz.");
        let accepted = agent.post(&format!("/api/v1/chats/{id}/accept"), json!({})).await;
        assert_eq!(accepted.status, 200, "{:?}", accepted.json);
        let (_, joined) = school.until("joined").await;
        assert_eq!(joined["message"]["author"], "Anna Agentin", "joined on B, told on A");
        let (_, taken) = lead_desk.until("taken").await;
        assert_eq!((taken.data["chat"].as_i64(), taken.data["by"].as_str()), (Some(id), Some("Anna Agentin")));

        let mut agent_socket = agent.socket(&format!("/api/v1/chats/{id}/ws?after=2")).await;
        school.send(json!({ "type": "message", "body": "Hallo von A", "client_id": "a-1" })).await;
        let (_, arrived) = agent_socket.until("message").await;
        assert_eq!(
            (arrived["message"]["body"].as_str(), arrived["message"]["seq"].as_i64()),
            (Some("Hallo von A"), Some(3))
        );
        agent_socket.send(json!({ "type": "typing" })).await;
        let (_, typing) = school.until("typing").await;
        assert_eq!(typing["author"], "Anna Agentin");
        agent_socket.send(json!({ "type": "message", "body": "Antwort von B", "client_id": "b-1" })).await;
        let (_, answer) = school.until("message").await;
        assert_eq!(
            (answer["message"]["body"].as_str(), answer["message"]["seq"].as_i64()),
            (Some("Antwort von B"), Some(4))
        );
        assert!(school.next_within(Duration::from_millis(400)).await.is_none(), "each line once");
    }
);

both_dbs!(
    /// A client whose instance went away connects to the other one, names the last line it
    /// has, and gets exactly what it missed, then the live lines.
    #[worker_threads(2)]
    async fn a_client_resumes_on_another_instance_without_loss(backend: Backend) {
        let Some((server, other)) = two_instances(&backend).await else { return };
        let (id, admin_token, agent_token) = chat_across(&server, &other).await;
        let agent = other.client(&agent_token);
        let mut school = server.client(ADMIN_A).await.socket(&format!("/api/v1/chats/{id}/ws?after=0")).await;
        let (_, joined) = school.until("joined").await;
        let last = joined["message"]["seq"].as_i64().unwrap();
        drop(school);
        for text in ["Eins", "Zwei"] {
            let sent = agent.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": text })).await;
            assert_eq!(sent.status, 201, "{:?}", sent.json);
        }
        let mut school = other.client(&admin_token).socket(&format!("/api/v1/chats/{id}/ws?after={last}")).await;
        let missed = [school.next().await, school.next().await];
        let seqs: Vec<_> = missed.iter().map(|f| f["message"]["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, [last + 1, last + 2]);
        assert_eq!(missed[1]["message"]["body"], "Zwei");
        // And live again, now from the first instance's side.
        let on_a = server.client(AGENT_1).await;
        let sent = on_a.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Drei" })).await;
        assert_eq!(sent.status, 201);
        let (_, live) = school.until("message").await;
        assert_eq!((live["message"]["body"].as_str(), live["message"]["seq"].as_i64()), (Some("Drei"), Some(last + 3)));
        assert!(school.next_within(Duration::from_millis(400)).await.is_none(), "nothing twice");
    }
);

both_dbs!(
    /// The requests waiting behind one taken on another instance are told their new place.
    #[worker_threads(2)]
    async fn positions_travel_between_instances(backend: Backend) {
        let Some((server, other)) = two_instances(&backend).await else { return };
        let agent = other.client(&server.app.token(AGENT_1).await);
        online(&agent, "tab-on-b").await;
        let first = ask(&server.client(ADMIN_A).await, "Erste Frage").await["id"].as_i64().unwrap();
        let second_admin = server.client(ADMIN_B).await;
        let second = ask(&second_admin, "Zweite Frage").await;
        assert_eq!(second["position"], 2);
        let second = second["id"].as_i64().unwrap();
        let mut waiting = second_admin.socket(&format!("/api/v1/chats/{second}/ws?after=1")).await;
        let accepted = agent.post(&format!("/api/v1/chats/{first}/accept"), json!({})).await;
        assert_eq!(accepted.status, 200);
        let (_, moved) = waiting.until("position").await;
        assert_eq!((moved["chat"].as_i64(), moved["position"].as_i64()), (Some(second), Some(1)));
    }
);

both_dbs!(
    /// A ticket opened on one instance refreshes the desk queue's feed on the other: its
    /// stamp changes, which the page takes to read its rows again in place.
    #[worker_threads(2)]
    async fn a_ticket_opened_on_one_instance_reaches_the_queue_of_the_other(backend: Backend) {
        let Some((server, other)) = two_instances(&backend).await else { return };
        let agent = server.signed_in(AGENT_1).await;
        let mut feed = agent.events_at(&other.base, "/desk/events").await;
        let first = feed.next().await;
        assert_eq!(first.data["type"], "tickets");
        let before = first.data["stamp"].as_str().unwrap().to_string();
        let opened = server
            .client(ADMIN_A)
            .await
            .post("/api/v1/tickets", json!({ "title": "Beamer in Raum 12", "description": "Kein Bild." }))
            .await;
        assert_eq!(opened.status, 201, "{:?}", opened.json);
        let changed = feed.next().await;
        assert_ne!(changed.data["stamp"].as_str().unwrap(), before, "the other instance's queue hears of it");
        let number = opened.json["number"].as_str().unwrap();
        let queue = reqwest::Client::new()
            .get(format!("{}/desk?queue=all", other.base))
            .header("Cookie", &agent.cookie_header)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(queue.contains(number), "the ticket is in the other instance's queue");
    }
);

/// The server process id of the relay's listening connection on this database.
async fn listener_pids(db: &sea_orm::DatabaseConnection) -> Vec<i32> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'",
        ))
        .await
        .expect("pg_stat_activity");
    rows.iter().filter_map(|r| r.try_get::<i32>("", "pid").ok()).collect()
}

both_dbs!(
    /// The relay's listening connection is killed: it connects again, tells every topic
    /// followed on its instance to read anew (the desk gets a fresh snapshot), and a line
    /// written meanwhile on the other instance still arrives, once.
    #[worker_threads(2)]
    async fn a_lost_listener_connection_loses_nothing(backend: Backend) {
        let Some((server, other)) = two_instances(&backend).await else { return };
        let (id, _, agent_token) = chat_across(&server, &other).await;
        let agent = other.client(&agent_token);
        let mut agent_socket = agent.socket(&format!("/api/v1/chats/{id}/ws?after=2")).await;
        let mut agent_desk = agent.events("/api/v1/chat/desk/events", None).await;
        assert_eq!(agent_desk.next().await.data["type"], "snapshot");
        let pids = listener_pids(server.app.db()).await;
        // One per instance: the two launched here and the test's own (which lifted off too).
        let listening = pids.len();
        assert!(listening >= 2, "one listener per instance: {pids:?}");
        let resyncs = other.live.live.relay_counts.resyncs.load(std::sync::atomic::Ordering::Relaxed);
        for pid in pids {
            server.app.db().execute_unprepared(&format!("SELECT pg_terminate_backend({pid})")).await.unwrap();
        }
        let sent = server
            .client(ADMIN_A)
            .await
            .post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Während der Lücke" }))
            .await;
        assert_eq!(sent.status, 201);
        let (_, arrived) = agent_socket.until("message").await;
        assert_eq!(
            (arrived["message"]["body"].as_str(), arrived["message"]["seq"].as_i64()),
            (Some("Während der Lücke"), Some(3))
        );
        let (_, snapshot) = agent_desk.until("snapshot").await;
        assert!(snapshot.data["people"].is_array(), "a fresh snapshot after the resync");
        assert!(other.live.live.relay_counts.resyncs.load(std::sync::atomic::Ordering::Relaxed) > resyncs);
        assert!(agent_socket.next_within(Duration::from_millis(400)).await.is_none(), "the line once");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while listener_pids(server.app.db()).await.len() < listening {
            assert!(std::time::Instant::now() < deadline, "every instance listens again");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
);

both_dbs!(
    /// Notices sent by someone else on the channel: one that carries text or is not
    /// Staffel's is refused; one naming a line that does not exist, or someone typing who is
    /// no participant, tells the chat's followers nothing.
    #[worker_threads(2)]
    async fn a_forged_notice_is_believed_no_further_than_its_ids(backend: Backend) {
        let Some((server, other)) = two_instances(&backend).await else { return };
        let (id, _, agent_token) = chat_across(&server, &other).await;
        let mut agent_socket = other.client(&agent_token).socket(&format!("/api/v1/chats/{id}/ws?after=2")).await;
        let refused = other.live.live.relay_counts.refused.load(std::sync::atomic::Ordering::Relaxed);
        let teacher = server.app.find_user(crate::chat::TEACHER_A).await.unwrap().id;
        let forged = [
            format!(r#"{{"o":"1","t":"chat:{id}","k":"message","i":{{"seq":3,"body":"Gefälscht"}}}}"#),
            "DROP TABLE chat".to_string(),
            format!(r#"{{"o":"1","t":"chat:{id}","k":"message","i":{{"seq":99}}}}"#),
            format!(r#"{{"o":"1","t":"chat:{id}","k":"typing","i":{{"user":{teacher}}}}}"#),
        ];
        for payload in &forged {
            let sql = format!("SELECT pg_notify('staffel_live', '{}')", payload.replace('\'', "''"));
            server.app.db().execute_unprepared(&sql).await.unwrap();
        }
        assert!(agent_socket.next_within(Duration::from_millis(800)).await.is_none(), "nothing forged arrives");
        let now_refused = other.live.live.relay_counts.refused.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(now_refused - refused, 2, "the notice with text and the one that is no notice");
        let stored = crate::chat::stored_bodies(&server, id).await;
        assert_eq!(stored.len(), 2, "nothing written");
        let metrics = reqwest::get(format!("{}/metrics", other.base)).await.unwrap().text().await.unwrap();
        assert!(metrics.contains("staffel_live_relay_up 1\n"), "{metrics}");
        assert!(metrics.contains(&format!("staffel_live_relay_refused_total {now_refused}\n")), "{metrics}");
    }
);

both_dbs!(
    /// An agent's tabs count on whichever instance they are: leaving the tab on one keeps
    /// the agent online while the tab on the other is there. What the clock announces on one
    /// instance (presence, availability) reaches the desks and tiles followed on the other.
    #[worker_threads(2)]
    async fn presence_counts_tabs_on_every_instance(backend: Backend) {
        let Some((server, other)) = two_instances(&backend).await else { return };
        let token = server.app.token(AGENT_1).await;
        let (on_a, on_b) = (server.client(AGENT_1).await, other.client(&token));
        let mut desk_b = other.client(&server.app.token(LEAD).await).events("/api/v1/chat/desk/events", None).await;
        assert_eq!(desk_b.next().await.data["type"], "snapshot");
        let mut tile_b =
            other.client(&server.app.token(ADMIN_A).await).events("/api/v1/chat/availability/events", None).await;
        assert_eq!(tile_b.next().await.data["available"], false);

        online(&on_a, "tab-a").await;
        online(&on_b, "tab-b").await;
        let mut announced = staffel::chat::upkeep::Announced::default();
        staffel::chat::upkeep::announce(&server.live, &mut announced, chrono::Utc::now()).await.unwrap();
        let (_, presence) = desk_b.until("presence").await;
        let anna = presence.data["people"].as_array().unwrap().iter().find(|p| p["email"] == AGENT_1).cloned().unwrap();
        assert_eq!(anna["state"], "online", "announced on A, heard on B");
        let (_, available) = tile_b.until("availability").await;
        assert_eq!(available.data["available"], true, "the tile on B hears A's announcement");

        let left = on_a.post("/api/v1/chat/presence/leave", json!({ "session": "tab-a" })).await;
        assert_eq!(left.status, 204);
        assert_eq!(on_b.get("/api/v1/chat/presence").await.json["state"], "online", "the tab on B still counts");
        let left = on_b.post("/api/v1/chat/presence/leave", json!({ "session": "tab-b" })).await;
        assert_eq!(left.status, 204);
        assert_eq!(on_a.get("/api/v1/chat/presence").await.json["state"], "offline", "no tab anywhere");
    }
);

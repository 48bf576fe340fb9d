//! The conversation: every line stored with its number before anyone receives it; a
//! client that reconnects gets exactly what it missed, once, over WebSocket and over the
//! event stream; a message sent again with its client id is stored once; typing; files;
//! size and rate limits.
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::common::uploads::{multipart, HTML, PNG};
use crate::common::Backend;

both_dbs!(
    /// A socket that dropped and comes back with the last number it has gets exactly the
    /// lines it missed, in order, and then the live ones, each once.
    #[worker_threads(2)]
    async fn a_socket_that_drops_gets_exactly_what_it_missed(backend: Backend) {
        let server = desk(&backend).await;
        let (admin, agent, id) = running_chat(&server).await;
        let mut school = admin.socket(&format!("/api/v1/chats/{id}/ws?after=0")).await;
        // From the start: the question and the agent joining.
        let (before, joined) = school.until("joined").await;
        assert_eq!(before.len(), 1);
        assert_eq!(before[0]["message"]["seq"], 1);
        assert_eq!(joined["message"]["author"], "Anna Agentin");
        let last = joined["message"]["seq"].as_i64().unwrap();
        drop(school);

        for text in ["Erstens", "Zweitens", "Drittens"] {
            let sent = agent.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": text })).await;
            assert_eq!(sent.status, 201, "{:?}", sent.json);
        }
        let mut school = admin.socket(&format!("/api/v1/chats/{id}/ws?after={last}")).await;
        let missed: Vec<_> = [school.next().await, school.next().await, school.next().await].to_vec();
        let bodies: Vec<_> = missed.iter().map(|f| f["message"]["body"].as_str().unwrap().to_string()).collect();
        assert_eq!(bodies, ["Erstens", "Zweitens", "Drittens"]);
        let seqs: Vec<_> = missed.iter().map(|f| f["message"]["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, [last + 1, last + 2, last + 3]);
        assert!(school.next_within(Duration::from_millis(300)).await.is_none(), "nothing twice");

        // Live from here on, both ways.
        let mut desk_socket = agent.socket(&format!("/api/v1/chats/{id}/ws?after={}", last + 3)).await;
        school.send(json!({ "type": "message", "body": "Danke!", "client_id": "c-1" })).await;
        let (_, sent) = school.until("sent").await;
        assert_eq!((sent["client_id"].as_str(), sent["seq"].as_i64()), (Some("c-1"), Some(last + 4)));
        let (_, arrived) = desk_socket.until("message").await;
        assert_eq!(arrived["message"]["body"], "Danke!");
        assert_eq!(arrived["message"]["author"], "Jörg Schäfer");
        assert_eq!(arrived["message"]["role"], "school_admin");

        // Sent again after a dropped connection, with the same client id: stored once.
        school.send(json!({ "type": "message", "body": "Danke!", "client_id": "c-1" })).await;
        let (_, again) = school.until("sent").await;
        assert_eq!(again["seq"].as_i64(), Some(last + 4));
        let by_api =
            admin.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Danke!", "client_id": "c-1" })).await;
        assert_eq!((by_api.status, by_api.json["seq"].as_i64()), (200, Some(last + 4)));
        let thanks = stored_bodies(&server, id).await.into_iter().filter(|(_, b)| b == "Danke!").count();
        assert_eq!(thanks, 1);
        assert!(desk_socket.next_within(Duration::from_millis(300)).await.is_none(), "the repeat is no new line");

        // Typing reaches the other side, and nothing is stored.
        school.send(json!({ "type": "typing" })).await;
        let (_, typing) = desk_socket.until("typing").await;
        assert_eq!(typing["author"], "Jörg Schäfer");
        let stored = stored_bodies(&server, id).await.len();
        assert_eq!(stored as i64, last + 4);

        // Reading by API is the same record.
        let read = admin.get(&format!("/api/v1/chats/{id}/messages?after={last}")).await;
        let items = read.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[3]["body"], "Danke!");
        assert!(items[3]["at"].is_string());
    }
);

both_dbs!(
    /// Many senders at once: every line has its own number, every follower gets each once
    /// and in order.
    #[worker_threads(4)]
    async fn many_senders_at_once_lose_nothing_and_double_nothing(backend: Backend) {
        let server = desk(&backend).await;
        let (admin, agent, id) = running_chat(&server).await;
        let mut follower = admin.socket(&format!("/api/v1/chats/{id}/ws?after=2")).await;
        let path = format!("/api/v1/chats/{id}/messages");
        let sends = (0..40).map(|n| {
            let (caller, path) = (if n % 2 == 0 { &admin } else { &agent }, path.clone());
            async move {
                caller.post(&path, json!({ "body": format!("Nachricht {n}"), "client_id": format!("m-{n}") })).await
            }
        });
        let answers = futures_util::future::join_all(sends).await;
        assert!(answers.iter().all(|a| a.status == 201), "{:?}", answers.iter().find(|a| a.status != 201));
        let mut seen = Vec::new();
        while seen.len() < 40 {
            let frame = follower.next().await;
            if frame["type"] == "message" {
                seen.push(frame["message"]["seq"].as_i64().unwrap());
            }
        }
        assert_eq!(seen, (3..43).collect::<Vec<_>>(), "each line once, in order");
        assert!(follower.next_within(Duration::from_millis(300)).await.is_none());
    }
);

both_dbs!(
    /// The event stream (for networks that block WebSockets) resumes from `Last-Event-ID`.
    #[worker_threads(2)]
    async fn the_event_stream_resumes_from_the_last_event_id(backend: Backend) {
        let server = desk(&backend).await;
        let (admin, agent, id) = running_chat(&server).await;
        let mut stream = admin.events(&format!("/api/v1/chats/{id}/events"), None).await;
        let first = stream.next().await;
        assert_eq!((first.id.as_deref(), first.data["type"].as_str()), (Some("1"), Some("message")));
        let second = stream.next().await;
        assert_eq!((second.id.as_deref(), second.data["type"].as_str()), (Some("2"), Some("joined")));
        drop(stream);
        for text in ["Port 3?", "Neu gestartet."] {
            agent.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": text })).await;
        }
        let mut stream = admin.events(&format!("/api/v1/chats/{id}/events"), Some(2)).await;
        let got = [stream.next().await, stream.next().await];
        let ids: Vec<_> = got.iter().map(|e| e.id.clone().unwrap()).collect();
        assert_eq!(ids, ["3", "4"]);
        assert_eq!(got[1].data["message"]["body"], "Neu gestartet.");
        assert!(stream.next_within(Duration::from_millis(300)).await.is_none(), "nothing twice");
        // What is sent goes by POST and comes back on the stream.
        admin.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Geht wieder!" })).await;
        let live = stream.next().await;
        assert_eq!((live.id.as_deref(), live.data["message"]["body"].as_str()), (Some("5"), Some("Geht wieder!")));
    }
);

both_dbs!(
    /// Screenshots and files go into the chat as lines; the ladder's file rules apply.
    #[worker_threads(2)]
    async fn files_are_lines_of_the_chat(backend: Backend) {
        let server = desk(&backend).await;
        let (admin, agent, id) = running_chat(&server).await;
        let upload = |bytes: &'static [u8], name: &'static str, kind: &'static str| {
            let (content_type, body) = multipart(&[], &[("files", name, kind, bytes)]);
            admin
                .request(reqwest::Method::POST, &format!("/api/v1/chats/{id}/attachments"))
                .header("Content-Type", content_type.to_string())
                .body(body)
                .send()
        };
        let sent = upload(PNG, "bildschirm.png", "image/png").await.unwrap();
        assert_eq!(sent.status().as_u16(), 201);
        let sent: serde_json::Value = sent.json().await.unwrap();
        let line = &sent["items"][0];
        assert_eq!((line["kind"].as_str(), line["body"].as_str()), (Some("file"), Some("bildschirm.png")));
        let file = line["file"].as_i64().unwrap();
        let got = agent
            .request(reqwest::Method::GET, &format!("/api/v1/chats/{id}/attachments/{file}"))
            .send()
            .await
            .unwrap();
        assert_eq!(got.status().as_u16(), 200);
        assert_eq!(got.bytes().await.unwrap().as_ref(), PNG);
        let disguised = upload(HTML, "bild.png", "image/png").await.unwrap();
        assert_eq!(disguised.status().as_u16(), 422, "an HTML page is no picture");
        let other = server.client(ADMIN_B).await;
        let theirs = other.get(&format!("/api/v1/chats/{id}/attachments/{file}")).await;
        assert_eq!(theirs.status, 404);
    }
);

both_dbs!(
    /// Messages are size-limited and rate-limited per person.
    #[worker_threads(2)]
    async fn long_and_rapid_messages_are_refused(backend: Backend) {
        let server = desk_with(&backend, |f| {
            f.merge(("staffel.chat_messages_per_minute", 5)).merge(("staffel.chat_message_max", 100))
        })
        .await;
        let (admin, _agent, id) = running_chat(&server).await;
        let path = format!("/api/v1/chats/{id}/messages");
        let long = admin.post(&path, json!({ "body": "x".repeat(101) })).await;
        assert_eq!((long.status, long.json["error"]["field"].as_str()), (422, Some("body")));
        let mut statuses = Vec::new();
        for n in 0..6 {
            statuses.push(admin.post(&path, json!({ "body": format!("Hallo {n}") })).await.status);
        }
        // The request itself counted as one of the five.
        assert_eq!(statuses, [201, 201, 201, 201, 429, 429]);
        let nul = admin.post(&path, json!({ "body": "Hallo\u{0}" })).await;
        assert_eq!(nul.status, 422);
        let frame_unknown = {
            let mut socket = admin.socket(&format!("/api/v1/chats/{id}/ws?after=99")).await;
            socket.send(json!({ "type": "explode" })).await;
            socket.next().await
        };
        assert_eq!(frame_unknown["type"], "error");
    }
);

both_dbs!(
    /// A reader that falls further behind than the live hub keeps for a chat (it did not
    /// read while a hundred lines went by) gets them from the database: all, in order, once.
    #[worker_threads(2)]
    async fn a_reader_far_behind_catches_up_from_the_database(backend: Backend) {
        let server = desk_with(&backend, |f| f.merge(("staffel.chat_messages_per_minute", 1_000))).await;
        let (_admin, agent, id) = running_chat(&server).await;
        let actor = server.app.actor(ADMIN_A).await;
        let start = stored_bodies(&server, id).await.len() as i32;
        let mut follower =
            staffel::chat::follow::Follower::start(&server.live, &actor, id as i32, start).await.unwrap();
        for n in 0..100 {
            let sent =
                agent.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": format!("Zeile {n}") })).await;
            assert_eq!(sent.status, 201, "{:?}", sent.json);
        }
        let mut seqs = Vec::new();
        while seqs.len() < 100 {
            let next = tokio::time::timeout(Duration::from_secs(5), follower.next(&server.live)).await;
            let event = next.expect("the lines come").unwrap().expect("the chat is followed");
            if let Some(seq) = staffel::chat::messages::seq_of(&event) {
                seqs.push(seq);
            }
        }
        assert_eq!(seqs, (start + 1..=start + 100).collect::<Vec<_>>(), "every line once, in order");
        let more = tokio::time::timeout(Duration::from_millis(300), follower.next(&server.live)).await;
        assert!(more.is_err(), "nothing twice: {more:?}");
    }
);

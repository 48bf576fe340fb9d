//! Who may see and do what in a chat: its participants and the desk; another school, a
//! teacher and anonymous callers get nothing of it, over every way in. Cookie-signed
//! scripts need the CSRF header, sockets a page of Staffel's own. Agents invite, hand
//! over and chat with each other.
use serde_json::json;

use super::*;
use crate::common::Backend;

both_dbs!(
    /// Another school's admin, a teacher and anonymous callers: not found (or not signed
    /// in), on every route of the chat, the socket and the event stream included.
    #[worker_threads(2)]
    async fn other_schools_teachers_and_strangers_get_nothing(backend: Backend) {
        let server = desk(&backend).await;
        let (_admin, _agent, id) = running_chat(&server).await;
        let other = server.client(ADMIN_B).await;
        let teacher = server.client(TEACHER_A).await;
        for caller in [&other, &teacher] {
            for path in [
                format!("/api/v1/chats/{id}"),
                format!("/api/v1/chats/{id}/messages?after=0"),
                format!("/api/v1/chats/{id}/transcript.pdf"),
            ] {
                assert_eq!(caller.get(&path).await.status, 404, "{path}");
            }
            for action in ["messages", "close", "ticket", "typing", "transcript/mail"] {
                // Only a message has fields; the other actions refuse any they do not know.
                let body = if action == "messages" { json!({ "body": "Hallo" }) } else { json!({}) };
                let answer = caller.post(&format!("/api/v1/chats/{id}/{action}"), body).await;
                assert!(matches!(answer.status, 403 | 404), "{action}: {}", answer.status);
            }
            let stream = caller.request(reqwest::Method::GET, &format!("/api/v1/chats/{id}/events")).send().await;
            assert_eq!(stream.unwrap().status().as_u16(), 404);
        }
        assert!(other.get("/api/v1/chats").await.json["items"].as_array().unwrap().is_empty());
        assert_eq!(teacher.get("/api/v1/chats").await.status, 403);
        let stranger = server.anonymous();
        assert_eq!(stranger.get(&format!("/api/v1/chats/{id}")).await.status, 401);
        assert_eq!(stranger.post("/api/v1/chats", json!({ "message": "Hallo" })).await.status, 401);
        assert_eq!(stranger.get("/api/v1/chat/desk/events").await.status, 401);
        assert_eq!(teacher.get("/api/v1/chat/desk/events").await.status, 403);
        // The socket of another school's admin is refused before it opens.
        let token = server.app.token(ADMIN_B).await;
        let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            server.ws_url(&format!("/api/v1/chats/{id}/ws")).as_str(),
        )
        .unwrap();
        request.headers_mut().insert("Authorization", format!("Bearer {token}").parse().unwrap());
        match tokio_tungstenite::connect_async(request).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 404),
            other => panic!("another school's socket must be refused: {:?}", other.map(|_| ())),
        }
    }
);

both_dbs!(
    /// The pages' scripts use the session cookie: reading works, a change needs the CSRF
    /// token in its header, and a socket opens only from Staffel's own pages.
    #[worker_threads(2)]
    async fn cookie_signed_scripts_need_the_token_and_sockets_our_origin(backend: Backend) {
        let server = desk(&backend).await;
        let (_admin, agent, id) = running_chat(&server).await;
        let page = server.signed_in(ADMIN_A).await;
        assert_eq!(page.get(&format!("/api/v1/chats/{id}")).await.status, 200);
        let forged = page.post_without_token(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Fremd" })).await;
        assert_eq!(forged.status, 401, "without the CSRF header the cookie counts for nothing");
        let sent = page.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Von der Seite" })).await;
        assert_eq!(sent.status, 201, "{:?}", sent.json);
        // The rest of the API stays bearer-only.
        assert_eq!(page.get("/api/v1/me").await.status, 401);

        let path = format!("/api/v1/chats/{id}/ws");
        assert_eq!(page.socket(&path, Some("https://evil.example")).await.err(), Some(403));
        assert_eq!(page.socket(&path, Some("null")).await.err(), Some(403));
        let mut own = page.socket(&path, Some(&server.base)).await.expect("our own page's socket opens");
        let (_, line) = own.until("joined").await;
        assert_eq!(line["message"]["author"], "Anna Agentin");
        drop(agent);
    }
);

both_dbs!(
    /// An agent invites a colleague or hands the chat over (the requester sees who joined
    /// and who left); agents chat with each other outside any request.
    #[worker_threads(2)]
    async fn agents_invite_hand_over_and_talk_among_themselves(backend: Backend) {
        let server = desk(&backend).await;
        let (admin, anna, id) = running_chat(&server).await;
        let bernd = server.client(AGENT_2).await;
        let mut school = admin.socket(&format!("/api/v1/chats/{id}/ws?after=2")).await;
        let mut bernd_desk = bernd.events("/api/v1/chat/desk/events", None).await;
        bernd_desk.until("snapshot").await;
        let invited = anna.post(&format!("/api/v1/chats/{id}/invite"), json!({ "agent": AGENT_2 })).await;
        assert_eq!(invited.status, 200, "{:?}", invited.json);
        assert_eq!(invited.json["agents"].as_array().unwrap().len(), 2);
        let (_, joined) = school.until("joined").await;
        assert_eq!(joined["message"]["author"], "Bernd Berater");
        let (_, told) = bernd_desk.until("invited").await;
        assert_eq!(told.data["chat"], id);
        let nobody = anna.post(&format!("/api/v1/chats/{id}/invite"), json!({ "agent": "niemand@desk.de" })).await;
        assert_eq!((nobody.status, nobody.json["error"]["field"].as_str()), (422, Some("agent")));
        let admin_invited = anna.post(&format!("/api/v1/chats/{id}/invite"), json!({ "agent": ADMIN_B })).await;
        assert_eq!(admin_invited.status, 422, "only the desk joins a chat");

        let handed = bernd.post(&format!("/api/v1/chats/{id}/handover"), json!({ "agent": LEAD })).await;
        assert_eq!(handed.status, 200, "{:?}", handed.json);
        let (_, left) = school.until("left").await;
        assert_eq!(left["message"]["author"], "Bernd Berater");
        let names: Vec<_> = handed.json["agents"].as_array().unwrap().iter().map(|a| a["name"].clone()).collect();
        assert_eq!(names.len(), 2);
        assert!(!names.contains(&json!("Bernd Berater")));
        let gone = bernd.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Noch da" })).await;
        assert_eq!(gone.status, 403, "who handed over reads, but writes no more");
        assert_eq!(bernd.get(&format!("/api/v1/chats/{id}")).await.status, 200);

        let direct = anna.post("/api/v1/chats/direct", json!({ "agent": AGENT_2, "message": "Kaffee?" })).await;
        assert_eq!(direct.status, 201, "{:?}", direct.json);
        assert_eq!(direct.json["kind"], "direct");
        let (_, told) = bernd_desk.until("direct").await;
        assert_eq!(told.data["chat"], direct.json["id"]);
        let their = bernd.get(&format!("/api/v1/chats/{}/messages", direct.json["id"])).await;
        assert_eq!(their.json["items"][0]["body"], "Kaffee?");
        assert_eq!(admin.get(&format!("/api/v1/chats/{}", direct.json["id"])).await.status, 404);
        let to_ticket = anna.post(&format!("/api/v1/chats/{}/ticket", direct.json["id"]), json!({})).await;
        assert_eq!(to_ticket.status, 409, "{:?}", to_ticket.json);
    }
);

//! Requests: availability, who hears of a request, the first accept wins, the requester's
//! place in the queue, and what nobody being there means.
use serde_json::json;

use super::*;
use crate::common::Backend;

both_dbs!(
    /// Nobody online: the tile is told so, and a request gets the alternatives instead of a
    /// chat window nobody reads; an agent coming online makes it available.
    #[worker_threads(2)]
    async fn nobody_there_means_the_form_and_the_phone_instead(backend: Backend) {
        let server = desk(&backend).await;
        let anyone = server.anonymous();
        let available = anyone.get("/api/v1/chat/availability").await;
        assert_eq!(available.status, 200);
        assert_eq!(available.json["available"], false);
        assert_eq!(available.json["channels"][0]["slug"], "allgemein");
        assert_eq!(available.json["phone"], "+49 30 1234567");
        assert!(!available.json.to_string().contains("Anna"), "availability names nobody");

        let admin = server.client(ADMIN_A).await;
        let refused = admin.post("/api/v1/chats", json!({ "message": "Hallo?" })).await;
        assert_eq!(refused.status, 409, "{:?}", refused.json);
        assert_eq!(error_of(&refused).0, "chat_unavailable");
        assert_eq!(refused.json["alternatives"]["ticket_form"], "/helpdesk/tickets/new");
        assert_eq!(refused.json["alternatives"]["phone"], "+49 30 1234567");
        assert!(stored_bodies(&server, 1).await.is_empty(), "nothing was stored");

        let mut tile = anyone.events("/api/v1/chat/availability/events", None).await;
        assert_eq!(tile.next().await.data["available"], false);
        let agent = server.client(AGENT_1).await;
        online(&agent, "tab-1").await;
        assert_eq!(anyone.get("/api/v1/chat/availability").await.json["available"], true);
        // The clock's announcement (a background job step) tells the open tile.
        let mut announced = staffel::chat::upkeep::Announced::default();
        staffel::chat::upkeep::announce(&server.live, &mut announced, chrono::Utc::now()).await.unwrap();
        let (_, now_available) = tile.until("availability").await;
        assert_eq!(now_available.data["available"], true);

        // Do not disturb takes no requests.
        let dnd = agent.put("/api/v1/chat/presence", json!({ "state": "dnd" })).await;
        assert_eq!((dnd.status, dnd.json["state"].as_str()), (200, Some("dnd")));
        assert_eq!(anyone.get("/api/v1/chat/availability").await.json["available"], false);
        assert_eq!(admin.post("/api/v1/chats", json!({ "message": "Hallo?" })).await.status, 409);
    }
);

both_dbs!(
    /// A request goes to every taking agent of its channel at once, with its context; the
    /// requester learns their place; of two agents accepting at once exactly one wins and
    /// the other is told who was first.
    #[worker_threads(4)]
    async fn the_first_accept_wins_and_the_second_hears_who(backend: Backend) {
        let server = desk(&backend).await;
        let (anna, bernd) = (server.client(AGENT_1).await, server.client(AGENT_2).await);
        online(&anna, "tab-anna").await;
        online(&bernd, "tab-bernd").await;
        let mut anna_desk = anna.events("/api/v1/chat/desk/events", None).await;
        let mut bernd_desk = bernd.events("/api/v1/chat/desk/events", None).await;
        assert_eq!(anna_desk.next().await.data["type"], "snapshot");
        assert_eq!(bernd_desk.next().await.data["type"], "snapshot");

        let admin = server.client(ADMIN_A).await;
        let context = json!({ "page": "/helpdesk", "geraet": "Beamer 12" });
        let asked = admin.post("/api/v1/chats", json!({ "message": "Beamer zeigt nichts", "context": context })).await;
        assert_eq!(asked.status, 201, "{:?}", asked.json);
        assert_eq!((asked.json["status"].as_str(), asked.json["position"].as_u64()), (Some("waiting"), Some(1)));
        assert_eq!(asked.json["channel"]["slug"], "allgemein");
        assert_eq!(asked.json["school"], "gym-a");
        assert_eq!(asked.json["context"]["geraet"], "Beamer 12");
        let id = asked.json["id"].as_i64().unwrap();
        for desk in [&mut anna_desk, &mut bernd_desk] {
            let (_, request) = desk.until("request").await;
            assert_eq!(request.data["chat"]["id"], id);
            assert_eq!(request.data["chat"]["requester"]["name"], "Jörg Schäfer");
        }
        let second = admin.post("/api/v1/chats", json!({ "message": "Und noch etwas" })).await;
        assert_eq!(second.json["position"], 2, "the second request waits behind the first");
        let mut second_socket = admin.socket(&format!("/api/v1/chats/{}/ws", second.json["id"])).await;
        let (_, first_line) = second_socket.until("message").await;
        assert_eq!(first_line["message"]["body"], "Und noch etwas");

        let path = format!("/api/v1/chats/{id}/accept");
        let (a, b) = tokio::join!(anna.post(&path, json!({})), bernd.post(&path, json!({})));
        let (winner, loser, winner_name) = match (a.status, b.status) {
            (200, 409) => (a, b, "Anna Agentin"),
            (409, 200) => (b, a, "Bernd Berater"),
            other => panic!("one accept wins, one is refused: {other:?} {:?} {:?}", a.json, b.json),
        };
        assert_eq!(winner.json["status"], "active");
        assert_eq!(winner.json["agents"][0]["name"], winner_name);
        assert_eq!(error_of(&loser).1, format!("Diese Anfrage hat schon {winner_name} angenommen."));
        let participants = entities::chat_participant::Entity::find().all(server.app.db()).await.unwrap();
        let agents_in = participants.iter().filter(|p| p.chat_id == id as i32 && p.role == "agent").count();
        assert_eq!(agents_in, 1, "taken once");
        // The request list empties for both, and the one behind moved up.
        for desk in [&mut anna_desk, &mut bernd_desk] {
            let (_, taken) = desk.until("taken").await;
            assert_eq!(taken.data["chat"], id);
        }
        let (_, moved) = second_socket.until("position").await;
        assert_eq!(moved["position"], 1);
    }
);

use sea_orm::EntityTrait;

both_dbs!(
    /// An agent has a limit of concurrent chats; a teacher and the desk cannot ask.
    #[worker_threads(2)]
    async fn limits_and_who_may_ask(backend: Backend) {
        let server = desk_with(&backend, |f| f.merge(("staffel.chat_max_active", 1))).await;
        let (admin, agent, _first) = running_chat(&server).await;
        let next = ask(&admin, "Noch eine Frage").await;
        let refused = agent.post(&format!("/api/v1/chats/{}/accept", next["id"]), json!({})).await;
        assert_eq!(refused.status, 409);
        assert_eq!(error_of(&refused).1, "Sie führen schon 1 Chats gleichzeitig; beenden Sie erst einen.");

        let teacher = server.client(TEACHER_A).await;
        assert_eq!(teacher.post("/api/v1/chats", json!({ "message": "Hallo" })).await.status, 403);
        assert_eq!(agent.post("/api/v1/chats", json!({ "message": "Hallo" })).await.status, 403);
        let bad_channel = admin.post("/api/v1/chats", json!({ "channel": "gibtsnicht", "message": "Hallo" })).await;
        assert_eq!(bad_channel.status, 422);
        assert_eq!(error_of(&bad_channel).1, "Den Chat-Kanal „gibtsnicht“ gibt es nicht.");
        let blank = admin.post("/api/v1/chats", json!({ "message": "  " })).await;
        assert_eq!((blank.status, blank.json["error"]["field"].as_str()), (422, Some("message")));
        let bad_context = admin.post("/api/v1/chats", json!({ "message": "Hallo", "context": [1, 2] })).await;
        assert_eq!((bad_context.status, bad_context.json["error"]["field"].as_str()), (422, Some("context")));
    }
);

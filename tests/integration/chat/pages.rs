//! The chat's pages, as a signed-in browser without JavaScript uses them: the tile offers
//! chat only while someone is there and keeps the typed text for the ticket form when
//! nobody is; the desk answers on its pages; the lead sets up channels.
use serde_json::json;

use super::*;
use crate::common::Backend;

fn chat_id_of(location: &Option<String>, prefix: &str) -> i64 {
    let location = location.as_deref().expect("a redirect");
    let rest = location.strip_prefix(prefix).unwrap_or_else(|| panic!("{location} starts with {prefix}"));
    rest.split(['#', '?']).next().unwrap().parse().expect("a chat id")
}

/// The start form's opening tag on the tile.
fn start_form(tile: &str) -> &str {
    let at = tile.find(r#"id="chat-start""#).expect("the tile has the chat's start form");
    &tile[at..at + tile[at..].find('>').unwrap()]
}

both_dbs!(
    /// Nobody online: the tile says so and hides the start form; an agent's heartbeat
    /// makes the channel available, a chosen "do not disturb" takes it away again.
    #[worker_threads(2)]
    async fn the_tile_offers_chat_only_while_an_agent_takes_requests(backend: Backend) {
        let server = desk(&backend).await;
        let admin = server.signed_in(ADMIN_A).await;
        let tile = admin.page("/helpdesk").await;
        assert_eq!(tile.status, 200);
        assert!(start_form(&tile.body).contains("hidden"), "nobody there: no chat offered");
        assert!(tile.body.contains("Gerade ist niemand im Chat"));
        assert!(tile.body.contains(r#"id="chat-instead""#) && tile.body.contains("Zum Ticket-Formular"));

        let agent = server.client(AGENT_1).await;
        online(&agent, "tab-1").await;
        let tile = admin.page("/helpdesk").await.body;
        assert!(!start_form(&tile).contains("hidden"), "an agent is online: chat is offered");
        assert!(tile.contains(r#"<option value="allgemein">Allgemein</option>"#), "the channel can be chosen");

        let desk = server.signed_in(AGENT_1).await;
        let chose = desk.form("/desk/chat/presence", &[("state", "dnd")]).await;
        assert_eq!((chose.status, chose.location.as_deref()), (303, Some("/desk/chat")));
        assert!(desk.page("/desk/chat").await.body.contains(r#"value="dnd" checked"#));
        assert!(start_form(&admin.page("/helpdesk").await.body).contains("hidden"), "dnd takes no requests");
    }
);

both_dbs!(
    /// Started on the tile, listed on the desk's chat page, taken once (the second agent is
    /// told who was first), answered and ended — all by plain forms.
    #[worker_threads(2)]
    async fn a_chat_started_on_the_tile_is_answered_on_the_desk_pages(backend: Backend) {
        let server = desk(&backend).await;
        online(&server.client(AGENT_1).await, "tab-1").await;
        online(&server.client(AGENT_2).await, "tab-2").await;
        let admin = server.signed_in(ADMIN_A).await;
        let started = admin
            .form("/helpdesk/chats", &[("channel", "allgemein"), ("message", "Der Beamer in 104 bleibt schwarz.")])
            .await;
        assert_eq!(started.status, 303, "{}", started.body);
        let id = chat_id_of(&started.location, "/helpdesk/chats/");
        let waiting = admin.page(&format!("/helpdesk/chats/{id}")).await.body;
        assert!(waiting.contains("Der Beamer in 104 bleibt schwarz."));
        assert!(waiting.contains("Sie sind an Platz 1."), "the requester sees their place");
        assert!(waiting.contains("Ihre Anfrage ist beim Service-Desk."), "the flash says it went out");

        let anna = server.signed_in(AGENT_1).await;
        let list = anna.page("/desk/chat").await.body;
        assert!(list.contains(&format!(r#"href="/desk/chats/{id}""#)) && list.contains("Jörg Schäfer"), "{list}");
        let accepted = anna.form(&format!("/desk/chats/{id}/accept"), &[]).await;
        assert_eq!(accepted.status, 303, "{}", accepted.body);
        let bernd = server.signed_in(AGENT_2).await;
        let second = bernd.form(&format!("/desk/chats/{id}/accept"), &[]).await;
        assert_eq!(second.status, 409);
        assert!(second.body.contains("Diese Anfrage hat schon Anna Agentin angenommen."), "{}", second.body);

        let sent = anna.form(&format!("/desk/chats/{id}/messages"), &[("body", "Ist das HDMI-Kabel <fest>?")]).await;
        assert_eq!(sent.status, 303);
        let seen = admin.page(&format!("/helpdesk/chats/{id}")).await.body;
        assert!(seen.contains("Ist das HDMI-Kabel &lt;fest&gt;?"), "the answer arrives, escaped");
        assert!(seen.contains("Im Chat: Anna Agentin"));
        let empty = admin.form(&format!("/helpdesk/chats/{id}/messages"), &[("body", "  ")]).await;
        assert_eq!(empty.status, 422, "an empty line is refused with the form again");
        assert_eq!(stored_bodies(&server, id).await.len(), 3, "first message, joined, answer: nothing more");

        let closed = admin.form(&format!("/helpdesk/chats/{id}/close"), &[]).await;
        assert_eq!(closed.status, 303);
        let after = admin.page(&format!("/helpdesk/chats/{id}")).await.body;
        assert!(
            after.contains("Dieser Chat ist beendet.") && !after.contains(r#"name="body""#),
            "no writing after the end"
        );
        let late = anna.form(&format!("/desk/chats/{id}/messages"), &[("body", "Noch da?")]).await;
        assert_eq!(late.status, 409);
        // Who read the conversation is in the view log (SPEC §9), as for tickets.
        assert_eq!(anna.page(&format!("/desk/chats/{id}")).await.status, 200);
        staffel::audit::views::flush(&server.live.db, &server.live.views).await.unwrap();
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let viewed: Vec<(Option<i32>, String)> = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("viewed"))
            .filter(entities::audit_event::Column::TargetType.eq("chat"))
            .filter(entities::audit_event::Column::TargetId.eq(id as i32))
            .all(server.app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.actor_id, e.detail))
            .collect();
        let anna_id = server.app.user_id(AGENT_1).await;
        assert!(viewed.iter().any(|(who, detail)| *who == Some(anna_id) && detail.contains("desk")), "{viewed:?}");
        let admin_id = server.app.user_id(ADMIN_A).await;
        assert!(viewed.iter().any(|(who, detail)| *who == Some(admin_id) && detail.contains("school")), "{viewed:?}");
    }
);

both_dbs!(
    /// A file sent from the conversation's form (no script) is a line with its link on both
    /// sides; a disguised file is refused on the page, and nothing is stored.
    #[worker_threads(2)]
    async fn a_file_sent_from_the_chat_page_reaches_the_other_side(backend: Backend) {
        use crate::common::uploads::{HTML, PNG};
        let server = desk(&backend).await;
        online(&server.client(AGENT_1).await, "tab-1").await;
        let admin = server.signed_in(ADMIN_A).await;
        let started =
            admin.form("/helpdesk/chats", &[("channel", "allgemein"), ("message", "Fehlermeldung anbei")]).await;
        let id = chat_id_of(&started.location, "/helpdesk/chats/");
        let anna = server.signed_in(AGENT_1).await;
        assert_eq!(anna.form(&format!("/desk/chats/{id}/accept"), &[]).await.status, 303);
        let page = admin.page(&format!("/helpdesk/chats/{id}")).await.body;
        assert!(page.contains(r#"enctype="multipart/form-data" id="chat-files""#), "the conversation offers files");

        let sent =
            admin.upload(&format!("/helpdesk/chats/{id}/files"), &[("files", "fehler.png", "image/png", PNG)]).await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        let seen = anna.page(&format!("/desk/chats/{id}")).await.body;
        let file = server.client(AGENT_1).await.get(&format!("/api/v1/chats/{id}/messages")).await.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == "file")
            .expect("a file line")["file"]
            .as_i64()
            .unwrap();
        assert!(seen.contains(&format!(r#"href="/api/v1/chats/{id}/attachments/{file}">fehler.png</a>"#)), "{seen}");
        let back =
            anna.upload(&format!("/desk/chats/{id}/files"), &[("files", "anleitung.png", "image/png", PNG)]).await;
        assert_eq!(back.status, 303, "the desk sends files too");

        let before = stored_bodies(&server, id).await.len();
        let refused =
            admin.upload(&format!("/helpdesk/chats/{id}/files"), &[("files", "bild.png", "image/png", HTML)]).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains(r#"id="chat-file-error""#), "the refusal is shown at the file field");
        assert_eq!(stored_bodies(&server, id).await.len(), before, "nothing stored");
        let stranger = server.signed_in(ADMIN_B).await;
        let foreign =
            stranger.upload(&format!("/helpdesk/chats/{id}/files"), &[("files", "x.png", "image/png", PNG)]).await;
        assert_eq!(foreign.status, 404, "another school learns nothing of the chat");
    }
);

both_dbs!(
    /// Nobody there when the school admin sends: the tile again, with what they typed in
    /// the ticket form's description and a clear word; no chat was stored.
    #[worker_threads(2)]
    async fn nobody_there_leaves_the_typed_text_in_the_ticket_form(backend: Backend) {
        let server = desk(&backend).await;
        let admin = server.signed_in(ADMIN_A).await;
        let refused = admin
            .form("/helpdesk/chats", &[("channel", "allgemein"), ("message", "Drucker im Sekretariat streikt")])
            .await;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("Gerade ist niemand im Chat. Schreiben Sie uns ein Ticket"), "{}", refused.body);
        let description = refused.body.find(r#"name="description""#).expect("the ticket form");
        assert!(refused.body[description..].contains(">Drucker im Sekretariat streikt</textarea>"), "the text is kept");
        assert!(server.client(ADMIN_A).await.get("/api/v1/chats").await.json["items"].as_array().unwrap().is_empty());
    }
);

both_dbs!(
    /// The desk lead creates a channel with its agents; an agent finds it under "my chat
    /// channels" and pauses it; other agents may not set channels up; an unknown agent is
    /// refused and nothing is saved.
    #[worker_threads(2)]
    async fn the_lead_sets_up_channels_and_agents_choose_theirs(backend: Backend) {
        let server = desk(&backend).await;
        let lead = server.signed_in(LEAD).await;
        let saved = lead
            .form(
                "/desk/chat/channels",
                &[("slug", "netz"), ("name", "Netz & WLAN"), ("agents", AGENT_1), ("active", "true")],
            )
            .await;
        assert_eq!((saved.status, saved.location.as_deref()), (303, Some("/desk/chat/channels")), "{}", saved.body);
        let listed = lead.page("/desk/chat/channels").await.body;
        assert!(listed.contains("Netz &amp; WLAN") && listed.contains(AGENT_1));
        let unknown = lead
            .form("/desk/chat/channels", &[("slug", "drucker"), ("name", "Drucker"), ("agents", "niemand@desk.de")])
            .await;
        assert_eq!(unknown.status, 422);
        assert!(!lead.page("/desk/chat/channels").await.body.contains("drucker"), "nothing saved");

        let anna = server.signed_in(AGENT_1).await;
        let mine = anna.page("/desk/chat").await.body;
        assert!(mine.contains("Netz &amp; WLAN: nehme Anfragen an"), "{mine}");
        let paused = anna.form("/desk/chat/channels/netz/taking", &[("taking", "false")]).await;
        assert_eq!(paused.status, 303);
        assert!(anna.page("/desk/chat").await.body.contains("Netz &amp; WLAN: pausiert"));
        let api = server.client(AGENT_1).await.get("/api/v1/chat/channels").await;
        assert_eq!(
            api.json["items"].as_array().unwrap().iter().find(|c| c["slug"] == "netz").unwrap()["taking"],
            json!(false)
        );

        let bernd = server.signed_in(AGENT_2).await;
        assert_eq!(bernd.page("/desk/chat/channels").await.status, 403);
        assert!(!bernd.page("/desk/chat").await.body.contains("Netz &amp; WLAN"), "not his channel");
    }
);

both_dbs!(
    /// "Make it a ticket" on the desk's chat page leads to the new ticket of the school.
    #[worker_threads(2)]
    async fn a_chat_becomes_a_ticket_from_its_page(backend: Backend) {
        let server = desk(&backend).await;
        let (_admin, _agent, id) = running_chat(&server).await;
        let anna = server.signed_in(AGENT_1).await;
        let made = anna.form(&format!("/desk/chats/{id}/ticket"), &[]).await;
        assert_eq!(made.status, 303, "{}", made.body);
        let to = made.location.expect("to the ticket");
        assert!(to.starts_with("/desk/tickets/T-"), "{to}");
        let ticket = anna.page(&to).await.body;
        assert!(ticket.contains("Das WLAN im Lehrerzimmer ist weg."), "the chat's first message describes the ticket");
        let chat = anna.page(&format!("/desk/chats/{id}")).await.body;
        assert!(chat.contains(&to.replace("/desk/tickets/", "")), "the chat links its ticket");
    }
);

both_dbs!(
    /// An agent running several chats has them as tabs above each conversation and on the
    /// chat page, the open one marked; a chat with a colleague is named after the colleague;
    /// an ended chat leaves the tabs.
    #[worker_threads(2)]
    async fn an_agents_open_chats_are_tabs_above_every_conversation(backend: Backend) {
        let server = desk(&backend).await;
        online(&server.client(AGENT_1).await, "tab-1").await;
        let admin = server.signed_in(ADMIN_A).await;
        let mut ids = Vec::new();
        for message in ["Beamer in 104", "WLAN im Lehrerzimmer"] {
            let started = admin.form("/helpdesk/chats", &[("channel", "allgemein"), ("message", message)]).await;
            ids.push(chat_id_of(&started.location, "/helpdesk/chats/"));
        }
        let anna = server.signed_in(AGENT_1).await;
        for id in &ids {
            assert_eq!(anna.form(&format!("/desk/chats/{id}/accept"), &[]).await.status, 303);
        }
        let direct = anna.form("/desk/chat/direct", &[("agent", AGENT_2), ("message", "Kurze Frage")]).await;
        assert_eq!(direct.status, 303, "{}", direct.body);
        let direct_id = chat_id_of(&direct.location, "/desk/chats/");

        let page = anna.page(&format!("/desk/chats/{}", ids[0])).await.body;
        let tabs = &page[page.find(r#"class="chat-tabs""#).expect("the tabs")..];
        let tabs = &tabs[..tabs.find("</nav>").unwrap()];
        assert!(tabs.contains(&format!(r#"href="/desk/chats/{}" aria-current="page""#, ids[0])), "{tabs}");
        assert!(tabs.contains(&format!(r#"href="/desk/chats/{}">"#, ids[1])) && tabs.contains("Jörg Schäfer"));
        assert!(tabs.contains(&format!(r#"href="/desk/chats/{direct_id}">"#)) && tabs.contains("Bernd"), "{tabs}");
        assert!(anna.page("/desk/chat").await.body.contains(r#"class="chat-tabs""#), "the chat page has them too");
        let bernd_tabs = server.signed_in(AGENT_2).await.page("/desk/chat").await.body;
        assert!(!bernd_tabs.contains(&format!(r#"href="/desk/chats/{}">"#, ids[0])), "only one's own chats");

        assert_eq!(admin.form(&format!("/helpdesk/chats/{}/close", ids[1]), &[]).await.status, 303);
        let page = anna.page(&format!("/desk/chats/{}", ids[0])).await.body;
        assert!(!page.contains(&format!(r#"href="/desk/chats/{}">"#, ids[1])), "the ended chat left the tabs");
    }
);

//! Agents on XMPP, against a real prosody and a real XMPP client: linking an address (and
//! what a wrong code or a stranger gets), presence from XMPP while no browser is open,
//! a request offered, taken and answered both ways, and never both browser and XMPP.
mod account;
mod instances;
mod prosody;

use std::time::Duration;

use serde_json::{json, Value};
use tokio_xmpp::parsers::presence::Show;

use crate::chat::{ask, error_of, online, people, ADMIN_A, AGENT_1};
use crate::common::{Backend, LiveServer};
use prosody::{Agent, Prosody};
use staffel::chat::presence;
use staffel::xmpp::links;

/// A desk whose server has Staffel's XMPP account on this prosody, signed in there.
async fn desk(backend: &Backend, prosody: &Prosody) -> LiveServer {
    let server = LiveServer::start_launched_with(backend, |f| prosody.settings(f)).await;
    people(&server.app).await;
    for _ in 0..400 {
        let metrics = server.anonymous().get_text("/metrics").await;
        if metrics.lines().any(|l| l == "staffel_xmpp_up 1") {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the XMPP bridge did not sign in to prosody within 40 s");
}

/// Anna links `anna@localhost` on her account and confirms it from her client; Staffel
/// then sees her presence. Returns her client.
pub async fn linked_anna(server: &LiveServer, prosody: &Prosody) -> Agent {
    linked_anna_on(server, &server.live, prosody).await
}

/// The same through an instance of one's choice (one that has an XMPP account).
pub async fn linked_anna_on(server: &LiveServer, instance: &staffel::app::App, prosody: &Prosody) -> Agent {
    let actor = server.app.actor(AGENT_1).await;
    let link = links::link(instance, &actor, "anna@localhost").await.expect("linked");
    let code = link.code.expect("a pending link has a code");
    let mut anna = Agent::connect(prosody, "anna").await;
    anna.say(&format!("!verbinden {code}")).await;
    anna.expect("jetzt mit Ihrem Staffel-Konto verbunden").await;
    anna
}

/// Anna's chat state as the desk sees it, once it is `wanted` (within 10 s).
pub async fn anna_becomes(server: &LiveServer, wanted: entities::PresenceState) {
    let id = server.app.user_id(AGENT_1).await;
    let settings = server.live.settings.clone();
    for _ in 0..100 {
        let states = presence::states(server.live.db.read(), &settings, &[id], chrono::Utc::now()).await.unwrap();
        if states[&id] == wanted {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("Anna never became {wanted:?}");
}

async fn chat_of(server: &LiveServer, id: i64) -> Value {
    let agent = server.client(AGENT_1).await;
    let shown = agent.get(&format!("/api/v1/chats/{id}")).await;
    assert_eq!(shown.status, 200, "{:?}", shown.json);
    shown.json
}

/// The bodies of a chat's lines (as the school admin reads them), once one contains `needle`.
pub async fn school_reads(server: &LiveServer, id: i64, needle: &str) -> Vec<Value> {
    let admin = server.client(ADMIN_A).await;
    for _ in 0..100 {
        let lines = admin.get(&format!("/api/v1/chats/{id}/messages")).await;
        let list = lines.json["items"].as_array().cloned().unwrap_or_default();
        if list.iter().any(|l| l["body"].as_str().is_some_and(|b| b.contains(needle))) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the school never read {needle:?}");
}

both_dbs!(
    /// The whole way: Anna is available on XMPP with no browser open, so the tile offers
    /// chat; a school's request reaches her client, she takes it with a command, gets what
    /// was said so far, both sides' lines travel, her browser may not answer as well, and
    /// she ends it from XMPP.
    #[worker_threads(4)]
    async fn an_agent_on_xmpp_takes_a_request_and_chats_with_the_school(backend: Backend) {
        if !prosody::available() {
            return;
        }
        let prosody = Prosody::start(&["anna"]);
        let server = desk(&backend, &prosody).await;
        let anyone = server.anonymous();
        assert_eq!(anyone.get("/api/v1/chat/availability").await.json["available"], false);
        let mut anna = linked_anna(&server, &prosody).await;
        anna_becomes(&server, entities::PresenceState::Online).await;
        assert_eq!(anyone.get("/api/v1/chat/availability").await.json["available"], true);

        let admin = server.client(ADMIN_A).await;
        let chat = ask(&admin, "Der Beamer in Raum 104 zeigt kein Bild.").await;
        let id = chat["id"].as_i64().unwrap();
        let offer = anna.expect(&format!("#{id}")).await;
        assert!(offer.contains("Der Beamer in Raum 104 zeigt kein Bild."), "{offer}");
        assert!(offer.contains("Jörg Schäfer") && offer.contains(&format!("!annehmen {id}")), "{offer}");

        anna.say(&format!("!annehmen {id}")).await;
        anna.expect(&format!("Sie sind im Chat #{id} mit Jörg Schäfer")).await;
        anna.expect("Jörg Schäfer: Der Beamer in Raum 104").await;
        let taken = chat_of(&server, id).await;
        assert_eq!((taken["status"].as_str(), taken["answered_via"].as_str()), (Some("active"), Some("xmpp")));
        assert_eq!(taken["agents"][0]["email"], AGENT_1);

        let asked =
            admin.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Kabel sind alle dran." })).await;
        assert_eq!(asked.status, 201, "{:?}", asked.json);
        anna.expect("Jörg Schäfer: Kabel sind alle dran.").await;

        anna.say("Bitte einmal am Beamer die Quelle auf HDMI 2 stellen.").await;
        let lines = school_reads(&server, id, "HDMI 2").await;
        let hers = lines.iter().find(|l| l["body"].as_str().is_some_and(|b| b.contains("HDMI 2"))).unwrap();
        assert_eq!(hers["author"], "Anna Agentin");
        assert_eq!(hers["role"], "agent");
        // "ende" without the mark is something said, not a command.
        anna.say("ende").await;
        school_reads(&server, id, "ende").await;

        // Her browser does not answer a chat she answers on XMPP.
        let browser = server.client(AGENT_1).await;
        let refused = browser.post(&format!("/api/v1/chats/{id}/messages"), json!({ "body": "Auch hier?" })).await;
        assert_eq!(refused.status, 409, "{:?}", refused.json);
        assert_eq!(error_of(&refused).1, staffel::i18n::tr(staffel::i18n::Lang::De, "chat.answered_on_xmpp"));

        anna.say("!ende").await;
        anna.expect(&format!("Chat #{id} ist beendet.")).await;
        assert_eq!(chat_of(&server, id).await["status"], "closed");
        let lines = school_reads(&server, id, "HDMI 2").await;
        assert_eq!(lines.last().unwrap()["kind"], "closed");
    }
);

both_dbs!(
    /// Her XMPP status is her chat status while no browser of hers is open: do not disturb
    /// takes no requests, a browser tab wins over XMPP, and while it is open requests are
    /// not offered on XMPP and cannot be taken there.
    #[worker_threads(4)]
    async fn xmpp_presence_counts_only_while_no_browser_is_open(backend: Backend) {
        if !prosody::available() {
            return;
        }
        let prosody = Prosody::start(&["anna"]);
        let server = desk(&backend, &prosody).await;
        let mut anna = linked_anna(&server, &prosody).await;
        anna_becomes(&server, entities::PresenceState::Online).await;
        anna.show(Some(Show::Dnd)).await;
        anna_becomes(&server, entities::PresenceState::Dnd).await;
        assert_eq!(server.anonymous().get("/api/v1/chat/availability").await.json["available"], false);
        anna.show(Some(Show::Xa)).await;
        anna_becomes(&server, entities::PresenceState::Xa).await;

        let browser = server.client(AGENT_1).await;
        online(&browser, "tab-anna").await;
        anna_becomes(&server, entities::PresenceState::Online).await;
        anna.show(None).await;
        let admin = server.client(ADMIN_A).await;
        let chat = ask(&admin, "Drucker im Sekretariat druckt nur leere Seiten.").await;
        let id = chat["id"].as_i64().unwrap();
        let told = anna.quiet_for(Duration::from_secs(2)).await;
        assert!(told.iter().all(|m| !m.contains(&format!("#{id}"))), "offered on XMPP with a browser open: {told:?}");
        anna.say(&format!("!annehmen {id}")).await;
        anna.expect("Staffel-Tab von Ihnen ist offen").await;
        assert_eq!(chat_of(&server, id).await["status"], "waiting");

        anna.unavailable().await;
        let leave = browser.post("/api/v1/chat/presence/leave", json!({ "session": "tab-anna" })).await;
        assert!(leave.status < 300, "{:?}", leave.json);
        anna_becomes(&server, entities::PresenceState::Offline).await;
    }
);

both_dbs!(
    /// An address linked to nobody is told so once and then ignored; a wrong code ends the
    /// pending link (so a code cannot be guessed), and only the right one confirms it.
    #[worker_threads(4)]
    async fn strangers_are_told_once_and_a_wrong_code_ends_the_pending_link(backend: Backend) {
        if !prosody::available() {
            return;
        }
        let prosody = Prosody::start(&["anna", "mallory"]);
        let server = desk(&backend, &prosody).await;
        let mut mallory = Agent::connect(&prosody, "mallory").await;
        mallory.say("Hallo, wer ist da?").await;
        mallory.expect("mit keinem Staffel-Konto verbunden").await;
        let notice = mallory.quiet_for(Duration::from_secs(1)).await;
        assert!(notice.is_empty(), "{notice:?}");
        mallory.say("!annehmen 1").await;
        mallory.say("Hallo?").await;
        assert_eq!(mallory.quiet_for(Duration::from_secs(2)).await, Vec::<String>::new(), "told once only");

        let actor = server.app.actor(AGENT_1).await;
        let link = links::link(&server.live, &actor, "anna@localhost").await.unwrap();
        let code = link.code.unwrap();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        let mut anna = Agent::connect(&prosody, "anna").await;
        anna.say(&format!("!verbinden {wrong}")).await;
        anna.expect("Der Code stimmt nicht").await;
        assert!(links::of(server.live.db.read(), actor.id).await.unwrap().is_none(), "the pending link is gone");
        anna.say(&format!("!verbinden {code}")).await;
        anna.expect("mit keinem Staffel-Konto verbunden").await;
        assert!(links::confirmed_by_jid(server.live.db.read(), "anna@localhost").await.unwrap().is_none());
    }
);

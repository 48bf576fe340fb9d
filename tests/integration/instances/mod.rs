//! Several instances on one PostgreSQL behave as one: live events travel between them
//! through `LISTEN/NOTIFY` (a chat whose requester is on one instance and whose agent is on
//! another, the desk's requests, typing, positions, the queue's feed), a client that loses
//! its instance resumes on another without loss, a lost listener connection loses nothing,
//! and a forged notice is believed no further than the ids it names. In-process instances
//! here (`relay`), two real `staffel serve` processes in `processes`.
//!
//! On SQLite there is one instance: the relay does not run and the same code serves.
mod processes;
mod relay;

use std::time::Duration;

use serde_json::json;

use crate::chat::{ask, desk, online, ADMIN_A, AGENT_1};
use crate::common::{Backend, Instance, LiveServer};

/// Waits until the instance's relay listens (it starts when the server lifts off).
pub async fn relaying(app: &staffel::app::App) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !app.live.relays() {
        assert!(std::time::Instant::now() < deadline, "the relay never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The chat desk on PostgreSQL with a second instance beside it, both relaying; `None` on
/// SQLite, after checking that nothing is relayed there.
pub async fn two_instances(backend: &Backend) -> Option<(LiveServer, Instance)> {
    let server = desk(backend).await;
    if let Backend::Sqlite = backend {
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!server.live.live.relays(), "one instance on SQLite: nothing to relay");
        let metrics = reqwest::get(format!("{}/metrics", server.base)).await.unwrap().text().await.unwrap();
        assert!(metrics.contains("staffel_live_relay_up 0\n"), "{metrics}");
        return None;
    }
    let other = server.another_instance().await;
    relaying(&server.live).await;
    relaying(&other.live).await;
    Some((server, other))
}

/// A request of school A asked on the first instance and accepted by agent 1 on the
/// second: (the chat's id, the school admin's token, the agent's token).
pub async fn chat_across(server: &LiveServer, other: &Instance) -> (i64, String, String) {
    let (admin_token, agent_token) = (server.app.token(ADMIN_A).await, server.app.token(AGENT_1).await);
    let agent = other.client(&agent_token);
    online(&agent, "tab-on-b").await;
    let chat = ask(&server.client(ADMIN_A).await, "Hallo vom ersten Server").await;
    let id = chat["id"].as_i64().expect("a chat id");
    let accepted = agent.post(&format!("/api/v1/chats/{id}/accept"), json!({})).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.json);
    (id, admin_token, agent_token)
}

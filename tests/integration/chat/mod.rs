//! The live chat, on a launched server: requests and who takes them, the conversation
//! over WebSocket and event streams (resumed after a dropped connection, nothing lost,
//! nothing twice), presence, how a chat ends, retention, and who may see what.
mod access;
mod conversation;
mod endings;
mod pages;
mod presence;
mod requests;

use serde_json::{json, Value};

use crate::common::{Answer, Backend, Caller, LiveServer};

pub const ADMIN_A: &str = "admin@gym-a.de";
pub const ADMIN_B: &str = "admin@gym-b.de";
pub const TEACHER_A: &str = "lehrer@gym-a.de";
pub const AGENT_1: &str = "anna@desk.de";
pub const AGENT_2: &str = "bernd@desk.de";
pub const LEAD: &str = "lea@desk.de";

/// Two schools with an admin each, a teacher, two agents and a desk lead.
pub async fn desk(backend: &Backend) -> LiveServer {
    desk_with(backend, |f| f).await
}

pub async fn desk_with(
    backend: &Backend,
    adjust: impl Fn(rocket::figment::Figment) -> rocket::figment::Figment,
) -> LiveServer {
    let server = LiveServer::start_with(backend, adjust).await;
    people(&server.app).await;
    server
}

/// The desk's and the schools' people of these tests.
pub async fn people(app: &crate::common::TestApp) {
    app.school("gym-a").await;
    app.school("gym-b").await;
    app.user_named(ADMIN_A, "Jörg Schäfer", "school_admin", "gym-a", "de").await;
    app.user_named(ADMIN_B, "Birgit Brandt", "school_admin", "gym-b", "de").await;
    app.user(TEACHER_A, "teacher", "gym-a").await;
    app.user_named(AGENT_1, "Anna Agentin", "agent", "", "de").await;
    app.user_named(AGENT_2, "Bernd Berater", "agent", "", "de").await;
    app.user_named(LEAD, "Lea Leitung", "desk_lead", "", "de").await;
}

/// This agent's tab reports in with input: they are online.
pub async fn online(agent: &Caller, tab: &str) {
    let beat = agent.post("/api/v1/chat/presence/heartbeat", json!({ "session": tab, "input": true })).await;
    assert_eq!(beat.status, 200, "{:?}", beat.json);
}

/// A school admin asks in the default channel; the waiting chat.
pub async fn ask(admin: &Caller, message: &str) -> Value {
    let asked = admin.post("/api/v1/chats", json!({ "message": message })).await;
    assert_eq!(asked.status, 201, "{:?}", asked.json);
    asked.json
}

/// A request of school A accepted by agent 1: (school admin, agent, chat id).
pub async fn running_chat(server: &LiveServer) -> (Caller, Caller, i64) {
    let admin = server.client(ADMIN_A).await;
    let agent = server.client(AGENT_1).await;
    online(&agent, "tab-anna").await;
    let chat = ask(&admin, "Grüße! Das WLAN im Lehrerzimmer ist weg.").await;
    let id = chat["id"].as_i64().expect("a chat id");
    let accepted = agent.post(&format!("/api/v1/chats/{id}/accept"), json!({})).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.json);
    (admin, agent, id)
}

/// The error code and message of a JSON error answer.
pub fn error_of(answer: &Answer) -> (String, String) {
    let error = &answer.json["error"];
    (error["code"].as_str().unwrap_or("").to_string(), error["message"].as_str().unwrap_or("").to_string())
}

/// The bodies of a chat's stored lines, in order.
pub async fn stored_bodies(server: &LiveServer, chat: i64) -> Vec<(i32, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    entities::chat_message::Entity::find()
        .filter(entities::chat_message::Column::ChatId.eq(chat as i32))
        .order_by_asc(entities::chat_message::Column::Seq)
        .all(server.app.db())
        .await
        .expect("read the lines")
        .into_iter()
        .map(|m| (m.seq, m.body))
        .collect()
}

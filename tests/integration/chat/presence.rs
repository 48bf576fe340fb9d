//! Presence: several tabs are one agent, idle time moves online → away → xa, a chosen
//! state sticks, a closed browser goes offline after the heartbeat timeout, and a request
//! left unanswered sets its agent away and is offered to the others again.
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::*;
use crate::common::Backend;

/// Moves the clock for one tab: its last input (and, if given, when it was last heard of)
/// this long ago.
async fn tab_idle(server: &LiveServer, tab: &str, input_ago: Duration, seen_ago: Option<Duration>) {
    use entities::chat_presence_session::{Column, Entity};
    let now = Utc::now();
    let mut update = Entity::update_many().col_expr(Column::LastInputAt, Expr::value(now - input_ago));
    if let Some(seen) = seen_ago {
        update = update.col_expr(Column::LastSeenAt, Expr::value(now - seen));
    }
    update.filter(Column::Id.eq(tab)).exec(server.app.db()).await.expect("move the tab's clock");
}

async fn state_of(caller: &Caller) -> String {
    let me = caller.get("/api/v1/chat/presence").await;
    assert_eq!(me.status, 200, "{:?}", me.json);
    me.json["state"].as_str().unwrap_or("").to_string()
}

both_dbs!(
    /// Two tabs are one agent; the one used last counts; idle time moves the state.
    #[worker_threads(2)]
    async fn two_tabs_are_one_agent_and_idle_time_moves_them(backend: Backend) {
        let server = desk(&backend).await;
        let anna = server.client(AGENT_1).await;
        assert_eq!(state_of(&anna).await, "offline");
        online(&anna, "tab-a").await;
        online(&anna, "tab-b").await;
        assert_eq!(state_of(&anna).await, "online");
        let lead = server.client(LEAD).await;
        let people = lead.get("/api/v1/chat/presence").await.json["people"].clone();
        let anna_row = people.as_array().unwrap().iter().find(|p| p["email"] == AGENT_1).unwrap().clone();
        assert_eq!(anna_row["state"], "online", "the desk sees everyone's presence");
        assert_eq!(people.as_array().unwrap().len(), 3);

        tab_idle(&server, "tab-a", Duration::minutes(10), None).await;
        assert_eq!(state_of(&anna).await, "online", "the other tab was used a moment ago");
        tab_idle(&server, "tab-b", Duration::minutes(6), None).await;
        assert_eq!(state_of(&anna).await, "away");
        tab_idle(&server, "tab-b", Duration::minutes(31), None).await;
        tab_idle(&server, "tab-a", Duration::minutes(40), None).await;
        assert_eq!(state_of(&anna).await, "xa");
        assert_eq!(server.anonymous().get("/api/v1/chat/availability").await.json["available"], false);
        // A heartbeat without input does not wake her; one with input does.
        let quiet = anna.post("/api/v1/chat/presence/heartbeat", json!({ "session": "tab-a", "input": false })).await;
        assert_eq!(quiet.json["state"], "xa");
        online(&anna, "tab-a").await;
        assert_eq!(state_of(&anna).await, "online");

        // A chosen state sticks, whatever the tabs do, until she chooses again.
        assert_eq!(anna.put("/api/v1/chat/presence", json!({ "state": "dnd" })).await.json["state"], "dnd");
        online(&anna, "tab-a").await;
        assert_eq!(state_of(&anna).await, "dnd");
        assert_eq!(anna.put("/api/v1/chat/presence", json!({ "state": "online" })).await.json["state"], "online");
        let wrong = anna.put("/api/v1/chat/presence", json!({ "state": "busy" })).await;
        assert_eq!((wrong.status, wrong.json["error"]["field"].as_str()), (422, Some("state")));

        // A closed browser: its tabs are not heard of any more and she goes offline.
        tab_idle(&server, "tab-a", Duration::seconds(70), Some(Duration::seconds(70))).await;
        tab_idle(&server, "tab-b", Duration::seconds(70), Some(Duration::seconds(70))).await;
        assert_eq!(state_of(&anna).await, "offline");
        online(&anna, "tab-c").await;
        let left = anna.post("/api/v1/chat/presence/leave", json!({ "session": "tab-c" })).await;
        assert_eq!(left.status, 204);
        assert_eq!(state_of(&anna).await, "offline", "a tab that said goodbye counts for nothing");

        // Someone else's tab id is not hers to use; a school admin has no presence.
        online(&server.client(AGENT_2).await, "tab-bernd").await;
        let taken =
            anna.post("/api/v1/chat/presence/heartbeat", json!({ "session": "tab-bernd", "input": true })).await;
        assert_eq!(taken.status, 422);
        assert_eq!(server.client(ADMIN_A).await.get("/api/v1/chat/presence").await.status, 403);
    }
);

both_dbs!(
    /// A request left unanswered: the online agents who let it wait are set away and it is
    /// offered to the others again.
    #[worker_threads(2)]
    async fn an_unanswered_request_sets_its_agent_away_and_is_offered_again(backend: Backend) {
        let server = desk(&backend).await;
        let (anna, bernd) = (server.client(AGENT_1).await, server.client(AGENT_2).await);
        online(&anna, "tab-anna").await;
        online(&bernd, "tab-bernd").await;
        // Bernd stepped away from his desk a while ago: away, not online.
        tab_idle(&server, "tab-bernd", Duration::minutes(7), None).await;
        let mut bernd_desk = bernd.events("/api/v1/chat/desk/events", None).await;
        bernd_desk.until("snapshot").await;
        let admin = server.client(ADMIN_A).await;
        let request = ask(&admin, "Ist jemand da?").await;
        let id = request["id"].as_i64().unwrap();
        assert_eq!(staffel::chat::upkeep::offer_again(&server.live, Utc::now()).await.unwrap(), 0, "not yet due");

        // Two minutes pass without an answer.
        entities::chat::Entity::update_many()
            .col_expr(entities::chat::Column::OfferedAt, Expr::value(Utc::now() - Duration::seconds(121)))
            .filter(entities::chat::Column::Id.eq(id as i32))
            .exec(server.app.db())
            .await
            .unwrap();
        assert_eq!(staffel::chat::upkeep::offer_again(&server.live, Utc::now()).await.unwrap(), 1);
        assert_eq!(state_of(&anna).await, "away", "Anna let it wait while online");
        assert_eq!(state_of(&bernd).await, "away", "Bernd was away already");
        let (_, first) = bernd_desk.until("request").await;
        assert_eq!(first.data["again"], serde_json::Value::Null, "everyone of the channel heard of it at first");
        let (_, again) = bernd_desk.until("request").await;
        assert_eq!((again.data["chat"]["id"].as_i64(), again.data["again"].as_bool()), (Some(id), Some(true)));
        // Once, not on every round of the job; and Anna's next input brings her back.
        assert_eq!(staffel::chat::upkeep::offer_again(&server.live, Utc::now()).await.unwrap(), 0);
        online(&anna, "tab-anna").await;
        assert_eq!(state_of(&anna).await, "online");
        assert_eq!(anna.post(&format!("/api/v1/chats/{id}/accept"), json!({})).await.status, 200);
    }
);

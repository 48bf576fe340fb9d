//! The chat's state-changing API routes with their bad bodies, and the chats they need.
use std::collections::HashMap;

use super::api::{api_invalid, api_invalid_arg, api_status, api_unreadable, json_case, ApiMsg, ApiTarget};
use super::*;
use serde_json::json;
use staffel::chat::lifecycle;

/// The fixture's chats: waiting requests of school A for the school's own routes, some
/// taken by the agent for the desk's, and one of school B.
pub(super) async fn chats(app: &TestApp) -> HashMap<&'static str, i32> {
    let agent = app.actor(AGENT).await;
    staffel::chat::presence::heartbeat(app.app(), &agent, "fixture-tab", true).await.expect("the agent is online");
    let ask = |email: &'static str| async move {
        let actor = app.actor(email).await;
        let request = lifecycle::Request { message: "Beamer zeigt nichts".into(), ..Default::default() };
        match lifecycle::ask(app.app(), &actor, &request).await.expect("ask") {
            lifecycle::Asked::Waiting(chat) => chat.id,
            lifecycle::Asked::NobodyThere(_) => panic!("the agent is online"),
        }
    };
    let mut chats = HashMap::new();
    for purpose in ["messages", "accept", "close", "mail", "upload"] {
        chats.insert(purpose, ask(SCHOOL_ADMIN).await);
    }
    for purpose in ["active", "ticket", "attach"] {
        let id = ask(SCHOOL_ADMIN).await;
        lifecycle::accept(app.app(), &agent, id).await.expect("accept");
        chats.insert(purpose, id);
    }
    // The pages' own: the school admin's, and some the desk lead took.
    for purpose in ["page messages", "page close", "page transcript", "page accept"] {
        chats.insert(purpose, ask(SCHOOL_ADMIN).await);
    }
    let lead = app.actor(DESK_LEAD).await;
    for purpose in ["page desk messages", "page handover", "page invite", "page desk close", "page ticket"] {
        let id = ask(SCHOOL_ADMIN).await;
        lifecycle::accept(app.app(), &lead, id).await.expect("the lead accepts");
        chats.insert(purpose, id);
    }
    chats.insert("other", ask(SCHOOL_B_ADMIN).await);
    chats
}

pub(super) fn chat_api_targets(f: &Fixture) -> Vec<ApiTarget> {
    let chat = |purpose: &str, action: &str| format!("/api/v1/chats/{}/{action}", f.chats[purpose]);
    let unknown = |action: &str| format!("/api/v1/chats/999999/{action}");
    let not_found = || api_status(404, "not_found", "error.not_found");
    let post = |route, path, who, valid, valid_status, cases| ApiTarget {
        method: Method::Post,
        route,
        path,
        who: Some(who),
        valid,
        valid_status,
        cases,
    };
    let put =
        |route, path, who, valid, cases| ApiTarget { method: Method::Put, ..post(route, path, who, valid, 200, cases) };
    let unknown_agent = |email: &str| api_invalid_arg("agent", "tickets.unknown_agent", email);
    let many_keys: serde_json::Map<String, serde_json::Value> =
        (0..21).map(|n| (format!("k{n}"), json!("v"))).collect();
    vec![
        post(
            "/api/v1/chats",
            "/api/v1/chats".into(),
            SCHOOL_ADMIN,
            json!({ "message": "Hallo" }),
            201,
            vec![
                json_case("no message", json!({}), api_invalid("message", "validation.required")),
                json_case(
                    "a message with a NUL",
                    json!({ "message": "a\u{0}" }),
                    api_invalid("message", "validation.control_chars"),
                ),
                json_case("a message of 4001 characters", json!({ "message": long_text(4001) }), {
                    api_invalid_arg("message", "validation.too_long", 4000)
                }),
                json_case("an unknown channel", json!({ "message": "x", "channel": "nichts" }), {
                    api_invalid_arg("channel", "chat.unknown_channel", "nichts")
                }),
                json_case("a context that is a list", json!({ "message": "x", "context": [1] }), {
                    api_invalid("context", "chat.context_invalid")
                }),
                json_case("a context of 21 keys", json!({ "message": "x", "context": many_keys }), {
                    api_invalid_arg("context", "validation.too_many", 20)
                }),
                json_case("a context key with a space", json!({ "message": "x", "context": { "a b": "c" } }), {
                    api_invalid("context", "chat.context_invalid")
                }),
                json_case("a nested context", json!({ "message": "x", "context": { "a": { "b": 1 } } }), {
                    api_invalid("context", "chat.context_invalid")
                }),
                json_case("a message as a number", json!({ "message": 5 }), api_unreadable(422)),
            ],
        ),
        post(
            "/api/v1/chats/<id>/messages",
            chat("messages", "messages"),
            SCHOOL_ADMIN,
            json!({ "body": "Hallo", "client_id": "c-1" }),
            201,
            vec![
                json_case("no body", json!({}), api_invalid("body", "validation.required")),
                json_case(
                    "a body with a NUL",
                    json!({ "body": "a\u{0}" }),
                    api_invalid("body", "validation.control_chars"),
                ),
                json_case("a body of 4001 characters", json!({ "body": long_text(4001) }), {
                    api_invalid_arg("body", "validation.too_long", 4000)
                }),
                json_case("a client id with a space", json!({ "body": "x", "client_id": "a b" }), {
                    api_invalid("client_id", "chat.client_id_invalid")
                }),
                json_case("a client id of 65 characters", json!({ "body": "x", "client_id": long_text(65) }), {
                    api_invalid("client_id", "chat.client_id_invalid")
                }),
                json_case("an unknown chat", json!({ "body": "x" }), not_found()).on(unknown("messages")),
                json_case("another school's chat", json!({ "body": "x" }), not_found()).on(chat("other", "messages")),
                json_case("typing with a field", json!({ "body": "x" }), api_unreadable(422))
                    .on(chat("messages", "typing")),
                json_case("typing in an unknown chat", json!({}), not_found()).on(unknown("typing")),
            ],
        ),
        post(
            "/api/v1/chats/direct",
            "/api/v1/chats/direct".into(),
            AGENT,
            json!({ "agent": DESK_LEAD, "message": "Kaffee?" }),
            201,
            vec![
                json_case(
                    "an unknown agent",
                    json!({ "agent": "niemand@desk.de", "message": "x" }),
                    unknown_agent("niemand@desk.de"),
                ),
                json_case(
                    "a school admin",
                    json!({ "agent": SCHOOL_ADMIN, "message": "x" }),
                    unknown_agent(SCHOOL_ADMIN),
                ),
                json_case(
                    "oneself",
                    json!({ "agent": AGENT, "message": "x" }),
                    api_invalid("agent", "chat.not_yourself"),
                ),
                json_case("no message", json!({ "agent": DESK_LEAD }), api_invalid("message", "validation.required")),
            ],
        ),
        post(
            "/api/v1/chats/<id>/invite",
            chat("active", "invite"),
            AGENT,
            json!({ "agent": DESK_LEAD }),
            200,
            vec![
                json_case("no agent", json!({}), unknown_agent("")),
                json_case("an unknown agent", json!({ "agent": "niemand@desk.de" }), unknown_agent("niemand@desk.de")),
                json_case("oneself", json!({ "agent": AGENT }), api_invalid("agent", "chat.not_yourself")),
                json_case("an agent as a list", json!({ "agent": [DESK_LEAD] }), api_unreadable(422)),
                json_case(
                    "a handover to nobody",
                    json!({ "agent": "niemand@desk.de" }),
                    unknown_agent("niemand@desk.de"),
                )
                .on(chat("active", "handover")),
                json_case("a handover of an unknown chat", json!({ "agent": DESK_LEAD }), not_found())
                    .on(unknown("handover")),
            ],
        ),
        post(
            "/api/v1/chats/<id>/accept",
            chat("accept", "accept"),
            AGENT,
            json!({}),
            200,
            vec![
                json_case("an unknown chat", json!({}), not_found()).on(unknown("accept")),
                json_case(
                    "a taken chat",
                    json!({}),
                    ApiMsg { arg: "Test agent".into(), ..api_status(409, "conflict", "chat.already_taken") },
                )
                .on(chat("active", "accept")),
            ],
        ),
        post(
            "/api/v1/chats/<id>/close",
            chat("close", "close"),
            SCHOOL_ADMIN,
            json!({}),
            200,
            vec![
                json_case("an unknown chat", json!({}), not_found()).on(unknown("close")),
                json_case("another school's chat", json!({}), not_found()).on(chat("other", "close")),
            ],
        ),
        post(
            "/api/v1/chats/<id>/transcript/mail",
            chat("mail", "transcript/mail"),
            SCHOOL_ADMIN,
            json!({}),
            202,
            vec![json_case("an unknown chat", json!({}), not_found()).on(unknown("transcript/mail"))],
        ),
        post(
            "/api/v1/chats/<id>/attach",
            chat("attach", "attach"),
            AGENT,
            json!({ "ticket": f.tickets["api comments"] }),
            200,
            vec![
                json_case("no ticket", json!({}), api_invalid("ticket", "chat.unknown_ticket")),
                json_case(
                    "an unknown ticket",
                    json!({ "ticket": "T-999999" }),
                    api_invalid("ticket", "chat.unknown_ticket"),
                ),
                json_case("another school's ticket", json!({ "ticket": f.tickets["other school"] }), {
                    api_invalid("ticket", "chat.unknown_ticket")
                }),
                json_case("a ticket as a number", json!({ "ticket": 1 }), api_unreadable(422)),
                json_case("an unknown chat", json!({ "ticket": f.tickets["api comments"] }), not_found())
                    .on(unknown("attach")),
            ],
        ),
        post(
            "/api/v1/chats/<id>/ticket",
            chat("ticket", "ticket"),
            AGENT,
            json!({}),
            201,
            vec![
                json_case("an unknown chat", json!({}), not_found()).on(unknown("ticket")),
                json_case("a chat someone else took", json!({}), api_status(403, "forbidden", "error.forbidden"))
                    .on(chat("messages", "ticket")),
            ],
        ),
        post(
            "/api/v1/chat/presence/heartbeat",
            "/api/v1/chat/presence/heartbeat".into(),
            AGENT,
            json!({ "session": "tab-x", "input": true }),
            200,
            vec![
                json_case("no session", json!({ "input": true }), api_invalid("session", "chat.session_invalid")),
                json_case(
                    "a session with a space",
                    json!({ "session": "a b" }),
                    api_invalid("session", "chat.session_invalid"),
                ),
                json_case("a session of 65 characters", json!({ "session": long_text(65) }), {
                    api_invalid("session", "chat.session_invalid")
                }),
                json_case("input as text", json!({ "session": "tab-x", "input": "ja" }), api_unreadable(422)),
            ],
        ),
        post(
            "/api/v1/chat/presence/leave",
            "/api/v1/chat/presence/leave".into(),
            AGENT,
            json!({ "session": "tab-x" }),
            204,
            vec![json_case("no session", json!({}), api_invalid("session", "chat.session_invalid"))],
        ),
        post(
            "/api/v1/chat/channels",
            "/api/v1/chat/channels".into(),
            DESK_LEAD,
            json!({ "slug": "netz", "name": "Netz & WLAN", "agents": [AGENT] }),
            200,
            vec![
                json_case(
                    "a slug with a space",
                    json!({ "slug": "netz wlan", "name": "x" }),
                    api_invalid("slug", "validation.slug"),
                ),
                json_case("no name", json!({ "slug": "netz" }), api_invalid("name", "validation.required")),
                json_case("an unknown agent", json!({ "slug": "netz", "name": "x", "agents": ["niemand@desk.de"] }), {
                    api_invalid_arg("agents", "tickets.unknown_agent", "niemand@desk.de")
                }),
                json_case("an unknown service", json!({ "slug": "netz", "name": "x", "service": "nichts" }), {
                    api_invalid_arg("service", "validation.unknown_service", "nichts")
                }),
                json_case(
                    "agents as text",
                    json!({ "slug": "netz", "name": "x", "agents": AGENT }),
                    api_unreadable(422),
                ),
            ],
        ),
        put(
            "/api/v1/chat/presence",
            "/api/v1/chat/presence".into(),
            AGENT,
            json!({ "state": "dnd" }),
            vec![
                json_case("no state", json!({}), api_invalid("state", "chat.state_invalid")),
                json_case("an unknown state", json!({ "state": "busy" }), api_invalid("state", "chat.state_invalid")),
                json_case("a state as a number", json!({ "state": 1 }), api_unreadable(422)),
            ],
        ),
        put(
            "/api/v1/chat/channels/<slug>/taking",
            "/api/v1/chat/channels/allgemein/taking".into(),
            AGENT,
            json!({ "taking": false }),
            vec![
                json_case("taking as text", json!({ "taking": "nein" }), api_unreadable(422)),
                json_case(
                    "an unknown channel",
                    json!({ "taking": false }),
                    api_invalid_arg("channel", "chat.unknown_channel", "nichts"),
                )
                .on("/api/v1/chat/channels/nichts/taking"),
            ],
        ),
    ]
}

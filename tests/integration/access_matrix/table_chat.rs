//! The matrix's rows for the live chat's API. `{chat-a}` / `{chat-b}` are fresh waiting
//! requests of school A's / B's admin, `{chat-active-a}` one of school A that another agent
//! took, `{chat-file-a}` / `{chat-file}` a request of school A with a screenshot in it.
//! The desk reads every school's requests but writes only in the chats it is in; a chat
//! of another school does not exist for a school admin. Sockets and event streams are
//! driven for real in the chat tests; here they answer as every other route does. The
//! chat's pages follow the same rules as its API.
use super::Expect::*;
use super::*;

/// A chat of school A: its requester (school A's admin) and the desk see it; nobody else
/// learns it exists.
fn chat_of_a(requester: Expect, desk: Expect) -> [Expect; 7] {
    [Unauthorized, NotFound, NotFound, requester, desk, desk, NotFound]
}

/// A chat of school B: the desk only.
fn chat_of_b(desk: Expect) -> [Expect; 7] {
    [Unauthorized, NotFound, NotFound, NotFound, desk, desk, NotFound]
}

/// What only the desk does in a chat (refused to everyone else whichever chat it is).
fn desk_in_chat(desk: Expect) -> [Expect; 7] {
    api_only(&[AGENT, DESK_LEAD], desk)
}

fn api_put(route: &'static str, path: impl Into<String>, json: &'static str, expect: [Expect; 7]) -> Row {
    Row { method: Method::Put, ..api_post(route, path, json, expect) }
}

pub(super) fn chat_rows() -> Vec<Row> {
    let desk = [AGENT, DESK_LEAD];
    vec![
        // Availability names nobody: anyone may ask, the tile asks before anyone signs in.
        get("/api/v1/chat/availability", "/api/v1/chat/availability", everyone(Ok(200))),
        get("/api/v1/chat/availability/events", "/api/v1/chat/availability/events", everyone(Ok(200))),
        get("/api/v1/chat/presence", "/api/v1/chat/presence", api_only(&desk, Ok(200))),
        api_put("/api/v1/chat/presence", "/api/v1/chat/presence", r#"{"state":"away"}"#, api_only(&desk, Ok(200))),
        api_post(
            "/api/v1/chat/presence/heartbeat",
            "/api/v1/chat/presence/heartbeat",
            r#"{"session":"matrix-tab","input":true}"#,
            api_only(&desk, Ok(200)),
        ),
        api_post(
            "/api/v1/chat/presence/leave",
            "/api/v1/chat/presence/leave",
            r#"{"session":"matrix-tab"}"#,
            api_only(&desk, Ok(204)),
        ),
        get("/api/v1/chat/channels", "/api/v1/chat/channels", api_only(&desk, Ok(200))),
        api_put(
            "/api/v1/chat/channels/<slug>/taking",
            "/api/v1/chat/channels/allgemein/taking",
            r#"{"taking":true}"#,
            api_only(&desk, Ok(200)),
        ),
        api_post(
            "/api/v1/chat/channels",
            "/api/v1/chat/channels",
            r#"{"slug":"netz","name":"Netz & WLAN","agents":["tickets@desk.de"]}"#,
            api_only(&[DESK_LEAD], Ok(200)),
        ),
        get("/api/v1/chat/desk/events", "/api/v1/chat/desk/events", api_only(&desk, Ok(200))),
        api_post("/api/v1/chats", "/api/v1/chats", r#"{"message":"Beamer zeigt nichts"}"#, {
            api_only(&[SCHOOL_ADMIN], Ok(201))
        }),
        api_post(
            "/api/v1/chats/direct",
            "/api/v1/chats/direct",
            r#"{"agent":"tickets@desk.de","message":"Kurze Frage"}"#,
            desk_in_chat(Ok(201)),
        ),
        get(
            "/api/v1/chats?<status>",
            "/api/v1/chats?status=waiting",
            api_only(&[SCHOOL_ADMIN, AGENT, DESK_LEAD], Ok(200)),
        ),
        get("/api/v1/chats/<id>", "/api/v1/chats/{chat-a}", chat_of_a(Ok(200), Ok(200))),
        get("/api/v1/chats/<id>", "/api/v1/chats/{chat-b}", chat_of_b(Ok(200))),
        get("/api/v1/chats/<id>", "/api/v1/chats/999999", api_signed_in(NotFound)),
        get("/api/v1/chats/<id>/messages?<after>", "/api/v1/chats/{chat-a}/messages?after=0", {
            chat_of_a(Ok(200), Ok(200))
        }),
        get("/api/v1/chats/<id>/messages?<after>", "/api/v1/chats/{chat-b}/messages", chat_of_b(Ok(200))),
        get("/api/v1/chats/<id>/events?<after>", "/api/v1/chats/{chat-a}/events", chat_of_a(Ok(200), Ok(200))),
        get("/api/v1/chats/<id>/events?<after>", "/api/v1/chats/{chat-b}/events", chat_of_b(Ok(200))),
        // A plain GET is no WebSocket upgrade: refused before anything else is looked at.
        get("/api/v1/chats/<id>/ws?<after>", "/api/v1/chats/{chat-a}/ws", everyone(Ok(400))),
        get("/api/v1/chats/<id>/transcript.pdf", "/api/v1/chats/{chat-a}/transcript.pdf", {
            chat_of_a(Ok(200), Ok(200))
        }),
        get("/api/v1/chats/<id>/transcript.pdf", "/api/v1/chats/{chat-b}/transcript.pdf", chat_of_b(Ok(200))),
        // Writing: the chat's participants; the desk reads a request it is not in.
        api_post("/api/v1/chats/<id>/messages", "/api/v1/chats/{chat-a}/messages", r#"{"body":"Hallo"}"#, {
            chat_of_a(Ok(201), Forbidden)
        }),
        api_post("/api/v1/chats/<id>/messages", "/api/v1/chats/{chat-b}/messages", r#"{"body":"Hallo"}"#, {
            chat_of_b(Forbidden)
        }),
        api_post("/api/v1/chats/<id>/typing", "/api/v1/chats/{chat-a}/typing", "{}", chat_of_a(Ok(204), Forbidden)),
        api_upload("/api/v1/chats/<id>/attachments", "/api/v1/chats/{chat-a}/attachments", {
            chat_of_a(Ok(201), Forbidden)
        }),
        api_upload("/api/v1/chats/<id>/attachments", "/api/v1/chats/{chat-b}/attachments", chat_of_b(Forbidden)),
        get("/api/v1/chats/<id>/attachments/<file>", "/api/v1/chats/{chat-file-a}/attachments/{chat-file}", {
            chat_of_a(Ok(200), Ok(200))
        }),
        get("/api/v1/chats/<id>/attachments/<file>", "/api/v1/chats/{chat-a}/attachments/999999", {
            chat_of_a(NotFound, NotFound)
        }),
        api_post("/api/v1/chats/<id>/close", "/api/v1/chats/{chat-a}/close", "{}", chat_of_a(Ok(200), Forbidden)),
        api_post("/api/v1/chats/<id>/close", "/api/v1/chats/{chat-b}/close", "{}", chat_of_b(Forbidden)),
        api_post("/api/v1/chats/<id>/transcript/mail", "/api/v1/chats/{chat-a}/transcript/mail", "{}", {
            chat_of_a(Ok(202), Ok(202))
        }),
        api_post("/api/v1/chats/<id>/transcript/mail", "/api/v1/chats/{chat-b}/transcript/mail", "{}", {
            chat_of_b(Ok(202))
        }),
        // Taking and ending requests: the desk.
        api_post("/api/v1/chats/<id>/accept", "/api/v1/chats/{chat-a}/accept", "{}", desk_in_chat(Ok(200))),
        api_post("/api/v1/chats/<id>/accept", "/api/v1/chats/{chat-b}/accept", "{}", desk_in_chat(Ok(200))),
        api_post("/api/v1/chats/<id>/accept", "/api/v1/chats/999999/accept", "{}", desk_in_chat(NotFound)),
        // Another agent's chat: only its agents invite, hand over and end it.
        api_post(
            "/api/v1/chats/<id>/invite",
            "/api/v1/chats/{chat-active-a}/invite",
            r#"{"agent":"dl@desk.de"}"#,
            desk_in_chat(Forbidden),
        ),
        api_post(
            "/api/v1/chats/<id>/handover",
            "/api/v1/chats/{chat-active-a}/handover",
            r#"{"agent":"dl@desk.de"}"#,
            desk_in_chat(Forbidden),
        ),
        api_post("/api/v1/chats/<id>/ticket", "/api/v1/chats/{chat-active-a}/ticket", "{}", desk_in_chat(Forbidden)),
        api_post(
            "/api/v1/chats/<id>/attach",
            "/api/v1/chats/{chat-active-a}/attach",
            r#"{"ticket":"T-000001"}"#,
            desk_in_chat(Forbidden),
        ),
        // The pages: the school admin's chats under /helpdesk, the desk's under /desk.
        post("/helpdesk/chats", "/helpdesk/chats", &[("channel", "allgemein"), ("message", "Beamer zeigt nichts")], {
            only(&[SCHOOL_ADMIN], Under("/helpdesk/chats/"))
        }),
        get("/helpdesk/chats/<id>", "/helpdesk/chats/{chat-a}", only(&[SCHOOL_ADMIN], Ok(200))),
        get("/helpdesk/chats/<id>", "/helpdesk/chats/{chat-b}", only(&[SCHOOL_ADMIN], NotFound)),
        post("/helpdesk/chats/<id>/messages", "/helpdesk/chats/{chat-a}/messages", &[("body", "Hallo")], {
            only(&[SCHOOL_ADMIN], Under("/helpdesk/chats/"))
        }),
        post("/helpdesk/chats/<id>/messages", "/helpdesk/chats/{chat-b}/messages", &[("body", "Hallo")], {
            only(&[SCHOOL_ADMIN], NotFound)
        }),
        page_upload("/helpdesk/chats/<id>/files", "/helpdesk/chats/{chat-active-a}/files", {
            only(&[SCHOOL_ADMIN], Under("/helpdesk/chats/"))
        }),
        page_upload("/helpdesk/chats/<id>/files", "/helpdesk/chats/{chat-b}/files", only(&[SCHOOL_ADMIN], NotFound)),
        post("/helpdesk/chats/<id>/close", "/helpdesk/chats/{chat-a}/close", &[], {
            only(&[SCHOOL_ADMIN], Under("/helpdesk/chats/"))
        }),
        post("/helpdesk/chats/<id>/transcript", "/helpdesk/chats/{chat-a}/transcript", &[], {
            only(&[SCHOOL_ADMIN], Under("/helpdesk/chats/"))
        }),
        get("/desk/chat", "/desk/chat", only(&desk, Ok(200))),
        post("/desk/chat/presence", "/desk/chat/presence", &[("state", "away")], only(&desk, To("/desk/chat"))),
        post("/desk/chat/channels/<slug>/taking", "/desk/chat/channels/allgemein/taking", &[("taking", "true")], {
            only(&desk, To("/desk/chat"))
        }),
        post("/desk/chat/direct", "/desk/chat/direct", &[("agent", TICKET_AGENT), ("message", "Kurze Frage")], {
            only(&desk, Under("/desk/chats/"))
        }),
        get("/desk/chat/channels", "/desk/chat/channels", only(&[DESK_LEAD], Ok(200))),
        post(
            "/desk/chat/channels",
            "/desk/chat/channels",
            &[("slug", "netz"), ("name", "Netz & WLAN"), ("agents", TICKET_AGENT), ("active", "true")],
            only(&[DESK_LEAD], To("/desk/chat/channels")),
        ),
        get("/desk/chats/<id>", "/desk/chats/{chat-a}", only(&desk, Ok(200))),
        get("/desk/chats/<id>", "/desk/chats/{chat-b}", only(&desk, Ok(200))),
        get("/desk/chats/<id>", "/desk/chats/999999", only(&desk, NotFound)),
        post("/desk/chats/<id>/accept", "/desk/chats/{chat-a}/accept", &[], only(&desk, Under("/desk/chats/"))),
        // Writing, ending and passing on: the chat's agents only.
        post("/desk/chats/<id>/messages", "/desk/chats/{chat-a}/messages", &[("body", "Hallo")], {
            only(&desk, Forbidden)
        }),
        page_upload("/desk/chats/<id>/files", "/desk/chats/{chat-active-a}/files", only(&desk, Forbidden)),
        post("/desk/chats/<id>/close", "/desk/chats/{chat-active-a}/close", &[], only(&desk, Forbidden)),
        post("/desk/chats/<id>/ticket", "/desk/chats/{chat-active-a}/ticket", &[], only(&desk, Forbidden)),
        post("/desk/chats/<id>/invite", "/desk/chats/{chat-active-a}/invite", &[("agent", "dl@desk.de")], {
            only(&desk, Forbidden)
        }),
        post("/desk/chats/<id>/handover", "/desk/chats/{chat-active-a}/handover", &[("agent", "dl@desk.de")], {
            only(&desk, Forbidden)
        }),
    ]
}

//! The chat's forms (the helpdesk tile's start, the conversation, the desk's chat page and
//! the lead's channels) with their bad submissions. The chats are the fixture's.
use super::*;

pub(super) fn chat_form_targets(f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    let school = |purpose: &str, action: &str| format!("/helpdesk/chats/{}/{action}", f.chats[purpose]);
    let desk = |purpose: &str, action: &str| format!("/desk/chats/{}/{action}", f.chats[purpose]);
    let target = |route, path: String, who, valid: &[(&'static str, &str)], empty, long, cases| Target {
        method: post,
        route,
        path,
        who: Some(who),
        valid: fields(valid),
        valid_reply: (303, None),
        empty,
        long,
        cases,
    };
    let line_cases = |side: &str, files: String, other: Option<String>| {
        let mut cases = vec![
            // The file form posted without a file (a browser without the file chosen).
            at("the file form without a file", files, invalid("attachments.none")),
            set("blank", &[("body", "  \n ")], invalid("validation.required")),
            set("a NUL", &[("body", "Hallo\0")], invalid("validation.control_chars")),
            set("4001 characters", &[("body", &long_text(4001))], invalid_arg("validation.too_long", 4000)),
            set("a client id with a space", &[("client_id", "a b")], invalid("chat.client_id_invalid")),
            at("an unknown chat", format!("/{side}/chats/999999/messages"), not_found()),
            at("no number", format!("/{side}/chats/abc/messages"), not_found()),
        ];
        if let Some(other) = other {
            cases.push(at("another school's chat", other, not_found()));
        }
        cases
    };
    let too_long = || Some(("body", invalid_arg("validation.too_long", 4000)));
    vec![
        target(
            "/helpdesk/chats",
            "/helpdesk/chats".into(),
            SCHOOL_ADMIN,
            &[("channel", "allgemein"), ("message", "Beamer zeigt nichts")],
            Some(invalid("validation.required")),
            Some(("message", invalid_arg("validation.too_long", 4000))),
            vec![
                set("no message", &[("message", "")], invalid("validation.required")),
                set("a message with a NUL", &[("message", "a\0")], invalid("validation.control_chars")),
                set("an unknown channel", &[("channel", "nichts")], invalid_arg("chat.unknown_channel", "nichts")),
                set("a channel with markup", &[("channel", "<b>")], invalid_arg("chat.unknown_channel", "<b>")),
            ],
        ),
        target(
            "/helpdesk/chats/<id>/messages",
            school("page messages", "messages"),
            SCHOOL_ADMIN,
            &[("body", "Hallo"), ("client_id", "")],
            Some(invalid("validation.required")),
            too_long(),
            line_cases("helpdesk", school("page messages", "files"), Some(school("other", "messages"))),
        ),
        target("/helpdesk/chats/<id>/close", school("page close", "close"), SCHOOL_ADMIN, &[], None, None, {
            vec![
                at("an unknown chat", "/helpdesk/chats/999999/close", not_found()),
                at("another school's chat", school("other", "close"), not_found()),
                at("the transcript of an unknown chat", "/helpdesk/chats/999999/transcript", not_found()),
            ]
        }),
        target(
            "/helpdesk/chats/<id>/transcript",
            school("page transcript", "transcript"),
            SCHOOL_ADMIN,
            &[],
            None,
            None,
            vec![at("another school's chat", school("other", "transcript"), not_found())],
        ),
        target("/desk/chats/<id>/accept", desk("page accept", "accept"), AGENT, &[], None, None, {
            vec![at("an unknown chat", "/desk/chats/999999/accept", not_found())]
        }),
        target(
            "/desk/chats/<id>/messages",
            desk("page desk messages", "messages"),
            DESK_LEAD,
            &[("body", "Hallo"), ("client_id", "")],
            Some(invalid("validation.required")),
            too_long(),
            line_cases("desk", desk("page desk messages", "files"), None),
        ),
        target(
            "/desk/chats/<id>/handover",
            desk("page handover", "handover"),
            DESK_LEAD,
            &[("agent", AGENT)],
            Some(invalid_arg("tickets.unknown_agent", "")),
            None,
            vec![
                set(
                    "to nobody",
                    &[("agent", "niemand@desk.de")],
                    invalid_arg("tickets.unknown_agent", "niemand@desk.de"),
                ),
                set(
                    "to a school admin",
                    &[("agent", SCHOOL_ADMIN)],
                    invalid_arg("tickets.unknown_agent", SCHOOL_ADMIN),
                ),
                set("to oneself", &[("agent", DESK_LEAD)], invalid("chat.not_yourself")),
                at("an unknown chat", "/desk/chats/999999/handover", not_found()),
                at("invite to an unknown chat", "/desk/chats/999999/invite", not_found()),
            ],
        ),
        target("/desk/chats/<id>/invite", desk("page invite", "invite"), DESK_LEAD, &[("agent", AGENT)], None, None, {
            vec![set(
                "nobody",
                &[("agent", "niemand@desk.de")],
                invalid_arg("tickets.unknown_agent", "niemand@desk.de"),
            )]
        }),
        target("/desk/chats/<id>/close", desk("page desk close", "close"), DESK_LEAD, &[], None, None, {
            vec![at("an unknown chat", "/desk/chats/999999/close", not_found())]
        }),
        target("/desk/chats/<id>/ticket", desk("page ticket", "ticket"), DESK_LEAD, &[], None, None, {
            vec![at("an unknown chat", "/desk/chats/999999/ticket", not_found())]
        }),
        target(
            "/desk/chat/presence",
            "/desk/chat/presence".into(),
            AGENT,
            &[("state", "dnd")],
            Some(invalid("chat.state_invalid")),
            Some(("state", invalid("chat.state_invalid"))),
            vec![
                set("an unknown state", &[("state", "busy")], invalid("chat.state_invalid")),
                set("a state in capitals", &[("state", "ONLINE\0")], invalid("chat.state_invalid")),
            ],
        ),
        target(
            "/desk/chat/channels/<slug>/taking",
            "/desk/chat/channels/allgemein/taking".into(),
            AGENT,
            &[("taking", "false")],
            None,
            None,
            vec![
                set("taking as a word", &[("taking", "vielleicht")], msg(422, "error.bad_form")),
                at(
                    "an unknown channel",
                    "/desk/chat/channels/nichts/taking",
                    invalid_arg("chat.unknown_channel", "nichts"),
                ),
            ],
        ),
        target(
            "/desk/chat/direct",
            "/desk/chat/direct".into(),
            AGENT,
            &[("agent", DESK_LEAD), ("message", "Kurze Frage")],
            Some(invalid_arg("tickets.unknown_agent", "")),
            Some(("message", invalid_arg("validation.too_long", 4000))),
            vec![
                set(
                    "to nobody",
                    &[("agent", "niemand@desk.de")],
                    invalid_arg("tickets.unknown_agent", "niemand@desk.de"),
                ),
                set("to oneself", &[("agent", AGENT)], invalid("chat.not_yourself")),
                set("no message", &[("message", " ")], invalid("validation.required")),
            ],
        ),
        target(
            "/desk/chat/channels",
            "/desk/chat/channels".into(),
            DESK_LEAD,
            &[("slug", "netz"), ("name", "Netz & WLAN"), ("agents", AGENT), ("active", "true")],
            Some(invalid("validation.required")),
            Some(("name", invalid_arg("validation.too_long", 120))),
            vec![
                set("a slug with spaces", &[("slug", "netz und wlan")], invalid("validation.slug")),
                set("no name", &[("name", "")], invalid("validation.required")),
                set(
                    "an unknown agent",
                    &[("agents", "niemand@desk.de")],
                    invalid_arg("tickets.unknown_agent", "niemand@desk.de"),
                ),
                set(
                    "an unknown service",
                    &[("service", "nichts")],
                    invalid_arg("validation.unknown_service", "nichts"),
                ),
                set("active as a word", &[("active", "ja")], msg(422, "error.bad_form")),
            ],
        ),
    ]
}

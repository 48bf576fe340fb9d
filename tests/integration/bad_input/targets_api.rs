//! The state-changing API routes with their bad bodies.
use super::api::{api_invalid, api_invalid_arg, api_status, api_unreadable, json_case, ApiTarget};
use super::*;

/// The provider's link in the API: acknowledging, commenting, resolving.
pub(super) fn provider_link_api_targets(f: &Fixture) -> Vec<ApiTarget> {
    use serde_json::json;
    let link = |action: &str| format!("/api/v1/provider/{}/{action}", f.provider_links["api"]);
    let no_link = |action: &str| format!("/api/v1/provider/{}/{action}", "0".repeat(64));
    let not_found = || api_status(404, "not_found", "error.not_found");
    vec![
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/provider/<_>/ack",
            path: link("ack"),
            who: None,
            valid: json!({ "reference": "NN-4711" }),
            valid_status: 200,
            cases: vec![
                json_case("no reference", json!({}), api_invalid("reference", "validation.required")),
                json_case(
                    "a reference of 121 characters",
                    json!({ "reference": long_text(121) }),
                    api_invalid_arg("reference", "validation.too_long", 120),
                ),
                json_case("a reference with a NUL", json!({ "reference": "NN\u{0}" }), {
                    api_invalid("reference", "validation.control_chars")
                }),
                json_case("a reference as a number", json!({ "reference": 4711 }), api_unreadable(422)),
                json_case("an unknown link", json!({ "reference": "NN-1" }), not_found()).on(no_link("ack")),
            ],
        },
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/provider/<_>/comments",
            path: link("comments"),
            who: None,
            valid: json!({ "body": "Wir prüfen den Port." }),
            valid_status: 200,
            cases: vec![
                json_case("no body", json!({}), api_invalid("body", "validation.required")),
                json_case(
                    "a body with a NUL",
                    json!({ "body": "Port\u{0}" }),
                    api_invalid("body", "validation.control_chars"),
                ),
                json_case("an internal flag", json!({ "body": "x", "internal": false }), api_unreadable(422)),
                json_case("an unknown link", json!({ "body": "x" }), not_found()).on(no_link("comments")),
            ],
        },
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/provider/<_>/resolve",
            path: link("resolve"),
            who: None,
            valid: json!({ "solution": "Port am Switch getauscht." }),
            valid_status: 200,
            cases: vec![
                json_case("no solution", json!({}), api_invalid("solution", "validation.required")),
                json_case("an unknown link", json!({ "solution": "x" }), not_found()).on(no_link("resolve")),
            ],
        },
    ]
}

/// Tickets in the API: opening, commenting, assigning, resolving, closing, reopening, forwarding.
pub(super) fn ticket_api_targets(f: &Fixture) -> Vec<ApiTarget> {
    use serde_json::json;
    let ticket = |purpose: &str| f.tickets[purpose].clone();
    let other = ticket("other school");
    let action = |purpose: &str, action: &str| format!("/api/v1/tickets/{}/{action}", ticket(purpose));
    let not_found = || api_status(404, "not_found", "error.not_found");
    vec![
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/tickets/<number>/forward",
            path: action("api forward", "forward"),
            who: Some(AGENT),
            valid: serde_json::from_str(FORWARD_JSON).unwrap(),
            valid_status: 200,
            cases: vec![
                json_case(
                    "unknown provider",
                    json!({ "provider": "niemand", "priority": "P2", "message": "x" }),
                    api_invalid_arg("provider", "forwards.unknown_provider", "niemand"),
                ),
                json_case(
                    "provider with a NUL",
                    json!({ "provider": "ne\u{0}tz", "priority": "P2", "message": "x" }),
                    api_invalid_arg("provider", "forwards.unknown_provider", "ne\u{FFFD}tz"),
                ),
                json_case(
                    "unknown priority",
                    json!({ "provider": "netz", "priority": "P7", "message": "x" }),
                    api_invalid("priority", "desk.priority_invalid"),
                ),
                json_case(
                    "no message",
                    json!({ "provider": "netz", "priority": "P2" }),
                    api_invalid("message", "validation.required"),
                ),
                json_case(
                    "message with a NUL",
                    json!({ "provider": "netz", "priority": "P2", "message": "a\u{0}b" }),
                    api_invalid("message", "validation.control_chars"),
                ),
                json_case(
                    "sharing an event of another ticket",
                    json!({ "provider": "netz", "priority": "P2", "message": "x", "shared_events": [999_999] }),
                    api_invalid("shared_events", "forwards.share_invalid"),
                ),
                json_case(
                    "shared events as text",
                    json!({ "provider": "netz", "priority": "P2", "message": "x", "shared_events": "alle" }),
                    api_unreadable(422),
                ),
                json_case(
                    "a stale version",
                    json!({ "provider": "netz", "priority": "P2", "message": "x", "version": 0 }),
                    api_status(409, "conflict", "tickets.stale"),
                ),
                json_case("an unknown ticket", serde_json::from_str(FORWARD_JSON).unwrap(), not_found())
                    .on("/api/v1/tickets/T-999999/forward"),
            ],
        },
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/tickets",
            path: "/api/v1/tickets".into(),
            who: Some(SCHOOL_ADMIN),
            valid: json!({
                "title": "WLAN im Altbau fällt aus",
                "description": "Seit Montag, alle Räume im 2. Stock.",
                "service": "wifi",
                "priority": "P2",
                "triage": { "scope": "school", "fault_type": "unknown" }
            }),
            valid_status: 201,
            cases: vec![
                json_case(
                    "no title",
                    json!({ "description": "x", "service": "wifi" }),
                    api_invalid("title", "validation.required"),
                ),
                json_case("an empty object", json!({}), api_invalid("title", "validation.required")),
                json_case("an empty array", json!([]), api_invalid("title", "validation.required")),
                json_case(
                    "title with a NUL",
                    json!({ "title": "WLAN\u{0}", "description": "x" }),
                    api_invalid("title", "validation.control_chars"),
                ),
                json_case(
                    "title over two lines",
                    json!({ "title": "WLAN\nAltbau", "description": "x" }),
                    api_invalid("title", "validation.control_chars"),
                ),
                json_case(
                    "title of 100 kB",
                    json!({ "title": long_text(100_000), "description": "x" }),
                    api_invalid_arg("title", "validation.too_long", 200),
                ),
                json_case(
                    "title with emoji and RTL only",
                    json!({ "title": "📶\u{202e}", "description": "" }),
                    api_invalid("description", "validation.required"),
                ),
                json_case("title a number", json!({ "title": 42, "description": "x" }), api_unreadable(422)),
                json_case("title null", json!({ "title": null, "description": "x" }), api_unreadable(422)),
                json_case(
                    "unknown service",
                    json!({ "title": "WLAN", "description": "x", "service": "teleporter" }),
                    api_invalid_arg("service", "validation.unknown_service", "teleporter"),
                ),
                json_case(
                    "service with a NUL",
                    json!({ "title": "WLAN", "description": "x", "service": "wi\u{0}fi" }),
                    api_invalid_arg("service", "validation.unknown_service", "wi\u{FFFD}fi"),
                ),
                json_case(
                    "unknown priority",
                    json!({ "title": "WLAN", "description": "x", "priority": "P0" }),
                    api_invalid("priority", "desk.priority_invalid"),
                ),
                json_case(
                    "priority a number",
                    json!({ "title": "WLAN", "description": "x", "priority": 1 }),
                    api_unreadable(422),
                ),
                json_case(
                    "unknown triage scope",
                    json!({ "title": "WLAN", "description": "x", "triage": { "scope": "mars" } }),
                    api_invalid("triage_scope", "tickets.choice_invalid"),
                ),
                json_case(
                    "unknown triage field",
                    json!({ "title": "WLAN", "description": "x", "triage": { "scope": "school", "urgency": "hoch" } }),
                    api_unreadable(422),
                ),
                json_case(
                    "another school smuggled in",
                    json!({ "title": "WLAN", "description": "x", "school": "gym-b" }),
                    api_unreadable(422),
                ),
            ],
        },
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/tickets/<number>/comments",
            path: action("api comments", "comments"),
            who: Some(AGENT),
            valid: json!({ "body": "Wir prüfen das.", "internal": true }),
            valid_status: 200,
            cases: vec![
                json_case("no body", json!({ "internal": false }), api_invalid("body", "validation.required")),
                json_case(
                    "body with a NUL",
                    json!({ "body": "a\u{0}b" }),
                    api_invalid("body", "validation.control_chars"),
                ),
                json_case(
                    "body of 60 000 characters",
                    json!({ "body": long_text(60_000) }),
                    api_invalid_arg("body", "validation.too_long", 50_000),
                ),
                json_case("internal as text", json!({ "body": "x", "internal": "ja" }), api_unreadable(422)),
                json_case(
                    "a stale version",
                    json!({ "body": "x", "version": 0 }),
                    api_status(409, "conflict", "tickets.stale"),
                ),
                json_case("a version as text", json!({ "body": "x", "version": "2" }), api_unreadable(422)),
                json_case("an unknown ticket", json!({ "body": "x" }), api_status(404, "not_found", "error.not_found"))
                    .on("/api/v1/tickets/T-999999/comments"),
                json_case(
                    "not a ticket number",
                    json!({ "body": "x" }),
                    api_status(404, "not_found", "error.not_found"),
                )
                .on("/api/v1/tickets/DROP%20TABLE/comments"),
            ],
        },
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/tickets/<number>/assign",
            path: action("api assign", "assign"),
            who: Some(AGENT),
            valid: json!({ "agent": "me" }),
            valid_status: 200,
            cases: vec![
                json_case(
                    "an unknown agent",
                    json!({ "agent": "niemand@nirgends.de" }),
                    api_invalid_arg("agent", "tickets.unknown_agent", "niemand@nirgends.de"),
                ),
                json_case(
                    "a teacher",
                    json!({ "agent": TEACHER }),
                    api_invalid_arg("agent", "tickets.unknown_agent", TEACHER),
                ),
                json_case(
                    "an agent with a NUL",
                    json!({ "agent": "ag@desk.de\u{0}" }),
                    api_invalid_arg("agent", "tickets.unknown_agent", "ag@desk.de\u{FFFD}"),
                ),
                json_case("an agent list", json!({ "agent": ["me"] }), api_unreadable(422)),
            ],
        },
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/tickets/<number>/resolve",
            path: action("api resolve", "resolve"),
            who: Some(AGENT),
            valid: json!({ "solution": "Router neu gestartet." }),
            valid_status: 200,
            cases: vec![
                json_case("no solution", json!({}), api_invalid("solution", "validation.required")),
                json_case(
                    "a blank solution",
                    json!({ "solution": " \n\t " }),
                    api_invalid("solution", "validation.required"),
                ),
                json_case("the body field instead", json!({ "body": "Router neu gestartet." }), api_unreadable(422)),
            ],
        },
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/tickets/<number>/close",
            path: action("api close", "close"),
            who: Some(SCHOOL_ADMIN),
            valid: json!({}),
            valid_status: 200,
            cases: vec![
                json_case("a stale version", json!({ "version": 1 }), api_status(409, "conflict", "tickets.stale")),
                json_case("a version beyond i32", json!({ "version": 99_999_999_999u64 }), api_unreadable(422)),
                json_case("another school's ticket", json!({}), api_status(404, "not_found", "error.not_found"))
                    .on(format!("/api/v1/tickets/{other}/close")),
            ],
        },
        ApiTarget {
            method: Method::Post,
            route: "/api/v1/tickets/<number>/reopen",
            path: action("api reopen", "reopen"),
            who: Some(SCHOOL_ADMIN),
            valid: json!({ "reason": "Geht wieder nicht." }),
            valid_status: 200,
            cases: vec![
                json_case(
                    "a stale version",
                    json!({ "reason": "x", "version": 1 }),
                    api_status(409, "conflict", "tickets.stale"),
                ),
                json_case("a reason as a number", json!({ "reason": 5 }), api_unreadable(422)),
                json_case(
                    "another school's ticket",
                    json!({ "reason": "x" }),
                    api_status(404, "not_found", "error.not_found"),
                )
                .on(format!("/api/v1/tickets/{other}/reopen")),
            ],
        },
    ]
}

/// Every state-changing API target.
pub(super) fn api_targets(f: &Fixture) -> Vec<ApiTarget> {
    [provider_link_api_targets(f), ticket_api_targets(f), super::targets_chat::chat_api_targets(f)]
        .into_iter()
        .flatten()
        .collect()
}

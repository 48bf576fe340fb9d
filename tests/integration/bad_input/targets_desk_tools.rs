//! The desk's tools: the desk lead's canned responses and an agent's saved queue filters,
//! with their bad submissions.
use super::*;

/// What the fixture makes for these targets, in a fresh database: canned responses 1
/// (`eins`, edited below) and 2 (`zwei`, deleted below), and saved filters 1 (the agent's,
/// "Alle") and 2 (the desk lead's).
pub(super) async fn desk_tools(app: &TestApp) {
    for (trigger, title) in [("eins", "Eins"), ("zwei", "Zwei")] {
        let input = staffel::canned::CannedInput { trigger: trigger.into(), title: title.into(), body: "Text".into() };
        staffel::canned::create(app.store(), staffel::audit::By::Cli, &input).await.expect("a canned response");
    }
    let all = staffel::tickets::queue::Filter { queue: "all".into(), ..Default::default() };
    for email in [AGENT, DESK_LEAD] {
        let actor = app.actor(email).await;
        staffel::saved_filters::save(app.store(), &actor, "Alle", &all).await.expect("a saved filter");
    }
}

/// Cases every canned response form shares: its fields' refusals.
fn canned_cases() -> Vec<Case> {
    vec![
        set("a trigger with a space", &[("trigger", "drucker neu")], invalid("canned.trigger_format")),
        set("a trigger with an umlaut", &[("trigger", "drücker")], invalid("canned.trigger_format")),
        set("a trigger with two dashes", &[("trigger", "drucker--neu")], invalid("canned.trigger_format")),
        set("a trigger ending in a dash", &[("trigger", "drucker-")], invalid("canned.trigger_format")),
        set("a trigger with a NUL", &[("trigger", "a\0b")], invalid("canned.trigger_format")),
        set_owned(
            "a trigger of 33 characters",
            vec![("trigger", long_text(33))],
            invalid_arg("validation.too_long", 32),
        ),
        set("an empty trigger", &[("trigger", "  ")], invalid("validation.required")),
        set("a title with a bell", &[("title", "a\u{7}b")], invalid("validation.control_chars")),
        set("an empty body", &[("body", " \r\n ")], invalid("validation.required")),
        set("a body with a NUL", &[("body", "a\0b")], invalid("validation.control_chars")),
        set_owned(
            "a body over the ticket text",
            vec![("body", noise(50_001))],
            invalid_arg("validation.too_long", 50_000),
        ),
        raw("broken escapes", &[("trigger", "%zz")], invalid("canned.trigger_format")),
    ]
}

pub(super) fn desk_tool_targets(_f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    let canned =
        |trigger: &str| fields(&[("trigger", trigger), ("title", "Drucker"), ("body", "Bitte **neu** anlegen.")]);
    let mut create_cases = canned_cases();
    create_cases.push(set("a trigger taken", &[("trigger", "eins")], invalid_arg("canned.trigger_taken", "eins")));
    create_cases.push(set(
        "a taken trigger in capitals",
        &[("trigger", "EINS")],
        invalid_arg("canned.trigger_taken", "eins"),
    ));
    let mut update_cases = canned_cases();
    update_cases.push(set("another's trigger", &[("trigger", "zwei")], invalid_arg("canned.trigger_taken", "zwei")));
    update_cases.push(at("an unknown canned response", "/desk/canned/999999", not_found()));
    update_cases.push(at("not an id", "/desk/canned/0", not_found()));
    vec![
        Target {
            method: post,
            route: "/desk/canned",
            path: "/desk/canned".into(),
            who: Some(DESK_LEAD),
            valid: canned("drucker-neu"),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("title", invalid_arg("validation.too_long", 120))),
            cases: create_cases,
        },
        Target {
            method: post,
            route: "/desk/canned/<id>",
            path: "/desk/canned/1".into(),
            who: Some(DESK_LEAD),
            valid: canned("eins-neu"),
            valid_reply: (303, Some("/desk/canned#canned-1")),
            empty: Some(invalid("validation.required")),
            long: Some(("title", invalid_arg("validation.too_long", 120))),
            cases: update_cases,
        },
        Target {
            method: post,
            route: "/desk/canned/<id>/delete",
            path: "/desk/canned/2/delete".into(),
            who: Some(DESK_LEAD),
            valid: fields(&[("confirm", "1")]),
            valid_reply: (303, Some("/desk/canned")),
            empty: None,
            long: None,
            cases: vec![
                at("an unknown canned response", "/desk/canned/999999/delete", not_found()),
                at("not an id", "/desk/canned/zwei/delete", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/desk/filters",
            path: "/desk/filters".into(),
            who: Some(AGENT),
            valid: fields(&[("name", "Neue P1"), ("query", "queue=new&priority=P1")]),
            valid_reply: (303, Some("/desk?queue=new&priority=P1")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 60))),
            cases: vec![
                set("a name taken", &[("name", "Alle")], invalid_arg("saved_filters.name_taken", "Alle")),
                set("an empty name", &[("name", " ")], invalid("validation.required")),
                set("a name with a NUL", &[("name", "a\0b")], invalid("validation.control_chars")),
                set("an unknown queue", &[("query", "queue=mars")], invalid("tickets.queue_invalid")),
                set("an unknown school", &[("query", "school=mars")], invalid_arg("validation.unknown_school", "mars")),
                set(
                    "an unknown service",
                    &[("query", "service=mars")],
                    invalid_arg("validation.unknown_service", "mars"),
                ),
                set("an unknown priority", &[("query", "priority=P9")], invalid("desk.priority_invalid")),
                set("an unknown status", &[("query", "status=mars")], invalid("tickets.status_invalid")),
                set("an unknown sort order", &[("query", "sort=mars")], invalid("tickets.sort_invalid")),
                set(
                    "a school with a NUL",
                    &[("query", "school=a%00b")],
                    invalid_arg("validation.unknown_school", "a\u{FFFD}b"),
                ),
                set(
                    "a service with a NUL",
                    &[("query", "service=%00")],
                    invalid_arg("validation.unknown_service", "\u{FFFD}"),
                ),
            ],
        },
        Target {
            method: post,
            route: "/desk/filters/<id>/delete",
            path: "/desk/filters/1/delete".into(),
            who: Some(AGENT),
            valid: Vec::new(),
            valid_reply: (303, Some("/desk")),
            empty: None,
            long: None,
            cases: vec![
                at("another agent's filter", "/desk/filters/2/delete", not_found()),
                at("an unknown filter", "/desk/filters/999999/delete", not_found()),
                at("not an id", "/desk/filters/alle/delete", not_found()),
            ],
        },
    ]
}

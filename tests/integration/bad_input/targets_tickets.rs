//! The state-changing routes of reports and tickets, at the school, the desk and the
//! provider's link, with their bad submissions.
use super::*;

/// A teacher's report, its answer and escalation, and FAQ drafts from solutions.
pub(super) fn report_targets(f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    let ticket = |purpose: &str| f.tickets[purpose].clone();
    let other = ticket("other school");
    let report_path = |action: &str| format!("/helpdesk/reports/{}/{action}", f.report);
    vec![
        Target {
            method: post,
            route: "/reports",
            path: "/reports".into(),
            who: Some(TEACHER),
            valid: fields(&[
                ("affected", "Beamer in Raum 112"),
                ("since", "seit heute früh"),
                ("how_many", "die ganze Klasse 7b"),
                ("description", "Kein Bild, obwohl das Kabel steckt.\nSchon neu gestartet."),
            ]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("affected", invalid_arg("validation.too_long", 200))),
            cases: vec![
                set("affected with a NUL", &[("affected", "Beamer\0")], invalid("validation.control_chars")),
                set(
                    "affected over two lines",
                    &[("affected", "Beamer\nRaum 112")],
                    invalid("validation.control_chars"),
                ),
                set("blank since", &[("since", "  ")], invalid("validation.required")),
                set(
                    "how many of 201 characters",
                    &[("how_many", &long_text(201))],
                    invalid_arg("validation.too_long", 200),
                ),
                set("blank description", &[("description", "")], invalid("validation.required")),
                set("description with a bell", &[("description", "Piep\u{7}")], invalid("validation.control_chars")),
                set(
                    "description over 50 000 characters",
                    &[("description", &long_text(50_001))],
                    invalid_arg("validation.too_long", 50_000),
                ),
                Case {
                    label: "broken escapes".into(),
                    path: None,
                    set: vec![("description", String::new())],
                    drop: vec!["affected"],
                    raw: vec![("affected", "%zz%")],
                    expect: invalid("validation.required"),
                },
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/reports/<id>/answer",
            path: report_path("answer"),
            who: Some(SCHOOL_ADMIN),
            valid: fields(&[
                ("triage_scope", "local"),
                ("triage_fault_type", "hardware"),
                ("service", "presentation"),
                ("answer", "Kabel getauscht, geht wieder."),
            ]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("answer", invalid_arg("validation.too_long", 50_000))),
            cases: vec![
                set("answer with a NUL", &[("answer", "Kabel\0")], invalid("validation.control_chars")),
                set("unknown scope", &[("triage_scope", "mars")], invalid("tickets.choice_invalid")),
                set("unknown fault type", &[("triage_fault_type", "beides")], invalid("tickets.choice_invalid")),
                set(
                    "unknown service",
                    &[("service", "teleporter")],
                    invalid_arg("validation.unknown_service", "teleporter"),
                ),
                set(
                    "service with a NUL",
                    &[("service", "wi\0fi")],
                    invalid_arg("validation.unknown_service", "wi\u{FFFD}fi"),
                ),
                set("a stale version", &[("version", "0")], msg(409, "reports.already_handled")),
                set("escalating with an unknown priority", &[("priority", "P9")], invalid("desk.priority_invalid"))
                    .on(report_path("escalate")),
                set("escalating with a NUL title", &[("title", "Beamer\0")], invalid("validation.control_chars"))
                    .on(report_path("escalate")),
                set("escalating without the scope", &[("triage_scope", "")], invalid("reports.scope_required"))
                    .on(report_path("escalate")),
                set("escalating without hardware or software", &[("triage_fault_type", "")], {
                    invalid("reports.fault_type_required")
                })
                .on(report_path("escalate")),
                set("escalating without a service", &[("service", "")], invalid("reports.service_required"))
                    .on(report_path("escalate")),
                set("escalating with a blank description", &[("description", " ")], invalid("validation.required"))
                    .on(report_path("escalate")),
                set(
                    "escalating with a description of 50 001 characters",
                    &[("description", &long_text(50_001))],
                    invalid_arg("validation.too_long", 50_000),
                )
                .on(report_path("escalate")),
                at("an unknown action", report_path("explode"), not_found()),
                at("another school's report", format!("/helpdesk/reports/{}/answer", f.other_report), not_found()),
                at("an unknown report", "/helpdesk/reports/999999/answer", not_found()),
                at("not a report id", "/helpdesk/reports/abc/answer", not_found()),
            ],
        },
        // After the answer above, the report has a solution to draft an FAQ article from.
        Target {
            method: post,
            route: "/kb/drafts/report/<report>",
            path: format!("/kb/drafts/report/{}", f.report),
            who: Some(SCHOOL_ADMIN),
            valid: Vec::new(),
            valid_reply: (303, None),
            empty: None,
            long: None,
            cases: vec![
                at("another school's report", format!("/kb/drafts/report/{}", f.other_report), not_found()),
                at("an unknown report", "/kb/drafts/report/999999", not_found()),
                at("not a report id", "/kb/drafts/report/abc", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/kb/drafts/ticket/<ticket>",
            path: format!("/kb/drafts/ticket/{}", ticket("school close")),
            who: Some(AGENT),
            valid: Vec::new(),
            valid_reply: (303, None),
            empty: None,
            long: None,
            cases: vec![
                at(
                    "a ticket without a solution",
                    format!("/kb/drafts/ticket/{other}"),
                    msg(409, "kb.draft_needs_solution"),
                ),
                at("an unknown ticket", "/kb/drafts/ticket/T-999999", not_found()),
                at("not a ticket number", "/kb/drafts/ticket/T-12x", not_found()),
            ],
        },
    ]
}

/// Tickets at the school, the desk and the provider's link.
pub(super) fn ticket_targets(f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    let ticket = |purpose: &str| f.tickets[purpose].clone();
    let other = ticket("other school");
    let new_ticket = fields(&[
        ("title", "Beamer in Raum 12 zeigt kein Bild"),
        ("description", "Seit heute früh, alle Eingänge getestet."),
        ("service", "presentation"),
        ("priority", "P2"),
        ("triage_scope", "local"),
        ("triage_fault_type", "hardware"),
    ]);
    let desk_path = |action: &str| format!("/desk/tickets/{}/{action}", ticket("desk action"));
    let reply_path = format!("/desk/tickets/{}/provider_reply", ticket("desk reply"));
    let reply = |body: &str| fields(&[("forward", &f.reply_forward.to_string()), ("body", body)]);
    let provider_path = |action: &str| format!("/provider/{}/{action}", f.provider_links["html"]);
    vec![
        Target {
            method: post,
            route: "/provider/<_>/comment",
            path: provider_path("comment"),
            who: None,
            valid: fields(&[("body", "Wir prüfen den Port."), ("reference", ""), ("solution", "")]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("body", invalid_arg("validation.too_long", 50_000))),
            cases: vec![
                set("blank", &[("body", " ")], invalid("validation.required")),
                set("with a NUL", &[("body", "Port\0")], invalid("validation.control_chars")),
                set("a blank reference", &[("reference", "")], invalid("validation.required")).on(provider_path("ack")),
                set("a reference of 121 characters", &[("reference", &long_text(121))], {
                    invalid_arg("validation.too_long", 120)
                })
                .on(provider_path("ack")),
                set("a reference with a NUL", &[("reference", "NN\0")], invalid("validation.control_chars"))
                    .on(provider_path("ack")),
                set("a blank solution", &[("solution", "")], invalid("validation.required"))
                    .on(provider_path("resolve")),
                at("an unknown action", provider_path("explode"), not_found()),
                at("an unknown link", format!("/provider/{}/comment", "0".repeat(64)), not_found()),
                at("not a link", "/provider/kein-link/comment", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/tickets",
            path: "/helpdesk/tickets".into(),
            who: Some(SCHOOL_ADMIN),
            valid: new_ticket,
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("title", invalid_arg("validation.too_long", 200))),
            cases: vec![
                set("blank title", &[("title", " ")], invalid("validation.required")),
                set("title with a NUL", &[("title", "Beamer\0")], invalid("validation.control_chars")),
                set("title over two lines", &[("title", "Beamer\nRaum 12")], invalid("validation.control_chars")),
                set("blank description", &[("description", "")], invalid("validation.required")),
                set("description with a bell", &[("description", "Piep\u{7}")], invalid("validation.control_chars")),
                set(
                    "description over 50 000 characters",
                    &[("description", &long_text(50_001))],
                    invalid_arg("validation.too_long", 50_000),
                ),
                set(
                    "unknown service",
                    &[("service", "teleporter")],
                    invalid_arg("validation.unknown_service", "teleporter"),
                ),
                set(
                    "service with a NUL",
                    &[("service", "wi\0fi")],
                    invalid_arg("validation.unknown_service", "wi\u{FFFD}fi"),
                ),
                set("unknown priority", &[("priority", "P9")], invalid("desk.priority_invalid")),
                set("priority in words", &[("priority", "dringend")], invalid("desk.priority_invalid")),
                set("unknown scope", &[("triage_scope", "mars")], invalid("tickets.choice_invalid")),
                set("unknown fault type", &[("triage_fault_type", "beides")], invalid("tickets.choice_invalid")),
                set("a school smuggled in", &[("title", ""), ("school", "gym-b")], invalid("validation.required")),
                raw("broken escapes", &[("title", "%zz%"), ("priority", "%G0")], invalid("desk.priority_invalid")),
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/tickets/<number>/comment",
            path: format!("/helpdesk/tickets/{}/comment", ticket("school comment")),
            who: Some(SCHOOL_ADMIN),
            valid: fields(&[("body", "Es betrifft alle Räume.")]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("body", invalid_arg("validation.too_long", 50_000))),
            cases: vec![
                set("blank", &[("body", " \n ")], invalid("validation.required")),
                set("with a NUL", &[("body", "Hallo\0")], invalid("validation.control_chars")),
                set("a stale version", &[("version", "0")], msg(409, "tickets.stale")),
                set("internal not a boolean", &[("internal", "vielleicht")], invalid("error.bad_form")),
                at("another school's ticket", format!("/helpdesk/tickets/{other}/comment"), not_found()),
                at("an unknown ticket", "/helpdesk/tickets/T-999999/comment", not_found()),
                at("not a ticket number", "/helpdesk/tickets/%F0%9F%98%80/comment", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/tickets/<number>/close",
            path: format!("/helpdesk/tickets/{}/close", ticket("school close")),
            who: Some(SCHOOL_ADMIN),
            valid: Vec::new(),
            valid_reply: (303, None),
            empty: None,
            long: None,
            cases: vec![
                set("a stale version", &[("version", "1")], msg(409, "tickets.stale")),
                at("another school's ticket", format!("/helpdesk/tickets/{other}/close"), not_found()),
                at("an unknown ticket", "/helpdesk/tickets/T-999999/close", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/tickets/<number>/reopen",
            path: format!("/helpdesk/tickets/{}/reopen", ticket("school reopen")),
            who: Some(SCHOOL_ADMIN),
            valid: fields(&[("body", "Geht wieder nicht.")]),
            valid_reply: (303, None),
            empty: None,
            long: None,
            cases: vec![
                set("a stale version", &[("version", "1")], msg(409, "tickets.stale")),
                at("another school's ticket", format!("/helpdesk/tickets/{other}/reopen"), not_found()),
                at("an unknown ticket", "/helpdesk/tickets/0/reopen", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/desk/tickets/<number>/comment",
            path: desk_path("comment"),
            who: Some(AGENT),
            valid: fields(&[("body", "Wir schauen nach."), ("internal", "false")]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("body", invalid_arg("validation.too_long", 50_000))),
            cases: vec![
                set("blank", &[("body", "  ")], invalid("validation.required")),
                set("with a NUL", &[("body", "Hallo\0")], invalid("validation.control_chars")),
                set("internal not a boolean", &[("internal", "vielleicht")], invalid("error.bad_form")),
                set("a stale version", &[("version", "0")], msg(409, "tickets.stale")),
                set("an unknown agent", &[("agent", "niemand@nirgends.de")], {
                    invalid_arg("tickets.unknown_agent", "niemand@nirgends.de")
                })
                .on(desk_path("assign")),
                set("a teacher as agent", &[("agent", TEACHER)], invalid_arg("tickets.unknown_agent", TEACHER))
                    .on(desk_path("assign")),
                set("an agent with a NUL", &[("agent", "ag@desk.de\0")], {
                    invalid_arg("tickets.unknown_agent", "ag@desk.de\u{FFFD}")
                })
                .on(desk_path("assign")),
                set(
                    "an unknown priority",
                    &[("priority", "P0"), ("service", "wifi")],
                    invalid("desk.priority_invalid"),
                )
                .on(desk_path("reclassify")),
                set("an unknown service", &[("priority", "P2"), ("service", "teleporter")], {
                    invalid_arg("validation.unknown_service", "teleporter")
                })
                .on(desk_path("reclassify")),
                set("a blank question", &[("body", "")], invalid("validation.required")).on(desk_path("ask")),
                set("a blank solution", &[("body", "")], invalid("validation.required")).on(desk_path("resolve")),
                set_owned("a blank reply to the provider", reply(" "), invalid("validation.required"))
                    .on(reply_path.clone()),
                set_owned("a reply to the provider with a NUL", reply("Port\0"), invalid("validation.control_chars"))
                    .on(reply_path.clone()),
                set_owned(
                    "a reply to an unknown forward",
                    fields(&[("forward", "999999"), ("body", "Port 3?")]),
                    not_found(),
                )
                .on(reply_path.clone()),
                set_owned("a reply to another ticket's forward", reply("Port 3?"), not_found())
                    .on(desk_path("provider_reply")),
                set("closing from a stale version", &[("version", "0")], msg(409, "tickets.stale"))
                    .on(desk_path("close")),
                set("reopening from a stale version", &[("version", "0")], msg(409, "tickets.stale"))
                    .on(desk_path("reopen")),
                set("forwarding to an unknown provider", &[("provider", "niemand"), ("priority", "P2")], {
                    invalid_arg("forwards.unknown_provider", "niemand")
                })
                .on(desk_path("forward")),
                set_owned("a recall of an unknown forward", fields(&[("forward", "999999")]), not_found())
                    .on(desk_path("recall")),
                at("an unknown action", desk_path("explode"), not_found()),
                at("an unknown ticket", "/desk/tickets/T-999999/comment", not_found()),
                at("a ticket number of ten digits", "/desk/tickets/T-1234567890/comment", not_found()),
            ],
        },
        // The ticket page's one reply box: every mode, and the recall of a forward.
        Target {
            method: post,
            route: "/desk/tickets/<number>/reply",
            path: desk_path("reply"),
            who: Some(AGENT),
            valid: fields(&[("mode", "note"), ("body", "Intern: Port 3 prüfen.")]),
            valid_reply: (303, None),
            empty: Some(invalid("desk_box.mode_invalid")),
            long: Some(("body", invalid_arg("validation.too_long", 50_000))),
            cases: vec![
                set("an unknown mode", &[("mode", "shout")], invalid("desk_box.mode_invalid")),
                set("a blank note", &[("body", " ")], invalid("validation.required")),
                set(
                    "a reply with a NUL",
                    &[("mode", "reply"), ("body", "Hallo\0")],
                    invalid("validation.control_chars"),
                ),
                set("a blank question", &[("mode", "ask"), ("body", "")], invalid("validation.required")),
                set("a stale question", &[("mode", "ask"), ("version", "0")], msg(409, "tickets.stale")),
                set("a blank solution", &[("mode", "resolve"), ("body", "")], invalid("validation.required")),
                set("a stale solution", &[("mode", "resolve"), ("version", "0"), ("confirm", "1")], {
                    msg(409, "tickets.stale")
                }),
                set("reply and resolve from a note", &[("close", "1"), ("confirm", "1")], {
                    invalid("desk_box.close_needs_reply")
                }),
                set("an answer to no forward", &[("mode", "provider")], invalid("desk_box.forward_required")),
                set("an answer to an unknown forward", &[("mode", "provider"), ("forward", "999999")], not_found()),
                set_owned(
                    "an answer to another ticket's forward",
                    fields(&[("mode", "provider"), ("forward", &f.reply_forward.to_string())]),
                    not_found(),
                ),
                set("a recall of no forward", &[("mode", "recall")], invalid("desk_box.forward_required")),
                set(
                    "a recall of an unknown forward",
                    &[("mode", "recall"), ("forward", "999999"), ("confirm", "1")],
                    not_found(),
                ),
                at("an unknown ticket", "/desk/tickets/T-999999/reply", not_found()),
            ],
        },
    ]
}

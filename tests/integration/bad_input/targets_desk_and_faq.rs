//! The desk lead's settings and the FAQ's authoring and rating, with their bad submissions.
use super::*;

/// The desk lead's targets, week and holidays.
pub(super) fn desk_settings_targets(f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    let bulk_ticket = f.tickets["desk bulk"].clone();
    let sla = |p1_first: &str| {
        let mut all = Vec::new();
        for (i, (priority, first, resolution)) in
            [("P1", p1_first, "8"), ("P2", "4", "16"), ("P3", "8", "40"), ("P4", "16", "80")].iter().enumerate()
        {
            all.push((leak(format!("targets[{i}].priority")), priority.to_string()));
            all.push((leak(format!("targets[{i}].first")), first.to_string()));
            all.push((leak(format!("targets[{i}].resolution")), resolution.to_string()));
        }
        all
    };
    let week = || {
        let mut all = Vec::new();
        for (i, day) in (1..=5).enumerate() {
            all.push((leak(format!("days[{i}].weekday")), day.to_string()));
            all.push((leak(format!("days[{i}].open")), "true".to_string()));
            all.push((leak(format!("days[{i}].opens")), "08:00".to_string()));
            all.push((leak(format!("days[{i}].closes")), "15:30".to_string()));
        }
        all
    };
    vec![
        Target {
            method: post,
            route: "/desk/bulk",
            path: "/desk/bulk".into(),
            who: Some(AGENT),
            valid: vec![
                ("action", "assign".into()),
                ("agent", "me".into()),
                ("tickets", bulk_ticket),
                ("back", "/desk?queue=all".into()),
            ],
            valid_reply: (303, Some("/desk?queue=all")),
            empty: Some(invalid("desk.bulk_action_invalid")),
            long: Some(("action", invalid("desk.bulk_action_invalid"))),
            cases: vec![
                drop("no ticket", &["tickets"], invalid("desk.bulk_none")),
                set("an unknown action", &[("action", "delete")], invalid("desk.bulk_action_invalid")),
                set("not a ticket number", &[("tickets", "T-12ab")], invalid_arg("desk.bulk_unknown_ticket", "T-12ab")),
                set("an agent nobody is", &[("agent", "x@y.de")], invalid_arg("tickets.unknown_agent", "x@y.de")),
                set(
                    "an unknown priority",
                    &[("action", "priority"), ("priority", "P0")],
                    invalid("desk.priority_invalid"),
                ),
                raw("broken escapes", &[("tickets", "%zz")], invalid_arg("desk.bulk_unknown_ticket", "%zz")),
            ],
        },
        Target {
            method: post,
            route: "/desk/settings/sla",
            path: "/desk/settings/sla".into(),
            who: Some(DESK_LEAD),
            valid: sla("2"),
            valid_reply: (303, Some("/desk/settings")),
            empty: Some(invalid("desk.priority_invalid")),
            long: Some(("targets[0].first", invalid("validation.number"))),
            cases: vec![
                set("hours in letters", &[("targets[0].first", "eine")], invalid("validation.number")),
                set("hours empty", &[("targets[1].resolution", "")], invalid("validation.number")),
                set("hours not a number", &[("targets[0].first", "NaN")], invalid_arg("validation.range", "0–2000")),
                set("hours zero", &[("targets[0].first", "0")], invalid_arg("validation.range", "0–2000")),
                set("hours negative", &[("targets[0].first", "-1")], invalid_arg("validation.range", "0–2000")),
                set(
                    "hours of a lifetime",
                    &[("targets[0].resolution", "1e9")],
                    invalid_arg("validation.range", "0–2000"),
                ),
                set(
                    "resolution before the first answer",
                    &[("targets[0].first", "9"), ("targets[0].resolution", "8")],
                    invalid("desk.resolution_before_response"),
                ),
                set("unknown priority", &[("targets[0].priority", "P9")], invalid("desk.priority_invalid")),
                set("priority with a NUL", &[("targets[0].priority", "P1\0")], invalid("desk.priority_invalid")),
                drop(
                    "three priorities",
                    &["targets[3].priority", "targets[3].first", "targets[3].resolution"],
                    invalid("desk.priority_invalid"),
                ),
                set(
                    "a fifth priority",
                    &[("targets[4].priority", "P1"), ("targets[4].first", "1"), ("targets[4].resolution", "2")],
                    invalid("desk.priority_invalid"),
                ),
                set("the same priority twice", &[("targets[1].priority", "P1")], invalid("desk.priority_invalid")),
                raw("broken escapes", &[("targets[0].first", "%zz")], invalid("validation.number")),
            ],
        },
        Target {
            method: post,
            route: "/desk/settings/week",
            path: "/desk/settings/week".into(),
            who: Some(DESK_LEAD),
            valid: week(),
            valid_reply: (303, Some("/desk/settings")),
            // No days at all is a valid week: the desk is never open.
            empty: None,
            long: Some(("days[0].opens", invalid("desk.time_format"))),
            cases: vec![
                set("weekday 8", &[("days[0].weekday", "8")], invalid("desk.weekday_invalid")),
                set("weekday 0", &[("days[0].weekday", "0")], invalid("desk.weekday_invalid")),
                set("weekday in letters", &[("days[0].weekday", "Mo")], invalid("error.bad_form")),
                set("the same weekday twice", &[("days[1].weekday", "1")], invalid("desk.weekday_invalid")),
                set("hour 25", &[("days[0].opens", "25:00")], invalid("desk.time_format")),
                set("minute 60", &[("days[0].closes", "15:60")], invalid("desk.time_format")),
                set("a time without colon", &[("days[0].opens", "0800")], invalid("desk.time_format")),
                set("a time with a NUL", &[("days[0].opens", "08:00\0")], invalid("desk.time_format")),
                set("closing before opening", &[("days[2].closes", "07:00")], invalid("desk.closes_before_opens")),
                set("open not a boolean", &[("days[0].open", "vielleicht")], invalid("error.bad_form")),
                raw("broken escapes", &[("days[0].opens", "%zz")], invalid("desk.time_format")),
            ],
        },
        Target {
            method: post,
            route: "/desk/settings/holidays",
            path: "/desk/settings/holidays".into(),
            who: Some(DESK_LEAD),
            valid: fields(&[("day", "2031-12-24"), ("name", "Heiligabend")]),
            valid_reply: (303, Some("/desk/settings")),
            empty: Some(invalid("desk.date_format")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("a German date", &[("day", "24.12.2031")], invalid("desk.date_format")),
                set("the 30th of February", &[("day", "2031-02-30")], invalid("desk.date_format")),
                set("a date with a NUL", &[("day", "2031-12-24\0")], invalid("desk.date_format")),
                set("a day already entered", &[("day", HOLIDAY)], invalid("desk.holiday_exists")),
                set("blank name", &[("name", " ")], invalid("validation.required")),
                set("name with a NUL", &[("name", "Heilig\0abend")], invalid("validation.control_chars")),
                set("name of 121 characters", &[("name", &long_text(121))], invalid_arg("validation.too_long", 120)),
                raw("broken escapes", &[("day", "%zz")], invalid("desk.date_format")),
            ],
        },
        Target {
            method: post,
            route: "/desk/settings/holidays/<day>/delete",
            path: format!("/desk/settings/holidays/{HOLIDAY}/delete"),
            who: Some(DESK_LEAD),
            valid: Vec::new(),
            valid_reply: (303, Some("/desk/settings")),
            empty: None,
            long: None,
            cases: vec![
                at("a day without a holiday", "/desk/settings/holidays/2031-05-02/delete", not_found()),
                at("not a date", "/desk/settings/holidays/morgen/delete", not_found()),
                at("a date with a NUL", "/desk/settings/holidays/2031-05-01%00/delete", not_found()),
            ],
        },
    ]
}

/// Writing, restoring and rating FAQ articles.
pub(super) fn faq_targets(f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    let version = f.article_version.to_string();
    let article = |title: &str, version: &str| {
        fields(&[
            ("title", title),
            ("body", "## Schritte\n\n1. Prüfen\n2. Melden"),
            ("audience", "teacher"),
            ("service", "wifi"),
            ("tags", "wlan, neu"),
            ("scope", "global"),
            ("status", "published"),
            ("version", version),
        ])
    };
    let article_cases = || {
        vec![
            set("blank title", &[("title", "  ")], invalid("validation.required")),
            set("title with a NUL", &[("title", "WLAN\0")], invalid("validation.control_chars")),
            set("title of 201 characters", &[("title", &long_text(201))], invalid_arg("validation.too_long", 200)),
            set("blank body", &[("body", " \n ")], invalid("validation.required")),
            drop("no audience", &["audience"], invalid("kb.audience_required")),
            set("unknown audience", &[("audience", "eltern")], invalid("kb.audience_invalid")),
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
            set("unknown status", &[("status", "live")], invalid("kb.status_invalid")),
            set("unknown scope", &[("scope", "mars")], invalid("kb.scope_invalid")),
            set("a school article from the desk", &[("scope", "school")], invalid("kb.scope_desk_global")),
            set("a tag of 41 characters", &[("tags", &long_text(41))], invalid("kb.tags_invalid")),
            set("a tag with a NUL", &[("tags", "wlan\0")], invalid("kb.tags_invalid")),
            set_owned(
                "21 tags",
                vec![("tags", (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>().join(","))],
                invalid_arg("validation.too_many", 20),
            ),
            raw("broken escapes", &[("title", "%zz%"), ("audience", "%G0")], invalid("kb.audience_invalid")),
        ]
    };
    vec![
        Target {
            method: post,
            route: "/kb/new",
            path: "/kb/new".into(),
            who: Some(AGENT),
            valid: article("Neuer Artikel", ""),
            valid_reply: (303, Some("/kb/neuer-artikel")),
            empty: Some(invalid("validation.required")),
            long: Some(("title", invalid_arg("validation.too_long", 200))),
            cases: article_cases(),
        },
        Target {
            method: post,
            route: "/kb/<slug>/edit",
            path: format!("/kb/{TEACHER_ARTICLE}/edit"),
            who: Some(AGENT),
            valid: article("WLAN für Lehrkräfte", &version),
            valid_reply: (303, Some("/kb/wlan-lehrkraefte-geraete-verbinden")),
            empty: Some(invalid("validation.required")),
            long: Some(("title", invalid_arg("validation.too_long", 200))),
            cases: {
                let mut cases = article_cases();
                cases.push(set("a stale version", &[("version", "0")], msg(409, "kb.conflict")));
                cases.push(at("unknown article", "/kb/nichts-da/edit", not_found()));
                cases.push(at("slug with a NUL", "/kb/wlan%00/edit", not_found()));
                cases
            },
        },
        Target {
            method: post,
            route: "/kb/<slug>/restore",
            path: format!("/kb/{DESK_ARTICLE}/restore"),
            who: Some(AGENT),
            valid: fields(&[("version", "1"), ("current", &f.desk_article_version.to_string())]),
            valid_reply: (303, Some("/kb/wlan-stoerung-schuluebergreifend-eingrenzen")),
            empty: Some(msg(404, "error.not_found")),
            long: Some(("version", invalid("error.bad_form"))),
            cases: vec![
                set("unknown version", &[("version", "99")], not_found()),
                set("version in letters", &[("version", "eins")], invalid("error.bad_form")),
                set("a stale current version", &[("current", "0")], msg(409, "kb.conflict")),
                raw("broken escapes", &[("version", "%zz")], invalid("error.bad_form")),
                at("unknown article", "/kb/nichts-da/restore", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/kb/<slug>/rate",
            path: format!("/kb/{PUPIL_ARTICLE}/rate"),
            who: None,
            valid: fields(&[("helpful", "yes")]),
            valid_reply: (303, Some("/kb/wlan-verbinden-schueler#rate")),
            empty: Some(invalid("validation.required")),
            long: Some(("helpful", invalid("validation.required"))),
            cases: vec![
                set("neither yes nor no", &[("helpful", "vielleicht")], invalid("validation.required")),
                set("yes with a NUL", &[("helpful", "yes\0")], invalid("validation.required")),
                at("unknown article", "/kb/nichts-da/rate", not_found()),
                at("slug with a NUL", "/kb/wlan%00/rate", not_found()),
            ],
        },
    ]
}

//! The support widget's forms (a teacher's report, a school admin's ticket and chat request
//! from the dialog) with their bad submissions: the fields of the plain forms, and the
//! dialog's own — an origin that may not embed the widget and a context out of bounds.
use super::*;

/// The cases every widget form shares: its origin and its context.
fn widget_cases() -> Vec<Case> {
    vec![
        set("an origin not configured", &[("origin", "https://evil.example")], invalid("widget.origin_refused")),
        set("an origin that is no origin", &[("origin", "javascript:alert(1)")], invalid("widget.origin_refused")),
        set("a context that is no JSON", &[("context", "{kurs")], invalid("chat.context_invalid")),
        set("a context that is a list", &[("context", "[1,2]")], invalid("chat.context_invalid")),
        set("a nested context", &[("context", r#"{"a":{"b":1}}"#)], invalid("chat.context_invalid")),
        set("a context key with markup", &[("context", r#"{"<b>":"x"}"#)], invalid("chat.context_invalid")),
        set_owned(
            "a context value of 501 characters",
            vec![("context", format!(r#"{{"kurs":"{}"}}"#, long_text(501)))],
            invalid_arg("validation.too_long", 500),
        ),
        set(
            "a context value with a NUL",
            &[("context", r#"{"kurs":"a\u0000b"}"#)],
            invalid("validation.control_chars"),
        ),
        set_owned(
            "21 context keys",
            vec![("context", {
                let keys: Vec<String> = (0..21).map(|i| format!(r#""k{i}":"v""#)).collect();
                format!("{{{}}}", keys.join(","))
            })],
            invalid_arg("validation.too_many", 20),
        ),
        set_owned(
            "a context of 17 000 characters",
            vec![("context", format!(r#"{{"a":"{}"}}"#, long_text(17_000)))],
            invalid_arg("validation.too_long", 16_384),
        ),
    ]
}

pub(super) fn widget_targets(_f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    let context = r#"{"kurs":"Physik 9b","raum":"112"}"#;
    let mut report_cases = widget_cases();
    report_cases.extend([
        set("blank affected", &[("affected", " ")], invalid("validation.required")),
        set("affected with a NUL", &[("affected", "Beamer\0")], invalid("validation.control_chars")),
        set("blank description", &[("description", "")], invalid("validation.required")),
    ]);
    let mut ticket_cases = widget_cases();
    ticket_cases.extend([
        set("blank title", &[("title", "")], invalid("validation.required")),
        set("a title over two lines", &[("title", "a\nb")], invalid("validation.control_chars")),
        set("blank description", &[("description", " ")], invalid("validation.required")),
        set(
            "an unknown service",
            &[("service", "teleporter")],
            invalid_arg("validation.unknown_service", "teleporter"),
        ),
        set("an unknown priority", &[("priority", "P9")], invalid("desk.priority_invalid")),
    ]);
    let mut chat_cases = widget_cases();
    chat_cases.extend([
        set("no message", &[("message", "")], invalid("validation.required")),
        set("a message with a NUL", &[("message", "a\0")], invalid("validation.control_chars")),
        set("an unknown channel", &[("channel", "nichts")], invalid_arg("chat.unknown_channel", "nichts")),
    ]);
    vec![
        Target {
            method: post,
            route: "/widget/reports",
            path: "/widget/reports".into(),
            who: Some(TEACHER),
            valid: fields(&[
                ("origin", ""),
                ("page", "https://lms.example.org/kurs/9"),
                ("context", context),
                ("affected", "Beamer in Raum 112"),
                ("since", "seit heute früh"),
                ("how_many", "Klasse 9b"),
                ("description", "Kein Bild."),
            ]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("affected", invalid_arg("validation.too_long", 200))),
            cases: report_cases,
        },
        Target {
            method: post,
            route: "/widget/tickets",
            path: "/widget/tickets".into(),
            who: Some(SCHOOL_ADMIN),
            valid: fields(&[
                ("origin", ""),
                ("page", "https://lms.example.org/kurs/9"),
                ("context", context),
                ("title", "Lernplattform: Kurs lädt nicht"),
                ("description", "Seit heute früh."),
                ("service", ""),
                ("priority", ""),
            ]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("title", invalid_arg("validation.too_long", 200))),
            cases: ticket_cases,
        },
        Target {
            method: post,
            route: "/widget/chats",
            path: "/widget/chats".into(),
            who: Some(SCHOOL_ADMIN),
            valid: fields(&[
                ("origin", ""),
                ("page", "https://lms.example.org/kurs/9"),
                ("context", context),
                ("channel", "allgemein"),
                ("message", "Der Kurs lädt nicht."),
            ]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("message", invalid_arg("validation.too_long", 4000))),
            cases: chat_cases,
        },
    ]
}

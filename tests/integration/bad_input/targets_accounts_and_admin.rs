//! Signing in and one's own account, and the operators' administration of users, schools,
//! services and providers, with their bad submissions.
use super::*;

/// Signing in and out, the own password and language, and password resets.
pub(super) fn account_targets(f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    let token = &f.reset_token;
    vec![
        Target {
            method: post,
            route: "/login",
            path: "/login".into(),
            who: None,
            valid: fields(&[("email", "li@gym-a.de"), ("password", PASSWORD)]),
            valid_reply: (303, Some("/faq")),
            empty: Some(invalid("login.failed")),
            long: Some(("email", invalid("login.failed"))),
            cases: vec![
                set("wrong password", &[("password", "falsch-falsch")], invalid("login.failed")),
                drop("no password", &["password"], invalid("login.failed")),
                set("email with a NUL", &[("email", "li@gym-a.de\0")], invalid("login.failed")),
                set("email with emoji and RTL", &[("email", "😀\u{202e}li@gym-a.de")], invalid("login.failed")),
                set("password with a NUL", &[("password", "richtig-gutes\0passwort")], invalid("login.failed")),
                set("email of 60 000 characters", &[("email", &noise(60_000))], invalid("login.failed")),
                set("password of 60 000 characters", &[("password", &long_text(60_000))], invalid("login.failed")),
                raw("broken escapes", &[("email", "%zz%"), ("password", "%G0")], invalid("login.failed")),
            ],
        },
        Target {
            method: post,
            route: "/logout",
            path: "/logout".into(),
            who: Some("lo@gym-a.de"),
            valid: Vec::new(),
            valid_reply: (303, Some("/login")),
            empty: None,
            long: None,
            cases: Vec::new(),
        },
        Target {
            method: post,
            route: "/account/password",
            path: "/account/password".into(),
            who: Some("pw@gym-a.de"),
            valid: fields(&[
                ("current", PASSWORD),
                ("new", "ein ganz neues Passwort"),
                ("confirm", "ein ganz neues Passwort"),
            ]),
            valid_reply: (303, Some("/account")),
            empty: Some(invalid("account.wrong_password")),
            long: Some(("new", invalid_arg("validation.too_long", 200))),
            cases: vec![
                set("wrong current password", &[("current", "falsch-falsch")], invalid("account.wrong_password")),
                set("short new password", &[("new", "kurz"), ("confirm", "kurz")], {
                    invalid_arg("validation.password_short", 10)
                }),
                set("confirmation differs", &[("confirm", "ein ganz anderes Passwort")], {
                    invalid("validation.password_mismatch")
                }),
                drop("no confirmation", &["confirm"], invalid("validation.password_mismatch")),
                set_owned(
                    "new password of 201 characters",
                    vec![("new", long_text(201)), ("confirm", long_text(201))],
                    invalid_arg("validation.too_long", 200),
                ),
                raw("broken escapes", &[("current", "%zz")], invalid("account.wrong_password")),
                set(
                    "a role smuggled in",
                    &[("current", "falsch-falsch"), ("role", "operator")],
                    invalid("account.wrong_password"),
                ),
            ],
        },
        Target {
            method: post,
            route: "/language",
            path: "/language".into(),
            who: Some("la@gym-a.de"),
            valid: fields(&[("lang", "en"), ("next", "/faq")]),
            valid_reply: (303, Some("/faq")),
            empty: Some(invalid("validation.language")),
            long: Some(("lang", invalid("validation.language"))),
            cases: vec![
                set("unknown language", &[("lang", "fr")], invalid("validation.language")),
                set("language with a NUL", &[("lang", "en\0")], invalid("validation.language")),
                set("an emoji", &[("lang", "🇬🇧")], invalid("validation.language")),
                raw("broken escapes", &[("lang", "%zz")], invalid("validation.language")),
            ],
        },
        Target {
            method: post,
            route: "/account/tokens/<id>/revoke",
            path: format!("/account/tokens/{}/revoke", f.revocable_token),
            who: Some("tk@gym-a.de"),
            valid: Vec::new(),
            valid_reply: (303, Some("/account")),
            empty: None,
            long: None,
            cases: vec![
                at("an unknown token", "/account/tokens/999999/revoke", not_found()),
                at("an id that is no number", "/account/tokens/abc/revoke", not_found()),
                at("an id of zero", "/account/tokens/0/revoke", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/password/forgot",
            path: "/password/forgot".into(),
            who: None,
            valid: fields(&[("email", VICTIM)]),
            valid_reply: (200, None),
            empty: Some(invalid("validation.required")),
            long: Some(("email", invalid_arg("validation.too_long", 254))),
            cases: vec![
                set("no address", &[("email", "kein-at")], invalid("validation.email")),
                set("address with a NUL", &[("email", "v@gym-b.de\0")], invalid("validation.control_chars")),
                set("emoji address", &[("email", "😀@schule")], invalid("validation.email")),
                set("unknown address", &[("email", "niemand@nirgends.de")], msg(200, "reset.sent")),
                raw("broken escapes", &[("email", "%zz%")], invalid("validation.email")),
            ],
        },
        Target {
            method: post,
            route: "/password/reset/<token>",
            path: format!("/password/reset/{token}"),
            who: None,
            valid: fields(&[("new", "ein ganz neues Passwort"), ("confirm", "ein ganz neues Passwort")]),
            valid_reply: (303, Some("/login")),
            empty: Some(invalid_arg("validation.password_short", 10)),
            long: Some(("new", invalid_arg("validation.too_long", 200))),
            cases: vec![
                set("short", &[("new", "kurz"), ("confirm", "kurz")], invalid_arg("validation.password_short", 10)),
                set(
                    "confirmation differs",
                    &[("confirm", "etwas anderes ganz")],
                    invalid("validation.password_mismatch"),
                ),
                drop("no confirmation", &["confirm"], invalid("validation.password_mismatch")),
                raw(
                    "broken escapes",
                    &[("new", "%zz"), ("confirm", "%zz")],
                    invalid_arg("validation.password_short", 10),
                ),
                at("unknown token", format!("/password/reset/{}", "0".repeat(64)), msg(410, "error.gone")),
                at("short token", "/password/reset/abc", msg(410, "error.gone")),
                at("token with a NUL", format!("/password/reset/{}%00", &token[..63]), msg(410, "error.gone")),
                at("token not hex", format!("/password/reset/{}", "z".repeat(64)), msg(410, "error.gone")),
            ],
        },
    ]
}

/// An agent's XMPP address on their account page (Staffel with an XMPP account).
pub(super) fn xmpp_targets(_f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    vec![
        Target {
            method: post,
            route: "/account/xmpp",
            path: "/account/xmpp".into(),
            who: Some(AGENT),
            valid: fields(&[("jid", "anna@example.org")]),
            valid_reply: (303, Some("/account#xmpp")),
            empty: Some(invalid("xmpp.jid_invalid")),
            long: Some(("jid", invalid("xmpp.jid_invalid"))),
            cases: vec![
                set("no domain", &[("jid", "anna")], invalid("xmpp.jid_invalid")),
                set("no name", &[("jid", "@example.org")], invalid("xmpp.jid_invalid")),
                set("two at signs", &[("jid", "a@b@example.org")], invalid("xmpp.jid_invalid")),
                set("a space", &[("jid", "an na@example.org")], invalid("xmpp.jid_invalid")),
                set("a NUL", &[("jid", "anna\0@example.org")], invalid("xmpp.jid_invalid")),
                set("RTL override and emoji", &[("jid", "\u{202e}😀@example.org")], invalid("xmpp.jid_invalid")),
                set("Staffel's own address", &[("jid", "staffel@localhost")], invalid("xmpp.jid_invalid")),
                set("60 000 characters", &[("jid", &noise(60_000))], invalid("xmpp.jid_invalid")),
                raw("broken escapes", &[("jid", "%zz%G0")], invalid("xmpp.jid_invalid")),
            ],
        },
        Target {
            method: post,
            route: "/account/xmpp/unlink",
            path: "/account/xmpp/unlink".into(),
            who: Some(AGENT),
            valid: Vec::new(),
            valid_reply: (303, Some("/account#xmpp")),
            empty: None,
            long: None,
            cases: Vec::new(),
        },
    ]
}

/// The operators' users, mail, schools, services and providers.
pub(super) fn admin_targets(f: &Fixture) -> Vec<Target> {
    let post = Method::Post;
    let victim = f.victim;
    let user = |email: &str, name: &str, role: &str, school: &str, password: &str| {
        fields(&[
            ("email", email),
            ("name", name),
            ("role", role),
            ("school", school),
            ("language", "de"),
            ("password", password),
        ])
    };
    // Role and school combinations and unknown values, for creating and for editing.
    let user_cases = || {
        vec![
            set("duplicate email, other case", &[("email", "T@GYM-A.DE")], invalid("validation.email_taken")),
            set("email without domain dot", &[("email", "neu@gym")], invalid("validation.email")),
            set("email with a NUL", &[("email", "neu\0@gym-a.de")], invalid("validation.control_chars")),
            set("email of 255 characters", &[("email", &format!("{}@gym-a.de", "e".repeat(246)))], {
                invalid_arg("validation.too_long", 254)
            }),
            set("blank name", &[("name", "   ")], invalid("validation.required")),
            set("name of 121 characters", &[("name", &long_text(121))], invalid_arg("validation.too_long", 120)),
            set("name with a NUL", &[("name", "Ne\0u")], invalid("validation.control_chars")),
            set("name with a bell and a newline", &[("name", "Ne\u{7}u\nZeile")], invalid("validation.control_chars")),
            set("unknown role", &[("role", "admin")], invalid("validation.role")),
            set("role in capitals", &[("role", "Teacher")], invalid("validation.role")),
            drop("no role", &["role"], invalid("validation.role")),
            set("unknown school", &[("school", "gym-x")], invalid_arg("validation.unknown_school", "gym-x")),
            set("deactivated school", &[("school", "gym-c")], invalid_arg("validation.unknown_school", "gym-c")),
            set(
                "school with a NUL",
                &[("school", "gym-a\0")],
                invalid_arg("validation.unknown_school", "gym-a\u{FFFD}"),
            ),
            set("school in capitals", &[("school", "GYM-A")], invalid_arg("validation.unknown_school", "GYM-A")),
            set("teacher without a school", &[("school", "")], invalid("validation.school_required")),
            set("pupil without a school", &[("role", "pupil"), ("school", "")], invalid("validation.school_required")),
            set(
                "agent with a school",
                &[("role", "agent"), ("school", "gym-a")],
                invalid("validation.school_not_allowed"),
            ),
            set(
                "operator with a school",
                &[("role", "operator"), ("school", "gym-b")],
                invalid("validation.school_not_allowed"),
            ),
            set("unknown language", &[("language", "fr")], invalid("validation.language")),
            set("short password", &[("password", "kurz")], invalid_arg("validation.password_short", 10)),
            set(
                "password of 201 characters",
                &[("password", &long_text(201))],
                invalid_arg("validation.too_long", 200),
            ),
            raw("broken escapes", &[("email", "%zz%"), ("name", "%G0")], invalid("validation.email")),
            set("unknown extra fields", &[("email", ""), ("id", "1"), ("active", "false"), ("is_admin", "1")], {
                invalid("validation.required")
            }),
        ]
    };
    let provider = |slug: &str, name: &str| {
        fields(&[
            ("slug", slug),
            ("name", name),
            ("response_hours", "8"),
            ("contacts", "Hilfe <hilfe@anbieter.de>\nZweite Linie <zwei@anbieter.de>"),
            ("services", "wifi"),
            ("active", "true"),
        ])
    };
    let provider_cases = || {
        vec![
            set("hours in letters", &[("response_hours", "acht")], invalid("validation.number")),
            set("hours empty", &[("response_hours", "")], invalid("validation.number")),
            set("hours as a fraction", &[("response_hours", "1.5")], invalid("validation.number")),
            set("hours in full-width digits", &[("response_hours", "１２")], invalid("validation.number")),
            set("hours beyond i32", &[("response_hours", "99999999999")], invalid("validation.number")),
            set("hours zero", &[("response_hours", "0")], invalid_arg("validation.range", "1–720")),
            set("hours negative", &[("response_hours", "-3")], invalid_arg("validation.range", "1–720")),
            set("hours over a month", &[("response_hours", "721")], invalid_arg("validation.range", "1–720")),
            set("no contacts", &[("contacts", " \n \n")], invalid("validation.contact_required")),
            set("contact without an address", &[("contacts", "Hilfe <keine-adresse>")], invalid("validation.email")),
            set(
                "contact with a NUL",
                &[("contacts", "Hi\0lfe <hilfe@anbieter.de>")],
                invalid("validation.control_chars"),
            ),
            set_owned(
                "21 contacts",
                vec![("contacts", (0..21).map(|i| format!("k{i}@anbieter.de")).collect::<Vec<_>>().join("\n"))],
                invalid_arg("validation.too_many", 20),
            ),
            set(
                "unknown service",
                &[("services", "teleporter")],
                invalid_arg("validation.unknown_service", "teleporter"),
            ),
            set(
                "service with a NUL",
                &[("services", "wi\0fi")],
                invalid_arg("validation.unknown_service", "wi\u{FFFD}fi"),
            ),
            set("blank name", &[("name", " ")], invalid("validation.required")),
            set("name with a NUL", &[("name", "Netz\0")], invalid("validation.control_chars")),
            set("active not a boolean", &[("active", "vielleicht")], invalid("error.bad_form")),
            raw("broken escapes", &[("response_hours", "%zz"), ("name", "%")], invalid("validation.number")),
        ]
    };
    vec![
        Target {
            method: post,
            route: "/admin/users",
            path: "/admin/users".into(),
            who: Some(OPERATOR),
            valid: user("neu@gym-a.de", "Neu Mann", "teacher", "gym-a", PASSWORD),
            valid_reply: (303, Some("/admin/users")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: {
                let mut cases = user_cases();
                cases.push(drop("no password", &["password"], invalid_arg("validation.password_short", 10)));
                cases
            },
        },
        Target {
            method: post,
            route: "/admin/users/<id>",
            path: format!("/admin/users/{victim}"),
            who: Some(OPERATOR),
            valid: user(VICTIM, "Vera Neu", "teacher", "gym-b", ""),
            valid_reply: (303, Some("/admin/users")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: {
                let mut cases = user_cases();
                cases.push(at("unknown user", "/admin/users/999999", not_found()));
                cases.push(at("id not a number", "/admin/users/abc", not_found()));
                cases.push(at("id beyond i32", "/admin/users/99999999999", not_found()));
                cases.push(at("negative id", "/admin/users/-1", not_found()));
                cases
            },
        },
        Target {
            method: post,
            route: "/admin/users/<id>/active",
            path: format!("/admin/users/{victim}/active"),
            who: Some(OPERATOR),
            valid: fields(&[("active", "false")]),
            valid_reply: (303, Some("/admin/users")),
            empty: None,
            long: Some(("active", invalid("error.bad_form"))),
            cases: vec![
                set("not a boolean", &[("active", "vielleicht")], invalid("error.bad_form")),
                raw("broken escapes", &[("active", "%zz")], invalid("error.bad_form")),
                at("unknown user", "/admin/users/999999/active", not_found()),
                at("id not a number", "/admin/users/%F0%9F%98%80/active", not_found()),
                at(
                    "deactivating oneself",
                    format!("/admin/users/{}/active", f.operator),
                    msg(409, "validation.cannot_deactivate_self"),
                ),
            ],
        },
        Target {
            method: post,
            route: "/admin/mail/<id>/send-again",
            path: format!("/admin/mail/{}/send-again", f.mail),
            who: Some(OPERATOR),
            valid: Vec::new(),
            valid_reply: (303, Some("/admin/mail")),
            empty: None,
            long: None,
            cases: vec![
                at("an unknown mail", "/admin/mail/999999/send-again", not_found()),
                at("an id that is no number", "/admin/mail/abc/send-again", not_found()),
                at("an id of zero", "/admin/mail/0/send-again", not_found()),
                at("a negative id", "/admin/mail/-1/send-again", not_found()),
                at("an id beyond i32", "/admin/mail/99999999999/send-again", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/admin/mail/send-again-failed",
            path: "/admin/mail/send-again-failed".into(),
            who: Some(OPERATOR),
            valid: Vec::new(),
            valid_reply: (303, Some("/admin/mail")),
            empty: None,
            long: None,
            cases: Vec::new(),
        },
        Target {
            method: post,
            route: "/admin/schools",
            path: "/admin/schools".into(),
            who: Some(OPERATOR),
            valid: fields(&[("slug", "neue-schule"), ("name", "Neue Schule")]),
            valid_reply: (303, Some("/admin/schools")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("duplicate slug", &[("slug", "gym-a")], invalid_arg("validation.slug_taken", "gym-a")),
                set("duplicate slug in capitals", &[("slug", "GYM-A")], invalid("validation.slug")),
                set("slug with an umlaut", &[("slug", "über")], invalid("validation.slug")),
                set("slug with an underscore", &[("slug", "gym_a")], invalid("validation.slug")),
                set("slug with an emoji", &[("slug", "gym-😀")], invalid("validation.slug")),
                set("slug with a NUL", &[("slug", "gym\0x")], invalid("validation.control_chars")),
                set("slug of 49 characters", &[("slug", &"s".repeat(49))], invalid_arg("validation.too_long", 48)),
                drop("no slug", &["slug"], invalid("validation.required")),
                set("blank name", &[("name", "  ")], invalid("validation.required")),
                set("name with a NUL", &[("name", "Neue\0Schule")], invalid("validation.control_chars")),
                set("name of 121 characters", &[("name", &long_text(121))], invalid_arg("validation.too_long", 120)),
                raw("broken escapes", &[("slug", "%zz"), ("name", "%%")], invalid("validation.slug")),
            ],
        },
        Target {
            method: post,
            route: "/admin/schools/<slug>",
            path: "/admin/schools/gym-b".into(),
            who: Some(OPERATOR),
            valid: fields(&[("name", "Gymnasium B"), ("active", "true")]),
            valid_reply: (303, Some("/admin/schools")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("blank name", &[("name", "")], invalid("validation.required")),
                set("name with a NUL", &[("name", "Gym\0B")], invalid("validation.control_chars")),
                set("name of 121 characters", &[("name", &long_text(121))], invalid_arg("validation.too_long", 120)),
                set("active not a boolean", &[("active", "vielleicht")], invalid("error.bad_form")),
                at("unknown school", "/admin/schools/gym-x", not_found()),
                at("slug with a NUL", "/admin/schools/gym%00b", not_found()),
                at("slug in capitals", "/admin/schools/GYM-B", not_found()),
                at("emoji slug", "/admin/schools/%F0%9F%98%80", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/admin/services",
            path: "/admin/services".into(),
            who: Some(OPERATOR),
            valid: fields(&[("slug", "beamer-2"), ("name_de", "Beamer"), ("name_en", "Projector")]),
            valid_reply: (303, Some("/admin/services")),
            empty: Some(invalid("validation.required")),
            long: Some(("name_de", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("duplicate slug", &[("slug", "wifi")], invalid_arg("validation.slug_taken", "wifi")),
                set("duplicate slug in capitals", &[("slug", "WIFI")], invalid("validation.slug")),
                set("slug with an emoji", &[("slug", "😀")], invalid("validation.slug")),
                set("blank English name", &[("name_en", "")], invalid("validation.required")),
                set("English name with a NUL", &[("name_en", "Pro\0jector")], invalid("validation.control_chars")),
                raw("broken escapes", &[("slug", "%zz")], invalid("validation.slug")),
            ],
        },
        Target {
            method: post,
            route: "/admin/services/<slug>",
            path: "/admin/services/wifi".into(),
            who: Some(OPERATOR),
            valid: fields(&[("name_de", "Funknetz"), ("name_en", "Wireless"), ("active", "true")]),
            valid_reply: (303, Some("/admin/services")),
            empty: Some(invalid("validation.required")),
            long: Some(("name_en", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("blank German name", &[("name_de", "")], invalid("validation.required")),
                set("German name with a NUL", &[("name_de", "Funk\0")], invalid("validation.control_chars")),
                set("active not a boolean", &[("active", "x")], invalid("error.bad_form")),
                at("unknown service", "/admin/services/teleporter", not_found()),
                at("slug with a NUL", "/admin/services/wi%00fi", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/admin/providers",
            path: "/admin/providers".into(),
            who: Some(OPERATOR),
            valid: provider("anbieter", "Anbieter GmbH"),
            valid_reply: (303, Some("/admin/providers")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: {
                let mut cases = provider_cases();
                cases.push(set("duplicate slug", &[("slug", "netz")], invalid_arg("validation.slug_taken", "netz")));
                cases.push(set("slug in capitals", &[("slug", "NETZ")], invalid("validation.slug")));
                cases
            },
        },
        Target {
            method: post,
            route: "/admin/providers/<slug>",
            path: "/admin/providers/netz".into(),
            who: Some(OPERATOR),
            valid: provider("netz", "Netz AG"),
            valid_reply: (303, Some("/admin/providers")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: {
                let mut cases = provider_cases();
                cases.push(at("unknown provider", "/admin/providers/nichts-da", not_found()));
                cases.push(at("slug with a NUL", "/admin/providers/ne%00tz", not_found()));
                cases
            },
        },
        // Last: the valid submission deletes the victim, whom the targets above edit.
        Target {
            method: post,
            route: "/admin/users/<id>/delete",
            path: format!("/admin/users/{}/delete", f.victim),
            who: Some(OPERATOR),
            valid: fields(&[("email", VICTIM)]),
            valid_reply: (303, Some("/admin/users")),
            empty: Some(invalid("validation.required")),
            long: Some(("email", invalid("admin.delete_confirm_mismatch"))),
            cases: vec![
                set("another address", &[("email", "sb@gym-b.de")], invalid("admin.delete_confirm_mismatch")),
                set("blank address", &[("email", "   ")], invalid("validation.required")),
                set("address with a NUL", &[("email", "v@gym-b.de\0")], invalid("admin.delete_confirm_mismatch")),
                raw("broken escapes", &[("email", "%zz")], invalid("admin.delete_confirm_mismatch")),
                at("unknown user", "/admin/users/999999/delete", not_found()),
                at("id not a number", "/admin/users/abc/delete", not_found()),
                at("id beyond i32", "/admin/users/99999999999/delete", not_found()),
                set("deleting oneself", &[("email", OPERATOR)], msg(409, "validation.cannot_delete_self"))
                    .on(format!("/admin/users/{}/delete", f.operator)),
            ],
        },
    ]
}

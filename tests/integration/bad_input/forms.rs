//! The forms' bad submissions, group by group.
use super::*;
use crate::common::uploads::multipart;
use crate::common::{self, html_message, Browser, Reply};
use staffel::i18n::Lang;

/// One bad submission: label, path (None: the target's), body, content type, answer.
type Attempt = (String, Option<String>, Vec<u8>, Option<ContentType>, Msg);

/// What is wrong with an answer to bad input, if anything.
fn judge(reply: &Reply, expect: &Msg, lang: Lang) -> Option<String> {
    let status = reply.status.code;
    if status >= 500 {
        return Some(format!("server error {status}"));
    }
    if status != expect.status {
        return Some(format!(
            "expected {} ({}), got {status}{}: {}",
            expect.status,
            expect.key,
            reply.location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default(),
            shown_messages(&reply.body)
        ));
    }
    let wanted = html_message(lang, expect.key, &expect.arg);
    if !reply.body.contains(&wanted) {
        return Some(format!("the page does not say {wanted:?}: {}", shown_messages(&reply.body)));
    }
    None
}

/// The valid fields of a target with a case's changes applied, as a urlencoded body.
/// Fields keep their place in the form (Rocket groups `targets[0].…` by position), changed
/// ones in place, new ones at the end; `raw` values are written without encoding.
fn case_body(browser: &Browser<'_>, target: &Target, case: &Case) -> String {
    let mut fields: Vec<(&str, String, bool)> = target
        .valid
        .iter()
        .filter(|(k, _)| !case.drop.contains(k) || case.raw.iter().any(|(r, _)| r == k))
        .map(|(k, v)| (*k, v.clone(), false))
        .collect();
    let changes = case
        .set
        .iter()
        .map(|(k, v)| (*k, v.clone(), false))
        .chain(case.raw.iter().map(|(k, v)| (*k, v.to_string(), true)));
    for (key, value, raw) in changes {
        match fields.iter_mut().find(|(k, _, _)| *k == key) {
            Some(field) => *field = (key, value, raw),
            None => fields.push((key, value, raw)),
        }
    }
    let mut body = browser.form_body(&[]);
    for (key, value, raw) in fields {
        body.push('&');
        if raw {
            body.push_str(&format!("{key}={value}"));
        } else {
            body.push_str(&common::encode(&[(key, value.as_str())]));
        }
    }
    body
}

async fn start_browser<'a>(app: &'a TestApp, who: Option<&str>) -> Browser<'a> {
    match who {
        Some(email) => app.login(email, PASSWORD).await,
        None => {
            let mut browser = app.browser();
            browser.get("/login").await;
            browser
        }
    }
}

/// The valid fields of a target as form pairs.
fn valid_fields(target: &Target) -> Vec<(&str, &str)> {
    target.valid.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// What no form should accept on this target: bodies no form parser should accept, bodies
/// over the limit, the empty and the huge form where the target has them, and the
/// target's own cases.
fn attempts(browser: &Browser<'_>, target: &Target) -> Vec<Attempt> {
    let valid = valid_fields(target);
    let valid_body = browser.form_body(&valid);
    let mut with_token_only = browser.form_body(&[]);
    with_token_only.push_str("&%zz=%zz&=&&=%G0&unbekannt=1");

    let mut attempts: Vec<Attempt> = vec![
        ("broken escapes and no token".into(), None, b"%zz".to_vec(), form_ct(), msg(403, "error.csrf")),
        ("no token at all".into(), None, common::encode(&valid).into_bytes(), form_ct(), msg(403, "error.csrf")),
        (
            "a wrong token".into(),
            None,
            format!("_csrf={}&{}", "0".repeat(64), common::encode(&valid)).into_bytes(),
            form_ct(),
            msg(403, "error.csrf"),
        ),
        (
            "binary junk".into(),
            None,
            {
                let mut junk = format!("_csrf={}&name=", browser.csrf).into_bytes();
                junk.extend_from_slice(&[0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x81]);
                junk
            },
            form_ct(),
            msg(400, "error.bad_form"),
        ),
        (
            "a JSON body".into(),
            None,
            serde_json::to_vec(&serde_json::json!({ "_csrf": browser.csrf, "name": "x" })).unwrap(),
            Some(ContentType::JSON),
            msg(415, "error.unsupported_type"),
        ),
        ("the form as text/plain".into(), None, valid_body.clone().into_bytes(), Some(ContentType::Plain), {
            msg(415, "error.unsupported_type")
        }),
        ("no content type".into(), None, valid_body.clone().into_bytes(), None, msg(415, "error.unsupported_type")),
        (
            "multipart garbage".into(),
            None,
            b"--xyz\r\nnot a part at all\r\n".to_vec(),
            Some(ContentType::new("multipart", "form-data").with_params(("boundary", "xyz"))),
            msg(400, "error.bad_form"),
        ),
        (
            "multipart without a boundary".into(),
            None,
            b"whatever".to_vec(),
            Some(ContentType::new("multipart", "form-data")),
            msg(400, "error.bad_form"),
        ),
        (
            "a body over the 64 KiB form limit".into(),
            None,
            format!("{valid_body}&padding={}", long_text(70 * 1024)).into_bytes(),
            form_ct(),
            msg(413, "error.too_large"),
        ),
    ];
    if let Some(empty) = &target.empty {
        attempts.push(("only the token".into(), None, browser.form_body(&[]).into_bytes(), form_ct(), empty.clone()));
        attempts.push((
            "only the token and garbage fields".into(),
            None,
            with_token_only.clone().into_bytes(),
            form_ct(),
            empty.clone(),
        ));
    }
    if let Some((field, expect)) = &target.long {
        let huge = long_text(100_000);
        let mut parts: Vec<(&str, &str)> = vec![("_csrf", browser.csrf.as_str())];
        parts.extend(valid.iter().map(|(k, v)| (*k, if k == field { huge.as_str() } else { *v })));
        if !valid.iter().any(|(k, _)| k == field) {
            parts.push((field, huge.as_str()));
        }
        let (ct, body) = multipart(&parts, &[]);
        attempts.push((format!("{field} of 100 kB, multipart"), None, body, Some(ct), expect.clone()));
        let big = long_text(60_000);
        let mut fields: Vec<(&str, &str)> =
            valid.iter().map(|(k, v)| (*k, if k == field { big.as_str() } else { *v })).collect();
        if !valid.iter().any(|(k, _)| k == field) {
            fields.push((field, big.as_str()));
        }
        attempts.push((format!("{field} of 60 kB"), None, browser.form_body(&fields).into_bytes(), form_ct(), {
            expect.clone()
        }));
    }
    for case in &target.cases {
        attempts.push((
            case.label.clone(),
            case.path.clone(),
            case_body(browser, target, case).into_bytes(),
            form_ct(),
            case.expect.clone(),
        ));
    }

    attempts
}

/// Sends every bad submission of a target (each must be refused as expected and change
/// nothing), then the valid one (it must work and change something); what went wrong.
async fn check_target(app: &TestApp, backend: &Backend, target: &Target) -> Vec<String> {
    let mut failures = Vec::new();
    let browser = start_browser(app, target.who).await;
    let mut before = app.fingerprint().await;
    for (label, path, body, content_type, expect) in attempts(&browser, target) {
        let path = path.unwrap_or_else(|| target.path.clone());
        let mut cell = browser.fork();
        let reply = cell.send(target.method, &path, body, content_type, &[]).await;
        let mut problems = Vec::new();
        if let Some(problem) = judge(&reply, &expect, Lang::De) {
            problems.push(problem);
        }
        let after = app.fingerprint().await;
        if after != before {
            problems.push(format!("the database changed:\n{}", first_difference(&before, &after)));
            // Later attempts compare with the state this one left.
            before = after;
        }
        if !problems.is_empty() {
            failures.push(format!("{} {} {} [{label}]: {}", backend.name(), target.method, path, problems.join("; ")));
        }
    }

    let valid = valid_fields(target);
    // The valid submission still works, and the checks above could see its change.
    let mut cell = browser.fork();
    let reply = cell.post_form(&target.path, &valid).await;
    let (status, location) = target.valid_reply;
    if reply.status.code != status || (location.is_some() && reply.location.as_deref() != location) {
        failures.push(format!(
            "{} {} {}: the valid submission answered {} {:?}: {}",
            backend.name(),
            target.method,
            target.path,
            reply.status,
            reply.location,
            shown_messages(&reply.body)
        ));
    } else if app.fingerprint().await == before {
        failures.push(format!("{} {}: the valid submission changed nothing", backend.name(), target.path));
    }
    failures
}

/// Every target of a group on a fresh fixture.
async fn check_targets(backend: Backend, group: fn(&Fixture) -> Vec<Target>) {
    check_targets_with(backend, |f| f, group).await;
}

/// The same on an app with these settings.
async fn check_targets_with(
    backend: Backend,
    adjust: impl FnOnce(rocket::figment::Figment) -> rocket::figment::Figment,
    group: fn(&Fixture) -> Vec<Target>,
) {
    let app = TestApp::with(&backend, adjust).await;
    let f = fixture(&app).await;
    let mut failures: Vec<String> = Vec::new();
    for target in group(&f) {
        failures.extend(check_target(&app, &backend, &target).await);
    }
    assert!(failures.is_empty(), "{} answers to bad input are wrong:\n{}", failures.len(), failures.join("\n"));
}

both_dbs!(
    async fn bad_reports_answers_and_drafts_get_a_clear_message_and_change_nothing(backend: Backend) {
        check_targets(backend, super::targets_tickets::report_targets).await;
    }
);

both_dbs!(
    async fn bad_ticket_forms_get_a_clear_message_and_change_nothing(backend: Backend) {
        check_targets(backend, super::targets_tickets::ticket_targets).await;
    }
);

both_dbs!(
    async fn bad_desk_settings_get_a_clear_message_and_change_nothing(backend: Backend) {
        check_targets(backend, super::targets_desk_and_faq::desk_settings_targets).await;
    }
);

both_dbs!(
    async fn bad_canned_responses_and_saved_filters_get_a_clear_message_and_change_nothing(backend: Backend) {
        check_targets(backend, super::targets_desk_tools::desk_tool_targets).await;
    }
);

both_dbs!(
    async fn bad_faq_forms_get_a_clear_message_and_change_nothing(backend: Backend) {
        check_targets(backend, super::targets_desk_and_faq::faq_targets).await;
    }
);

both_dbs!(
    async fn bad_account_forms_get_a_clear_message_and_change_nothing(backend: Backend) {
        check_targets(backend, super::targets_accounts_and_admin::account_targets).await;
    }
);

both_dbs!(
    async fn bad_administration_forms_get_a_clear_message_and_change_nothing(backend: Backend) {
        check_targets(backend, super::targets_accounts_and_admin::admin_targets).await;
    }
);

both_dbs!(
    async fn bad_chat_forms_get_a_clear_message_and_change_nothing(backend: Backend) {
        check_targets(backend, super::targets_chat_pages::chat_form_targets).await;
    }
);

both_dbs!(
    async fn bad_widget_forms_get_a_clear_message_and_change_nothing(backend: Backend) {
        check_targets(backend, super::targets_widget::widget_targets).await;
    }
);

both_dbs!(
    async fn bad_xmpp_addresses_get_a_clear_message_and_change_nothing(backend: Backend) {
        // An XMPP account on a server that is not there: the account page works regardless.
        let with_xmpp = |f: rocket::figment::Figment| {
            f.merge(("staffel.xmpp_jid", "staffel@localhost"))
                .merge(("staffel.xmpp_password", "secret"))
                .merge(("staffel.xmpp_server", "127.0.0.1:9"))
                .merge(("staffel.xmpp_transport", "plain"))
        };
        check_targets_with(backend, with_xmpp, super::targets_accounts_and_admin::xmpp_targets).await;
    }
);

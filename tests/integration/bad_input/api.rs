//! The JSON API's answers to bad input: the error shape, the reading routes' odd requests,
//! and every state-changing API route's bad bodies.
use super::*;
use crate::common::{text_message, Reply};
use rocket::http::Status;
use staffel::i18n::Lang;

/// An API request: method, path, body, content type, authorization, status, error code.
type ApiProbe<'a> = (Method, String, Vec<u8>, Option<ContentType>, Option<&'a str>, u16, &'a str);

/// The API's error shape on a reply.
fn json_error(reply: &Reply) -> Result<(String, String), String> {
    if !reply.content_type.as_deref().is_some_and(|c| c.starts_with("application/json")) {
        return Err(format!("not JSON ({:?}): {}", reply.content_type, reply.body));
    }
    let body: serde_json::Value = serde_json::from_str(&reply.body).map_err(|e| format!("{e}: {}", reply.body))?;
    let code = body["error"]["code"].as_str().ok_or_else(|| format!("no error.code: {}", reply.body))?;
    let message = body["error"]["message"].as_str().ok_or_else(|| format!("no error.message: {}", reply.body))?;
    if message.is_empty() {
        return Err("empty message".into());
    }
    Ok((code.to_string(), message.to_string()))
}

/// A fresh fixture and a teacher's token that has been used once (the first use records
/// when it was used; after that, reads write nothing): the app, the `Bearer` header value and
/// the database before the probes.
async fn probing(backend: &Backend) -> (TestApp, String, String) {
    let app = TestApp::new(backend).await;
    fixture(&app).await;
    let token = app.token(TEACHER).await;
    assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Ok);
    // The token's first use is recorded beside the request, not in it: wait for that write,
    // or it would land after the fingerprint and look like a change the probes made.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        use sea_orm::EntityTrait;
        let tokens = entities::api_token::Entity::find().all(app.db()).await.expect("tokens");
        let newest = tokens.iter().max_by_key(|t| t.id).expect("the probing token");
        if newest.last_used_at.is_some() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the token's use is never recorded");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before = app.fingerprint().await;
    (app, format!("Bearer {token}"), before)
}

/// No answer was wrong, and the probes changed nothing but the record of searches that
/// found nothing (kept for the desk).
async fn nothing_but_misses_changed(app: &TestApp, before: &str, failures: Vec<String>) {
    assert!(failures.is_empty(), "{} API answers are wrong:\n{}", failures.len(), failures.join("\n"));
    let after = app.fingerprint().await;
    let strip_misses =
        |s: &str| s.lines().filter(|l| !l.starts_with("kb_search_misses: ")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip_misses(before), strip_misses(&after), "{}", first_difference(before, &after));
}

both_dbs!(
    async fn unknown_paths_methods_and_bad_tokens_get_json_errors_and_change_nothing(backend: Backend) {
        let (app, bearer, before) = probing(&backend).await;
        let huge_bearer = format!("Bearer {}", long_text(10_000));
        let mut client = app.browser();
        // (method, path, body, content type, authorization, status, error code)
        let cases: Vec<ApiProbe> = vec![
            (Method::Get, "/api/v1/nichts-da".into(), Vec::new(), None, None, 404, "not_found"),
            (Method::Get, "/api/v1/me".into(), Vec::new(), None, Some(huge_bearer.as_str()), 401, "unauthorized"),
            (Method::Get, "/api/v1/me".into(), Vec::new(), None, Some("Bearer ünïcødé-😀"), 401, "unauthorized"),
            (Method::Get, "/api/v1/me".into(), Vec::new(), None, Some("Bearer"), 401, "unauthorized"),
            (Method::Get, "/api/v1/me".into(), Vec::new(), None, Some("bearer stf_klein"), 401, "unauthorized"),
            (
                Method::Post,
                "/api/v1/me".into(),
                br#"{"role":"operator"}"#.to_vec(),
                Some(ContentType::JSON),
                Some(bearer.as_str()),
                405,
                "invalid",
            ),
            (
                Method::Post,
                "/api/v1/services".into(),
                vec![0xff, 0x00, 0xfe],
                Some(ContentType::Binary),
                Some(bearer.as_str()),
                405,
                "invalid",
            ),
            (
                Method::Put,
                "/api/v1/providers".into(),
                b"%zz".to_vec(),
                Some(ContentType::Form),
                Some(bearer.as_str()),
                405,
                "invalid",
            ),
            // A method the path does not have: 405 (with `Allow`), whatever the body.
            (Method::Delete, "/api/v1/me".into(), Vec::new(), None, Some(bearer.as_str()), 405, "invalid"),
            (Method::Get, "/api/v1/kb/articles/nichts-da".into(), Vec::new(), None, None, 404, "not_found"),
            (Method::Get, "/api/v1/kb/articles/wlan%00".into(), Vec::new(), None, None, 404, "not_found"),
            (
                Method::Get,
                format!("/api/v1/kb/articles/{}", long_text(5_000)),
                Vec::new(),
                None,
                None,
                404,
                "not_found",
            ),
        ];
        let mut failures = Vec::new();
        for (method, path, body, content_type, auth, status, code) in cases {
            let headers: Vec<(&str, &str)> = auth.map(|a| vec![("Authorization", a)]).unwrap_or_default();
            let label = format!(
                "{method} {} ({:?})",
                &path[..path.len().min(60)],
                auth.map(|a| a.chars().take(20).collect::<String>())
            );
            let reply = client.send(method, &path, body, content_type, &headers).await;
            if reply.status.code != status {
                failures.push(format!("{label}: expected {status}, got {}: {}", reply.status, reply.body));
                continue;
            }
            match json_error(&reply) {
                Ok((got, _)) if got == code => {}
                Ok((got, _)) => failures.push(format!("{label}: code {got}, expected {code}")),
                Err(e) => failures.push(format!("{label}: {e}")),
            }
        }
        nothing_but_misses_changed(&app, &before, failures).await;
    }
);

both_dbs!(
    async fn odd_queries_to_the_reading_routes_get_no_server_error(backend: Backend) {
        let (app, bearer, before) = probing(&backend).await;
        let mut client = app.browser();
        let mut failures = Vec::new();
        // Odd queries to the API's reading routes: never a server error, errors as JSON.
        for path in [
            "/api/v1/kb/search?q=%00",
            "/api/v1/kb/search?q=%zz%",
            "/api/v1/kb/search?q=wlan&limit=-1",
            "/api/v1/kb/search?q=wlan&limit=99999999999999999999999",
            "/api/v1/kb/search?q=wlan&limit=abc",
            "/api/v1/kb/search?q=wlan&service=%00",
            "/api/v1/kb/search?q=wlan&suggest=vielleicht",
            "/api/v1/services?lang=%00",
        ] {
            let reply = client.send(Method::Get, path, Vec::new(), None, &[("Authorization", bearer.as_str())]).await;
            if reply.status.code >= 500 {
                failures.push(format!("GET {path}: server error {}", reply.status));
            } else if reply.status.code >= 400 {
                if let Err(e) = json_error(&reply) {
                    failures.push(format!("GET {path}: {e}"));
                }
            }
        }
        let long_query = format!("/api/v1/kb/search?q={}", long_text(20_000));
        let reply = client.send(Method::Get, &long_query, Vec::new(), None, &[]).await;
        if reply.status.code >= 500 {
            failures.push(format!("GET a 20 kB query: server error {}", reply.status));
        } else if reply.status.code >= 400 {
            if let Err(e) = json_error(&reply) {
                failures.push(format!("GET a 20 kB query: {e}"));
            }
        }
        nothing_but_misses_changed(&app, &before, failures).await;
    }
);

/// The expected JSON error of an API call: status, `code`, the catalogue message and `field`.
#[derive(Clone, Debug)]
pub(super) struct ApiMsg {
    pub(super) status: u16,
    pub(super) code: &'static str,
    pub(super) key: &'static str,
    pub(super) arg: String,
    pub(super) field: Option<&'static str>,
}

pub(super) fn api_invalid(field: &'static str, key: &'static str) -> ApiMsg {
    ApiMsg { status: 422, code: "invalid", key, arg: String::new(), field: Some(field) }
}

pub(super) fn api_invalid_arg(field: &'static str, key: &'static str, arg: impl ToString) -> ApiMsg {
    ApiMsg { status: 422, code: "invalid", key, arg: arg.to_string(), field: Some(field) }
}

pub(super) fn api_status(status: u16, code: &'static str, key: &'static str) -> ApiMsg {
    ApiMsg { status, code, key, arg: String::new(), field: None }
}

/// The body could not be read as the expected JSON.
pub(super) fn api_unreadable(status: u16) -> ApiMsg {
    ApiMsg { status, code: "invalid", key: "error.bad_form", arg: String::new(), field: Some("body") }
}

pub(super) struct ApiCase {
    pub(super) label: String,
    pub(super) path: Option<String>,
    pub(super) body: Vec<u8>,
    pub(super) content_type: Option<ContentType>,
    pub(super) expect: ApiMsg,
}

impl ApiCase {
    pub(super) fn on(mut self, path: impl Into<String>) -> ApiCase {
        self.path = Some(path.into());
        self
    }
}

/// A JSON body (as JSON) and what it answers.
pub(super) fn json_case(label: &str, body: serde_json::Value, expect: ApiMsg) -> ApiCase {
    ApiCase {
        label: label.to_string(),
        path: None,
        body: serde_json::to_vec(&body).unwrap(),
        content_type: Some(ContentType::JSON),
        expect,
    }
}

/// A state-changing API route, the token's owner, the valid body and its status.
pub(super) struct ApiTarget {
    pub(super) method: Method,
    pub(super) route: &'static str,
    pub(super) path: String,
    /// The token's owner; None: no token (the provider's link is the credential).
    pub(super) who: Option<&'static str>,
    pub(super) valid: serde_json::Value,
    pub(super) valid_status: u16,
    pub(super) cases: Vec<ApiCase>,
}

/// What is wrong with a JSON error reply, if anything.
pub(super) fn judge_json(reply: &Reply, expect: &ApiMsg) -> Option<String> {
    let status = reply.status.code;
    if status >= 500 {
        return Some(format!("server error {status}: {}", reply.body));
    }
    if status != expect.status {
        return Some(format!("expected {} ({}), got {status}: {}", expect.status, expect.key, reply.body));
    }
    let (code, message) = match json_error(reply) {
        Ok(found) => found,
        Err(e) => return Some(e),
    };
    let wanted = text_message(Lang::De, expect.key, &expect.arg);
    let field = serde_json::from_str::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|b| b["error"]["field"].as_str().map(str::to_string));
    if code != expect.code || message != wanted || field.as_deref() != expect.field {
        return Some(format!(
            "expected code {} / {wanted:?} / field {:?}, got {}",
            expect.code, expect.field, reply.body
        ));
    }
    None
}

/// What no API route should accept instead of its valid body: the target's own cases, then
/// bodies that are not JSON, not the expected JSON, too large, or sent with another content
/// type. The valid body and the attempts.
fn api_attempts(target: ApiTarget) -> (serde_json::Value, Vec<ApiCase>) {
    let valid = serde_json::to_vec(&target.valid).unwrap();
    let mut smuggled = target.valid.clone();
    smuggled["created_by"] = serde_json::json!(1);
    let too_big = format!(r#"{{"x":"{}"}}"#, long_text(1024 * 1024 + 10));
    // The target's own cases first: the generic ones below must fail too, but if one does
    // not, its change should not spoil the others.
    let mut attempts: Vec<ApiCase> = target.cases;
    attempts.extend(vec![
        ApiCase {
            label: "not JSON".into(),
            path: None,
            body: b"%zz".to_vec(),
            content_type: Some(ContentType::JSON),
            expect: api_unreadable(400),
        },
        ApiCase {
            label: "binary junk".into(),
            path: None,
            body: vec![0xff, 0xfe, 0x00, 0x7b],
            content_type: Some(ContentType::JSON),
            expect: api_unreadable(400),
        },
        ApiCase {
            label: "an empty body".into(),
            path: None,
            body: Vec::new(),
            content_type: Some(ContentType::JSON),
            expect: api_unreadable(400),
        },
        ApiCase {
            label: "a bare string".into(),
            path: None,
            body: br#""hallo""#.to_vec(),
            content_type: Some(ContentType::JSON),
            expect: api_unreadable(422),
        },
        ApiCase {
            label: "null".into(),
            path: None,
            body: b"null".to_vec(),
            content_type: Some(ContentType::JSON),
            expect: api_unreadable(422),
        },
        ApiCase {
            label: "cut off".into(),
            path: None,
            body: valid[..valid.len() - 1].to_vec(),
            content_type: Some(ContentType::JSON),
            expect: api_unreadable(400),
        },
        ApiCase {
            label: "an unknown field".into(),
            path: None,
            body: serde_json::to_vec(&smuggled).unwrap(),
            content_type: Some(ContentType::JSON),
            expect: api_unreadable(422),
        },
        ApiCase {
            label: "over the 1 MiB JSON limit".into(),
            path: None,
            body: too_big.into_bytes(),
            content_type: Some(ContentType::JSON),
            expect: ApiMsg {
                status: 413,
                code: "invalid",
                key: "error.too_large",
                arg: String::new(),
                field: Some("body"),
            },
        },
    ]);
    for (label, content_type) in [
        ("the JSON as text/plain", Some(ContentType::Plain)),
        ("the JSON without a content type", None),
        ("the JSON as a form", Some(ContentType::Form)),
        ("the JSON as multipart", Some(ContentType::new("multipart", "form-data").with_params(("boundary", "x")))),
    ] {
        attempts.push(ApiCase {
            label: label.into(),
            path: None,
            body: valid.clone(),
            content_type,
            expect: ApiMsg {
                status: 415,
                code: "invalid",
                key: "error.unsupported_type",
                arg: String::new(),
                field: Some("body"),
            },
        });
    }
    (target.valid, attempts)
}

/// Every target of a group on a fresh fixture: each bad body is refused with the expected
/// JSON error and changes nothing; the valid body then works and changes something.
async fn check_api_targets(backend: Backend, group: fn(&Fixture) -> Vec<ApiTarget>) {
    let app = TestApp::new(&backend).await;
    let f = fixture(&app).await;
    let mut tokens = std::collections::HashMap::new();
    for who in [SCHOOL_ADMIN, AGENT, DESK_LEAD] {
        let token = app.token(who).await;
        // The first use records when the token was used; afterwards reads write nothing.
        assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Ok);
        tokens.insert(who, format!("Bearer {token}"));
    }
    let mut failures = Vec::new();
    let mut client = app.browser();
    for target in group(&f) {
        let auth = target.who.map(|who| tokens[who].clone());
        let headers: Vec<(&str, &str)> = auth.as_deref().map(|a| vec![("Authorization", a)]).unwrap_or_default();
        let (method, path, valid_status) = (target.method, target.path.clone(), target.valid_status);
        let mut before = app.fingerprint().await;
        let (valid, attempts) = api_attempts(target);
        let valid = serde_json::to_vec(&valid).unwrap();
        for case in attempts {
            let path = case.path.clone().unwrap_or_else(|| path.clone());
            let reply = client.send(method, &path, case.body, case.content_type, &headers).await;
            let mut problems = Vec::new();
            if let Some(problem) = judge_json(&reply, &case.expect) {
                problems.push(problem);
            }
            let after = app.fingerprint().await;
            if after != before {
                problems.push(format!("the database changed:\n{}", first_difference(&before, &after)));
                before = after;
            }
            if !problems.is_empty() {
                failures.push(format!("{} {method} {path} [{}]: {}", backend.name(), case.label, problems.join("; ")));
            }
        }
        let reply = client.send(method, &path, valid, Some(ContentType::JSON), &headers).await;
        if reply.status.code != valid_status {
            failures.push(format!(
                "{} {method} {}: the valid body answered {}: {}",
                backend.name(),
                path,
                reply.status,
                reply.body
            ));
        } else if app.fingerprint().await == before {
            failures.push(format!("{} {method} {}: the valid body changed nothing", backend.name(), path));
        }
    }
    assert!(failures.is_empty(), "{} API answers to bad input are wrong:\n{}", failures.len(), failures.join("\n"));
}

both_dbs!(
    async fn bad_bodies_on_the_providers_link_get_a_json_error_and_change_nothing(backend: Backend) {
        check_api_targets(backend, super::targets_api::provider_link_api_targets).await;
    }
);

both_dbs!(
    async fn bad_bodies_on_the_ticket_api_get_a_json_error_and_change_nothing(backend: Backend) {
        check_api_targets(backend, super::targets_api::ticket_api_targets).await;
    }
);

both_dbs!(
    async fn bad_bodies_on_the_chat_api_get_a_json_error_and_change_nothing(backend: Backend) {
        check_api_targets(backend, super::targets_chat::chat_api_targets).await;
    }
);

//! The JSON API's stable parts: `/me`, `/services`, `/providers`, the error
//! shape, the OpenAPI document against the mounted routes; plus `/healthz` and `/metrics`.
use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{Backend, Reply, TestApp};
use rocket::http::{Header, Status};
use serde_json::Value;

/// A GET with extra headers.
async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = app.client.get(path.to_string());
    for (name, value) in headers {
        request = request.header(Header::new(name.to_string(), value.to_string()));
    }
    Reply::read(request.dispatch().await).await
}

/// The API's error shape (code, message, field), with this code.
fn assert_error(reply: &Reply, status: Status, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.content_type.as_deref(), Some("application/json"), "{}", reply.body);
    let body = reply.json();
    let error = body["error"].as_object().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(error["code"], code, "{body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.trim().is_empty()), "a message for people: {body}");
    assert!(error.keys().all(|k| ["code", "message", "field"].contains(&k.as_str())), "{body}");
}

async fn people(app: &TestApp) {
    app.school("gym").await;
    app.users(&[
        ("p@gym.de", "pupil", "gym"),
        ("t@gym.de", "teacher", "gym"),
        ("a@gym.de", "school_admin", "gym"),
        ("ag@desk.de", "agent", ""),
        ("l@desk.de", "desk_lead", ""),
        ("o@op.de", "operator", ""),
    ])
    .await;
}

// ---------------------------------------------------------------------------------------

both_dbs!(
    async fn me_answers_with_the_caller(backend: Backend) {
        let app = TestApp::new(&backend).await;
        people(&app).await;

        for headers in [
            vec![],
            vec![("Authorization", "Bearer falsch")],
            vec![("Authorization", "Bearer ")],
            vec![("Authorization", "Basic dTpw")],
            vec![("Authorization", "Bearer stf_0000000000000000000000000000000000000000000000000000000000000000")],
        ] {
            let reply = get(&app, "/api/v1/me", &headers).await;
            assert_error(&reply, Status::Unauthorized, "unauthorized");
        }
        // The challenge names the scheme.
        let response = app.client.get("/api/v1/me").dispatch().await;
        assert_eq!(response.headers().get_one("WWW-Authenticate"), Some("Bearer"));
        // In English when asked.
        let english = get(&app, "/api/v1/me", &[("Accept-Language", "en")]).await;
        let german = get(&app, "/api/v1/me", &[]).await;
        assert_ne!(english.json()["error"]["message"], german.json()["error"]["message"]);

        for (email, role, school) in [
            ("p@gym.de", "pupil", Value::from("gym")),
            ("t@gym.de", "teacher", Value::from("gym")),
            ("a@gym.de", "school_admin", Value::from("gym")),
            ("ag@desk.de", "agent", Value::Null),
            ("l@desk.de", "desk_lead", Value::Null),
            ("o@op.de", "operator", Value::Null),
        ] {
            let token = app.token(email).await;
            let reply = app.api_get(Some(&token), "/api/v1/me").await;
            assert_eq!(reply.status, Status::Ok, "{}", reply.body);
            assert_eq!(reply.content_type.as_deref(), Some("application/json"));
            let me = reply.json();
            assert_eq!(me["email"], email);
            assert_eq!(me["name"], format!("Test {role}"));
            assert_eq!(me["role"], role);
            assert_eq!(me["school"], school, "{me}");
            assert_eq!(me["language"], "de");
        }

        // A session cookie is no credential for the API (no CSRF there).
        let mut browser = app.login("t@gym.de", common::PASSWORD).await;
        assert_eq!(browser.get("/api/v1/me").await.status, Status::Unauthorized);

        // A deactivated account's token stops working.
        let token = app.token("ag@desk.de").await;
        app.set_active("ag@desk.de", false).await;
        let reply = app.api_get(Some(&token), "/api/v1/me").await;
        assert_error(&reply, Status::Unauthorized, "unauthorized");
    }
);

// ---------------------------------------------------------------------------------------

fn service<'a>(list: &'a Value, slug: &str) -> &'a Value {
    list.as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .find(|s| s["slug"] == slug)
        .unwrap_or_else(|| panic!("no service {slug} in {list}"))
}

both_dbs!(
    async fn services_are_public_and_speak_both_languages(backend: Backend) {
        let app = TestApp::new(&backend).await;
        people(&app).await;

        let german = get(&app, "/api/v1/services", &[]).await;
        assert_eq!(german.status, Status::Ok, "{}", german.body);
        let german = german.json();
        assert!(german.as_array().unwrap().len() >= 5, "{german}");
        let wifi = service(&german, "wifi");
        assert_eq!(wifi["name"], "WLAN");
        assert_eq!(wifi["name_de"], "WLAN");
        assert_eq!(wifi["name_en"], "Wi-Fi");
        assert_eq!(service(&german, "other")["name"], "Sonstiges");
        for s in german.as_array().unwrap() {
            assert_eq!(s["name"], s["name_de"], "German by default: {s}");
        }

        for accept in ["en", "en-GB,en;q=0.9,de;q=0.5", "fr, en;q=0.8"] {
            let english = get(&app, "/api/v1/services", &[("Accept-Language", accept)]).await;
            assert_eq!(english.status, Status::Ok);
            let english = english.json();
            assert_eq!(service(&english, "wifi")["name"], "Wi-Fi", "{accept}");
            assert_eq!(service(&english, "other")["name"], "Other", "{accept}");
            for s in english.as_array().unwrap() {
                assert_eq!(s["name"], s["name_en"], "{accept}: {s}");
            }
        }
        let preferred_german = get(&app, "/api/v1/services", &[("Accept-Language", "en;q=0.3, de;q=0.9")]).await.json();
        assert_eq!(service(&preferred_german, "wifi")["name"], "WLAN");

        // Every role gets the same list, and a bad token is still refused, not ignored.
        let token = app.token("p@gym.de").await;
        assert_eq!(app.api_get(Some(&token), "/api/v1/services").await.json(), german);
        let token = app.token("o@op.de").await;
        assert_eq!(app.api_get(Some(&token), "/api/v1/services").await.json(), german);
    }
);

// ---------------------------------------------------------------------------------------

both_dbs!(
    async fn providers_are_for_the_desk_and_operators(backend: Backend) {
        let app = TestApp::new(&backend).await;
        people(&app).await;
        app.provider(
            "netz-nord",
            "Netz Nord AG",
            "4",
            &["NOC <noc@netz-nord.de>", "bereitschaft@netz-nord.de"],
            &["wifi", "lms"],
        )
        .await;

        assert_error(&app.api_get(None, "/api/v1/providers").await, Status::Unauthorized, "unauthorized");
        for email in ["p@gym.de", "t@gym.de", "a@gym.de"] {
            let token = app.token(email).await;
            let reply = app.api_get(Some(&token), "/api/v1/providers").await;
            assert_error(&reply, Status::Forbidden, "forbidden");
            assert!(!reply.body.contains("netz-nord"), "{email}");
        }
        for email in ["ag@desk.de", "l@desk.de", "o@op.de"] {
            let token = app.token(email).await;
            let reply = app.api_get(Some(&token), "/api/v1/providers").await;
            assert_eq!(reply.status, Status::Ok, "{email}: {}", reply.body);
            let list = reply.json();
            let list = list.as_array().unwrap();
            assert_eq!(list.len(), 1, "{list:?}");
            let provider = &list[0];
            assert_eq!(provider["slug"], "netz-nord");
            assert_eq!(provider["name"], "Netz Nord AG");
            assert_eq!(provider["response_hours"], 4);
            let mut contacts: Vec<(String, String)> = provider["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["name"].as_str().unwrap().to_string(), c["email"].as_str().unwrap().to_string()))
                .collect();
            contacts.sort();
            assert_eq!(
                contacts,
                [
                    ("NOC".to_string(), "noc@netz-nord.de".to_string()),
                    ("bereitschaft@netz-nord.de".to_string(), "bereitschaft@netz-nord.de".to_string()),
                ]
            );
            let mut services: Vec<&str> =
                provider["services"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
            services.sort();
            assert_eq!(services, ["lms", "wifi"]);
        }
    }
);

// ---------------------------------------------------------------------------------------

both_dbs!(
    async fn unknown_api_paths_answer_json(backend: Backend) {
        let app = TestApp::new(&backend).await;
        people(&app).await;
        let token = app.token("o@op.de").await;
        for path in ["/api/v1/nope", "/api/v1/", "/api/v1/me/extra", "/api/v2/me"] {
            assert_error(&app.api_get(None, path).await, Status::NotFound, "not_found");
            assert_error(&app.api_get(Some(&token), path).await, Status::NotFound, "not_found");
        }
        // A method nothing is mounted for: still the JSON shape, never an HTML page.
        let reply = app
            .api_send(rocket::http::Method::Delete, Some(&token), "/api/v1/me", "", rocket::http::ContentType::JSON)
            .await;
        assert!(reply.status.code >= 400 && reply.status.code < 500);
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        assert!(reply.json()["error"]["code"].is_string());
    }
);

// ---------------------------------------------------------------------------------------

/// `/tickets/<number>` as OpenAPI spells it: `/tickets/{number}`.
fn openapi_path(rocket_path: &str) -> String {
    rocket_path
        .split('/')
        .map(|segment| match segment.strip_prefix('<') {
            // The provider routes' link token is read by their request guard, not named.
            Some("_>") => "{token}".to_string(),
            Some(name) => format!("{{{}}}", name.trim_end_matches('>').trim_end_matches("..")),
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    out.push(inner.as_str().unwrap_or_default().to_string());
                } else {
                    refs(inner, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
        _ => {}
    }
}

both_dbs!(
    async fn openapi_document_matches_the_mounted_routes(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let reply = app.api_get(None, "/api/v1/openapi.json").await;
        assert_eq!(reply.status, Status::Ok);
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        let doc = reply.json();
        let version = doc["openapi"].as_str().expect("an openapi version");
        assert!(version.starts_with("3."), "{version}");
        assert!(doc["info"]["title"].is_string());
        assert!(doc["info"]["version"].is_string());
        assert_eq!(doc["servers"][0]["url"], "/api/v1");
        let paths = doc["paths"].as_object().expect("paths");

        // What is mounted under /api/v1: path → methods.
        let mut mounted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for route in app.client.rocket().routes() {
            let full = route.uri.path();
            let Some(rest) = full.strip_prefix("/api/v1") else {
                continue;
            };
            mounted.entry(openapi_path(rest)).or_default().insert(route.method.as_str().to_lowercase());
        }
        assert!(mounted.contains_key("/me"), "{mounted:?}");

        for (path, methods) in &mounted {
            let item = paths.get(path).unwrap_or_else(|| panic!("{path} is mounted but not in the OpenAPI document"));
            for method in methods {
                let operation =
                    item.get(method).unwrap_or_else(|| panic!("{method} {path} is mounted but not documented"));
                let responses = operation["responses"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{method} {path} documents no responses"));
                // A WebSocket's success is its upgrade: 101.
                let success = |code: &String| code.starts_with('2') || code == "101";
                assert!(responses.keys().any(success), "{method} {path} documents no success");
            }
        }
        const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
        for (path, item) in paths {
            assert!(path.starts_with('/'), "{path}");
            let documented = item.as_object().unwrap();
            for method in documented.keys().filter(|k| METHODS.contains(&k.as_str())) {
                assert!(
                    mounted.get(path).is_some_and(|m| m.contains(method)),
                    "{method} {path} is documented but not mounted"
                );
            }
            // Path parameters are declared.
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(['{', '}']);
                let declared = documented.values().any(|op| {
                    op["parameters"]
                        .as_array()
                        .is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path"))
                }) || item["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path"));
                assert!(declared, "{path}: parameter {name} is not declared");
            }
        }

        // Every reference resolves inside the document.
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(!all.is_empty());
        for reference in all {
            let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("external reference {reference}"));
            assert!(doc.pointer(pointer).is_some(), "{reference} does not resolve");
        }
    }
);

// ---------------------------------------------------------------------------------------

/// `name{labels} value` → value, for the first sample of `name` with these labels.
fn sample(text: &str, name: &str, labels: &str) -> f64 {
    let key = format!("{name}{labels} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&key))
        .unwrap_or_else(|| panic!("no sample {key:?} in\n{text}"))
        .trim()
        .parse()
        .unwrap()
}

both_dbs!(
    async fn healthz_and_metrics(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let health = app.api_get(None, "/healthz").await;
        assert_eq!(health.status, Status::Ok);
        assert_eq!(health.content_type.as_deref(), Some("application/json"));
        assert_eq!(health.json()["status"], "ok");

        let reply = app.api_get(None, "/metrics").await;
        assert_eq!(reply.status, Status::Ok);
        assert!(reply.content_type.as_deref().is_some_and(|c| c.starts_with("text/plain")), "{:?}", reply.content_type);
        let text = &reply.body;
        assert!(text.contains("# TYPE staffel_http_requests_total counter"));
        assert!(text.contains("# TYPE staffel_mail_outbox_pending gauge"));
        // Every sample line is `name{labels} number`.
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let (name, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
            assert!(
                name.starts_with("staffel_")
                    && name.chars().take_while(|c| *c != '{').all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{line}"
            );
            value.parse::<f64>().unwrap_or_else(|_| panic!("not a number: {line}"));
        }
        assert_eq!(sample(text, "staffel_mail_outbox_pending", ""), 0.0);
        let ok_before = sample(text, "staffel_http_requests_total", "{class=\"2xx\"}");
        assert!(ok_before >= 1.0, "the health check counted");
        let missing_before = sample(text, "staffel_http_requests_total", "{class=\"4xx\"}");

        // A mail waiting, a page not found: both show.
        app.school("gym").await;
        app.user("t@gym.de", "teacher", "gym").await;
        let mut browser = app.browser();
        browser.get("/password/forgot").await;
        browser.post_form("/password/forgot", &[("email", "t@gym.de")]).await;
        assert_eq!(app.api_get(None, "/gibt-es-nicht").await.status, Status::NotFound);
        let text = app.api_get(None, "/metrics").await.body;
        assert_eq!(sample(&text, "staffel_mail_outbox_pending", ""), 1.0);
        assert!(sample(&text, "staffel_http_requests_total", "{class=\"2xx\"}") > ok_before);
        assert!(sample(&text, "staffel_http_requests_total", "{class=\"4xx\"}") > missing_before);
        app.deliver_mail().await;
        let text = app.api_get(None, "/metrics").await.body;
        assert_eq!(sample(&text, "staffel_mail_outbox_pending", ""), 0.0);
    }
);

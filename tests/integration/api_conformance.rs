//! The API keeps to its OpenAPI document where schemathesis found it did not (#13 item 12):
//! methods a path does not have, query parameters read strictly, and an optional text
//! that is still checked when given. `tests/api/schemathesis.sh` measures the rest.

use crate::common::{Backend, LiveServer, TestApp};
use rocket::http::{ContentType, Header, Method, Status};

async fn people(app: &TestApp) {
    app.school("gym").await;
    app.users(&[("a@gym.de", "school_admin", "gym"), ("ag@desk.de", "agent", "")]).await;
}

both_dbs!(
    async fn a_method_the_path_does_not_have_is_405_with_the_methods_it_has(backend: Backend) {
        let app = TestApp::new(&backend).await;
        people(&app).await;
        let token = app.token("ag@desk.de").await;
        let cases = [
            (Method::Delete, "/api/v1/me", "GET"),
            (Method::Put, "/api/v1/tickets", "POST, GET"),
            // `/chats/<id>` would take the segment, but `direct` is its own resource.
            (Method::Get, "/api/v1/chats/direct", "POST"),
            (Method::Get, "/api/v1/tickets/T-000001/comments", "POST"),
        ];
        for (method, path, allow) in cases {
            let request = app.client.req(method, path).header(Header::new("Authorization", format!("Bearer {token}")));
            let response = request.dispatch().await;
            assert_eq!(response.status(), Status::MethodNotAllowed, "{method} {path}");
            let mut listed: Vec<String> =
                response.headers().get_one("Allow").unwrap_or_default().split(", ").map(str::to_string).collect();
            let mut expected: Vec<String> = allow.split(", ").map(str::to_string).collect();
            listed.sort();
            expected.sort();
            assert_eq!(listed, expected, "{method} {path}");
            let body: serde_json::Value =
                serde_json::from_str(&response.into_string().await.unwrap_or_default()).unwrap();
            assert_eq!(body["error"]["field"], "request", "{body}");
        }
        // A path that names nothing stays "not found", and HEAD rides on GET.
        let nothing = app.api_send(Method::Delete, Some(&token), "/api/v1/nope", "", ContentType::JSON).await;
        assert_eq!(nothing.status, Status::NotFound);
        let head = app.api_send(Method::Head, Some(&token), "/api/v1/me", "", ContentType::JSON).await;
        assert_eq!(head.status, Status::Ok);
    }
);

both_dbs!(
    async fn a_method_rocket_cannot_parse_is_405_not_a_bad_request(backend: Backend) {
        let server = LiveServer::start_with(&backend, |f| f).await;
        let anonymous = server.anonymous();
        let query = reqwest::Method::from_bytes(b"QUERY").unwrap();
        let reply = anonymous.request(query.clone(), "/api/v1/services").send().await.expect("QUERY");
        assert_eq!(reply.status().as_u16(), 405);
        assert_eq!(reply.headers().get("allow").and_then(|v| v.to_str().ok()), Some("GET"));
        let nothing = anonymous.request(query, "/api/v1/nope").send().await.expect("QUERY");
        assert_eq!(nothing.status().as_u16(), 400, "no such path: the method is not the problem");
    }
);

both_dbs!(
    async fn a_query_parameter_given_twice_or_unreadable_is_refused_by_name(backend: Backend) {
        let app = TestApp::new(&backend).await;
        people(&app).await;
        let agent = app.token("ag@desk.de").await;
        let school = app.token("a@gym.de").await;
        let cases = [
            (&agent, "/api/v1/tickets?queue=mine&queue=all", "queue"),
            (&agent, "/api/v1/tickets?limit=abc", "limit"),
            (&agent, "/api/v1/tickets?limit=0", "limit"),
            (&agent, "/api/v1/tickets?status=", "status"),
            (&agent, "/api/v1/tickets?priority=P9", "priority"),
            // A school admin's list has no queues, and still refuses one that does not exist.
            (&school, "/api/v1/tickets?queue=nope", "queue"),
            (&school, "/api/v1/chats?status=open&status=closed", "status"),
            (&agent, "/api/v1/kb/search?q=drucker&suggest=maybe", "suggest"),
            (&agent, "/api/v1/kb/search?q=drucker&limit=51", "limit"),
            (&agent, "/api/v1/chats/1/messages?after=-1", "after"),
        ];
        for (token, path, field) in cases {
            let reply = app.api_get(Some(token), path).await;
            assert_eq!(reply.status, Status::UnprocessableEntity, "{path}: {}", reply.body);
            assert_eq!(reply.json()["error"]["field"], field, "{path}: {}", reply.body);
        }
        // An empty cursor is the first page, as a client paging from the start sends it.
        for path in [
            "/api/v1/tickets?queue=mine&limit=5",
            "/api/v1/tickets?limit=3&after=",
            "/api/v1/kb/search?q=drucker&suggest=true&limit=50",
        ] {
            assert_eq!(app.api_get(Some(&agent), path).await.status, Status::Ok, "{path}");
        }
    }
);

both_dbs!(
    async fn a_reopen_reason_is_checked_like_any_other_text(backend: Backend) {
        let app = TestApp::new(&backend).await;
        people(&app).await;
        let school = app.token("a@gym.de").await;
        let agent = app.token("ag@desk.de").await;
        let number = app.open_ticket(&school, r#"{"title":"Beamer","description":"kein Bild"}"#).await;
        app.resolve_ticket(&agent, &number, "Kabel getauscht").await;
        let path = format!("/api/v1/tickets/{number}/reopen");
        let bell = app.api_post(Some(&school), &path, r#"{"reason":"geht \u0007 wieder nicht"}"#).await;
        assert_eq!(bell.status, Status::UnprocessableEntity, "{}", bell.body);
        assert_eq!(bell.json()["error"]["field"], "reason");
        let long = serde_json::json!({ "reason": "x".repeat(50_001) }).to_string();
        assert_eq!(app.api_post(Some(&school), &path, &long).await.status, Status::UnprocessableEntity);
        let ticket = app.api_get(Some(&school), &format!("/api/v1/tickets/{number}")).await.json();
        assert_eq!(ticket["status"], "resolved", "a refused reason changes nothing");
        let fine = app.api_post(Some(&school), &path, r#"{"reason":"geht wieder nicht"}"#).await;
        assert_eq!(fine.status, Status::Ok, "{}", fine.body);
        let without =
            app.api_post(Some(&agent), &format!("/api/v1/tickets/{number}/resolve"), r#"{"solution":"ok"}"#).await;
        assert_eq!(without.status, Status::Ok);
        assert_eq!(app.api_post(Some(&school), &path, "{}").await.status, Status::Ok, "the reason stays optional");
    }
);

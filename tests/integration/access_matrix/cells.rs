//! The matrix's cells: each role through every row on a fresh app (each cell with fresh
//! tickets, reports, files and links where its path needs them), and the check that the
//! table covers exactly the mounted routes.
use std::collections::BTreeSet;

use super::table_pages::table;
use super::Expect::*;
use super::*;
use crate::common::uploads::{api_files, post_files, PNG};
use crate::common::{fits, html_message, Backend, Browser, Reply};
use rocket::http::{ContentType, Status};
use staffel::i18n::Lang;

/// Sends a multipart upload of a PNG as `screenshot.png` with an optional bearer token.
async fn upload_png(app: &TestApp, token: Option<&str>, path: &str) -> Reply {
    api_files(app, token, path, &[], &[("files", "screenshot.png", "image/png", PNG)]).await
}

/// A new ticket of school A (0) or B (1) with a file its school admin uploaded: the
/// ticket's number and the file's id.
async fn fresh_file(app: &TestApp, tokens: &TicketTokens, school: usize) -> (String, String) {
    let number = fresh_ticket(app, tokens, school, false).await;
    let uploaded =
        upload_png(app, Some(&tokens.schools[school]), &format!("/api/v1/tickets/{number}/attachments")).await;
    assert_eq!(uploaded.status, Status::Ok, "{}", uploaded.body);
    let id = uploaded.json()["attachments"][0]["id"].as_i64().expect("attachment id");
    (number, id.to_string())
}

/// A new chat request of school A (0) or B (1), taken by the tickets agent if asked; its id.
async fn fresh_chat(app: &TestApp, tokens: &TicketTokens, school: usize, taken: bool) -> String {
    let asked =
        app.api_post(Some(&tokens.schools[school]), "/api/v1/chats", r#"{"message":"Beamer zeigt nichts"}"#).await;
    assert_eq!(asked.status, Status::Created, "{}", asked.body);
    let id = asked.json()["id"].as_i64().expect("chat id").to_string();
    if taken {
        let accepted = app.api_post(Some(&tokens.desk), &format!("/api/v1/chats/{id}/accept"), "{}").await;
        assert_eq!(accepted.status, Status::Ok, "{}", accepted.body);
    }
    id
}

/// A new chat request of school A with a screenshot its admin sent: the chat's id and the
/// file's.
async fn fresh_chat_file(app: &TestApp, tokens: &TicketTokens) -> (String, String) {
    let id = fresh_chat(app, tokens, 0, false).await;
    let sent = upload_png(app, Some(&tokens.schools[0]), &format!("/api/v1/chats/{id}/attachments")).await;
    assert_eq!(sent.status, Status::Created, "{}", sent.body);
    let file = sent.json()["items"][0]["file"].as_i64().expect("file id");
    (id, file.to_string())
}

/// A provider link (token) whose forward shares a file; the file's id.
async fn fresh_shared_file(app: &TestApp, tokens: &TicketTokens) -> (String, String) {
    let (number, id) = fresh_file(app, tokens, 0).await;
    let body =
        format!(r#"{{"provider":"netz","priority":"P2","message":"Bitte prüfen.","shared_attachments":[{id}]}}"#);
    let forwarded = app.api_post(Some(&tokens.desk), &format!("/api/v1/tickets/{number}/forward"), &body).await;
    assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
    (app.latest_provider_token().await, id)
}

/// Tokens that open (school admins of A and B) and resolve (an agent) fresh tickets.
struct TicketTokens {
    schools: [String; 2],
    desk: String,
}

/// A new ticket of school A (0) or B (1), resolved by the desk if asked; its number.
async fn fresh_ticket(app: &TestApp, tokens: &TicketTokens, school: usize, resolved: bool) -> String {
    let created = app.api_post(Some(&tokens.schools[school]), "/api/v1/tickets", NEW_TICKET_JSON).await;
    assert_eq!(created.status, Status::Created, "{}", created.body);
    let number = created.json()["number"].as_str().expect("ticket number").to_string();
    if resolved {
        let done = app
            .api_post(
                Some(&tokens.desk),
                &format!("/api/v1/tickets/{number}/resolve"),
                r#"{"solution":"Lampe getauscht."}"#,
            )
            .await;
        assert_eq!(done.status, Status::Ok, "{}", done.body);
    }
    number
}

/// A new report of this teacher to their school admins; its id.
async fn fresh_report(app: &TestApp, teacher: &str) -> String {
    app.file_report(teacher, "Kein Bild, obwohl das Kabel steckt.").await.to_string()
}

/// A new ticket of school A forwarded by the desk to the provider; its number and the
/// forward's id.
async fn fresh_forward(app: &TestApp, tokens: &TicketTokens) -> (String, String) {
    let number = fresh_ticket(app, tokens, 0, false).await;
    let forwarded = app.api_post(Some(&tokens.desk), &format!("/api/v1/tickets/{number}/forward"), FORWARD_JSON).await;
    assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
    let id = forwarded.json()["forward"]["id"].as_i64().expect("forward id");
    (number, id.to_string())
}

/// A new ticket of school A forwarded by the desk to the provider; the token of the link
/// the provider's contact got by mail.
async fn fresh_provider_link(app: &TestApp, tokens: &TicketTokens) -> String {
    fresh_forward(app, tokens).await;
    app.latest_provider_token().await
}

fn mounted(app: &TestApp) -> BTreeSet<(String, String)> {
    app.client.rocket().routes().map(|r| (r.method.to_string(), r.uri.as_str().to_string())).collect()
}

both_dbs!(
    async fn the_matrix_covers_every_mounted_route(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let rows = table(&Ids { victim: 1 });
        let in_table: BTreeSet<(String, String)> =
            rows.iter().filter(|r| r.route != UNROUTED).map(|r| (r.method.to_string(), r.route.to_string())).collect();
        let mounted = mounted(&app);
        let missing: Vec<_> = mounted.difference(&in_table).collect();
        assert!(missing.is_empty(), "mounted routes without a row in the access matrix: {missing:?}");
        let unknown: Vec<_> = in_table.difference(&mounted).collect();
        assert!(unknown.is_empty(), "matrix rows for routes that are not mounted: {unknown:?}");
        for row in rows.iter().filter(|r| r.route != UNROUTED) {
            assert!(fits(row.route, &row.path), "row path {} does not fit its route {}", row.path, row.route);
        }
        for row in rows.iter().filter(|r| r.route == UNROUTED) {
            let routed =
                mounted.iter().any(|(method, route)| *method == row.method.to_string() && fits(route, &row.path));
            assert!(!routed, "{} {} is a row without a route, but a route takes it", row.method, row.path);
        }
    }
);

async fn signed_in_browser(app: &TestApp, role: usize) -> Browser<'_> {
    if role == ANON {
        let mut browser = app.browser();
        browser.get("/login").await;
        assert!(!browser.csrf.is_empty(), "the login page carries a token");
        browser
    } else {
        app.login(EMAILS[role], PASSWORD).await
    }
}

/// The current version of the FAQ article a `/kb/<slug>/…` path names (0 if none).
async fn article_version(app: &TestApp, path: &str) -> i32 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let slug = path.split('/').nth(2).unwrap_or_default();
    entities::kb_article::Entity::find()
        .filter(entities::kb_article::Column::Slug.eq(slug))
        .one(app.db())
        .await
        .expect("read article")
        .map(|a| a.version)
        .unwrap_or(0)
}

fn login_location(path: &str) -> String {
    format!("/login?next={}", url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>())
}

/// What is wrong with a reply, if anything.
fn judge(expect: Expect, reply: &Reply, path: &str, api: bool) -> Option<String> {
    let status = reply.status.code;
    if status >= 500 {
        return Some(format!("server error {status}"));
    }
    let json_error = |code: &str| -> Option<String> {
        if !reply.content_type.as_deref().is_some_and(|c| c.starts_with("application/json")) {
            return Some(format!("not JSON: {:?}", reply.content_type));
        }
        let body: serde_json::Value = serde_json::from_str(&reply.body).ok()?;
        let error = &body["error"];
        if error["code"] != code || error["message"].as_str().is_none_or(|m| m.is_empty()) {
            return Some(format!("JSON error should have code {code}: {}", reply.body));
        }
        None
    };
    let page_says = |key: &str| -> Option<String> {
        let text = html_message(Lang::De, key, "");
        (!reply.body.contains(&text)).then(|| format!("page does not say {text:?}"))
    };
    match expect {
        Ok(code) => (status != code).then(|| format!("expected {code}, got {status}")),
        To(location) => (status != 303 || reply.location.as_deref() != Some(location))
            .then(|| format!("expected 303 to {location}, got {status} {:?}", reply.location)),
        Under(prefix) => (status != 303 || !reply.location.as_deref().is_some_and(|l| l.starts_with(prefix)))
            .then(|| format!("expected 303 to {prefix}…, got {status} {:?}", reply.location)),
        Login => {
            let wanted = login_location(path);
            (status != 303 || reply.location.as_deref() != Some(wanted.as_str()))
                .then(|| format!("expected 303 to {wanted}, got {status} {:?}", reply.location))
        }
        Unauthorized => {
            if status != 401 {
                Some(format!("expected 401, got {status}"))
            } else {
                json_error("unauthorized")
            }
        }
        Forbidden | NotFound | Gone => {
            let (code, key, name) = match expect {
                Forbidden => (403, "error.forbidden", "forbidden"),
                NotFound => (404, "error.not_found", "not_found"),
                _ => (410, "error.gone", "gone"),
            };
            if status != code {
                Some(format!("expected {code}, got {status}"))
            } else if api {
                json_error(name)
            } else {
                page_says(key)
            }
        }
    }
}

/// A row's path for cell `n`: `{n}` numbered, and fresh tickets, reports, files and links
/// made for the placeholders that need them. The path, and the forward a
/// `{forwarded-a}` path made (for a form's `{forward}` field).
async fn concrete_path(app: &TestApp, tokens: &TicketTokens, row: &Row, n: usize) -> (String, String) {
    let mut path = row.path.replace("{n}", &n.to_string());
    if path.contains("{reset}") {
        path = path.replace("{reset}", &app.reset_token(VICTIM).await);
    }
    for (placeholder, teacher) in [("{report-a}", EMAILS[TEACHER]), ("{report-b}", VICTIM)] {
        if path.contains(placeholder) {
            path = path.replace(placeholder, &fresh_report(app, teacher).await);
        }
    }
    for (id_marker, ticket_marker, school) in [("{file-a}", "{file-a-ticket}", 0), ("{file-b}", "{file-b-ticket}", 1)] {
        if path.contains(id_marker) {
            let (number, id) = fresh_file(app, tokens, school).await;
            path = path.replace(ticket_marker, &number).replace(id_marker, &id);
        }
    }
    if path.contains("{shared-file}") {
        let (token, id) = fresh_shared_file(app, tokens).await;
        path = path.replace("{shared-token}", &token).replace("{shared-file}", &id);
    }
    let mut forward = String::new();
    if path.contains("{forwarded-a}") {
        let (number, id) = fresh_forward(app, tokens).await;
        path = path.replace("{forwarded-a}", &number);
        forward = id;
    }
    if path.contains("{provider}") {
        path = path.replace("{provider}", &fresh_provider_link(app, tokens).await);
    }
    if path.contains("{chat-file}") {
        let (chat, file) = fresh_chat_file(app, tokens).await;
        path = path.replace("{chat-file-a}", &chat).replace("{chat-file}", &file);
    }
    for (placeholder, school, taken) in [("{chat-a}", 0, false), ("{chat-b}", 1, false), ("{chat-active-a}", 0, true)] {
        if path.contains(placeholder) {
            path = path.replace(placeholder, &fresh_chat(app, tokens, school, taken).await);
        }
    }
    for (placeholder, school, resolved) in
        [("{ticket-a}", 0, false), ("{ticket-b}", 1, false), ("{resolved-a}", 0, true), ("{resolved-b}", 1, true)]
    {
        if path.contains(placeholder) {
            path = path.replace(placeholder, &fresh_ticket(app, tokens, school, resolved).await);
        }
    }
    (path, forward)
}

/// Sends cell `n`'s request: through the API with the role's token, or from a copy of the
/// role's browser (whatever cookies the request sets stay in the cell).
async fn send_cell(
    app: &TestApp,
    browser: &Browser<'_>,
    token: Option<&str>,
    row: &Row,
    path: &str,
    n: usize,
    forward: &str,
) -> Reply {
    if row.upload && !row.api {
        let mut cell = browser.fork();
        return post_files(&mut cell, path, &[], &[("files", "screenshot.png", "image/png", PNG)]).await;
    }
    if row.upload {
        return upload_png(app, token, path).await;
    }
    if row.api {
        return match row.json {
            Some(json) => app.api_send(row.method, token, path, json, ContentType::JSON).await,
            None => app.api_get(token, path).await,
        };
    }
    let mut cell = browser.fork();
    match &row.form {
        None => cell.get(path).await,
        Some(fields) => {
            let mut fields: Vec<(&str, String)> =
                fields.iter().map(|(k, v)| (*k, v.replace("{n}", &n.to_string()))).collect();
            for field in fields.iter_mut().filter(|(_, v)| v == "{version}") {
                field.1 = article_version(app, path).await.to_string();
            }
            for field in fields.iter_mut().filter(|(_, v)| v == "{forward}") {
                field.1 = forward.to_string();
            }
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            cell.post_form(path, &borrowed).await
        }
    }
}

/// Every row of the table as one role, on a fresh app: each cell must answer as the table
/// says.
async fn every_route_as(backend: Backend, role: usize) {
    // The tickets agent stays online for the whole run (chat requests need someone), and
    // takes as many chats as the rows ask.
    let app = TestApp::with(&backend, |f| {
        f.merge(("staffel.chat_away_after_secs", 86_400))
            .merge(("staffel.chat_xa_after_secs", 86_400))
            .merge(("staffel.chat_heartbeat_timeout_secs", 86_400))
            .merge(("staffel.chat_max_active", 1_000))
    })
    .await;
    let ids = fixture(&app).await;
    let mut ticket_tokens = TicketTokens {
        schools: [app.token(EMAILS[SCHOOL_ADMIN]).await, app.token(SCHOOL_B_ADMIN).await],
        desk: app.token(TICKET_AGENT).await,
    };
    let online = app
        .api_post(
            Some(&ticket_tokens.desk),
            "/api/v1/chat/presence/heartbeat",
            r#"{"session":"tickets-agent","input":true}"#,
        )
        .await;
    assert_eq!(online.status, Status::Ok, "{}", online.body);
    let mut failures = Vec::new();
    let mut browser = signed_in_browser(&app, role).await;
    let mut token = if role == ANON { None } else { Some(app.token(EMAILS[role]).await) };
    for (i, row) in table(&ids).iter().enumerate() {
        let n = i + 1;
        let (path, forward) = concrete_path(&app, &ticket_tokens, row, n).await;
        let reply = send_cell(&app, &browser, token.as_deref(), row, &path, n, &forward).await;
        if let Some(problem) = judge(row.expect[role], &reply, &path, row.api) {
            failures.push(format!("{} {} {path} as {}: {problem}", backend.name(), row.method, ROLES[role]));
        }
        if row.ends_session && role != ANON {
            browser = signed_in_browser(&app, role).await;
            // A password change revokes the user's API tokens too.
            token = Some(app.token(EMAILS[role]).await);
            if role == SCHOOL_ADMIN {
                ticket_tokens.schools[0] = app.token(EMAILS[SCHOOL_ADMIN]).await;
            }
        }
    }
    assert!(failures.is_empty(), "{} cells of the access matrix are wrong:\n{}", failures.len(), failures.join("\n"));
}

both_dbs!(
    async fn anonymous_readers_reach_exactly_their_routes(backend: Backend) {
        every_route_as(backend, ANON).await;
    }
);

both_dbs!(
    async fn pupils_reach_exactly_their_routes(backend: Backend) {
        every_route_as(backend, PUPIL).await;
    }
);

both_dbs!(
    async fn teachers_reach_exactly_their_routes(backend: Backend) {
        every_route_as(backend, TEACHER).await;
    }
);

both_dbs!(
    async fn school_admins_reach_exactly_their_routes(backend: Backend) {
        every_route_as(backend, SCHOOL_ADMIN).await;
    }
);

both_dbs!(
    async fn agents_reach_exactly_their_routes(backend: Backend) {
        every_route_as(backend, AGENT).await;
    }
);

both_dbs!(
    async fn desk_leads_reach_exactly_their_routes(backend: Backend) {
        every_route_as(backend, DESK_LEAD).await;
    }
);

both_dbs!(
    async fn operators_reach_exactly_their_routes(backend: Backend) {
        every_route_as(backend, OPERATOR).await;
    }
);

//! Tickets from the helpdesk tile to the desk and back: queues, the status machine,
//! versions, the school's view without internal notes, threaded mails, and the API.
mod common;

use common::{Backend, TestApp, PASSWORD};
use rocket::http::{ContentType, Method, Status};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

fn version_in(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("version field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

async fn mails_to(app: &TestApp, email: &str) -> Vec<entities::mail_outbox::Model> {
    entities::mail_outbox::Entity::find()
        .filter(entities::mail_outbox::Column::ToAddr.eq(email))
        .order_by_asc(entities::mail_outbox::Column::Id)
        .all(app.db())
        .await
        .unwrap()
}

async fn setup(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.school("gs").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("admin@gs.de", "school_admin", "gs").await;
    app.user("lehrer@gym.de", "teacher", "gym").await;
    app.user("agent@desk.de", "agent", "").await;
    app.user("agent2@desk.de", "agent", "").await;
    app.user("lead@desk.de", "desk_lead", "").await;
    app
}

async fn ticket_round_trip(backend: Backend) {
    let app = setup(&backend).await;
    let mut school = app.login("admin@gym.de", PASSWORD).await;
    let tile = school.get("/helpdesk").await;
    assert_eq!(tile.status, Status::Ok);
    assert!(tile.body.contains("data-suggest=\"/faq/suggest\""), "the title suggests FAQ articles");

    // Bad input changes nothing and says why.
    let empty = school.post_form("/helpdesk/tickets", &[("title", ""), ("description", "x")]).await;
    assert_eq!(empty.status, Status::UnprocessableEntity);
    assert!(empty.body.contains("Bitte füllen Sie dieses Feld aus."));
    let bad_scope = school
        .post_form("/helpdesk/tickets", &[("title", "Beamer"), ("description", "kaputt"), ("triage_scope", "galaxy")])
        .await;
    assert_eq!(bad_scope.status, Status::UnprocessableEntity);
    assert!(entities::ticket::Entity::find().all(app.db()).await.unwrap().is_empty());

    let opened = school
        .post_form(
            "/helpdesk/tickets",
            &[
                ("title", "Beamer Raum 204 zeigt kein Bild"),
                ("description", "Seit Montag, alle Laptops betroffen."),
                ("service", "presentation"),
                ("priority", "P2"),
                ("triage_scope", "local"),
                ("triage_fault_type", "hardware"),
            ],
        )
        .await;
    assert_eq!(opened.status, Status::SeeOther, "{}", opened.body);
    assert_eq!(opened.location.as_deref(), Some("/helpdesk/tickets/T-000001"));
    let ticket = entities::ticket::Entity::find_by_id(1).one(app.db()).await.unwrap().unwrap();
    assert_eq!((ticket.status.as_str(), ticket.priority.as_str(), ticket.level), ("new", "P2", 2));
    assert!(ticket.first_response_due.unwrap() < ticket.resolution_due.unwrap(), "due times from the P2 targets");
    let opened_mail = mails_to(&app, "admin@gym.de").await;
    assert_eq!(opened_mail.len(), 1);
    assert!(opened_mail[0].subject.starts_with("[T-000001] Ticket eröffnet"), "{}", opened_mail[0].subject);

    // Other schools, teachers and pupils never see it.
    let mut other = app.login("admin@gs.de", PASSWORD).await;
    assert_eq!(other.get("/helpdesk/tickets/T-000001").await.status, Status::NotFound);
    assert!(!other.get("/helpdesk").await.body.contains("T-000001"));
    let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
    assert_eq!(teacher.get("/helpdesk/tickets/T-000001").await.status, Status::Forbidden);

    // The desk sees it in "new", takes it, notes internally and replies.
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    let queue = agent.get("/desk?queue=new").await;
    assert_eq!(queue.status, Status::Ok);
    assert!(queue.body.contains("T-000001") && queue.body.contains("Schule gym"));
    let page = agent.get("/desk/tickets/T-000001").await;
    let v = version_in(&page.body);
    let taken = agent.post_form("/desk/tickets/T-000001/assign", &[("agent", "me"), ("version", &v)]).await;
    assert_eq!(taken.status, Status::SeeOther, "{}", taken.body);
    let page = agent.get("/desk/tickets/T-000001").await;
    assert!(page.body.contains("in Bearbeitung"));
    // A second agent working from the old page is told, not overwriting.
    let mut agent2 = app.login("agent2@desk.de", PASSWORD).await;
    let stale = agent2.post_form("/desk/tickets/T-000001/assign", &[("agent", "me"), ("version", &v)]).await;
    assert_eq!(stale.status, Status::Conflict);
    assert!(stale.body.contains("Das Ticket wurde inzwischen geändert"));
    let v = version_in(&page.body);
    let note = agent
        .post_form(
            "/desk/tickets/T-000001/comment",
            &[("body", "Geheim: Lampe tauschen"), ("internal", "true"), ("version", &v)],
        )
        .await;
    assert_eq!(note.status, Status::SeeOther);
    // An invalid transition: closing what is not resolved.
    let v = version_in(&agent.get("/desk/tickets/T-000001").await.body);
    let refused = agent.post_form("/desk/tickets/T-000001/close", &[("version", &v)]).await;
    assert_eq!(refused.status, Status::Conflict);
    assert!(refused.body.contains("Das geht im Status „open“ nicht."), "{}", refused.body);
    let asked = agent.post_form("/desk/tickets/T-000001/ask", &[("body", "Welches Kabel?"), ("version", &v)]).await;
    assert_eq!(asked.status, Status::SeeOther, "{}", asked.body);

    // The school sees the question, not the note, and answers.
    let view = school.get("/helpdesk/tickets/T-000001").await;
    assert!(view.body.contains("Welches Kabel?") && view.body.contains("wartet auf Schule"));
    assert!(!view.body.contains("Geheim"), "internal notes stay internal");
    let v = version_in(&view.body);
    let answered = school.post_form("/helpdesk/tickets/T-000001/comment", &[("body", "HDMI"), ("version", &v)]).await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
    let back = entities::ticket::Entity::find_by_id(1).one(app.db()).await.unwrap().unwrap();
    assert_eq!(back.status, "open");
    assert!(back.first_response_at.is_some(), "the question was the first response");
    assert_eq!(mails_to(&app, "agent@desk.de").await.len(), 1, "the assigned agent hears of the answer");

    // Resolve → the school gets the solution → confirms → closed → reopens.
    let v = version_in(&agent.get("/desk/tickets/T-000001").await.body);
    let resolved = agent
        .post_form(
            "/desk/tickets/T-000001/resolve",
            &[("body", "Lampe getauscht, Bild ist wieder da."), ("version", &v)],
        )
        .await;
    assert_eq!(resolved.status, Status::SeeOther);
    let school_mails = mails_to(&app, "admin@gym.de").await;
    let last = school_mails.last().unwrap();
    assert!(last.subject.starts_with("[T-000001] Gelöst"), "{}", last.subject);
    assert!(last.body_text.contains("Lampe getauscht"));
    assert!(school_mails.iter().all(|m| m.in_reply_to.as_deref() == Some("<ticket-1@staffel.test>")), "one thread");
    let view = school.get("/helpdesk/tickets/T-000001").await;
    assert!(view.body.contains("Lösung bestätigen"));
    let confirmed = school.post_form("/helpdesk/tickets/T-000001/close", &[("version", &version_in(&view.body))]).await;
    assert_eq!(confirmed.status, Status::SeeOther);
    let closed = entities::ticket::Entity::find_by_id(1).one(app.db()).await.unwrap().unwrap();
    assert_eq!(closed.status, "closed");
    let view = school.get("/helpdesk/tickets/T-000001").await;
    let reopened = school
        .post_form(
            "/helpdesk/tickets/T-000001/reopen",
            &[("body", "Wieder dunkel"), ("version", &version_in(&view.body))],
        )
        .await;
    assert_eq!(reopened.status, Status::SeeOther, "{}", reopened.body);
    assert_eq!(entities::ticket::Entity::find_by_id(1).one(app.db()).await.unwrap().unwrap().status, "open");

    // Delivered mails carry the thread headers.
    app.deliver_mail().await;
    let files = app.outbox_files();
    assert!(files.iter().any(|m| m.contains("In-Reply-To: <ticket-1@staffel.test>")));
}

#[rocket::async_test]
async fn a_ticket_goes_up_to_the_desk_and_its_answer_comes_back() {
    on_each_backend!(ticket_round_trip);
}

async fn api_round_trip(backend: Backend) {
    let app = setup(&backend).await;
    let school = app.token("admin@gym.de").await;
    let other_school = app.token("admin@gs.de").await;
    let agent = app.token("agent@desk.de").await;
    let teacher = app.token("lehrer@gym.de").await;

    let body = r#"{"title":"WLAN im Neubau weg","description":"Seit 8 Uhr kein WLAN.","service":"wifi","priority":"P1","triage":{"scope":"school","fault_type":"unknown"}}"#;
    let created = app.api_send(Method::Post, Some(&school), "/api/v1/tickets", body, ContentType::JSON).await;
    assert_eq!(created.status, Status::Created, "{}", created.body);
    let json = created.json();
    for key in [
        "number",
        "title",
        "status",
        "level",
        "priority",
        "school",
        "service",
        "assignee",
        "provider",
        "created_at",
        "updated_at",
        "events",
    ] {
        assert!(json.get(key).is_some(), "ticket JSON lacks {key}: {json}");
    }
    assert_eq!(json["number"], "T-000001");
    assert_eq!(json["priority"], "P1");
    assert_eq!(json["school"], "gym");
    assert_eq!(json["level"], 2);

    // Teachers do not open tickets; bad bodies are clear 4xx errors that change nothing.
    let refused = app.api_send(Method::Post, Some(&teacher), "/api/v1/tickets", body, ContentType::JSON).await;
    assert_eq!(refused.status, Status::Forbidden);
    for bad in [
        r#"{"title":"","description":"x"}"#,
        r#"{"title":"x","description":"y","priority":"P9"}"#,
        r#"{"title":"x","description":"y","service":"gibtsnicht"}"#,
        r#"{"title":"x","description":"y","colour":"red"}"#,
        r#"{"title":"x""#,
        r#"[]"#,
    ] {
        let reply = app.api_send(Method::Post, Some(&school), "/api/v1/tickets", bad, ContentType::JSON).await;
        assert!(reply.status.code >= 400 && reply.status.code < 500, "{bad}: {}", reply.status);
        assert!(reply.json()["error"]["message"].is_string(), "{bad}: {}", reply.body);
    }
    assert_eq!(entities::ticket::Entity::find().all(app.db()).await.unwrap().len(), 1);

    // Scoping: another school gets 404, the desk sees all.
    assert_eq!(app.api_get(Some(&other_school), "/api/v1/tickets/T-000001").await.status, Status::NotFound);
    assert_eq!(app.api_get(Some(&other_school), "/api/v1/tickets").await.json()["items"].as_array().unwrap().len(), 0);
    assert_eq!(app.api_get(Some(&school), "/api/v1/tickets").await.json()["items"].as_array().unwrap().len(), 1);

    // The desk works it through the API.
    let assigned = app
        .api_send(Method::Post, Some(&agent), "/api/v1/tickets/T-000001/assign", r#"{"agent":"me"}"#, ContentType::JSON)
        .await;
    assert_eq!(assigned.status, Status::Ok, "{}", assigned.body);
    assert_eq!(assigned.json()["assignee"], "agent@desk.de");
    assert_eq!(assigned.json()["status"], "open");
    let noted = app
        .api_send(
            Method::Post,
            Some(&agent),
            "/api/v1/tickets/T-000001/comments",
            r#"{"body":"intern","internal":true}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(noted.status, Status::Ok);
    let school_view = app.api_get(Some(&school), "/api/v1/tickets/T-000001").await.json();
    assert!(
        school_view["events"].as_array().unwrap().iter().all(|e| e["internal"] == false),
        "no internal notes for schools"
    );
    let forged = app
        .api_send(
            Method::Post,
            Some(&school),
            "/api/v1/tickets/T-000001/comments",
            r#"{"body":"x","internal":true}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(forged.status, Status::Forbidden);
    let stale = app
        .api_send(
            Method::Post,
            Some(&agent),
            "/api/v1/tickets/T-000001/comments",
            r#"{"body":"alt","version":1}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(stale.status, Status::Conflict);
    assert_eq!(stale.json()["error"]["code"], "conflict");
    let premature =
        app.api_send(Method::Post, Some(&agent), "/api/v1/tickets/T-000001/close", "{}", ContentType::JSON).await;
    assert_eq!(premature.status, Status::Conflict);
    let resolved = app
        .api_send(
            Method::Post,
            Some(&agent),
            "/api/v1/tickets/T-000001/resolve",
            r#"{"solution":"Access Point neu gestartet."}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(resolved.json()["status"], "resolved");
    assert_eq!(resolved.json()["solution"], "Access Point neu gestartet.");
    let closed =
        app.api_send(Method::Post, Some(&agent), "/api/v1/tickets/T-000001/close", "{}", ContentType::JSON).await;
    assert_eq!(closed.json()["status"], "closed");
    let reopened = app
        .api_send(
            Method::Post,
            Some(&school),
            "/api/v1/tickets/T-000001/reopen",
            r#"{"reason":"wieder weg"}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(reopened.json()["status"], "open");
    let kinds: Vec<String> =
        reopened.json()["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, ["created", "assign", "resolved", "closed", "reopened"], "the school's timeline");

    // Keyset pagination over many tickets.
    for i in 0..7 {
        let body = format!(r#"{{"title":"Drucker {i}","description":"Papierstau"}}"#);
        app.api_send(Method::Post, Some(&school), "/api/v1/tickets", &body, ContentType::JSON).await;
    }
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page = app
            .api_get(
                Some(&agent),
                &format!("/api/v1/tickets?limit=3&after={}", common::encode(&[("", &after)]).trim_start_matches('=')),
            )
            .await;
        assert_eq!(page.status, Status::Ok, "{}", page.body);
        let json = page.json();
        seen.extend(json["items"].as_array().unwrap().iter().map(|t| t["number"].as_str().unwrap().to_string()));
        match json["next"].as_str() {
            Some(next) => after = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8, "every ticket once: {seen:?}");
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 8);
    assert_eq!(app.api_get(Some(&agent), "/api/v1/tickets?after=kaputt").await.status, Status::UnprocessableEntity);
    assert_eq!(app.api_get(Some(&agent), "/api/v1/tickets?status=verloren").await.status, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn the_ticket_api_follows_the_same_rules() {
    on_each_backend!(api_round_trip);
}

async fn the_queue_knows_when_to_refresh(backend: Backend) {
    let app = setup(&backend).await;
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    let before = agent.get("/desk/changes").await.json()["stamp"].as_str().unwrap().to_string();
    let school = app.token("admin@gym.de").await;
    let body = r#"{"title":"Drucker","description":"Papierstau"}"#;
    app.api_send(Method::Post, Some(&school), "/api/v1/tickets", body, ContentType::JSON).await;
    let after = agent.get("/desk/changes").await.json()["stamp"].as_str().unwrap().to_string();
    assert_ne!(before, after, "a new ticket moves the stamp");
    let page = agent.get("/desk").await;
    assert!(page.body.contains(&format!("data-stamp=\"{after}\"")), "the page carries the stamp it was built from");
    let mut school_admin = app.login("admin@gym.de", PASSWORD).await;
    assert_eq!(school_admin.get("/desk/changes").await.status, Status::Forbidden);
}

#[rocket::async_test]
async fn the_desk_queue_refreshes_itself() {
    on_each_backend!(the_queue_knows_when_to_refresh);
}

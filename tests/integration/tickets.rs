//! Tickets from the helpdesk tile to the desk and back: queues, the status machine,
//! versions, the school's view without internal notes, threaded mails, and the API.
//! The steps of a ticket's life are helpers that check what each step answers; every test
//! takes the ticket as far as its behaviour needs.
use crate::common;

use crate::common::{version_field, Backend, Browser, Reply, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::EntityTrait;

async fn setup(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.school("gs").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("admin@gs.de", "school_admin", "gs"),
        ("lehrer@gym.de", "teacher", "gym"),
        ("agent@desk.de", "agent", ""),
        ("agent2@desk.de", "agent", ""),
        ("lead@desk.de", "desk_lead", ""),
    ])
    .await;
    app
}

async fn ticket_one(app: &TestApp) -> entities::ticket::Model {
    entities::ticket::Entity::find_by_id(1).one(app.db()).await.unwrap().unwrap()
}

// ---- through the pages --------------------------------------------------------------

/// The school admin of gym opens T-000001 on the helpdesk tile.
async fn open_on_the_tile(school: &mut Browser<'_>) {
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
}

/// The agent takes T-000001 from its page; the version that page had, and the page after.
async fn take(agent: &mut Browser<'_>) -> (String, Reply) {
    let page = agent.get("/desk/tickets/T-000001").await;
    let v = version_field(&page.body);
    let taken = agent.post_form("/desk/tickets/T-000001/assign", &[("agent", "me"), ("version", &v)]).await;
    assert_eq!(taken.status, Status::SeeOther, "{}", taken.body);
    (v, agent.get("/desk/tickets/T-000001").await)
}

/// On the page after taking it, the agent notes something only the desk may read.
async fn note_internally(agent: &mut Browser<'_>, page: &Reply) {
    let v = version_field(&page.body);
    let note = agent
        .post_form(
            "/desk/tickets/T-000001/comment",
            &[("body", "Geheim: Lampe tauschen"), ("internal", "true"), ("version", &v)],
        )
        .await;
    assert_eq!(note.status, Status::SeeOther);
}

/// The agent asks the school which cable, with the version of this page.
async fn ask_the_school(agent: &mut Browser<'_>, v: &str) {
    let asked = agent.post_form("/desk/tickets/T-000001/ask", &[("body", "Welches Kabel?"), ("version", v)]).await;
    assert_eq!(asked.status, Status::SeeOther, "{}", asked.body);
}

/// Opened, taken, noted internally and asked about: the school admin's and the agent's
/// browsers.
async fn asked<'a>(app: &'a TestApp) -> (Browser<'a>, Browser<'a>) {
    let mut school = app.login("admin@gym.de", PASSWORD).await;
    open_on_the_tile(&mut school).await;
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    let (_, page) = take(&mut agent).await;
    note_internally(&mut agent, &page).await;
    let v = version_field(&agent.get("/desk/tickets/T-000001").await.body);
    ask_the_school(&mut agent, &v).await;
    (school, agent)
}

/// The school answers the question from the ticket's page.
async fn answer(school: &mut Browser<'_>) {
    let view = school.get("/helpdesk/tickets/T-000001").await;
    let v = version_field(&view.body);
    let answered = school.post_form("/helpdesk/tickets/T-000001/comment", &[("body", "HDMI"), ("version", &v)]).await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
}

/// Asked, answered, and resolved by the agent.
async fn resolved<'a>(app: &'a TestApp) -> (Browser<'a>, Browser<'a>) {
    let (mut school, mut agent) = asked(app).await;
    answer(&mut school).await;
    let v = version_field(&agent.get("/desk/tickets/T-000001").await.body);
    let resolved = agent
        .post_form(
            "/desk/tickets/T-000001/resolve",
            &[("body", "Lampe getauscht, Bild ist wieder da."), ("version", &v)],
        )
        .await;
    assert_eq!(resolved.status, Status::SeeOther);
    (school, agent)
}

/// The school confirms the solution (the ticket is closed), then reopens it.
async fn confirm_and_reopen(app: &TestApp, school: &mut Browser<'_>) {
    let view = school.get("/helpdesk/tickets/T-000001").await;
    assert!(view.body.contains("Lösung bestätigen"));
    let confirmed =
        school.post_form("/helpdesk/tickets/T-000001/close", &[("version", &version_field(&view.body))]).await;
    assert_eq!(confirmed.status, Status::SeeOther);
    assert_eq!(ticket_one(app).await.status.as_str(), "closed");
    let view = school.get("/helpdesk/tickets/T-000001").await;
    let reopened = school
        .post_form(
            "/helpdesk/tickets/T-000001/reopen",
            &[("body", "Wieder dunkel"), ("version", &version_field(&view.body))],
        )
        .await;
    assert_eq!(reopened.status, Status::SeeOther, "{}", reopened.body);
    assert_eq!(ticket_one(app).await.status.as_str(), "open");
}

both_dbs!(
    async fn the_helpdesk_tile_suggests_faq_articles_for_the_title(backend: Backend) {
        let app = setup(&backend).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        let tile = school.get("/helpdesk").await;
        assert_eq!(tile.status, Status::Ok);
        assert!(tile.body.contains("data-suggest=\"/faq/suggest\""), "the title suggests FAQ articles");
    }
);

both_dbs!(
    async fn a_bad_ticket_form_is_refused_and_opens_nothing(backend: Backend) {
        let app = setup(&backend).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        let empty = school.post_form("/helpdesk/tickets", &[("title", ""), ("description", "x")]).await;
        assert_eq!(empty.status, Status::UnprocessableEntity);
        assert!(empty.body.contains("Bitte füllen Sie dieses Feld aus."));
        let bad_scope = school
            .post_form(
                "/helpdesk/tickets",
                &[("title", "Beamer"), ("description", "kaputt"), ("triage_scope", "galaxy")],
            )
            .await;
        assert_eq!(bad_scope.status, Status::UnprocessableEntity);
        assert!(entities::ticket::Entity::find().all(app.db()).await.unwrap().is_empty());
    }
);

both_dbs!(
    async fn an_opened_ticket_is_new_with_due_times_and_a_mail_to_the_school(backend: Backend) {
        let app = setup(&backend).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        open_on_the_tile(&mut school).await;
        let ticket = ticket_one(&app).await;
        assert_eq!((ticket.status.as_str(), ticket.priority.as_str(), ticket.level), ("new", "P2", 2));
        assert!(ticket.first_response_due.unwrap() < ticket.resolution_due.unwrap(), "due times from the P2 targets");
        let opened_mail = app.mails_to("admin@gym.de").await;
        assert_eq!(opened_mail.len(), 1);
        assert!(opened_mail[0].subject.starts_with("[T-000001] Ticket eröffnet"), "{}", opened_mail[0].subject);
    }
);

both_dbs!(
    async fn other_schools_and_teachers_never_see_a_schools_ticket(backend: Backend) {
        let app = setup(&backend).await;
        open_on_the_tile(&mut app.login("admin@gym.de", PASSWORD).await).await;
        let mut other = app.login("admin@gs.de", PASSWORD).await;
        assert_eq!(other.get("/helpdesk/tickets/T-000001").await.status, Status::NotFound);
        assert!(!other.get("/helpdesk").await.body.contains("T-000001"));
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        assert_eq!(teacher.get("/helpdesk/tickets/T-000001").await.status, Status::Forbidden);
    }
);

both_dbs!(
    async fn the_desk_finds_a_new_ticket_in_its_queue_and_takes_it(backend: Backend) {
        let app = setup(&backend).await;
        open_on_the_tile(&mut app.login("admin@gym.de", PASSWORD).await).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let queue = agent.get("/desk?queue=new").await;
        assert_eq!(queue.status, Status::Ok);
        assert!(queue.body.contains("T-000001") && queue.body.contains("Schule gym"));
        let (_, page) = take(&mut agent).await;
        assert!(page.body.contains("in Bearbeitung"));
    }
);

both_dbs!(
    async fn a_second_agent_working_from_an_old_page_is_told_not_overwriting(backend: Backend) {
        let app = setup(&backend).await;
        open_on_the_tile(&mut app.login("admin@gym.de", PASSWORD).await).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let (old_version, _) = take(&mut agent).await;
        let mut agent2 = app.login("agent2@desk.de", PASSWORD).await;
        let stale =
            agent2.post_form("/desk/tickets/T-000001/assign", &[("agent", "me"), ("version", &old_version)]).await;
        assert_eq!(stale.status, Status::Conflict);
        assert!(stale.body.contains("Das Ticket wurde inzwischen geändert"));
    }
);

both_dbs!(
    async fn closing_a_ticket_that_is_not_resolved_is_refused_and_changes_nothing(backend: Backend) {
        let app = setup(&backend).await;
        open_on_the_tile(&mut app.login("admin@gym.de", PASSWORD).await).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let (_, page) = take(&mut agent).await;
        note_internally(&mut agent, &page).await;
        let v = version_field(&agent.get("/desk/tickets/T-000001").await.body);
        let refused = agent.post_form("/desk/tickets/T-000001/close", &[("version", &v)]).await;
        assert_eq!(refused.status, Status::Conflict);
        assert!(refused.body.contains("Das geht im Status „open“ nicht."), "{}", refused.body);
        // The refusal left the version as it was: the next step from the same page works.
        ask_the_school(&mut agent, &v).await;
    }
);

both_dbs!(
    async fn the_school_sees_the_desks_question_but_not_its_internal_note(backend: Backend) {
        let app = setup(&backend).await;
        let (mut school, _agent) = asked(&app).await;
        let view = school.get("/helpdesk/tickets/T-000001").await;
        assert!(view.body.contains("Welches Kabel?") && view.body.contains("wartet auf Schule"));
        assert!(!view.body.contains("Geheim"), "internal notes stay internal");
    }
);

both_dbs!(
    async fn the_schools_answer_reopens_the_ticket_and_reaches_the_assigned_agent(backend: Backend) {
        let app = setup(&backend).await;
        let (mut school, _agent) = asked(&app).await;
        answer(&mut school).await;
        let back = ticket_one(&app).await;
        assert_eq!(back.status.as_str(), "open");
        assert!(back.first_response_at.is_some(), "the question was the first response");
        assert_eq!(app.mails_to("agent@desk.de").await.len(), 1, "the assigned agent hears of the answer");
    }
);

both_dbs!(
    async fn the_solution_reaches_the_school_by_mail_in_the_tickets_thread(backend: Backend) {
        let app = setup(&backend).await;
        resolved(&app).await;
        let school_mails = app.mails_to("admin@gym.de").await;
        let last = school_mails.last().unwrap();
        assert!(last.subject.starts_with("[T-000001] Gelöst"), "{}", last.subject);
        assert!(last.body_text.contains("Lampe getauscht"));
        assert!(school_mails.iter().all(|m| m.in_reply_to.as_deref() == Some("<ticket-1@staffel.test>")), "one thread");
    }
);

both_dbs!(
    async fn the_school_confirms_a_solution_and_may_reopen_the_ticket(backend: Backend) {
        let app = setup(&backend).await;
        let (mut school, _agent) = resolved(&app).await;
        confirm_and_reopen(&app, &mut school).await;
    }
);

both_dbs!(
    async fn delivered_ticket_mails_carry_the_thread_headers(backend: Backend) {
        let app = setup(&backend).await;
        let (mut school, _agent) = resolved(&app).await;
        confirm_and_reopen(&app, &mut school).await;
        app.deliver_mail().await;
        let files = app.outbox_files();
        assert!(files.iter().any(|m| m.contains("In-Reply-To: <ticket-1@staffel.test>")));
    }
);

// ---- through the API ----------------------------------------------------------------

const NEW_TICKET_JSON: &str = r#"{"title":"WLAN im Neubau weg","description":"Seit 8 Uhr kein WLAN.","service":"wifi","priority":"P1","triage":{"scope":"school","fault_type":"unknown"}}"#;

struct Tokens {
    school: String,
    other_school: String,
    agent: String,
    teacher: String,
}

async fn tokens(app: &TestApp) -> Tokens {
    Tokens {
        school: app.token("admin@gym.de").await,
        other_school: app.token("admin@gs.de").await,
        agent: app.token("agent@desk.de").await,
        teacher: app.token("lehrer@gym.de").await,
    }
}

/// The school admin of gym opens T-000001 through the API; the API's answer.
async fn open_through_the_api(app: &TestApp, tokens: &Tokens) -> serde_json::Value {
    let created = app.api_post(Some(&tokens.school), "/api/v1/tickets", NEW_TICKET_JSON).await;
    assert_eq!(created.status, Status::Created, "{}", created.body);
    created.json()
}

/// Opened, then taken by the agent through the API; the assignment's answer.
async fn assigned_through_the_api(app: &TestApp, tokens: &Tokens) -> serde_json::Value {
    open_through_the_api(app, tokens).await;
    let assigned = app.api_post(Some(&tokens.agent), "/api/v1/tickets/T-000001/assign", r#"{"agent":"me"}"#).await;
    assert_eq!(assigned.status, Status::Ok, "{}", assigned.body);
    assigned.json()
}

/// Assigned, with an internal note of the desk.
async fn noted_through_the_api(app: &TestApp, tokens: &Tokens) {
    assigned_through_the_api(app, tokens).await;
    let noted = app
        .api_post(Some(&tokens.agent), "/api/v1/tickets/T-000001/comments", r#"{"body":"intern","internal":true}"#)
        .await;
    assert_eq!(noted.status, Status::Ok);
}

both_dbs!(
    async fn the_api_opens_a_ticket_and_answers_with_all_of_it(backend: Backend) {
        let app = setup(&backend).await;
        let json = open_through_the_api(&app, &tokens(&app).await).await;
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
    }
);

both_dbs!(
    async fn teachers_and_bad_bodies_open_no_ticket_through_the_api(backend: Backend) {
        let app = setup(&backend).await;
        let tokens = tokens(&app).await;
        open_through_the_api(&app, &tokens).await;
        // Teachers do not open tickets; bad bodies are clear 4xx errors that change nothing.
        let refused = app.api_post(Some(&tokens.teacher), "/api/v1/tickets", NEW_TICKET_JSON).await;
        assert_eq!(refused.status, Status::Forbidden);
        for bad in [
            r#"{"title":"","description":"x"}"#,
            r#"{"title":"x","description":"y","priority":"P9"}"#,
            r#"{"title":"x","description":"y","service":"gibtsnicht"}"#,
            r#"{"title":"x","description":"y","colour":"red"}"#,
            r#"{"title":"x""#,
            r#"[]"#,
        ] {
            let reply = app.api_post(Some(&tokens.school), "/api/v1/tickets", bad).await;
            assert!(reply.status.code >= 400 && reply.status.code < 500, "{bad}: {}", reply.status);
            assert!(reply.json()["error"]["message"].is_string(), "{bad}: {}", reply.body);
        }
        assert_eq!(entities::ticket::Entity::find().all(app.db()).await.unwrap().len(), 1);
    }
);

both_dbs!(
    async fn another_school_gets_not_found_through_the_api(backend: Backend) {
        let app = setup(&backend).await;
        let tokens = tokens(&app).await;
        open_through_the_api(&app, &tokens).await;
        let other = Some(tokens.other_school.as_str());
        assert_eq!(app.api_get(other, "/api/v1/tickets/T-000001").await.status, Status::NotFound);
        assert_eq!(app.api_get(other, "/api/v1/tickets").await.json()["items"].as_array().unwrap().len(), 0);
        let school = Some(tokens.school.as_str());
        assert_eq!(app.api_get(school, "/api/v1/tickets").await.json()["items"].as_array().unwrap().len(), 1);
    }
);

both_dbs!(
    async fn the_desk_takes_a_ticket_through_the_api(backend: Backend) {
        let app = setup(&backend).await;
        let assigned = assigned_through_the_api(&app, &tokens(&app).await).await;
        assert_eq!(assigned["assignee"], "agent@desk.de");
        assert_eq!(assigned["status"], "open");
    }
);

both_dbs!(
    async fn schools_neither_read_nor_write_internal_notes_through_the_api(backend: Backend) {
        let app = setup(&backend).await;
        let tokens = tokens(&app).await;
        noted_through_the_api(&app, &tokens).await;
        let school_view = app.api_get(Some(&tokens.school), "/api/v1/tickets/T-000001").await.json();
        assert!(
            school_view["events"].as_array().unwrap().iter().all(|e| e["internal"] == false),
            "no internal notes for schools"
        );
        let forged = app
            .api_post(Some(&tokens.school), "/api/v1/tickets/T-000001/comments", r#"{"body":"x","internal":true}"#)
            .await;
        assert_eq!(forged.status, Status::Forbidden);
    }
);

both_dbs!(
    async fn a_stale_version_and_an_early_close_are_conflicts_in_the_api(backend: Backend) {
        let app = setup(&backend).await;
        let tokens = tokens(&app).await;
        noted_through_the_api(&app, &tokens).await;
        let stale = app
            .api_post(Some(&tokens.agent), "/api/v1/tickets/T-000001/comments", r#"{"body":"alt","version":1}"#)
            .await;
        assert_eq!(stale.status, Status::Conflict);
        assert_eq!(stale.json()["error"]["code"], "conflict");
        let premature = app.api_post(Some(&tokens.agent), "/api/v1/tickets/T-000001/close", "{}").await;
        assert_eq!(premature.status, Status::Conflict);
    }
);

both_dbs!(
    async fn the_api_resolves_closes_and_reopens_with_the_schools_timeline(backend: Backend) {
        let app = setup(&backend).await;
        let tokens = tokens(&app).await;
        noted_through_the_api(&app, &tokens).await;
        let agent = Some(tokens.agent.as_str());
        let resolved = app
            .api_post(agent, "/api/v1/tickets/T-000001/resolve", r#"{"solution":"Access Point neu gestartet."}"#)
            .await;
        assert_eq!(resolved.json()["status"], "resolved");
        assert_eq!(resolved.json()["solution"], "Access Point neu gestartet.");
        let closed = app.api_post(agent, "/api/v1/tickets/T-000001/close", "{}").await;
        assert_eq!(closed.json()["status"], "closed");
        let reopened =
            app.api_post(Some(&tokens.school), "/api/v1/tickets/T-000001/reopen", r#"{"reason":"wieder weg"}"#).await;
        assert_eq!(reopened.json()["status"], "open");
        let kinds: Vec<String> = reopened.json()["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(kinds, ["created", "assign", "resolved", "closed", "reopened"], "the school's timeline");
    }
);

both_dbs!(
    async fn the_ticket_list_pages_by_key_and_refuses_unknown_filters(backend: Backend) {
        let app = setup(&backend).await;
        let tokens = tokens(&app).await;
        open_through_the_api(&app, &tokens).await;
        for i in 0..7 {
            let body = format!(r#"{{"title":"Drucker {i}","description":"Papierstau"}}"#);
            app.api_post(Some(&tokens.school), "/api/v1/tickets", &body).await;
        }
        let agent = Some(tokens.agent.as_str());
        let mut seen = Vec::new();
        let mut after = String::new();
        loop {
            let page = app
                .api_get(
                    agent,
                    &format!(
                        "/api/v1/tickets?limit=3&after={}",
                        common::encode(&[("", &after)]).trim_start_matches('=')
                    ),
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
        assert_eq!(app.api_get(agent, "/api/v1/tickets?after=kaputt").await.status, Status::UnprocessableEntity);
        assert_eq!(app.api_get(agent, "/api/v1/tickets?status=verloren").await.status, Status::UnprocessableEntity);
    }
);

both_dbs!(
    async fn the_desk_queue_refreshes_itself(backend: Backend) {
        let app = setup(&backend).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let before = agent.get("/desk/changes").await.json()["stamp"].as_str().unwrap().to_string();
        let school = app.token("admin@gym.de").await;
        let body = r#"{"title":"Drucker","description":"Papierstau"}"#;
        app.api_post(Some(&school), "/api/v1/tickets", body).await;
        let after = agent.get("/desk/changes").await.json()["stamp"].as_str().unwrap().to_string();
        assert_ne!(before, after, "a new ticket moves the stamp");
        let page = agent.get("/desk").await;
        assert!(page.body.contains(&format!("data-stamp=\"{after}\"")), "the page carries the stamp it was built from");
        let mut school_admin = app.login("admin@gym.de", PASSWORD).await;
        assert_eq!(school_admin.get("/desk/changes").await.status, Status::Forbidden);
    }
);

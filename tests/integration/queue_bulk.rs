//! The desk queue page: one link per row, the service's name, the next due time and the
//! age; and acting on several tickets at once (assign, priority, close), each changed as
//! its own action would change it, refusals named, bad input refused with nothing changed.
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::common::{Backend, Browser, TestApp, PASSWORD};

async fn setup(backend: &Backend) -> (TestApp, Vec<String>) {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("agent@desk.de", "agent", ""),
        ("lead@desk.de", "desk_lead", ""),
    ])
    .await;
    let school = app.token("admin@gym.de").await;
    let mut numbers = Vec::new();
    for title in ["Beamer Raum 104", "Drucker Sekretariat", "WLAN Lehrerzimmer"] {
        let json =
            serde_json::json!({ "title": title, "description": "Seit heute früh.", "service": "wifi" }).to_string();
        numbers.push(app.open_ticket(&school, &json).await);
    }
    (app, numbers)
}

async fn bulk(agent: &mut Browser<'_>, fields: &[(&str, &str)]) -> String {
    let posted = agent.post_form("/desk/bulk", fields).await;
    assert_eq!(posted.status, Status::SeeOther, "{}", posted.body);
    let back = posted.location.clone().expect("a redirect");
    assert!(back.starts_with("/desk"), "{back}");
    let page = agent.get(&back).await;
    assert_eq!(page.status, Status::Ok);
    // The message, and the page for whatever else a test looks for.
    let flash = page.body.split("class=\"flash").nth(1).and_then(|f| f.split("</div>").next()).unwrap_or("no message");
    format!("{flash}\n{}", page.body)
}

async fn ticket(app: &TestApp, number: &str) -> entities::ticket::Model {
    let id: i32 = number.trim_start_matches("T-").parse().unwrap();
    entities::ticket::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap()
}

async fn audits(app: &TestApp, action: &str) -> u64 {
    entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::Action.eq(action))
        .count(app.db())
        .await
        .unwrap()
}

both_dbs!(
    /// Each row links once (to the ticket, on its title) and shows the service by its
    /// name, the next due time and the age.
    async fn the_queue_shows_one_link_per_row_with_service_due_and_age(backend: Backend) {
        let (app, numbers) = setup(&backend).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let page = agent.get("/desk?queue=all").await;
        assert_eq!(page.status, Status::Ok);
        for number in &numbers {
            let links = page.body.matches(&format!("href=\"/desk/tickets/{number}\"")).count();
            assert_eq!(links, 1, "one link for {number}");
            assert!(page.body.contains(&format!("name=\"tickets\" value=\"{number}\"")), "a box to select {number}");
        }
        assert!(!page.body.contains(">wifi<"), "the service by its name, not its code");
        let service = entities::service::Entity::find()
            .filter(entities::service::Column::Slug.eq("wifi"))
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        assert!(page.body.contains(&format!("<td class=\"col-service\">{}</td>", service.name_de)));
        let due = ticket(&app, &numbers[0]).await.first_response_due.expect("a first response due");
        assert!(page.body.contains(&format!("<time datetime=\"{}", due.format("%Y-%m-%dT%H:%M"))), "the next due time");
        assert!(page.body.contains("<td class=\"col-age\">0 Min.</td>"), "the age of a ticket just opened");
    }
);

both_dbs!(
    /// Closing three tickets of which one is closed already and one is new (the status
    /// machine closes resolved tickets): one is closed, with its own audit record, and the
    /// message names the two that were not.
    async fn a_bulk_action_changes_each_ticket_and_names_the_refusals(backend: Backend) {
        let (app, numbers) = setup(&backend).await;
        let desk = app.token("agent@desk.de").await;
        app.resolve_ticket(&desk, &numbers[0], "Neu gestartet.").await;
        app.resolve_ticket(&desk, &numbers[1], "Kabel getauscht.").await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        agent.get("/desk").await;
        let first =
            bulk(&mut agent, &[("action", "close"), ("tickets", &numbers[0]), ("back", "/desk?queue=all")]).await;
        assert!(first.contains("1 von 1 Tickets geändert."), "{}", first.lines().next().unwrap());
        let closed_before = audits(&app, "ticket.closed").await;
        let fields: Vec<(&str, &str)> = vec![
            ("action", "close"),
            ("tickets", numbers[0].as_str()),
            ("tickets", numbers[1].as_str()),
            ("tickets", numbers[2].as_str()),
            ("back", "/desk?queue=all"),
        ];
        let page = bulk(&mut agent, &fields).await;
        let message = page.lines().next().unwrap();
        assert!(message.contains("1 von 3 Tickets geändert."), "{message}");
        assert!(
            message.contains(&format!("{}: ", numbers[0])) && message.contains(&format!("{}: ", numbers[2])),
            "{message}"
        );
        assert!(!message.contains(&format!("{}: ", numbers[1])), "the closed one is not named: {message}");
        assert_eq!(ticket(&app, &numbers[1]).await.status, staffel::tickets::Status::Closed);
        assert_eq!(ticket(&app, &numbers[2]).await.status, staffel::tickets::Status::New, "the new one stays new");
        assert_eq!(audits(&app, "ticket.closed").await, closed_before + 1, "one audit record per ticket closed");

        let again = bulk(&mut agent, &[("action", "close"), ("tickets", &numbers[2]), ("back", "/desk")]).await;
        let message = again.lines().next().unwrap();
        assert!(message.contains("0 von 1 Tickets geändert.") && message.starts_with(" error"), "a refusal: {message}");
    }
);

both_dbs!(
    /// Assigning to oneself and setting the priority: the service stays as it was.
    async fn bulk_assign_and_priority_keep_the_rest_of_the_ticket(backend: Backend) {
        let (app, numbers) = setup(&backend).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        agent.get("/desk").await;
        let both = [("tickets", numbers[0].as_str()), ("tickets", numbers[1].as_str()), ("back", "/desk")];
        let mut fields = vec![("action", "assign"), ("agent", "me")];
        fields.extend_from_slice(&both);
        assert!(bulk(&mut agent, &fields).await.contains("2 von 2 Tickets geändert."));
        let mut fields = vec![("action", "priority"), ("priority", "P1")];
        fields.extend_from_slice(&both);
        assert!(bulk(&mut agent, &fields).await.contains("2 von 2 Tickets geändert."));
        let agent_id = app.find_user("agent@desk.de").await.unwrap().id;
        for number in &numbers[..2] {
            let t = ticket(&app, number).await;
            assert_eq!((t.assignee_id, t.priority), (Some(agent_id), staffel::tickets::Priority::P1));
            assert!(t.service_id.is_some(), "the service stays");
        }
        let untouched = ticket(&app, &numbers[2]).await;
        assert_eq!(untouched.assignee_id, None, "only the selected tickets change");
    }
);

both_dbs!(
    /// No ticket, an unknown action, a priority or agent that does not exist, a number that
    /// is none, more than 200 tickets, a foreign `back`: a clear message, nothing changed.
    async fn bad_bulk_input_changes_nothing(backend: Backend) {
        let (app, numbers) = setup(&backend).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        agent.get("/desk").await;
        let one = numbers[0].as_str();
        let many: Vec<String> = (1..=201).map(|n| format!("T-{n:06}")).collect();
        let mut too_many: Vec<(&str, &str)> = vec![("action", "close")];
        too_many.extend(many.iter().map(|n| ("tickets", n.as_str())));
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("action", "close")], "Bitte wählen Sie mindestens ein Ticket aus."),
            (vec![("action", "löschen"), ("tickets", one)], "Bitte wählen Sie eine Aktion"),
            (vec![("action", "priority"), ("priority", "P9"), ("tickets", one)], "Priorität"),
            (vec![("action", "assign"), ("agent", "niemand@desk.de"), ("tickets", one)], "niemand@desk.de"),
            (vec![("action", "close"), ("tickets", "kein-ticket")], "ist keine Ticketnummer"),
            (too_many, "Höchstens 200 Tickets auf einmal."),
        ];
        for (mut fields, message) in cases {
            fields.push(("back", "/desk?queue=all"));
            let page = agent.post_form("/desk/bulk", &fields).await;
            assert_eq!(page.status, Status::UnprocessableEntity, "{message}");
            let alert = page.body.split("class=\"alert\"").nth(1).unwrap_or("no alert");
            assert!(alert.split("</div>").next().unwrap().contains(message), "{message}: {alert:.200}");
            assert!(page.body.contains("aria-current=\"page\">Alle"), "the queue it came from, again");
        }
        let away = agent
            .post_form(
                "/desk/bulk",
                &[("action", "close"), ("tickets", numbers[2].as_str()), ("back", "https://evil.example/")],
            )
            .await;
        assert_eq!(away.location.as_deref(), Some("/desk"), "back stays on the desk");
        for number in &numbers {
            let t = ticket(&app, number).await;
            assert_eq!(
                (t.status, t.assignee_id, t.version),
                (staffel::tickets::Status::New, None, 1),
                "{number} unchanged"
            );
        }
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        school.get("/helpdesk").await;
        let refused = school.post_form("/desk/bulk", &[("action", "close"), ("tickets", one)]).await;
        assert_ne!(refused.status, Status::SeeOther, "only the desk acts on the queue");
        assert_eq!(ticket(&app, one).await.status, staffel::tickets::Status::New);
    }
);

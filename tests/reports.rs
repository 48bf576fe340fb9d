//! Teachers' reports: filed to their school's admins, answered or escalated into a
//! ticket, and the solution travelling back down to the teacher.
mod common;

use common::{Backend, TestApp, PASSWORD};
use rocket::http::{ContentType, Method, Status};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

async fn mails_to(app: &TestApp, email: &str) -> Vec<entities::mail_outbox::Model> {
    entities::mail_outbox::Entity::find()
        .filter(entities::mail_outbox::Column::ToAddr.eq(email))
        .order_by_asc(entities::mail_outbox::Column::Id)
        .all(app.db())
        .await
        .unwrap()
}

async fn report_flow(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    app.school("gs").await;
    app.user("lehrer@gym.de", "teacher", "gym").await;
    app.user("kollegin@gym.de", "teacher", "gym").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("admin@gs.de", "school_admin", "gs").await;
    app.user("agent@desk.de", "agent", "").await;

    let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
    let page = teacher.get("/reports").await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("data-suggest=\"/faq/suggest\""), "FAQ suggestions while writing");
    let missing = teacher.post_form("/reports", &[("affected", "Beamer"), ("since", ""), ("how_many", "alle")]).await;
    assert_eq!(missing.status, Status::UnprocessableEntity);
    assert!(missing.body.contains("Bitte füllen Sie dieses Feld aus."));
    assert!(entities::report::Entity::find().all(app.db()).await.unwrap().is_empty());

    let fields = [
        ("affected", "Beamer Raum 112"),
        ("since", "heute früh"),
        ("how_many", "Klasse 7b"),
        ("description", "Kein Bild, Lampe blinkt rot."),
    ];
    let filed = teacher.post_form("/reports", &fields).await;
    assert_eq!(filed.status, Status::SeeOther, "{}", filed.body);
    assert_eq!(filed.location.as_deref(), Some("/reports/1"));
    assert_eq!(mails_to(&app, "admin@gym.de").await.len(), 1, "the school's admins are told");
    assert!(mails_to(&app, "admin@gs.de").await.is_empty(), "another school's are not");

    // Only the teacher and the own school's admins see it.
    let mut colleague = app.login("kollegin@gym.de", PASSWORD).await;
    assert_eq!(colleague.get("/reports/1").await.status, Status::NotFound);
    let mut other_admin = app.login("admin@gs.de", PASSWORD).await;
    assert_eq!(other_admin.get("/helpdesk/reports/1").await.status, Status::NotFound);

    // The admin sees it on the tile and answers it at first level.
    let mut admin = app.login("admin@gym.de", PASSWORD).await;
    assert!(admin.get("/helpdesk").await.body.contains("Beamer Raum 112"));
    let answered = admin
        .post_form(
            "/helpdesk/reports/1/answer",
            &[
                ("triage_scope", "local"),
                ("triage_fault_type", "hardware"),
                ("service", "presentation"),
                ("answer", "Lampe getauscht."),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
    let mail = mails_to(&app, "lehrer@gym.de").await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].body_text.contains("Lampe getauscht."));
    assert!(teacher.get("/reports/1").await.body.contains("Lampe getauscht."));
    let again = admin.post_form("/helpdesk/reports/1/escalate", &[("title", "x"), ("version", "1")]).await;
    assert_eq!(again.status, Status::Conflict, "a handled report is not handled twice");

    // A second report goes up as a ticket carrying the report and its triage.
    let second = teacher
        .post_form(
            "/reports",
            &[
                ("affected", "WLAN im Neubau"),
                ("since", "Montag"),
                ("how_many", "alle Räume"),
                ("description", "Kein Netz."),
            ],
        )
        .await;
    assert_eq!(second.status, Status::SeeOther);
    let escalated = admin
        .post_form(
            "/helpdesk/reports/2/escalate",
            &[
                ("triage_scope", "school"),
                ("triage_fault_type", "unknown"),
                ("service", "wifi"),
                ("title", "WLAN Neubau ausgefallen"),
                ("priority", "P2"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(escalated.status, Status::SeeOther, "{}", escalated.body);
    // PostgreSQL sequences do not roll back with a refused attempt: take the number given.
    let location = escalated.location.unwrap();
    let number = location.strip_prefix("/helpdesk/tickets/").unwrap().to_string();
    let report = entities::report::Entity::find_by_id(2).one(app.db()).await.unwrap().unwrap();
    let ticket = entities::ticket::Entity::find_by_id(report.ticket_id.unwrap()).one(app.db()).await.unwrap().unwrap();
    assert_eq!(staffel::tickets::status::number(ticket.id), number);
    assert_eq!(ticket.report_id, Some(2));
    assert_eq!(ticket.triage_scope.as_deref(), Some("school"));
    assert!(
        ticket.description.contains("Kein Netz.")
            && ticket.description.contains("alle Räume")
            && ticket.description.contains("Test teacher")
    );

    // The desk resolves; the teacher learns the solution by mail and on the report page.
    let agent = app.token("agent@desk.de").await;
    let resolved = app
        .api_send(
            Method::Post,
            Some(&agent),
            &format!("/api/v1/tickets/{number}/resolve"),
            r#"{"solution":"Switch im Keller getauscht."}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
    let mail = mails_to(&app, "lehrer@gym.de").await;
    assert!(mail.last().unwrap().body_text.contains("Switch im Keller getauscht."), "the teacher is told the solution");
    let page = teacher.get("/reports/2").await;
    assert!(page.body.contains("Switch im Keller getauscht.") && page.body.contains(&number));
    assert!(
        mails_to(&app, "admin@gym.de").await.iter().any(|m| m.body_text.contains("Switch im Keller")),
        "and so is the school admin"
    );

    // Roles: agents and pupils do not file reports.
    let mut agent_browser = app.login("agent@desk.de", PASSWORD).await;
    assert_eq!(agent_browser.get("/reports").await.status, Status::Forbidden);
}

#[rocket::async_test]
async fn a_report_climbs_and_its_solution_comes_back() {
    on_each_backend!(report_flow);
}

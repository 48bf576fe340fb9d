//! Teachers' reports: filed to their school's admins, answered or escalated into a
//! ticket, and the solution travelling back down to the teacher.
use crate::common::{ticket_number, Backend, Browser, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::EntityTrait;

const BEAMER: [(&str, &str); 4] = [
    ("affected", "Beamer Raum 112"),
    ("since", "heute früh"),
    ("how_many", "Klasse 7b"),
    ("description", "Kein Bild, Lampe blinkt rot."),
];

const WLAN: [(&str, &str); 4] =
    [("affected", "WLAN im Neubau"), ("since", "Montag"), ("how_many", "alle Räume"), ("description", "Kein Netz.")];

async fn setup(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.school("gs").await;
    app.users(&[
        ("lehrer@gym.de", "teacher", "gym"),
        ("kollegin@gym.de", "teacher", "gym"),
        ("admin@gym.de", "school_admin", "gym"),
        ("admin@gs.de", "school_admin", "gs"),
        ("agent@desk.de", "agent", ""),
    ])
    .await;
    app
}

/// The teacher files the beamer report, the first of the database.
async fn file_the_beamer_report(teacher: &mut Browser<'_>) {
    let filed = teacher.post_form("/reports", &BEAMER).await;
    assert_eq!(filed.status, Status::SeeOther, "{}", filed.body);
    assert_eq!(filed.location.as_deref(), Some("/reports/1"));
}

/// The school admin answers report 1 at first level.
async fn answer_the_beamer_report(admin: &mut Browser<'_>) {
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
}

/// The teacher files the WLAN report and the school admin escalates it; the report's id
/// and the ticket's number.
async fn escalate_the_wlan_report(teacher: &mut Browser<'_>, admin: &mut Browser<'_>) -> (i32, String) {
    let filed = teacher.post_form("/reports", &WLAN).await;
    assert_eq!(filed.status, Status::SeeOther);
    let id: i32 = filed.location.unwrap().trim_start_matches("/reports/").parse().expect("a report id");
    let escalated = admin
        .post_form(
            &format!("/helpdesk/reports/{id}/escalate"),
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
    (id, location.strip_prefix("/helpdesk/tickets/").unwrap().to_string())
}

both_dbs!(
    async fn the_report_form_suggests_faq_articles_while_writing(backend: Backend) {
        let app = setup(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let page = teacher.get("/reports").await;
        assert_eq!(page.status, Status::Ok);
        assert!(page.body.contains("data-suggest=\"/faq/suggest\""), "FAQ suggestions while writing");
        let headings: Vec<&str> = page
            .body
            .split("<h")
            .skip(1)
            .filter(|h| h.starts_with(|c: char| c.is_ascii_digit()))
            .filter_map(|h| h.split_once('>'))
            .map(|(_, rest)| rest.split('<').next().unwrap_or(""))
            .collect();
        let mut unique = headings.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(headings.len(), unique.len(), "no two headings alike: {headings:?}");
    }
);

both_dbs!(
    async fn a_report_missing_a_field_is_refused_and_files_nothing(backend: Backend) {
        let app = setup(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let missing =
            teacher.post_form("/reports", &[("affected", "Beamer"), ("since", ""), ("how_many", "alle")]).await;
        assert_eq!(missing.status, Status::UnprocessableEntity);
        assert!(missing.body.contains("Bitte füllen Sie dieses Feld aus."));
        assert!(entities::report::Entity::find().all(app.db()).await.unwrap().is_empty());
    }
);

both_dbs!(
    async fn a_filed_report_is_told_to_its_schools_admins_only(backend: Backend) {
        let app = setup(&backend).await;
        file_the_beamer_report(&mut app.login("lehrer@gym.de", PASSWORD).await).await;
        assert_eq!(app.mails_to("admin@gym.de").await.len(), 1, "the school's admins are told");
        assert!(app.mails_to("admin@gs.de").await.is_empty(), "another school's are not");
    }
);

both_dbs!(
    async fn only_the_teacher_and_the_schools_admins_see_a_report(backend: Backend) {
        let app = setup(&backend).await;
        file_the_beamer_report(&mut app.login("lehrer@gym.de", PASSWORD).await).await;
        let mut colleague = app.login("kollegin@gym.de", PASSWORD).await;
        assert_eq!(colleague.get("/reports/1").await.status, Status::NotFound);
        let mut other_admin = app.login("admin@gs.de", PASSWORD).await;
        assert_eq!(other_admin.get("/helpdesk/reports/1").await.status, Status::NotFound);
    }
);

both_dbs!(
    async fn the_school_admin_answers_a_report_and_the_teacher_learns_the_answer(backend: Backend) {
        let app = setup(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        file_the_beamer_report(&mut teacher).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        assert!(admin.get("/helpdesk").await.body.contains("Beamer Raum 112"));
        answer_the_beamer_report(&mut admin).await;
        let mail = app.mails_to("lehrer@gym.de").await;
        assert_eq!(mail.len(), 1);
        assert!(mail[0].body_text.contains("Lampe getauscht."));
        assert!(teacher.get("/reports/1").await.body.contains("Lampe getauscht."));
    }
);

both_dbs!(
    async fn a_handled_report_is_not_handled_twice(backend: Backend) {
        let app = setup(&backend).await;
        file_the_beamer_report(&mut app.login("lehrer@gym.de", PASSWORD).await).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        answer_the_beamer_report(&mut admin).await;
        let again = admin.post_form("/helpdesk/reports/1/escalate", &[("title", "x"), ("version", "1")]).await;
        assert_eq!(again.status, Status::Conflict, "a handled report is not handled twice");
    }
);

both_dbs!(
    async fn an_escalated_report_becomes_a_ticket_carrying_the_report_and_its_triage(backend: Backend) {
        let app = setup(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let (report_id, number) = escalate_the_wlan_report(&mut teacher, &mut admin).await;
        let report = entities::report::Entity::find_by_id(report_id).one(app.db()).await.unwrap().unwrap();
        let ticket =
            entities::ticket::Entity::find_by_id(report.ticket_id.unwrap()).one(app.db()).await.unwrap().unwrap();
        assert_eq!(ticket_number(ticket.id), number);
        assert_eq!(ticket.report_id, Some(report_id));
        assert_eq!(ticket.triage_scope.as_deref(), Some("school"));
        assert_eq!(
            ticket.description, "Kein Netz.",
            "the report's text as handed up: no author (a forward would share it), no pasted fields"
        );
    }
);

both_dbs!(
    async fn the_desks_solution_travels_back_to_the_teacher_and_the_school_admin(backend: Backend) {
        let app = setup(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let (report_id, number) = escalate_the_wlan_report(&mut teacher, &mut admin).await;
        let agent = app.token("agent@desk.de").await;
        let resolved = app
            .api_post(
                Some(&agent),
                &format!("/api/v1/tickets/{number}/resolve"),
                r#"{"solution":"Switch im Keller getauscht."}"#,
            )
            .await;
        assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
        let mail = app.mails_to("lehrer@gym.de").await;
        assert!(
            mail.last().unwrap().body_text.contains("Switch im Keller getauscht."),
            "the teacher is told the solution"
        );
        let page = teacher.get(&format!("/reports/{report_id}")).await;
        assert!(page.body.contains("Switch im Keller getauscht.") && page.body.contains(&number));
        assert!(
            app.mails_to("admin@gym.de").await.iter().any(|m| m.body_text.contains("Switch im Keller")),
            "and so is the school admin"
        );
    }
);

both_dbs!(
    async fn agents_do_not_file_reports(backend: Backend) {
        let app = setup(&backend).await;
        let mut agent_browser = app.login("agent@desk.de", PASSWORD).await;
        assert_eq!(agent_browser.get("/reports").await.status, Status::Forbidden);
    }
);

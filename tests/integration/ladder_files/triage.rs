//! The school admin's answer to a report and its escalation, with files.
use super::{event_files, named, LIMIT};
use crate::common::uploads::{download, post_files, stored_files, HTML, PDF, PNG};
use crate::common::{html_message, ticket_id, version_field, Backend, Browser, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use staffel::i18n::Lang;

const REPORT: [(&str, &str); 4] =
    [("affected", "Beamer 204"), ("since", "heute"), ("how_many", "eine Klasse"), ("description", "Aus.")];

/// The people of the triage tests, signed in: two teachers and the admins of two schools,
/// and an agent.
struct People<'a> {
    teacher: Browser<'a>,
    other_teacher: Browser<'a>,
    admin: Browser<'a>,
    other_admin: Browser<'a>,
    agent: Browser<'a>,
}

async fn triage_app(backend: &Backend) -> TestApp {
    let app = TestApp::with(backend, |f| f.merge(("staffel.attachment_max_bytes", LIMIT))).await;
    app.school("gym").await;
    app.school("gs").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("admin@gs.de", "school_admin", "gs"),
        ("lehrer@gym.de", "teacher", "gym"),
        ("lehrer2@gym.de", "teacher", "gym"),
        ("agent@desk.de", "agent", ""),
    ])
    .await;
    app
}

/// Everyone signed in; the teacher has filed two reports, the first with a screenshot: the
/// ids of the one to escalate (with the screenshot) and of the one to answer.
async fn two_reports(app: &TestApp) -> (People<'_>, String, String) {
    let mut people = People {
        teacher: app.login("lehrer@gym.de", PASSWORD).await,
        other_teacher: app.login("lehrer2@gym.de", PASSWORD).await,
        admin: app.login("admin@gym.de", PASSWORD).await,
        other_admin: app.login("admin@gs.de", PASSWORD).await,
        agent: app.login("agent@desk.de", PASSWORD).await,
    };
    let mut filed = Vec::new();
    for files in [&[("files", "bildschirmfoto.png", "image/png", PNG)][..], &[]] {
        let reply = post_files(&mut people.teacher, "/reports", &REPORT, files).await;
        assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
        filed.push(reply.location.unwrap().trim_start_matches("/reports/").to_string());
    }
    let answered = filed.pop().unwrap();
    (people, filed.pop().unwrap(), answered)
}

/// The escalation form's fields, with the version the report's page shows.
async fn escalation_fields(admin: &mut Browser<'_>, report: &str) -> Vec<(&'static str, String)> {
    let version = version_field(&admin.get(&format!("/helpdesk/reports/{report}")).await.body);
    vec![
        ("triage_scope", "local".into()),
        ("triage_fault_type", "hardware".into()),
        ("service", "presentation".into()),
        ("title", "Beamer 204".into()),
        ("priority", "P3".into()),
        ("version", version),
    ]
}

/// The school admin answers a report with a guide attached; the file's row.
async fn answer_with_a_guide(app: &TestApp, admin: &mut Browser<'_>, report: &str) -> entities::attachment::Model {
    let done = post_files(
        admin,
        &format!("/helpdesk/reports/{report}/answer"),
        &[("answer", "Anleitung anbei.")],
        &[("files", "anleitung.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    named(app, "anleitung.pdf").await
}

/// The school admin escalates a report with a network plan attached; the ticket's number.
async fn escalate_with_a_plan(admin: &mut Browser<'_>, report: &str) -> String {
    let fields = escalation_fields(admin, report).await;
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = post_files(
        admin,
        &format!("/helpdesk/reports/{report}/escalate"),
        &fields,
        &[("files", "netzplan.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    done.location.unwrap().rsplit('/').next().unwrap().to_string()
}

both_dbs!(
    async fn the_admins_are_told_of_a_report_with_its_screenshot_named(backend: Backend) {
        let app = triage_app(&backend).await;
        two_reports(&app).await;
        let to_admin: Vec<String> = entities::mail_outbox::Entity::find()
            .filter(entities::mail_outbox::Column::ToAddr.eq("admin@gym.de"))
            .order_by_asc(entities::mail_outbox::Column::Id)
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.body_text)
            .collect();
        assert_eq!(to_admin.len(), 2, "{to_admin:?}");
        assert!(to_admin[0].contains("- bildschirmfoto.png ("), "{}", to_admin[0]);
        assert!(!to_admin[1].contains("bildschirmfoto.png"), "{}", to_admin[1]);
    }
);

both_dbs!(
    async fn the_triage_form_takes_files(backend: Backend) {
        let app = triage_app(&backend).await;
        let (mut people, escalated, _) = two_reports(&app).await;
        let page = people.admin.get(&format!("/helpdesk/reports/{escalated}")).await;
        let form = format!("action=\"/helpdesk/reports/{escalated}/answer\" enctype=\"multipart/form-data\"");
        assert!(page.body.contains(&form) && page.body.contains("name=\"files\" type=\"file\""), "{}", page.body);
    }
);

both_dbs!(
    async fn refused_triage_files_change_nothing(backend: Backend) {
        let app = triage_app(&backend).await;
        let (mut people, escalated, answered) = two_reports(&app).await;
        let escalate = escalation_fields(&mut people.admin, &escalated).await;
        let escalate: Vec<(&str, &str)> = escalate.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // No ticket, no answer, no row, no file.
        let before = app.fingerprint().await;
        let refused = post_files(
            &mut people.admin,
            &format!("/helpdesk/reports/{escalated}/escalate"),
            &escalate,
            &[("files", "netzplan.png", "image/png", HTML)],
        )
        .await;
        assert_eq!(refused.status, Status::UnprocessableEntity);
        assert!(refused.body.contains(&html_message(Lang::De, "attachments.type_refused", "netzplan.png")));
        let mut big = PDF.to_vec();
        big.resize(LIMIT as usize + 1, b' ');
        let refused = post_files(
            &mut people.admin,
            &format!("/helpdesk/reports/{answered}/answer"),
            &[("answer", "Kabel getauscht.")],
            &[("files", "anleitung.pdf", "application/pdf", &big)],
        )
        .await;
        assert_eq!(refused.status, Status::UnprocessableEntity);
        assert!(refused.body.contains(&html_message(Lang::De, "attachments.too_large", "4 KB")));
        assert_eq!(app.fingerprint().await, before, "nothing changed in the database");
        assert_eq!(stored_files(&app).len(), 1, "only the teacher's screenshot");
    }
);

both_dbs!(
    async fn another_schools_admin_learns_nothing_from_a_file_message(backend: Backend) {
        let app = triage_app(&backend).await;
        let (people, _, answered) = two_reports(&app).await;
        // The report is not found, whatever the file.
        let mut probe = people.other_admin.fork();
        let probed = post_files(
            &mut probe,
            &format!("/helpdesk/reports/{answered}/answer"),
            &[("answer", "x")],
            &[("files", "x.png", "image/png", HTML)],
        )
        .await;
        assert_eq!(probed.status, Status::NotFound);
    }
);

both_dbs!(
    async fn a_file_on_an_answer_is_the_reports_for_its_teacher(backend: Backend) {
        let app = triage_app(&backend).await;
        let (mut people, _, answered) = two_reports(&app).await;
        let guide = answer_with_a_guide(&app, &mut people.admin, &answered).await;
        assert_eq!((guide.report_id.map(|r| r.to_string()), guide.ticket_id), (Some(answered.clone()), None));
        assert!(!guide.internal && guide.uploaded_by == Some(app.user_id("admin@gym.de").await));
        assert!(people.teacher.get(&format!("/reports/{answered}")).await.body.contains("anleitung.pdf"));
        let answer_mail = app.mails_to("lehrer@gym.de").await.pop().expect("the teacher's mail");
        assert!(answer_mail.body_text.contains("Anleitung anbei."), "{}", answer_mail.body_text);
        assert!(
            answer_mail.body_text.contains("- anleitung.pdf ("),
            "the mail names the file: {}",
            answer_mail.body_text
        );
        assert!(answer_mail.body_html.contains("anleitung.pdf"));
        let url = format!("/attachments/{}", guide.id);
        assert_eq!(download(&app, Some(&people.teacher), None, &url).await.bytes, PDF);
        for (who, browser) in [
            ("another teacher", &people.other_teacher),
            ("another school", &people.other_admin),
            ("the desk", &people.agent),
        ] {
            assert_eq!(download(&app, Some(browser), None, &url).await.status, Status::NotFound, "{who}");
        }
    }
);

both_dbs!(
    async fn a_file_on_an_escalation_arrives_in_the_ticket_beside_the_reports_own(backend: Backend) {
        let app = triage_app(&backend).await;
        let (mut people, escalated, _) = two_reports(&app).await;
        let number = escalate_with_a_plan(&mut people.admin, &escalated).await;
        let ticket_id = ticket_id(&number);
        let plan = named(&app, "netzplan.png").await;
        let shot = named(&app, "bildschirmfoto.png").await;
        assert_eq!((plan.ticket_id, plan.report_id, plan.internal), (Some(ticket_id), None, false));
        assert_eq!(shot.ticket_id, Some(ticket_id), "the report's own file is carried too");
        assert_eq!(event_files(&app, "attachments").await, vec![shot.id as i64, plan.id as i64], "one timeline entry");
        let desk_page = people.agent.get(&format!("/desk/tickets/{number}")).await;
        assert!(desk_page.body.contains("netzplan.png") && desk_page.body.contains("bildschirmfoto.png"));
        assert!(people.admin.get(&format!("/helpdesk/tickets/{number}")).await.body.contains("netzplan.png"));
        let url = format!("/attachments/{}", plan.id);
        assert_eq!(download(&app, Some(&people.agent), None, &url).await.bytes, PNG);
        assert_eq!(download(&app, Some(&people.admin), None, &url).await.status, Status::Ok);
        for (who, browser) in [("another school", &people.other_admin), ("the teacher", &people.teacher)] {
            assert_eq!(download(&app, Some(browser), None, &url).await.status, Status::NotFound, "{who}");
        }
        let desk_token = app.token("agent@desk.de").await;
        let api_path = format!("/api/v1/tickets/{number}/attachments/{}", plan.id);
        assert_eq!(download(&app, None, Some(&desk_token), &api_path).await.status, Status::Ok);
    }
);

both_dbs!(
    async fn every_triage_file_has_its_audit_event(backend: Backend) {
        let app = triage_app(&backend).await;
        let (mut people, escalated, answered) = two_reports(&app).await;
        answer_with_a_guide(&app, &mut people.admin, &answered).await;
        escalate_with_a_plan(&mut people.admin, &escalated).await;
        let uploads = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("attachment.upload"))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(uploads.len(), 3, "each file has its audit event");
    }
);

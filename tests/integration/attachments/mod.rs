//! Attachments and screenshots: every upload point (teacher report, new ticket, school
//! reply, desk reply and internal note, provider page and API, ticket API), escalation
//! carrying the report's files, the size limit and type-by-content checks (refused with a
//! clear message, nothing stored), scoping of downloads (other schools, other teachers,
//! providers only through a valid link and only what was shared) and the safe headers.
//!
//! One ticket collects files from every upload point in turn; the steps are helpers that
//! check what each upload answers, and every test takes the ticket as far as it needs.
mod refusals;
mod sharing;
mod upload_points;

use crate::common::uploads::{attachments, post_files, Download, LOG, PDF, PNG};
use crate::common::{version_field, Browser, TestApp, PASSWORD};
use rocket::http::Status;

async fn setup(app: &TestApp) {
    app.school("gym").await;
    app.school("gs").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("admin@gs.de", "school_admin", "gs"),
        ("lehrer@gym.de", "teacher", "gym"),
        ("lehrer2@gym.de", "teacher", "gym"),
        ("schueler@gym.de", "pupil", "gym"),
        ("agent@desk.de", "agent", ""),
        ("op@ops.de", "operator", ""),
    ])
    .await;
    app.provider("netz", "Netz GmbH", "16", &["Support <support@netz.de>"], &["wifi"]).await;
}

fn assert_safe_headers(d: &Download, content_type: &str, inline: bool, name: &str) {
    assert_eq!(d.headers.get("content-type").map(String::as_str), Some(content_type));
    assert_eq!(d.headers.get("x-content-type-options").map(String::as_str), Some("nosniff"));
    assert_eq!(d.headers.get("content-security-policy").map(String::as_str), Some("sandbox; default-src 'none'"));
    assert_eq!(d.headers.get("cache-control").map(String::as_str), Some("private"));
    let disposition = d.headers.get("content-disposition").expect("a Content-Disposition");
    let kind = if inline { "inline;" } else { "attachment;" };
    assert!(disposition.starts_with(kind), "{disposition}");
    assert!(disposition.contains(&format!("filename=\"{name}\"")), "{disposition}");
}

/// Everyone the upload tests need, signed in.
struct People<'a> {
    teacher: Browser<'a>,
    other_teacher: Browser<'a>,
    school: Browser<'a>,
    other_school: Browser<'a>,
    agent: Browser<'a>,
    pupil: Browser<'a>,
    operator: Browser<'a>,
}

async fn people(app: &TestApp) -> People<'_> {
    People {
        teacher: app.login("lehrer@gym.de", PASSWORD).await,
        other_teacher: app.login("lehrer2@gym.de", PASSWORD).await,
        school: app.login("admin@gym.de", PASSWORD).await,
        other_school: app.login("admin@gs.de", PASSWORD).await,
        agent: app.login("agent@desk.de", PASSWORD).await,
        pupil: app.login("schueler@gym.de", PASSWORD).await,
        operator: app.login("op@ops.de", PASSWORD).await,
    }
}

/// The row of the file with this name.
async fn named(app: &TestApp, name: &str) -> entities::attachment::Model {
    attachments(app).await.into_iter().find(|a| a.filename == name).unwrap()
}

/// Upload point 1: the teacher's report with a screenshot. The report's page and the
/// screenshot's row.
async fn report_with_screenshot(app: &TestApp, p: &mut People<'_>) -> (String, entities::attachment::Model) {
    let filed = post_files(
        &mut p.teacher,
        "/reports",
        &[("affected", "Beamer 204"), ("since", "heute"), ("how_many", "eine Klasse"), ("description", "Kein Bild.")],
        &[("files", "bildschirmfoto.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(filed.status, Status::SeeOther, "{}", filed.body);
    let rows = attachments(app).await;
    assert_eq!(rows.len(), 1);
    (filed.location.clone().unwrap(), rows[0].clone())
}

/// The school admin escalates the report into a ticket; its number.
async fn escalate(p: &mut People<'_>, report_path: &str) -> String {
    let report_id = report_path.trim_start_matches("/reports/");
    let escalated = p
        .school
        .post_form(
            &format!("/helpdesk/reports/{report_id}/escalate"),
            &[
                ("triage_scope", "local"),
                ("triage_fault_type", "hardware"),
                ("service", "presentation"),
                ("title", "Beamer 204"),
                ("priority", "P3"),
            ],
        )
        .await;
    assert_eq!(escalated.status, Status::SeeOther, "{}", escalated.body);
    escalated.location.clone().unwrap().rsplit('/').next().unwrap().to_string()
}

/// Upload point 2: a new ticket with a PDF and a log file. Its number and the two rows.
async fn ticket_with_pdf_and_log(
    app: &TestApp,
    p: &mut People<'_>,
) -> (String, entities::attachment::Model, entities::attachment::Model) {
    let opened = post_files(
        &mut p.school,
        "/helpdesk/tickets",
        &[("title", "Drucker im Lehrerzimmer"), ("description", "Papierstau."), ("service", "printing")],
        &[("files", "fehler.pdf", "application/pdf", PDF), ("files", "drucker.log", "text/plain", LOG)],
    )
    .await;
    assert_eq!(opened.status, Status::SeeOther, "{}", opened.body);
    let number = opened.location.clone().unwrap().rsplit('/').next().unwrap().to_string();
    (number, named(app, "fehler.pdf").await, named(app, "drucker.log").await)
}

/// Upload points 3 to 5 on that ticket: the school replies with a photo only; the desk
/// notes a file internally and answers with a guide. The internal and the public row.
async fn replies_with_files(
    app: &TestApp,
    p: &mut People<'_>,
    number: &str,
) -> (entities::attachment::Model, entities::attachment::Model) {
    let view = p.school.get(&format!("/helpdesk/tickets/{number}")).await;
    let replied = post_files(
        &mut p.school,
        &format!("/helpdesk/tickets/{number}/comment"),
        &[("body", ""), ("version", &version_field(&view.body))],
        &[("files", "foto.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(replied.status, Status::SeeOther, "{}", replied.body);
    let desk_page = p.agent.get(&format!("/desk/tickets/{number}")).await;
    let noted = post_files(
        &mut p.agent,
        &format!("/desk/tickets/{number}/comment"),
        &[("body", "Geheimes Protokoll"), ("internal", "true"), ("version", &version_field(&desk_page.body))],
        &[("files", "intern.txt", "text/plain", b"nur fuer den Desk\n")],
    )
    .await;
    assert_eq!(noted.status, Status::SeeOther, "{}", noted.body);
    let v = version_field(&p.agent.get(&format!("/desk/tickets/{number}")).await.body);
    let answered = post_files(
        &mut p.agent,
        &format!("/desk/tickets/{number}/comment"),
        &[("body", "Anleitung anbei"), ("version", &v)],
        &[("files", "anleitung.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
    (named(app, "intern.txt").await, named(app, "anleitung.pdf").await)
}

/// The files a ticket has collected from the report, the form and the replies.
struct Collected {
    shot: entities::attachment::Model,
    first: String,
    second: String,
    pdf: entities::attachment::Model,
    log: entities::attachment::Model,
    internal: entities::attachment::Model,
    public: entities::attachment::Model,
}

/// Every upload point of the school and the desk, in order.
async fn collected(app: &TestApp, p: &mut People<'_>) -> Collected {
    let (report_path, shot) = report_with_screenshot(app, p).await;
    let first = escalate(p, &report_path).await;
    let (second, pdf, log) = ticket_with_pdf_and_log(app, p).await;
    let (internal, public) = replies_with_files(app, p, &second).await;
    Collected { shot, first, second, pdf, log, internal, public }
}

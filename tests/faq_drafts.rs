//! One click turns a solution into an FAQ draft: the desk from a ticket (a global draft),
//! a school admin from an answered report (a draft for their school). Drafts stay unseen
//! by readers until an author publishes them.
mod common;

use common::{Backend, TestApp, PASSWORD};
use rocket::http::{ContentType, Method, Status};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn article(app: &TestApp, slug: &str) -> entities::kb_article::Model {
    entities::kb_article::Entity::find()
        .filter(entities::kb_article::Column::Slug.eq(slug))
        .one(app.db())
        .await
        .unwrap()
        .expect("the draft exists")
}

fn slug_of(location: &str) -> String {
    location.trim_start_matches("/kb/").trim_end_matches("/edit").to_string()
}

async fn drafts(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("lehrer@gym.de", "teacher", "gym").await;
    app.user("schueler@gym.de", "pupil", "gym").await;
    app.user("agent@desk.de", "agent", "").await;
    let school = app.token("admin@gym.de").await;
    let agent = app.token("agent@desk.de").await;
    let opened = app
        .api_send(
            Method::Post,
            Some(&school),
            "/api/v1/tickets",
            r#"{"title":"Dokumentenkamera zeigt nur Streifen","description":"Raum 12, seit dem Update.","service":"presentation"}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(opened.status, Status::Created, "{}", opened.body);

    // No solution yet: nothing to draft, and nothing is created.
    let mut desk = app.login("agent@desk.de", PASSWORD).await;
    let early = desk.post_form("/kb/drafts/ticket/T-000001", &[]).await;
    assert_eq!(early.status, Status::Conflict);
    assert!(early.body.contains("braucht eine Lösung"), "{}", early.body);

    let resolved = app
        .api_send(
            Method::Post,
            Some(&agent),
            "/api/v1/tickets/T-000001/resolve",
            r#"{"solution":"Treiber der Kamera neu installiert, danach USB-Anschluss gewechselt."}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
    let page = desk.get("/desk/tickets/T-000001").await;
    assert!(page.body.contains("action=\"/kb/drafts/ticket/T-000001\""), "the ticket page offers the draft");

    let drafted = desk.post_form("/kb/drafts/ticket/T-000001", &[]).await;
    assert_eq!(drafted.status, Status::SeeOther, "{}", drafted.body);
    let location = drafted.location.clone().unwrap();
    assert!(location.ends_with("/edit"), "{location}");
    let draft = article(&app, &slug_of(&location)).await;
    assert_eq!((draft.status.as_str(), draft.school_id, draft.proposed), ("draft", None, false));
    assert_eq!(draft.title, "Dokumentenkamera zeigt nur Streifen");
    assert!(draft.body.contains("## Lösung") && draft.body.contains("Treiber der Kamera neu installiert"));
    assert!(draft.body.contains("Raum 12, seit dem Update."));
    let edit = desk.get(&location).await;
    assert_eq!(edit.status, Status::Ok);
    assert!(edit.body.contains("Treiber der Kamera"), "the edit page holds the draft");

    // Readers do not find a draft.
    let mut pupil = app.login("schueler@gym.de", PASSWORD).await;
    assert_eq!(pupil.get(&format!("/kb/{}", draft.slug)).await.status, Status::NotFound);

    // The school admin drafts from an answered report, for their school only.
    let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
    let filed = teacher
        .post_form(
            "/reports",
            &[
                ("affected", "Drucker im Lehrerzimmer"),
                ("since", "heute"),
                ("how_many", "alle"),
                ("description", "Druckt nur leere Seiten."),
            ],
        )
        .await;
    assert_eq!(filed.status, Status::SeeOther, "{}", filed.body);
    let report = entities::report::Entity::find().one(app.db()).await.unwrap().unwrap();
    let mut admin = app.login("admin@gym.de", PASSWORD).await;
    let unanswered = admin.post_form(&format!("/kb/drafts/report/{}", report.id), &[]).await;
    assert_eq!(unanswered.status, Status::Conflict);
    let answered = admin
        .post_form(
            &format!("/helpdesk/reports/{}/answer", report.id),
            &[
                ("triage_scope", "local"),
                ("triage_fault_type", "hardware"),
                ("service", "printing"),
                ("answer", "Toner war leer; neue Kartusche eingesetzt."),
                ("version", &report.version.to_string()),
            ],
        )
        .await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
    let shown = admin.get(&format!("/helpdesk/reports/{}", report.id)).await;
    assert!(shown.body.contains(&format!("action=\"/kb/drafts/report/{}\"", report.id)));
    let drafted = admin.post_form(&format!("/kb/drafts/report/{}", report.id), &[]).await;
    assert_eq!(drafted.status, Status::SeeOther, "{}", drafted.body);
    let school_draft = article(&app, &slug_of(drafted.location.as_deref().unwrap())).await;
    assert_eq!(school_draft.status, "draft");
    assert!(school_draft.school_id.is_some(), "a school admin's draft is for their school");
    assert!(school_draft.body.contains("neue Kartusche"));

    // The desk cannot draft from a report it never sees.
    assert_eq!(desk.post_form(&format!("/kb/drafts/report/{}", report.id), &[]).await.status, Status::NotFound);
}

#[rocket::async_test]
async fn a_solution_becomes_an_faq_draft_in_one_click() {
    on_each_backend!(drafts);
}

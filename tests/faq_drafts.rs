//! One click turns a solution into an FAQ draft: the desk from a ticket (a global draft),
//! a school admin from an answered report (a draft for their school). Drafts stay unseen
//! by readers until an author publishes them. A second click (or two at once) on the same
//! solution leads to the draft made first.
mod common;

use common::{html_message, Backend, TestApp, PASSWORD};
use rocket::http::{ContentType, Method, Status};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use staffel::i18n::Lang;

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

/// How many articles carry this title.
async fn titled(app: &TestApp, title: &str) -> usize {
    entities::kb_article::Entity::find()
        .filter(entities::kb_article::Column::Title.eq(title))
        .all(app.db())
        .await
        .unwrap()
        .len()
}

/// Opens a ticket as the school and resolves it as the desk; its number.
async fn solved_ticket(app: &TestApp, school: &str, agent: &str, title: &str) -> String {
    let body = format!(r#"{{"title":"{title}","description":"Seit heute.","service":"printing"}}"#);
    let opened = app.api_send(Method::Post, Some(school), "/api/v1/tickets", &body, ContentType::JSON).await;
    assert_eq!(opened.status, Status::Created, "{}", opened.body);
    let number = opened.json()["number"].as_str().unwrap().to_string();
    let resolved = app
        .api_send(
            Method::Post,
            Some(agent),
            &format!("/api/v1/tickets/{number}/resolve"),
            r#"{"solution":"Warteschlange geleert, Treiber neu installiert."}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
    number
}

async fn once_per_solution(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("lehrer@gym.de", "teacher", "gym").await;
    app.user("agent@desk.de", "agent", "").await;
    app.user("lead@desk.de", "desk_lead", "").await;
    let school = app.token("admin@gym.de").await;
    let agent = app.token("agent@desk.de").await;
    let first_title = "Drucker druckt nur leere Seiten";
    let number = solved_ticket(&app, &school, &agent, first_title).await;
    let path = format!("/kb/drafts/ticket/{number}");

    // A double-click: the second POST leads to the draft the first one made.
    let mut desk = app.login("agent@desk.de", PASSWORD).await;
    let first = desk.post_form(&path, &[]).await;
    assert_eq!(first.status, Status::SeeOther, "{}", first.body);
    let second = desk.post_form(&path, &[]).await;
    assert_eq!(second.status, Status::SeeOther, "{}", second.body);
    assert_eq!(second.location, first.location, "the same draft");
    assert_eq!(titled(&app, first_title).await, 1, "one draft");
    let edit = desk.get(second.location.as_deref().unwrap()).await;
    assert!(edit.body.contains(&html_message(Lang::De, "kb.draft_exists", "")), "it says so");
    // A colleague at the desk, and the draft published meanwhile: still that article.
    let draft = article(&app, &slug_of(first.location.as_deref().unwrap())).await;
    entities::kb_article::Entity::update_many()
        .col_expr(entities::kb_article::Column::Status, sea_orm::sea_query::Expr::value("published"))
        .filter(entities::kb_article::Column::Id.eq(draft.id))
        .exec(app.db())
        .await
        .unwrap();
    let mut lead = app.login("lead@desk.de", PASSWORD).await;
    assert_eq!(lead.post_form(&path, &[]).await.location, first.location);
    assert_eq!(titled(&app, first_title).await, 1);

    // The school admin's draft of the same ticket is their school's own, also made once.
    let mut admin = app.login("admin@gym.de", PASSWORD).await;
    let local = admin.post_form(&path, &[]).await;
    assert_eq!(local.status, Status::SeeOther, "{}", local.body);
    assert_ne!(local.location, first.location);
    assert!(article(&app, &slug_of(local.location.as_deref().unwrap())).await.school_id.is_some());
    assert_eq!(admin.post_form(&path, &[]).await.location, local.location);
    assert_eq!(titled(&app, first_title).await, 2, "one global, one for the school");

    // A report's answer, twice.
    let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
    let report = [("affected", "Beamer 204"), ("since", "heute"), ("how_many", "alle"), ("description", "Aus.")];
    let filed = teacher.post_form("/reports", &report).await;
    let report_id = filed.location.unwrap().trim_start_matches("/reports/").to_string();
    let answered =
        admin.post_form(&format!("/helpdesk/reports/{report_id}/answer"), &[("answer", "Lampe getauscht.")]).await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
    let report_path = format!("/kb/drafts/report/{report_id}");
    let from_report = admin.post_form(&report_path, &[]).await;
    assert_eq!(from_report.status, Status::SeeOther, "{}", from_report.body);
    assert_eq!(admin.post_form(&report_path, &[]).await.location, from_report.location);
    assert_eq!(titled(&app, "Beamer 204").await, 1);

    // Clicks at the same moment: one draft, all land on it (whichever commits first, the
    // others' transactions fail on the unique indexes and lead to its draft).
    let race_title = "Scanner sendet keine Mails";
    let race = format!("/kb/drafts/ticket/{}", solved_ticket(&app, &school, &agent, race_title).await);
    let mut clicks = [desk.fork(), desk.fork(), desk.fork(), desk.fork()];
    let [a, b, c, d] = &mut clicks;
    let replies = tokio::join!(
        a.post_form(&race, &[]),
        b.post_form(&race, &[]),
        c.post_form(&race, &[]),
        d.post_form(&race, &[])
    );
    for reply in [&replies.0, &replies.1, &replies.2, &replies.3] {
        assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
        assert_eq!(reply.location, replies.0.location);
    }
    assert_eq!(titled(&app, race_title).await, 1, "one draft");
    let links = entities::kb_draft_source::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(links.len(), 4, "one link per solution and scope");

    // The database itself refuses a second draft of one solution in one scope.
    let duplicate = entities::kb_draft_source::ActiveModel {
        article_id: sea_orm::Set(draft.id),
        ticket_id: sea_orm::Set(Some(staffel::tickets::status::id_of(&number).unwrap())),
        report_id: sea_orm::Set(None),
        scope: sea_orm::Set("global".into()),
        created_by: sea_orm::Set(None),
        created_at: sea_orm::Set(chrono::Utc::now()),
        ..Default::default()
    };
    assert!(sea_orm::ActiveModelTrait::insert(duplicate, app.db()).await.is_err(), "the unique index");
}

#[rocket::async_test]
async fn a_second_click_leads_to_the_draft_made_first() {
    on_each_backend!(once_per_solution);
}

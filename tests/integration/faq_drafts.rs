//! One click turns a solution into an FAQ draft: the desk from a ticket (a global draft),
//! a school admin from an answered report (a draft for their school). Drafts stay unseen
//! by readers until an author publishes them. A second click (or two at once) on the same
//! solution leads to the draft made first.
use crate::common::{article_by_slug, html_message, ticket_id, Backend, Browser, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use staffel::i18n::Lang;

fn slug_of(location: &str) -> String {
    location.trim_start_matches("/kb/").trim_end_matches("/edit").to_string()
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
    let number = app.open_ticket(school, &body).await;
    app.resolve_ticket(agent, &number, "Warteschlange geleert, Treiber neu installiert.").await;
    number
}

// ---- one click --------------------------------------------------------------------------

/// School gym with its admin, a teacher and a pupil, and an agent; the school admin has
/// opened T-000001 (a document camera) through the API.
async fn camera_ticket(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("lehrer@gym.de", "teacher", "gym"),
        ("schueler@gym.de", "pupil", "gym"),
        ("agent@desk.de", "agent", ""),
    ])
    .await;
    let school = app.token("admin@gym.de").await;
    app.open_ticket(
        &school,
        r#"{"title":"Dokumentenkamera zeigt nur Streifen","description":"Raum 12, seit dem Update.","service":"presentation"}"#,
    )
    .await;
    app
}

/// The desk resolves the camera ticket and drafts from it; the draft's edit page address.
async fn draft_from_the_camera_ticket(app: &TestApp, desk: &mut Browser<'_>) -> String {
    let agent = app.token("agent@desk.de").await;
    app.resolve_ticket(&agent, "T-000001", "Treiber der Kamera neu installiert, danach USB-Anschluss gewechselt.")
        .await;
    let drafted = desk.post_form("/kb/drafts/ticket/T-000001", &[]).await;
    assert_eq!(drafted.status, Status::SeeOther, "{}", drafted.body);
    drafted.location.clone().unwrap()
}

/// The teacher reports that the printer prints blank pages; the report's row.
async fn printer_report(app: &TestApp) -> entities::report::Model {
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
    entities::report::Entity::find().one(app.db()).await.unwrap().unwrap()
}

/// The school admin answers the printer report at first level.
async fn answer_the_printer_report(admin: &mut Browser<'_>, report: &entities::report::Model) {
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
}

both_dbs!(
    async fn a_ticket_without_a_solution_has_nothing_to_draft(backend: Backend) {
        let app = camera_ticket(&backend).await;
        let mut desk = app.login("agent@desk.de", PASSWORD).await;
        let early = desk.post_form("/kb/drafts/ticket/T-000001", &[]).await;
        assert_eq!(early.status, Status::Conflict);
        assert!(early.body.contains("braucht eine Lösung"), "{}", early.body);
    }
);

both_dbs!(
    async fn the_desk_drafts_a_global_article_from_a_tickets_solution_in_one_click(backend: Backend) {
        let app = camera_ticket(&backend).await;
        let mut desk = app.login("agent@desk.de", PASSWORD).await;
        let agent = app.token("agent@desk.de").await;
        app.resolve_ticket(&agent, "T-000001", "Treiber der Kamera neu installiert, danach USB-Anschluss gewechselt.")
            .await;
        let page = desk.get("/desk/tickets/T-000001").await;
        assert!(page.body.contains("action=\"/kb/drafts/ticket/T-000001\""), "the ticket page offers the draft");
        let drafted = desk.post_form("/kb/drafts/ticket/T-000001", &[]).await;
        assert_eq!(drafted.status, Status::SeeOther, "{}", drafted.body);
        let location = drafted.location.clone().unwrap();
        assert!(location.ends_with("/edit"), "{location}");
        let draft = article_by_slug(&app, &slug_of(&location)).await;
        assert_eq!((draft.status.as_str(), draft.school_id, draft.proposed), ("draft", None, false));
        assert_eq!(draft.title, "Dokumentenkamera zeigt nur Streifen");
        assert!(draft.body.contains("## Lösung") && draft.body.contains("Treiber der Kamera neu installiert"));
        assert!(draft.body.contains("Raum 12, seit dem Update."));
        let edit = desk.get(&location).await;
        assert_eq!(edit.status, Status::Ok);
        assert!(edit.body.contains("Treiber der Kamera"), "the edit page holds the draft");
    }
);

both_dbs!(
    async fn readers_do_not_find_a_draft(backend: Backend) {
        let app = camera_ticket(&backend).await;
        let location = draft_from_the_camera_ticket(&app, &mut app.login("agent@desk.de", PASSWORD).await).await;
        let draft = article_by_slug(&app, &slug_of(&location)).await;
        let mut pupil = app.login("schueler@gym.de", PASSWORD).await;
        assert_eq!(pupil.get(&format!("/kb/{}", draft.slug)).await.status, Status::NotFound);
    }
);

both_dbs!(
    async fn a_report_nobody_answered_has_nothing_to_draft(backend: Backend) {
        let app = camera_ticket(&backend).await;
        let report = printer_report(&app).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let unanswered = admin.post_form(&format!("/kb/drafts/report/{}", report.id), &[]).await;
        assert_eq!(unanswered.status, Status::Conflict);
    }
);

both_dbs!(
    async fn a_school_admin_drafts_from_an_answered_report_for_their_school(backend: Backend) {
        let app = camera_ticket(&backend).await;
        let report = printer_report(&app).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        answer_the_printer_report(&mut admin, &report).await;
        let shown = admin.get(&format!("/helpdesk/reports/{}", report.id)).await;
        assert!(shown.body.contains(&format!("action=\"/kb/drafts/report/{}\"", report.id)));
        let drafted = admin.post_form(&format!("/kb/drafts/report/{}", report.id), &[]).await;
        assert_eq!(drafted.status, Status::SeeOther, "{}", drafted.body);
        let school_draft = article_by_slug(&app, &slug_of(drafted.location.as_deref().unwrap())).await;
        assert_eq!(school_draft.status.as_str(), "draft");
        assert!(school_draft.school_id.is_some(), "a school admin's draft is for their school");
        assert!(school_draft.body.contains("neue Kartusche"));
    }
);

both_dbs!(
    async fn the_desk_cannot_draft_from_a_report_it_never_sees(backend: Backend) {
        let app = camera_ticket(&backend).await;
        let report = printer_report(&app).await;
        answer_the_printer_report(&mut app.login("admin@gym.de", PASSWORD).await, &report).await;
        let mut desk = app.login("agent@desk.de", PASSWORD).await;
        assert_eq!(desk.post_form(&format!("/kb/drafts/report/{}", report.id), &[]).await.status, Status::NotFound);
    }
);

// ---- once per solution ------------------------------------------------------------------

const FIRST_TITLE: &str = "Drucker druckt nur leere Seiten";

/// A solved printer ticket the desk has clicked "draft" on twice.
struct Clicked {
    school: String,
    agent: String,
    number: String,
    path: String,
    first: Option<String>,
}

/// School gym with its admin and a teacher, an agent and a desk lead.
async fn printer_desk(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("lehrer@gym.de", "teacher", "gym"),
        ("agent@desk.de", "agent", ""),
        ("lead@desk.de", "desk_lead", ""),
    ])
    .await;
    app
}

/// The agent double-clicks "draft" on a solved ticket: the second click leads to the draft
/// the first made. The agent's browser and what the clicks were on.
async fn double_clicked(app: &TestApp) -> (Browser<'_>, Clicked) {
    let school = app.token("admin@gym.de").await;
    let agent = app.token("agent@desk.de").await;
    let number = solved_ticket(app, &school, &agent, FIRST_TITLE).await;
    let path = format!("/kb/drafts/ticket/{number}");
    let mut desk = app.login("agent@desk.de", PASSWORD).await;
    let first = desk.post_form(&path, &[]).await;
    assert_eq!(first.status, Status::SeeOther, "{}", first.body);
    let second = desk.post_form(&path, &[]).await;
    assert_eq!(second.status, Status::SeeOther, "{}", second.body);
    assert_eq!(second.location, first.location, "the same draft");
    assert_eq!(titled(app, FIRST_TITLE).await, 1, "one draft");
    (desk, Clicked { school, agent, number, path, first: first.location })
}

/// The draft is published meanwhile and a colleague at the desk clicks: still that article.
async fn published_and_clicked_by_a_colleague(app: &TestApp, c: &Clicked) -> entities::kb_article::Model {
    let draft = article_by_slug(app, &slug_of(c.first.as_deref().unwrap())).await;
    entities::kb_article::Entity::update_many()
        .col_expr(entities::kb_article::Column::Status, sea_orm::sea_query::Expr::value("published"))
        .filter(entities::kb_article::Column::Id.eq(draft.id))
        .exec(app.db())
        .await
        .unwrap();
    let mut lead = app.login("lead@desk.de", PASSWORD).await;
    assert_eq!(lead.post_form(&c.path, &[]).await.location, c.first);
    assert_eq!(titled(app, FIRST_TITLE).await, 1);
    draft
}

/// The school admin drafts from the same ticket, twice: their school's own draft, made once.
async fn drafted_for_the_school<'a>(app: &'a TestApp, c: &Clicked) -> Browser<'a> {
    let mut admin = app.login("admin@gym.de", PASSWORD).await;
    let local = admin.post_form(&c.path, &[]).await;
    assert_eq!(local.status, Status::SeeOther, "{}", local.body);
    assert_ne!(local.location, c.first);
    assert!(article_by_slug(app, &slug_of(local.location.as_deref().unwrap())).await.school_id.is_some());
    assert_eq!(admin.post_form(&c.path, &[]).await.location, local.location);
    assert_eq!(titled(app, FIRST_TITLE).await, 2, "one global, one for the school");
    admin
}

/// The teacher reports, the school admin answers and drafts from the answer twice: once.
async fn drafted_from_a_report_twice(app: &TestApp, admin: &mut Browser<'_>) {
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
    assert_eq!(titled(app, "Beamer 204").await, 1);
}

both_dbs!(
    async fn a_second_click_leads_to_the_draft_made_first(backend: Backend) {
        let app = printer_desk(&backend).await;
        let (mut desk, c) = double_clicked(&app).await;
        let edit = desk.get(c.first.as_deref().unwrap()).await;
        assert!(edit.body.contains(&html_message(Lang::De, "kb.draft_exists", "")), "it says so");
    }
);

both_dbs!(
    async fn a_colleagues_click_after_publishing_leads_to_the_same_article(backend: Backend) {
        let app = printer_desk(&backend).await;
        let (_, c) = double_clicked(&app).await;
        published_and_clicked_by_a_colleague(&app, &c).await;
    }
);

both_dbs!(
    async fn a_school_admins_draft_of_the_same_ticket_is_their_schools_own_made_once(backend: Backend) {
        let app = printer_desk(&backend).await;
        let (_, c) = double_clicked(&app).await;
        published_and_clicked_by_a_colleague(&app, &c).await;
        drafted_for_the_school(&app, &c).await;
    }
);

both_dbs!(
    async fn a_reports_answer_is_drafted_once(backend: Backend) {
        let app = printer_desk(&backend).await;
        let (_, c) = double_clicked(&app).await;
        published_and_clicked_by_a_colleague(&app, &c).await;
        let mut admin = drafted_for_the_school(&app, &c).await;
        drafted_from_a_report_twice(&app, &mut admin).await;
    }
);

both_dbs!(
    async fn clicks_at_the_same_moment_make_one_draft_and_all_land_on_it(backend: Backend) {
        let app = printer_desk(&backend).await;
        let (desk, c) = double_clicked(&app).await;
        published_and_clicked_by_a_colleague(&app, &c).await;
        let mut admin = drafted_for_the_school(&app, &c).await;
        drafted_from_a_report_twice(&app, &mut admin).await;
        // Whichever commits first, the others' transactions fail on the unique indexes and
        // lead to its draft.
        let race_title = "Scanner sendet keine Mails";
        let race = format!("/kb/drafts/ticket/{}", solved_ticket(&app, &c.school, &c.agent, race_title).await);
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
    }
);

both_dbs!(
    async fn the_database_refuses_a_second_draft_of_one_solution_in_one_scope(backend: Backend) {
        let app = printer_desk(&backend).await;
        let (_, c) = double_clicked(&app).await;
        let draft = published_and_clicked_by_a_colleague(&app, &c).await;
        let duplicate = entities::kb_draft_source::ActiveModel {
            article_id: sea_orm::Set(draft.id),
            ticket_id: sea_orm::Set(Some(ticket_id(&c.number))),
            report_id: sea_orm::Set(None),
            scope: sea_orm::Set("global".into()),
            created_by: sea_orm::Set(None),
            created_at: sea_orm::Set(chrono::Utc::now()),
            ..Default::default()
        };
        assert!(sea_orm::ActiveModelTrait::insert(duplicate, app.db()).await.is_err(), "the unique index");
    }
);

//! Writing the FAQ: school-local articles, proposals, publishing, revisions, conflicts.
use crate::common;

use crate::common::{Backend, Browser, TestApp, PASSWORD};
use rocket::http::Status;

async fn search_slugs(app: &TestApp, token: Option<&str>, q: &str) -> Vec<String> {
    let reply = app
        .api_get(token, &format!("/api/v1/kb/search?q={}&limit=20", common::encode(&[("", q)]).trim_start_matches('=')))
        .await;
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.json()["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect()
}

/// Schools gym and gs, gym's admin and teacher, a teacher of gs and an agent.
async fn authors(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.school("gs").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("lehrer@gym.de", "teacher", "gym"),
        ("lehrer@gs.de", "teacher", "gs"),
        ("agent@desk.de", "agent", ""),
    ])
    .await;
    app
}

const ZEBRA: &str = "/kb/zebradrucker-im-lehrerzimmer";

/// The school admin of gym saves a published article for the school's teachers; its page.
async fn save_the_local_article(admin: &mut Browser<'_>) -> String {
    let saved = admin
        .post_form(
            "/kb/new",
            &[
                ("title", "Zebradrucker im Lehrerzimmer"),
                ("body", "## Toner\n\nDer Zebradrucker braucht Toner."),
                ("audience", "teacher"),
                ("scope", "school"),
                ("status", "published"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    let url = saved.location.unwrap();
    assert_eq!(url, ZEBRA);
    url
}

/// The desk edits the local article from version 1.
async fn edit_at_the_desk(agent: &mut Browser<'_>, url: &str) {
    let first = agent
        .post_form(
            &format!("{url}/edit"),
            &[
                ("title", "Zebradrucker im Lehrerzimmer"),
                ("body", "Neuer Text vom Desk: Zebradrucker."),
                ("audience", "teacher"),
                ("status", "published"),
                ("version", "1"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(first.status, Status::SeeOther, "{}", first.body);
}

both_dbs!(
    async fn a_preview_renders_the_article_and_saves_nothing(backend: Backend) {
        let app = authors(&backend).await;
        let gym_teacher = app.token("lehrer@gym.de").await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        assert_eq!(admin.get("/kb/new").await.status, Status::Ok);
        let preview = admin
            .post_form(
                "/kb/new",
                &[
                    ("title", "Zebradrucker im Lehrerzimmer"),
                    ("body", "## Toner\n\nDer Zebradrucker braucht Toner."),
                    ("audience", "teacher"),
                    ("scope", "school"),
                    ("status", "published"),
                    ("action", "preview"),
                ],
            )
            .await;
        assert_eq!(preview.status, Status::Ok);
        assert!(preview.body.contains("<h2 id=\"kb-toner\">Toner</h2>"), "preview renders");
        assert!(search_slugs(&app, Some(&gym_teacher), "Zebradrucker").await.is_empty(), "a preview saves nothing");
    }
);

both_dbs!(
    async fn a_school_admins_article_is_found_at_once_by_the_schools_teachers_only(backend: Backend) {
        let app = authors(&backend).await;
        let gym_teacher = app.token("lehrer@gym.de").await;
        let gs_teacher = app.token("lehrer@gs.de").await;
        save_the_local_article(&mut app.login("admin@gym.de", PASSWORD).await).await;
        assert_eq!(search_slugs(&app, Some(&gym_teacher), "Zebradrucker").await, vec!["zebradrucker-im-lehrerzimmer"]);
        assert!(search_slugs(&app, Some(&gs_teacher), "Zebradrucker").await.is_empty());
        assert_eq!(
            app.api_get(Some(&gs_teacher), "/api/v1/kb/articles/zebradrucker-im-lehrerzimmer").await.status,
            Status::NotFound
        );
    }
);

both_dbs!(
    async fn of_two_editors_from_the_same_version_the_second_is_refused_not_lost(backend: Backend) {
        let app = authors(&backend).await;
        let gym_teacher = app.token("lehrer@gym.de").await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let url = save_the_local_article(&mut admin).await;
        let edit = admin.get(&format!("{url}/edit")).await;
        assert_eq!(edit.status, Status::Ok);
        edit_at_the_desk(&mut app.login("agent@desk.de", PASSWORD).await, &url).await;
        let stale = admin
            .post_form(
                &format!("{url}/edit"),
                &[
                    ("title", "Zebradrucker"),
                    ("body", "Alter Stand"),
                    ("audience", "teacher"),
                    ("status", "published"),
                    ("version", "1"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(stale.status, Status::Conflict);
        assert!(stale.body.contains("Jemand anderes hat den Artikel inzwischen geändert"));
        let article = app.api_get(Some(&gym_teacher), "/api/v1/kb/articles/zebradrucker-im-lehrerzimmer").await.json();
        assert_eq!(article["version"], 2);
        assert_eq!(article["school"], "gym", "the desk's edit keeps the article local");
        assert!(article["markdown"].as_str().unwrap().contains("Neuer Text vom Desk"));
    }
);

both_dbs!(
    async fn the_history_names_who_wrote_and_a_restore_becomes_a_new_version(backend: Backend) {
        let app = authors(&backend).await;
        let gym_teacher = app.token("lehrer@gym.de").await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let url = save_the_local_article(&mut admin).await;
        edit_at_the_desk(&mut app.login("agent@desk.de", PASSWORD).await, &url).await;
        let history = admin.get(&format!("{url}/history")).await;
        assert_eq!(history.status, Status::Ok);
        assert!(history.body.contains("Test agent") && history.body.contains("Test school_admin"));
        let restored = admin.post_form(&format!("{url}/restore"), &[("version", "1"), ("current", "2")]).await;
        assert_eq!(restored.status, Status::SeeOther, "{}", restored.body);
        let article = app.api_get(Some(&gym_teacher), "/api/v1/kb/articles/zebradrucker-im-lehrerzimmer").await.json();
        assert_eq!(article["version"], 3);
        assert!(article["markdown"].as_str().unwrap().contains("braucht Toner"));
    }
);

both_dbs!(
    async fn a_proposal_for_all_schools_stays_a_draft_until_the_desk_publishes_it(backend: Backend) {
        let app = authors(&backend).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let proposed = admin
            .post_form(
                "/kb/new",
                &[
                    ("title", "Quallenbeamer richtig ausschalten"),
                    ("body", "Erst Quellen trennen, dann Quallenbeamer aus."),
                    ("audience", "pupil"),
                    ("audience", "teacher"),
                    ("scope", "global"),
                    ("status", "published"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(proposed.status, Status::SeeOther, "{}", proposed.body);
        assert!(search_slugs(&app, None, "Quallenbeamer").await.is_empty(), "a proposal is not published");
        let desk = agent.get("/desk/kb/misses").await;
        assert!(desk.body.contains("Quallenbeamer richtig ausschalten"), "the desk sees the proposal");
        let published = agent
            .post_form(
                "/kb/quallenbeamer-richtig-ausschalten/edit",
                &[
                    ("title", "Quallenbeamer richtig ausschalten"),
                    ("body", "Erst Quellen trennen, dann Quallenbeamer aus."),
                    ("audience", "pupil"),
                    ("audience", "teacher"),
                    ("status", "published"),
                    ("version", "1"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(published.status, Status::SeeOther, "{}", published.body);
        assert_eq!(
            search_slugs(&app, None, "Quallenbeamer").await,
            vec!["quallenbeamer-richtig-ausschalten"],
            "pupils find it now"
        );
        assert!(
            !agent.get("/desk/kb/misses").await.body.contains("Quallenbeamer richtig ausschalten"),
            "no longer a proposal"
        );
    }
);

both_dbs!(
    async fn teachers_and_other_schools_admins_do_not_write_a_schools_articles(backend: Backend) {
        let app = authors(&backend).await;
        let url = save_the_local_article(&mut app.login("admin@gym.de", PASSWORD).await).await;
        // Teachers read but do not write.
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        assert_eq!(teacher.get("/kb/new").await.status, Status::Forbidden);
        assert_eq!(teacher.get(&format!("{url}/edit")).await.status, Status::Forbidden);
        // A school admin cannot edit another school's article.
        app.user("admin@gs.de", "school_admin", "gs").await;
        let mut other_admin = app.login("admin@gs.de", PASSWORD).await;
        assert_eq!(other_admin.get(&format!("{url}/edit")).await.status, Status::NotFound);
    }
);

both_dbs!(
    async fn invalid_articles_change_nothing(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("agent@desk.de", "agent", "").await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let long_title = "x".repeat(201);
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("title", ""), ("body", "Text"), ("audience", "pupil")], "Bitte füllen Sie dieses Feld aus."),
            (vec![("title", long_title.as_str()), ("body", "Text"), ("audience", "pupil")], "Höchstens 200 Zeichen."),
            (vec![("title", "Titel"), ("body", "  "), ("audience", "pupil")], "Bitte füllen Sie dieses Feld aus."),
            (vec![("title", "Titel"), ("body", "Text")], "mindestens eine Zielgruppe"),
            (vec![("title", "Titel"), ("body", "Text"), ("audience", "hacker")], "Unbekannte Zielgruppe."),
            (
                vec![("title", "Titel"), ("body", "Text"), ("audience", "pupil"), ("service", "gibtsnicht")],
                "gibtsnicht",
            ),
            (
                vec![("title", "Titel"), ("body", "Text"), ("audience", "pupil"), ("status", "live")],
                "Status ist Entwurf",
            ),
        ];
        let before =
            sea_orm::PaginatorTrait::count(<entities::kb_article::Entity as sea_orm::EntityTrait>::find(), app.db())
                .await
                .unwrap();
        for (fields, message) in cases {
            let mut all = fields.clone();
            all.push(("action", "save"));
            let reply = agent.post_form("/kb/new", &all).await;
            assert_eq!(reply.status, Status::UnprocessableEntity, "{fields:?}");
            assert!(reply.body.contains(message), "{fields:?}: expected {message}");
        }
        let after =
            sea_orm::PaginatorTrait::count(<entities::kb_article::Entity as sea_orm::EntityTrait>::find(), app.db())
                .await
                .unwrap();
        assert_eq!(before, after);
    }
);

both_dbs!(
    /// Beside a missed search the desk finds "write an article", which opens the form with
    /// the search as its title and every reader of the FAQ as its audience.
    async fn a_missed_search_leads_to_a_new_article_with_its_words(backend: Backend) {
        use sea_orm::{ActiveModelTrait, Set};
        let app = authors(&backend).await;
        entities::kb_search_miss::ActiveModel {
            query: Set("Untis Vertretungsplan & App".into()),
            count: Set(3),
            last_role: Set(entities::Role::Teacher),
            first_at: Set(chrono::Utc::now()),
            last_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(app.db())
        .await
        .unwrap();
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let misses = agent.get("/desk/kb/misses").await.body;
        assert!(misses.contains(r#"href="/kb/new?title=Untis%20Vertretungsplan%20%26%20App""#), "{misses}");
        let form = agent.get("/kb/new?title=Untis%20Vertretungsplan%20%26%20App").await.body;
        assert!(form.contains(r#"value="Untis Vertretungsplan &amp; App""#), "the title is filled in");
        for audience in ["pupil", "teacher", "school_admin"] {
            assert!(form.contains(&format!(r#"value="{audience}" checked"#)), "{audience} is ticked by default");
        }
        let hostile = agent.get("/kb/new?title=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
        assert_eq!(hostile.status, Status::Ok);
        assert!(!hostile.body.contains("<script>alert(1)"), "a title from the address stays text");
    }
);

both_dbs!(
    /// The new-article form lists the drafts its author may go on with: a school admin their
    /// school's, the desk every one; a published article is no draft.
    async fn a_new_article_form_lists_the_drafts_begun(backend: Backend) {
        let app = authors(&backend).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        save_the_local_article(&mut admin).await;
        let draft = [
            ("title", "Beamer Lampe tauschen"),
            ("body", "Noch nicht fertig."),
            ("audience", "teacher"),
            ("scope", "school"),
            ("status", "draft"),
            ("action", "save"),
        ];
        let saved = admin.post_form("/kb/new", &draft).await;
        assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
        let form = admin.get("/kb/new").await.body;
        assert!(form.contains("Angefangene Entwürfe (1)"), "{form}");
        assert!(form.contains(r#"href="/kb/beamer-lampe-tauschen/edit""#), "{form}");
        assert!(!form.contains("zebradrucker-im-lehrerzimmer/edit"), "the published article is no draft");
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        assert!(agent.get("/kb/new").await.body.contains(r#"href="/kb/beamer-lampe-tauschen/edit""#));
        let editing = admin.get("/kb/beamer-lampe-tauschen/edit").await.body;
        assert!(!editing.contains("Angefangene Entwürfe"), "not while editing one");
    }
);

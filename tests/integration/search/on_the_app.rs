//! Search through the app: every role reads and finds only its share of imported
//! school-local articles and drafts; searches without results are recorded for the desk;
//! the index follows imports through the sync.
use std::path::Path;

use super::engines::{readers, MAGIC, SCOPED};
use super::{query_string, set};
use crate::common::{article_text, write_article, Backend, TestApp, PASSWORD};
use rocket::http::Status;

/// Writes the fixture as article files, plus two drafts.
fn scoped_article_files(dir: &Path) {
    for (slug, audience, school) in SCOPED {
        let mut front = format!("title: \"{MAGIC} {slug}\"\naudience: [{}]\nservice: printing", audience.join(", "));
        if let Some(school) = school {
            front.push_str(&format!("\nschool: {school}"));
        }
        let body = format!("## {MAGIC}\n\nDie {MAGIC} für {slug} liegt im Lehrerzimmer.");
        write_article(dir, &format!("{}/{slug}.md", school.unwrap_or("global")), &article_text(&front, &body));
    }
    write_article(
        dir,
        "drafts/zk-draft-global.md",
        &article_text(
            "title: Entwurf\naudience: [pupil, teacher, school_admin]\nstatus: draft",
            &format!("{MAGIC} im Entwurf"),
        ),
    );
    write_article(
        dir,
        "drafts/zk-draft-gym.md",
        &article_text(
            "title: Entwurf gym\naudience: [pupil, teacher, school_admin]\nschool: gym\nstatus: draft",
            &format!("{MAGIC} im Entwurf"),
        ),
    );
}

both_dbs!(
    async fn every_role_reads_and_finds_only_its_share_on_the_app(backend: Backend) {
        for setup in super::engine_setups() {
            let app = TestApp::with(&backend, |f| setup.apply(f)).await;
            app.school("gym").await;
            app.school("rs").await;
            let dir = tempfile::tempdir().unwrap();
            scoped_article_files(dir.path());
            let report = app.import_articles(dir.path()).await;
            assert!(report.rejected.is_empty(), "{:?}", report.rejected);
            assert_eq!(report.added.len(), SCOPED.len() + 2);
            app.sync_search().await;

            let accounts = [
                ("pupil@gym", "p@gym.de", "pupil", "gym"),
                ("teacher@gym", "t@gym.de", "teacher", "gym"),
                ("school_admin@gym", "a@gym.de", "school_admin", "gym"),
                ("school_admin@rs", "a@rs.de", "school_admin", "rs"),
                ("agent", "ag@desk.de", "agent", ""),
                ("desk_lead", "l@desk.de", "desk_lead", ""),
                ("operator", "o@op.de", "operator", ""),
            ];
            for (_, email, role, school) in accounts {
                app.user(email, role, school).await;
            }
            for (label, _, _, want) in readers() {
                let email = accounts.iter().find(|a| a.0 == label).map(|a| a.1);
                let token = match email {
                    Some(email) => Some(app.token(email).await),
                    None => None,
                };
                let mut browser = match email {
                    Some(email) => app.login(email, PASSWORD).await,
                    None => app.browser(),
                };
                // Search through the API.
                let reply = app.api_get(token.as_deref(), &format!("/api/v1/kb/search?q={MAGIC}&limit=50")).await;
                assert_eq!(reply.status, Status::Ok, "{label}");
                let json = reply.json();
                let got: Vec<String> =
                    json["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect();
                assert_eq!(set(&got), set(&want), "{label}: API search");
                assert_eq!(json["total"].as_u64(), Some(want.len() as u64), "{label}: API total");
                // Search on the FAQ page.
                let page = browser.get(&format!("/faq?q={MAGIC}")).await;
                assert_eq!(page.status, Status::Ok, "{label}");
                for (slug, _, _) in SCOPED {
                    let listed = page.body.contains(&format!("href=\"/kb/{slug}\""));
                    assert_eq!(listed, want.contains(slug), "{label}: /faq lists {slug}");
                }
                assert!(!page.body.contains("zk-draft"), "{label}: drafts are never found");
                // Suggestions.
                let reply = browser.get("/faq/suggest?q=Zauberkr").await;
                let suggested: Vec<String> =
                    reply.json().as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect();
                assert!(suggested.iter().all(|s| want.contains(&s.as_str())), "{label}: suggestions {suggested:?}");
                assert_eq!(suggested.len(), want.len().min(6), "{label}: suggestions {suggested:?}");
                // Opening each article directly.
                for (slug, _, _) in SCOPED {
                    let expected = if want.contains(slug) { Status::Ok } else { Status::NotFound };
                    let page = browser.get(&format!("/kb/{slug}")).await;
                    assert_eq!(page.status, expected, "{label}: GET /kb/{slug}");
                    if expected == Status::Ok {
                        assert!(
                            page.body.contains(&format!("{MAGIC} {slug}")),
                            "{label}: /kb/{slug} shows the article"
                        );
                    } else {
                        assert!(
                            !page.body.contains(&format!("{MAGIC} {slug}")),
                            "{label}: /kb/{slug} shows nothing of it"
                        );
                    }
                    let reply = app.api_get(token.as_deref(), &format!("/api/v1/kb/articles/{slug}")).await;
                    assert_eq!(reply.status, expected, "{label}: GET /api/v1/kb/articles/{slug}");
                    if expected == Status::Ok {
                        assert_eq!(reply.json()["slug"], *slug);
                    }
                }
                // Drafts: the desk reads them; a school admin reads their own school's; nobody else.
                let desk = matches!(label, "agent" | "desk_lead");
                for (slug, readable) in
                    [("zk-draft-global", desk), ("zk-draft-gym", desk || label == "school_admin@gym")]
                {
                    let expected = if readable { Status::Ok } else { Status::NotFound };
                    assert_eq!(browser.get(&format!("/kb/{slug}")).await.status, expected, "{label}: GET /kb/{slug}");
                    let reply = app.api_get(token.as_deref(), &format!("/api/v1/kb/articles/{slug}")).await;
                    assert_eq!(reply.status, expected, "{label}: API {slug}");
                }
            }
            // A rating is only accepted for an article the reader may read.
            let mut teacher = app.login("t@gym.de", PASSWORD).await;
            teacher.get("/kb/zk-g-teacher").await;
            assert_eq!(teacher.post_form("/kb/zk-rs-pupil/rate", &[("helpful", "yes")]).await.status, Status::NotFound);
            assert_eq!(
                teacher.post_form("/kb/zk-g-teacher/rate", &[("helpful", "yes")]).await.status,
                Status::SeeOther
            );
            setup.finish().await;
        }
    }
);

// ---------------------------------------------------------------------------------------
// Searches that found nothing
// ---------------------------------------------------------------------------------------

/// The misses the desk sees, once the counted ones are written.
async fn misses_of(app: &TestApp) -> Vec<(String, i32, String)> {
    use sea_orm::EntityTrait;
    app.flush_missed_searches().await;
    let mut all: Vec<(String, i32, String)> = entities::kb_search_miss::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.query, m.count, m.last_role.to_string()))
        .collect();
    all.sort();
    all
}

both_dbs!(
    async fn searches_without_results_are_recorded_for_the_desk(backend: Backend) {
        for setup in super::engine_setups() {
            let app = TestApp::with(&backend, |f| setup.apply(f)).await;
            app.school("gym").await;
            app.user("t@gym.de", "teacher", "gym").await;
            app.user("l@desk.de", "desk_lead", "").await;
            let token = app.token("t@gym.de").await;
            let mut teacher = app.login("t@gym.de", PASSWORD).await;
            let mut anonymous = app.browser();

            // Keystroke suggestions are not recorded, neither on the page nor through the API.
            for q in ["xyz", "xyzzyq", "Quantenfluxkompensator"] {
                assert_eq!(teacher.get(&format!("/faq/suggest?q={q}")).await.json(), serde_json::json!([]));
                let reply = app.api_get(Some(&token), &format!("/api/v1/kb/search?q={q}&suggest=true")).await;
                assert_eq!(reply.json()["total"], 0);
            }
            assert!(misses_of(&app).await.is_empty(), "suggestions are not misses: {:?}", misses_of(&app).await);

            // Full searches that found something are not recorded either.
            assert_eq!(teacher.get("/faq?q=Drucker").await.status, Status::Ok);
            assert!(
                app.api_get(Some(&token), "/api/v1/kb/search?q=Beamer").await.json()["total"].as_u64().unwrap() > 0
            );
            assert!(misses_of(&app).await.is_empty());

            // Full searches that found nothing are, counted per query (case-insensitively).
            let page = teacher.get("/faq?q=Quantenfluxkompensator").await;
            assert_eq!(page.status, Status::Ok);
            anonymous.get("/faq?q=quantenfluxkompensator").await;
            assert_eq!(app.api_get(Some(&token), "/api/v1/kb/search?q=Holodeck%20kaputt").await.json()["total"], 0);
            assert_eq!(
                misses_of(&app).await,
                vec![
                    ("holodeck kaputt".to_string(), 1, "teacher".to_string()),
                    ("quantenfluxkompensator".into(), 2, "pupil".into())
                ]
            );
            // A teacher cannot see the list; the desk can.
            assert_eq!(teacher.get("/desk/kb/misses").await.status, Status::Forbidden);
            assert_eq!(anonymous.get("/desk/kb/misses").await.status, Status::SeeOther, "anonymous: to the login");
            let mut lead = app.login("l@desk.de", PASSWORD).await;
            let page = lead.get("/desk/kb/misses").await;
            assert_eq!(page.status, Status::Ok);
            assert!(page.body.contains("quantenfluxkompensator"), "{}", page.body);
            assert!(page.body.contains("holodeck kaputt"));
            // Most frequent first.
            assert!(page.body.find("quantenfluxkompensator").unwrap() < page.body.find("holodeck kaputt").unwrap());
            // A query with markup is shown escaped.
            anonymous.get(&format!("/faq?q={}", query_string("<b>fett</b>xyzzy"))).await;
            app.flush_missed_searches().await;
            let page = lead.get("/desk/kb/misses").await;
            assert!(
                page.body.contains("&lt;b&gt;fett&lt;&#x2F;b&gt;xyzzy")
                    || page.body.contains("&lt;b&gt;fett&lt;/b&gt;xyzzy")
            );
            assert!(!page.body.contains("<b>fett"));
            setup.finish().await;
        }
    }
);

// ---------------------------------------------------------------------------------------
// The index follows the database
// ---------------------------------------------------------------------------------------

async fn api_slugs(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let reply = app.api_get(Some(token), &format!("/api/v1/kb/search?q={}&limit=50", query_string(q))).await;
    reply.json()["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect()
}

both_dbs!(
    async fn imports_reach_the_index_through_the_sync(backend: Backend) {
        for setup in super::engine_setups() {
            let app = TestApp::with(&backend, |f| setup.apply(f)).await;
            app.user("l@desk.de", "desk_lead", "").await;
            let token = app.token("l@desk.de").await;
            let dir = tempfile::tempdir().unwrap();
            let path = "neu/whiteboard-stift-kalibrieren.md";
            let front =
                "title: Whiteboard-Stift kalibrieren\naudience: [teacher]\nservice: presentation\ntags: [stift]";
            write_article(dir.path(), path, &article_text(front, "Den Kalibrierassistent am Smartboard starten."));
            let before = app.sync_search_since(chrono::Utc::now()).await;
            let report = app.import_articles(dir.path()).await;
            assert_eq!(report.added, vec!["whiteboard-stift-kalibrieren".to_string()]);
            // Not in the index until the sync runs (the server runs it every few seconds).
            assert!(api_slugs(&app, &token, "Kalibrierassistent").await.is_empty());
            let mark = app.sync_search_since(before).await;
            assert!(mark >= before);
            assert_eq!(api_slugs(&app, &token, "Kalibrierassistent").await, vec!["whiteboard-stift-kalibrieren"]);
            assert_eq!(
                api_slugs(&app, &token, "Whiteboard Stift").await.first().map(String::as_str),
                Some("whiteboard-stift-kalibrieren")
            );

            // A changed text replaces the old one in the index.
            write_article(dir.path(), path, &article_text(front, "Die Stiftkalibrierung im Menü des Displays öffnen."));
            let report = app.import_articles(dir.path()).await;
            assert_eq!(report.changed, vec!["whiteboard-stift-kalibrieren".to_string()]);
            let mark = app.sync_search_since(mark).await;
            assert!(api_slugs(&app, &token, "Kalibrierassistent").await.is_empty());
            assert_eq!(api_slugs(&app, &token, "Stiftkalibrierung").await, vec!["whiteboard-stift-kalibrieren"]);

            // Made a draft: gone from every result, even the desk's.
            write_article(
                dir.path(),
                path,
                &article_text(&format!("{front}\nstatus: draft"), "Die Stiftkalibrierung im Menü des Displays öffnen."),
            );
            let report = app.import_articles(dir.path()).await;
            assert_eq!(report.changed.len(), 1);
            let mark = app.sync_search_since(mark).await;
            assert!(api_slugs(&app, &token, "Stiftkalibrierung").await.is_empty());
            assert!(app.engine().doc_count().await.unwrap() > 0, "the other articles stay");

            // Published again: back.
            write_article(dir.path(), path, &article_text(front, "Die Stiftkalibrierung im Menü des Displays öffnen."));
            app.import_articles(dir.path()).await;
            app.sync_search_since(mark).await;
            assert_eq!(api_slugs(&app, &token, "Stiftkalibrierung").await, vec!["whiteboard-stift-kalibrieren"]);

            // A rebuild from the database gives the same answers.
            let engine = app.engine();
            let count = staffel::search::sync::reindex_all(app.db(), &engine, |_, _| {}).await.unwrap();
            assert_eq!(count, engine.doc_count().await.unwrap());
            assert_eq!(api_slugs(&app, &token, "Stiftkalibrierung").await, vec!["whiteboard-stift-kalibrieren"]);
            setup.finish().await;
        }
    }
);

/// Several instances share one Meilisearch index: a second instance that starts applies no
/// settings again, and its full rebuild leaves readers of the first with results all along
/// and keeps what the first wrote.
#[rocket::async_test]
async fn instances_share_one_meilisearch_index_safely() {
    let Some(setup) = super::engine_setups().into_iter().find(super::EngineSetup::is_meili) else {
        return; // The Meilisearch engine test announces the skip.
    };
    let super::EngineSetup::Meili { url, key, index } = &setup else { unreachable!() };
    let app = TestApp::with(&Backend::Sqlite, |f| setup.apply(f)).await;
    let first = app.engine();
    let held = first.doc_count().await.unwrap();
    assert!(held > 20, "the shipped articles are indexed: {held}");

    let settings_tasks = || async {
        let client = meilisearch_sdk::client::Client::new(url, (!key.is_empty()).then_some(key.as_str())).unwrap();
        let mut query = meilisearch_sdk::tasks::TasksSearchQuery::new(&client);
        query.with_index_uids([index.as_str()]).with_types(["settingsUpdate"]);
        query.execute().await.unwrap().results.len()
    };
    let before = settings_tasks().await;
    let second: staffel::search::Engine =
        std::sync::Arc::new(staffel::search::meili::MeiliEngine::connect(url, key, index).await.unwrap());
    assert_eq!(settings_tasks().await, before, "the same settings are not applied twice");

    // The second instance rebuilds while the first one's readers search.
    let query = staffel::search::SearchQuery {
        text: "Drucker".into(),
        limit: 5,
        service: None,
        scope: staffel::search::Scope { audiences: None, school: None, all_schools: true },
    };
    let rebuild = staffel::search::sync::reindex_all(app.db(), &second, |_, _| {});
    let searches = async {
        let mut empty = 0;
        for _ in 0..40 {
            if first.search(&query).await.unwrap().hits.is_empty() {
                empty += 1;
            }
        }
        empty
    };
    let (rebuilt, empty) = tokio::join!(rebuild, searches);
    assert_eq!(rebuilt.unwrap(), held);
    assert_eq!(empty, 0, "no search came back empty during the other instance's rebuild");
    assert_eq!(first.doc_count().await.unwrap(), held);

    // A document the index holds that is no longer published goes; the rest stays.
    first.upsert(vec![super::doc("zk-stale", "Veralteter Druckerartikel", &["pupil"], None, None)]).await.unwrap();
    staffel::search::sync::reindex_all(app.db(), &second, |_, _| {}).await.unwrap();
    assert!(!first.slugs().await.unwrap().contains(&"zk-stale".to_string()));
    assert_eq!(first.doc_count().await.unwrap(), held);
    setup.finish().await;
}

//! The article page (views, ratings, related articles, the next step when nothing is
//! found) and the shipped `kb/` folder.
use std::collections::BTreeSet;
use std::path::Path;

use super::render::{article_part, assert_safe};
use crate::common::{
    self, article_by_slug, article_files, html_message, parsed, shipped_article_files, Backend, Browser, TestApp,
    PASSWORD,
};
use rocket::http::Status;
use sea_orm::EntityTrait;
use staffel::i18n::Lang;

/// The shipped WLAN article for pupils, which anonymous readers read.
const SLUG: &str = "wlan-verbinden-schueler";

/// The links in the "related articles" box.
fn related(page: &str) -> Vec<String> {
    let Some(start) = page.find("id=\"related-title\"") else {
        return Vec::new();
    };
    let end = page[start..].find("</section>").map(|e| start + e).unwrap();
    page[start..end].split("href=\"/kb/").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
}

/// An anonymous reader opens the article and rates it helpful twice and unhelpful once.
async fn rate_twice_yes_once_no(reader: &mut Browser<'_>) {
    reader.get(&format!("/kb/{SLUG}")).await;
    let reply = reader.post_form(&format!("/kb/{SLUG}/rate"), &[("helpful", "yes")]).await;
    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    assert_eq!(reply.location.as_deref(), Some(format!("/kb/{SLUG}#rate").as_str()));
    reader.post_form(&format!("/kb/{SLUG}/rate"), &[("helpful", "yes")]).await;
    reader.post_form(&format!("/kb/{SLUG}/rate"), &[("helpful", "no")]).await;
}

both_dbs!(
    async fn shipped_articles_render_with_toc_tables_and_task_lists(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.user("t@gym.de", "teacher", "gym").await;
        let mut teacher = app.login("t@gym.de", PASSWORD).await;
        // A task list, heading anchors and the table of contents.
        let page = teacher.get("/kb/beamer-zeigt-kein-bild").await;
        assert_eq!(page.status, Status::Ok);
        let body = &page.body;
        assert!(body.contains("<h1>Beamer zeigt kein Bild – Checkliste für Unterricht und Schuladministration</h1>"));
        assert!(body.contains("<h2 id=\"kb-schnelle-pruefung-im-unterricht\">Schnelle Prüfung im Unterricht</h2>"));
        assert!(body.contains("<a href=\"#kb-schnelle-pruefung-im-unterricht\">Schnelle Prüfung im Unterricht</a>"));
        assert!(body.contains("<a href=\"#kb-checkliste-fuer-schuladministrationen-vor-dem-ticket\">"));
        assert!(body.contains("id=\"toc-title\""));
        assert_eq!(body.matches("type=\"checkbox\"").count(), 6, "six open checklist items");
        assert!(body.contains("<ol>") && body.contains("<strong>Ist der Projektor wirklich an?</strong>"));
        assert_safe(article_part(body), "beamer article");
        // A table.
        let page = teacher.get("/kb/hausaufgabe-hochladen-lernplattform").await;
        assert_eq!(page.status, Status::Ok);
        assert!(page.body.contains("<table>"), "table");
        assert!(page.body.contains("<td>PDF</td>"), "table cell");
        // Every shipped article renders for the desk, safe and with a table of contents.
        app.user("l@desk.de", "desk_lead", "").await;
        let token = app.token("l@desk.de").await;
        for file in shipped_article_files() {
            let reply = app.api_get(Some(&token), &format!("/api/v1/kb/articles/{}", file.slug)).await;
            assert_eq!(reply.status, Status::Ok, "{}", file.slug);
            let json = reply.json();
            assert_safe(json["html"].as_str().unwrap(), &file.slug);
            assert!(json["toc"].as_array().unwrap().len() >= 3, "{} has sections", file.slug);
        }
    }
);

both_dbs!(
    async fn each_page_view_counts_but_an_api_read_or_a_missing_article_does_not(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let before = article_by_slug(&app, SLUG).await;
        assert_eq!((before.views, before.helpful, before.not_helpful), (0, 0, 0));
        let mut reader = app.browser();
        let page = reader.get(&format!("/kb/{SLUG}")).await;
        assert_eq!(page.status, Status::Ok);
        assert!(page.body.contains(&format!("action=\"/kb/{SLUG}/rate\"")), "rating form");
        reader.get(&format!("/kb/{SLUG}")).await;
        app.browser().get(&format!("/kb/{SLUG}")).await;
        assert_eq!(article_by_slug(&app, SLUG).await.views, 3);
        app.api_get(None, &format!("/api/v1/kb/articles/{SLUG}")).await;
        assert_eq!(reader.get("/kb/gibt-es-nicht").await.status, Status::NotFound);
        assert_eq!(article_by_slug(&app, SLUG).await.views, 3);
    }
);

both_dbs!(
    async fn ratings_count_and_the_reader_is_thanked(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let mut reader = app.browser();
        rate_twice_yes_once_no(&mut reader).await;
        let rated = article_by_slug(&app, SLUG).await;
        // One vote per reader: the browser's last one counts.
        assert_eq!((rated.helpful, rated.not_helpful), (0, 1));
        // The thanks is shown after the redirect.
        let page = reader.get(&format!("/kb/{SLUG}")).await;
        assert!(page.body.contains(&html_message(Lang::De, "kb.thanks_not_helpful", "")), "flash shown");
    }
);

both_dbs!(
    async fn a_forged_odd_or_out_of_scope_rating_counts_nothing(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let mut reader = app.browser();
        rate_twice_yes_once_no(&mut reader).await;
        let forged = common::encode(&[("_csrf", "0000"), ("helpful", "yes")]);
        let reply = reader.post_raw(&format!("/kb/{SLUG}/rate"), &forged, rocket::http::ContentType::Form).await;
        assert_eq!(reply.status, Status::Forbidden);
        let reply = reader.post_form(&format!("/kb/{SLUG}/rate"), &[("helpful", "vielleicht")]).await;
        assert_eq!(reply.status, Status::UnprocessableEntity);
        let reply = reader.post_form("/kb/wlan-lehrkraefte-geraete-verbinden/rate", &[("helpful", "yes")]).await;
        assert_eq!(reply.status, Status::NotFound, "a pupil cannot rate a teachers' article");
        let rated = article_by_slug(&app, SLUG).await;
        assert_eq!((rated.helpful, rated.not_helpful), (0, 1));
        assert_eq!(article_by_slug(&app, "wlan-lehrkraefte-geraete-verbinden").await.helpful, 0);
    }
);

both_dbs!(
    async fn related_articles_share_the_subject_within_the_readers_scope(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let mut reader = app.browser();
        let page = reader.get(&format!("/kb/{SLUG}")).await;
        let links = related(&page.body);
        assert!(!links.is_empty(), "related articles listed");
        assert!(!links.contains(&SLUG.to_string()));
        let pupil_articles: BTreeSet<String> = shipped_article_files()
            .into_iter()
            .filter(|f| parsed(f).audience.contains(&"pupil".to_string()))
            .map(|f| f.slug)
            .collect();
        assert!(links.iter().all(|l| pupil_articles.contains(l)), "only pupils' articles for a pupil: {links:?}");
        app.school("gym").await;
        app.user("t@gym.de", "teacher", "gym").await;
        let mut teacher = app.login("t@gym.de", PASSWORD).await;
        let page = teacher.get("/kb/wlan-lehrkraefte-geraete-verbinden").await;
        let links = related(&page.body);
        assert!(links.contains(&SLUG.to_string()), "the pupils' WLAN article is related for a teacher: {links:?}");
        assert!(
            !links.contains(&"wlan-stoerung-schuluebergreifend-eingrenzen".to_string()),
            "not the desk's: {links:?}"
        );
    }
);

both_dbs!(
    async fn a_search_without_results_shows_each_role_its_next_step(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        let people = [
            (None, "pupil", None),
            (Some("p@gym.de"), "pupil", None),
            (Some("t@gym.de"), "teacher", Some("href=\"/reports\"")),
            (Some("a@gym.de"), "school_admin", Some("href=\"/helpdesk\"")),
            (Some("ag@desk.de"), "agent", None),
            (Some("l@desk.de"), "desk_lead", None),
            (Some("o@op.de"), "operator", None),
        ];
        for (email, role, _) in &people {
            if let Some(email) = email {
                let school = if matches!(*role, "pupil" | "teacher" | "school_admin") { "gym" } else { "" };
                app.user(email, role, school).await;
            }
        }
        for (email, role, link) in people {
            let mut browser = match email {
                Some(email) => app.login(email, PASSWORD).await,
                None => app.browser(),
            };
            let page = browser.get("/faq?q=xyzzy").await;
            assert_eq!(page.status, Status::Ok);
            assert!(page.body.contains(&html_message(Lang::De, "faq.no_results", "")), "{role}: no results");
            let own = html_message(Lang::De, &format!("next_step.{role}"), "");
            assert!(page.body.contains(&own), "{role}: {own}");
            for other in ["pupil", "teacher", "school_admin", "operator"] {
                let text = html_message(Lang::De, &format!("next_step.{other}"), "");
                if text != own {
                    assert!(!page.body.contains(&text), "{role} is not told {other}'s next step");
                }
            }
            if let Some(link) = link {
                assert!(page.body.contains(link), "{role}: {link}");
            }
            if role == "pupil" {
                assert!(
                    !page.body.contains("href=\"/helpdesk\"")
                        && !page.body.contains("class=\"button primary\" href=\"/reports\"")
                );
            }
        }
    }
);

both_dbs!(
    async fn the_shipped_articles_cover_every_service(backend: Backend) {
        let app = TestApp::new(&backend).await;
        // The files in kb/ and those built into the binary are the same.
        let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("kb");
        let on_disk: BTreeSet<String> = article_files(&kb).into_iter().map(|f| f.slug).collect();
        let built_in: BTreeSet<String> = shipped_article_files().into_iter().map(|f| f.slug).collect();
        assert_eq!(on_disk, built_in);
        assert!(on_disk.len() >= 25, "{} articles", on_disk.len());
        // The app imported them all on start; importing them again rejects none.
        let report = app.import_articles(&kb).await;
        assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
        assert!(report.added.is_empty() && report.changed.is_empty(), "imported on start: {report:?}");
        assert_eq!(report.unchanged, on_disk.len());
        let articles = entities::kb_article::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(articles.iter().map(|a| a.slug.clone()).collect::<BTreeSet<_>>(), on_disk);
        assert!(articles
            .iter()
            .all(|a| a.origin.as_str() == "shipped" && a.status.as_str() == "published" && a.school_id.is_none()));
        // Every service except "other" has articles; every audience is served.
        let services = entities::service::Entity::find().all(app.db()).await.unwrap();
        for (slug, _, _) in staffel::catalogue::services::DEFAULT_SERVICES {
            if *slug == "other" {
                continue;
            }
            let id = services.iter().find(|s| s.slug == *slug).map(|s| s.id).expect("service exists");
            assert!(articles.iter().any(|a| a.service_id == Some(id)), "no shipped article for service {slug}");
        }
        for audience in ["pupil", "teacher", "school_admin", "agent"] {
            assert!(
                articles.iter().any(|a| a.audience.split(',').any(|x| x == audience)),
                "no shipped article for {audience}"
            );
        }
        // Titles are unique, and every article is in German with sections.
        let titles: BTreeSet<&str> = articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles.len(), articles.len());
        for a in &articles {
            assert!(a.body.contains("\n## "), "{} has sections", a.slug);
            assert!(a.body.len() > 800, "{} is a real article", a.slug);
        }
        // And they are all in the search index.
        assert_eq!(app.engine().doc_count().await.unwrap() as usize, on_disk.len());
    }
);

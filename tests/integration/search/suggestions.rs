//! Suggestions for what someone types into a report or a ticket offer only articles about
//! it (issue #14 item 9): an article must match more than half of the words that matter,
//! and a filed problem the FAQ has nothing relevant for is recorded as a missed search.
use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::Status;

async fn slugs(app: &TestApp, token: &str, q: &str, suggest: bool) -> Vec<String> {
    let path = format!("/api/v1/kb/search?suggest={suggest}&q={}", super::query_string(q));
    let reply = app.api_get(Some(token), &path).await;
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.json()["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect()
}

both_dbs!(
    async fn suggestions_offer_only_articles_about_what_was_typed(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.user("t@gym.de", "teacher", "gym").await;
        let token = app.token("t@gym.de").await;
        let beamer = "Beamer Raum 104 zeigt kein Bild";
        assert_eq!(slugs(&app, &token, beamer, true).await, ["beamer-zeigt-kein-bild"]);
        assert!(
            slugs(&app, &token, beamer, false).await.contains(&"cloud-speicherplatz-voll".to_string()),
            "the FAQ's own results still rank everything"
        );
        assert_eq!(slugs(&app, &token, "Untis Vertretungsplan App", true).await, Vec::<String>::new());
        assert_eq!(slugs(&app, &token, "Drucker druckt nicht", true).await, ["drucker-offline-druckauftrag-haengt"]);
        assert_eq!(slugs(&app, &token, "Passwort vergessen", true).await, ["passwort-vergessen-zuruecksetzen"]);
        // One word typed so far: whatever has it (or begins with it).
        assert!(slugs(&app, &token, "Bea", true).await.contains(&"beamer-zeigt-kein-bild".to_string()));
        // The school's page suggests the same way.
        let mut teacher = app.login("t@gym.de", PASSWORD).await;
        let page = teacher.get(&format!("/faq/suggest?q={}", super::query_string("Untis Vertretungsplan App"))).await;
        assert_eq!(page.json(), serde_json::json!([]));
    }
);

both_dbs!(
    async fn a_filed_problem_the_faq_has_nothing_for_is_a_missed_search(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.users(&[("t@gym.de", "teacher", "gym"), ("a@gym.de", "school_admin", "gym")]).await;
        let mut teacher = app.login("t@gym.de", PASSWORD).await;
        for affected in ["Untis Vertretungsplan App", "Beamer Raum 104 zeigt kein Bild"] {
            let fields = [
                ("affected", affected),
                ("since", "heute"),
                ("how_many", "eine Klasse"),
                ("description", "Geht nicht."),
            ];
            assert_eq!(teacher.post_form("/reports", &fields).await.status, Status::SeeOther);
        }
        let mut admin = app.login("a@gym.de", PASSWORD).await;
        let opened = admin
            .post_form(
                "/helpdesk/tickets",
                &[("title", "Untis Stundenplan fehlt"), ("description", "Kein Zugang."), ("priority", "P3")],
            )
            .await;
        assert_eq!(opened.status, Status::SeeOther, "{}", opened.body);
        let mut misses: Vec<String> = {
            use sea_orm::EntityTrait;
            app.flush_missed_searches().await;
            entities::kb_search_miss::Entity::find().all(app.db()).await.unwrap().into_iter().map(|m| m.query).collect()
        };
        misses.sort();
        assert_eq!(misses, ["untis stundenplan fehlt", "untis vertretungsplan app"]);
    }
);

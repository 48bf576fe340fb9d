//! Small things people read: on the school's tile and ticket page the service by its name,
//! the priorities in their order, file sizes written the German way; error pages titled by
//! what happened; the desk's queues told apart by their titles.
use rocket::http::Status;

use crate::common::uploads::post_files;
use crate::common::{Backend, TestApp, PASSWORD};

both_dbs!(
    async fn the_school_reads_names_ordered_priorities_and_german_sizes(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.users(&[("admin@gym.de", "school_admin", "gym")]).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        let tile = school.get("/helpdesk").await.body;
        let select = &tile[tile.find(r#"id="f-priority""#).expect("the priority field")..];
        let order: Vec<usize> = ["P1", "P2", "P3", "P4"]
            .iter()
            .map(|p| select.find(&format!(r#"value="{p}""#)).expect("every priority"))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "P1 to P4 in order: {order:?}");
        assert!(select.contains(r#"value="P3" selected"#), "P3 stays the suggestion");

        let log = "Fehler 0x0000011b im Druckdienst\n".repeat(80);
        let opened = post_files(
            &mut school,
            "/helpdesk/tickets",
            &[
                ("title", "Drucker im Lehrerzimmer druckt nicht"),
                ("description", "Seit heute früh."),
                ("service", "presentation"),
                ("priority", "P3"),
                ("triage_scope", "local"),
                ("triage_fault_type", "hardware"),
            ],
            &[("files", "druck.log", "text/plain", log.as_bytes())],
        )
        .await;
        assert_eq!(opened.status, Status::SeeOther, "{}", opened.body);
        let page = school.get("/helpdesk/tickets/T-000001").await.body;
        assert!(page.contains("Beamer, Displays &amp; Präsentation"), "the service by its name");
        assert!(!page.contains("· presentation"), "not its code");
        assert!(page.contains("2,6 kB"), "a German decimal comma: {}", log.len());
    }
);

both_dbs!(
    async fn error_pages_and_desk_queues_say_what_they_are_in_their_titles(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.users(&[("agent@desk.de", "agent", "")]).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let missing = agent.get("/gibt-es-nicht").await;
        assert_eq!(missing.status, Status::NotFound);
        assert!(missing.body.contains("<title>Nicht gefunden – Staffel</title>"), "{}", missing.body);
        assert!(!missing.body.contains("dürfen sie nicht sehen"), "no hint that something hides there");
        let mine = agent.get("/desk?queue=mine").await.body;
        let overdue = agent.get("/desk?queue=overdue").await.body;
        assert!(mine.contains("<title>Meine – "), "{}", &mine[..mine.find("</title>").unwrap_or(0)]);
        assert!(overdue.contains("<title>Überfällig – "), "each queue's tab has its own title");
    }
);

both_dbs!(
    /// The shipped articles say "du" to pupils; the FAQ around them addresses nobody, so a
    /// pupil never reads "Sie" beside "du" (issue #14 item 10).
    async fn the_faq_around_the_articles_does_not_say_sie_to_pupils(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let mut pupil = app.browser();
        let faq = pupil.get("/faq").await.body;
        let first =
            faq.split("href=\"/kb/").nth(1).and_then(|rest| rest.split('"').next()).expect("an article").to_string();
        for path in ["/faq".to_string(), "/faq?q=Quantenfluxkompensator".into(), format!("/kb/{first}")] {
            let page = pupil.get(&path).await;
            assert_eq!(page.status, Status::Ok, "{path}");
            let main =
                &page.body[page.body.find("<main").unwrap_or(0)..page.body.find("</main>").unwrap_or(page.body.len())];
            // The article's own text (in its `.md` block) is the article's to word.
            let around = match (main.find(r#"class="md"#), main.find("</article>")) {
                (Some(start), Some(end)) if start < end => format!("{}{}", &main[..start], &main[end..]),
                _ => main.to_string(),
            };
            for formal in [" Sie ", " Sie?", "Ihnen", " Ihre ", " Ihr "] {
                assert!(!around.contains(formal), "{path} says {formal:?} to a pupil:\n{around}");
            }
        }
    }
);

//! Small things a school admin reads on the tile and the ticket page: the service by its
//! name, the priorities in their order, file sizes written the German way.
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

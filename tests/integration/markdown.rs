//! What people write on the ladder (a ticket's description, a desk reply) is shown as its
//! Markdown means, safely: emphasis, lists and line breaks on the school's and the desk's
//! pages and in the mail; markup written as text stays text; no remote images.
use rocket::http::Status;

use crate::common::{version_field, Backend, TestApp, PASSWORD};

const DESCRIPTION: &str =
    "Der **Beamer** bleibt schwarz.\nSeit Montag.\n\n- Raum 204\n- Raum 206\n\n<script>alert(1)</script> ![x](https://tracker.example/p.png)";

both_dbs!(
    async fn what_people_write_is_shown_as_markdown_and_stays_safe(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        let opened = school
            .post_form(
                "/helpdesk/tickets",
                &[
                    ("title", "Beamer Raum 204 zeigt kein Bild"),
                    ("description", DESCRIPTION),
                    ("service", "presentation"),
                    ("priority", "P2"),
                    ("triage_scope", "local"),
                    ("triage_fault_type", "hardware"),
                ],
            )
            .await;
        assert_eq!(opened.status, Status::SeeOther, "{}", opened.body);

        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let desk = agent.get("/desk/tickets/T-000001").await.body;
        for page in [&desk, &school.get("/helpdesk/tickets/T-000001").await.body] {
            assert!(page.contains("Der <strong>Beamer</strong> bleibt schwarz.<br>"), "{page}");
            assert!(page.contains("<li>Raum 204</li>"), "a list is a list");
            assert!(
                page.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
                    || page.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            );
            assert!(!page.contains("tracker.example/p.png\""), "no remote image is loaded");
            assert!(!page.contains("**Beamer**"), "no raw Markdown");
        }

        let v = version_field(&desk);
        let reply = agent
            .post_form(
                "/desk/tickets/T-000001/comment",
                &[("body", "Bitte *neu starten*:\n1. Beamer\n2. Laptop"), ("version", &v)],
            )
            .await;
        assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
        let seen = school.get("/helpdesk/tickets/T-000001").await.body;
        assert!(seen.contains("Bitte <em>neu starten</em>:") && seen.contains("<li>Laptop</li>"), "{seen}");
        let mail = app.mails_to("admin@gym.de").await.pop().expect("the reply's mail");
        assert!(mail.body_html.contains("<em>neu starten</em>"), "{}", mail.body_html);
        assert!(mail.body_text.contains("*neu starten*"), "the plain text part keeps what was written");
    }
);

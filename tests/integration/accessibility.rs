//! What the server renders for assistive technology (WCAG 2.1 AA): a refused form marks every
//! invalid field with `aria-invalid` and points it at its own message, and its summary names
//! and links each; task-list checkboxes in Markdown are labelled by their item; articles (in
//! German) say so in the English UI. The browser walk's axe-core checks the rest.
use rocket::http::Status;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::common::{version_field, Backend, TestApp, PASSWORD};

/// The field `id` is marked invalid, described by its own message, and the message is there.
fn marked(page: &str, id: &str) -> bool {
    let Some(at) = page.find(&format!("id=\"{id}\"")) else {
        return false;
    };
    let tag = &page[page[..at].rfind('<').unwrap()..at + page[at..].find('>').unwrap()];
    tag.contains("aria-invalid=\"true\"")
        && tag.contains(&format!("aria-describedby=\"{id}-error"))
        && page.contains(&format!("<p class=\"field-error\" id=\"{id}-error\">"))
}

/// The error summary (the alert at the top) links to the field `id`.
fn summary_links(page: &str, id: &str) -> bool {
    let Some(start) = page.find("id=\"form-error\"") else {
        return false;
    };
    let summary = &page[start..start + page[start..].find("</div>").unwrap()];
    summary.contains(&format!("href=\"#{id}\""))
}

both_dbs!(
    async fn an_empty_report_marks_every_field_and_names_each_in_the_summary(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.user("t@gym.de", "teacher", "gym").await;
        let mut teacher = app.login("t@gym.de", PASSWORD).await;
        let refused = teacher
            .post_form("/reports", &[("affected", "Beamer"), ("since", ""), ("how_many", ""), ("description", "")])
            .await;
        assert_eq!(refused.status, Status::UnprocessableEntity, "{}", refused.body);
        let page = &refused.body;
        for id in ["f-since", "f-how_many", "f-description"] {
            assert!(marked(page, id), "{id} is marked: {page}");
            assert!(summary_links(page, id), "the summary links {id}");
        }
        assert!(!marked(page, "f-affected"), "the field that was filled in is not marked");
        assert!(page.contains("Seit wann?: ") && page.contains("Beschreibung: "), "the summary names the fields");
        assert!(page.contains("value=\"Beamer\""), "what was typed stays");
    }
);

both_dbs!(
    async fn an_empty_ticket_marks_title_and_description(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.user("admin@gym.de", "school_admin", "gym").await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let refused =
            admin.post_form("/helpdesk/tickets", &[("title", ""), ("description", ""), ("priority", "P9")]).await;
        assert_eq!(refused.status, Status::UnprocessableEntity, "{}", refused.body);
        for id in ["f-title", "f-description", "f-priority"] {
            assert!(marked(&refused.body, id), "{id} is marked: {}", refused.body);
            assert!(summary_links(&refused.body, id), "the summary links {id}");
        }
        assert_eq!(entities::ticket::Entity::find().count(app.db()).await.unwrap(), 0, "no ticket");
    }
);

both_dbs!(
    async fn a_refused_desk_reply_marks_its_field(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        let opened = school
            .post_form(
                "/helpdesk/tickets",
                &[("title", "Drucker streikt"), ("description", "- [x] Papier geprüft\n- [ ] Neu gestartet")],
            )
            .await;
        assert_eq!(opened.status, Status::SeeOther, "{}", opened.body);
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let page = agent.get("/desk/tickets/T-000001").await.body;
        let refused = agent
            .post_form("/desk/tickets/T-000001/comment", &[("body", "  "), ("version", &version_field(&page))])
            .await;
        assert_eq!(refused.status, Status::UnprocessableEntity, "{}", refused.body);
        assert!(marked(&refused.body, "f-body"), "{}", refused.body);
        assert!(summary_links(&refused.body, "f-body"));
    }
);

both_dbs!(
    async fn task_list_checkboxes_are_labelled_by_their_item(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        school
            .post_form(
                "/helpdesk/tickets",
                &[("title", "Drucker streikt"), ("description", "- [x] Papier geprüft\n- [ ] Neu gestartet")],
            )
            .await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let desk = agent.get("/desk/tickets/T-000001").await.body;
        // The sanitiser writes attributes in no fixed order: look at the box as a whole.
        let checked = labelled_box(&desk, "Papier geprüft").unwrap_or_else(|| panic!("no labelled box: {desk}"));
        assert!(checked.contains(r#"type="checkbox""#) && checked.contains(r#"checked="""#), "{checked}");
        assert!(checked.contains(r#"disabled="""#), "{checked}");
        let open = labelled_box(&desk, "Neu gestartet").unwrap_or_else(|| panic!("no labelled box: {desk}"));
        assert!(open.contains(r#"type="checkbox""#) && !open.contains("checked"), "{open}");
        // The shipped checklist article, too.
        let article = agent.get("/kb/beamer-zeigt-kein-bild").await.body;
        let boxes = article.matches("type=\"checkbox\"").count();
        assert!(boxes > 0 && article.matches("<label><input").count() == boxes, "every checkbox in a label: {article}");
    }
);

both_dbs!(
    async fn articles_are_marked_german_in_the_english_ui(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.user_named("t@gym.de", "Tess", "teacher", "gym", "en").await;
        app.user_named("l@gym.de", "Lars", "teacher", "gym", "de").await;
        let mut english = app.login("t@gym.de", PASSWORD).await;
        let page = english.get("/kb/beamer-zeigt-kein-bild").await.body;
        assert!(page.contains("<html lang=\"en\">"), "the UI is English");
        assert!(page.contains("<h1 lang=\"de\">") && page.contains("<div class=\"markdown\" lang=\"de\">"), "{page}");
        let faq = english.get("/faq").await.body;
        assert!(faq.contains("<li lang=\"de\"><a href=\"/kb/"), "the FAQ's article titles: {faq}");
        let mut german = app.login("l@gym.de", PASSWORD).await;
        let page = german.get("/kb/beamer-zeigt-kein-bild").await.body;
        assert!(
            !page.contains("lang=\"de\"><") && page.contains("<div class=\"markdown\">"),
            "no mark needed in German"
        );
    }
);

/// The `<label><input …>` before a task list item's text, if it is labelled so.
fn labelled_box(html: &str, text: &str) -> Option<String> {
    let end = html.find(&format!("> {text}</label>"))?;
    let start = html[..end].rfind("<label><input")?;
    Some(html[start..=end].to_string())
}

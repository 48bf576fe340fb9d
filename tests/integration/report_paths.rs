//! A report's two paths at the school (issue #14 item 2): "solved here" answers the teacher
//! and finishes the report; "escalate" asks the first-level questions, suggests the service,
//! and opens a ticket whose description is clean and which links to its report both ways.
use crate::common::{Backend, Browser, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn setup(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.user_named("lehrer@gym.de", "Friederike Weber", "teacher", "gym", "de").await;
    app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
    app
}

/// The teacher files a report through the page; its id.
async fn file(teacher: &mut Browser<'_>, affected: &str, description: &str) -> i32 {
    let fields = [
        ("affected", affected),
        ("since", "seit Montag"),
        ("how_many", "alle im Neubau"),
        ("description", description),
    ];
    let filed = teacher.post_form("/reports", &fields).await;
    assert_eq!(filed.status, Status::SeeOther, "{}", filed.body);
    filed.location.unwrap().trim_start_matches("/reports/").parse().expect("a report id")
}

/// The HTML of the form posting to `action`.
fn form<'b>(page: &'b str, action: &str) -> &'b str {
    let start = page.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("a form to {action}: {page}"));
    let end = page[start..].find("</form>").expect("the form's end");
    &page[start..start + end]
}

const ESCALATION: [(&str, &str); 6] = [
    ("triage_scope", "school"),
    ("triage_fault_type", "unknown"),
    ("service", "wifi"),
    ("title", "WLAN im Neubau ausgefallen"),
    ("priority", "P2"),
    ("description", "Kein WLAN im Neubau.\n\nAccess Point neu gestartet, ohne Erfolg."),
];

async fn escalate(admin: &mut Browser<'_>, report: i32) -> String {
    let done = admin.post_form(&format!("/helpdesk/reports/{report}/escalate"), &ESCALATION).await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    done.location.unwrap().trim_start_matches("/helpdesk/tickets/").to_string()
}

both_dbs!(
    async fn a_new_report_offers_two_separate_paths(backend: Backend) {
        let app = setup(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let id = file(&mut teacher, "WLAN im Neubau", "Kein Netz.").await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let page = admin.get(&format!("/helpdesk/reports/{id}")).await;
        assert_eq!(page.status, Status::Ok);
        assert!(page.body.contains("Selbst gelöst: Antwort an die Lehrkraft"), "{}", page.body);
        assert!(page.body.contains("An den Service-Desk eskalieren"));
        let solve = form(&page.body, &format!("/helpdesk/reports/{id}/answer"));
        assert!(solve.contains("name=\"answer\"") && !solve.contains("name=\"triage_scope\""), "{solve}");
        assert!(!solve.contains("formaction"), "one exit per form");
        let escalate = form(&page.body, &format!("/helpdesk/reports/{id}/escalate"));
        for field in ["triage_scope", "triage_fault_type", "service", "title", "priority", "description"] {
            assert!(escalate.contains(&format!("name=\"{field}\"")), "the escalation asks {field}: {escalate}");
        }
        assert!(!escalate.contains("name=\"answer\""), "{escalate}");
        assert!(escalate.contains(">Kein Netz.</textarea>"), "the teacher's text is offered: {escalate}");
    }
);

both_dbs!(
    async fn solving_answers_the_teacher_and_finishes_the_report_without_a_ticket(backend: Backend) {
        let app = setup(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let id = file(&mut teacher, "Beamer Raum 104", "Kein Bild.").await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let done =
            admin.post_form(&format!("/helpdesk/reports/{id}/answer"), &[("answer", "HDMI-Kabel getauscht.")]).await;
        assert_eq!(done.status, Status::SeeOther, "{}", done.body);
        let report = entities::report::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap();
        assert_eq!(report.status, entities::ReportStatus::Answered);
        assert_eq!(report.ticket_id, None);
        assert_eq!(entities::ticket::Entity::find().count(app.db()).await.unwrap(), 0, "no ticket");
        let audits = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("report.answer"))
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(audits, 1);
        assert!(app.mails_to("lehrer@gym.de").await.iter().any(|m| m.body_text.contains("HDMI-Kabel getauscht.")));
        let page = admin.get(&format!("/helpdesk/reports/{id}")).await.body;
        assert!(!page.contains("/escalate\""), "a finished report offers no path any more");
        assert!(teacher.get(&format!("/reports/{id}")).await.body.contains("HDMI-Kabel getauscht."));
        let blank = {
            let again = file(&mut teacher, "Beamer Raum 105", "Auch kein Bild.").await;
            admin.post_form(&format!("/helpdesk/reports/{again}/answer"), &[("answer", "  ")]).await
        };
        assert_eq!(blank.status, Status::UnprocessableEntity, "solving needs an answer");
    }
);

both_dbs!(
    async fn escalating_requires_the_first_level_questions_and_keeps_what_was_typed(backend: Backend) {
        let app = setup(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let id = file(&mut teacher, "WLAN im Neubau", "Kein Netz.").await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let mails_before = app.outbox().await.len();
        let missing = [
            ("triage_scope", "Bitte wählen Sie, wie weit das Problem reicht"),
            ("triage_fault_type", "Bitte wählen Sie Hardware oder Software"),
            ("service", "Bitte wählen Sie den betroffenen Dienst"),
        ];
        for (field, message) in missing {
            let fields: Vec<(&str, &str)> =
                ESCALATION.iter().map(|(k, v)| (*k, if *k == field { "" } else { *v })).collect();
            let refused = admin.post_form(&format!("/helpdesk/reports/{id}/escalate"), &fields).await;
            assert_eq!(refused.status, Status::UnprocessableEntity, "without {field}");
            assert!(refused.body.contains(message), "{field}: {}", refused.body);
            let again = form(&refused.body, &format!("/helpdesk/reports/{id}/escalate"));
            assert!(again.contains("value=\"WLAN im Neubau ausgefallen\""), "the title typed stays: {again}");
            assert!(again.contains("Access Point neu gestartet"), "the description typed stays");
            assert!(again.contains("aria-invalid=\"true\""), "the field is marked");
        }
        assert_eq!(entities::ticket::Entity::find().count(app.db()).await.unwrap(), 0, "no ticket");
        let report = entities::report::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap();
        assert_eq!(report.status, entities::ReportStatus::New, "the report is still new");
        assert_eq!(app.outbox().await.len(), mails_before, "nobody is told anything");
        escalate(&mut admin, id).await;
        let ticket = entities::ticket::Entity::find().one(app.db()).await.unwrap().unwrap();
        let wifi = staffel::catalogue::services::find_by_slug(app.db(), "wifi").await.unwrap().unwrap();
        assert_eq!(ticket.service_id, Some(wifi.id), "the desk can suggest a provider");
        assert_eq!(ticket.triage_scope.as_deref(), Some("school"));
        assert_eq!(ticket.triage_fault_type.as_deref(), Some("unknown"));
    }
);

both_dbs!(
    async fn the_service_is_suggested_from_the_reports_words(backend: Backend) {
        let app = setup(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let beamer = file(&mut teacher, "Beamer Raum 104 zeigt kein Bild", "Lampe blinkt.").await;
        let vague = file(&mut teacher, "Etwas ist kaputt", "Es geht nicht.").await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let page = admin.get(&format!("/helpdesk/reports/{beamer}")).await.body;
        let escalate = form(&page, &format!("/helpdesk/reports/{beamer}/escalate"));
        assert!(escalate.contains("<option value=\"presentation\" selected>"), "{escalate}");
        assert!(escalate.contains("Vorgeschlagen nach den Worten der Meldung"));
        let page = admin.get(&format!("/helpdesk/reports/{vague}")).await.body;
        let escalate = form(&page, &format!("/helpdesk/reports/{vague}/escalate"));
        let select = &escalate[escalate.find("id=\"f-esc-service\"").expect("the service field")..];
        let select = &select[..select.find("</select>").unwrap()];
        assert!(!select.contains(" selected>"), "nothing to suggest, nothing preselected: {select}");
        assert!(escalate.contains("wählen Sie „Sonstiges“"));
    }
);

both_dbs!(
    async fn the_ticket_and_its_report_link_to_each_other_with_a_clean_description(backend: Backend) {
        let app = setup(&backend).await;
        app.provider("netz", "Netz GmbH", "16", &["Support <support@netz.de>"], &["wifi"]).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let id = file(&mut teacher, "WLAN im Neubau", "Kein Netz.").await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let number = escalate(&mut admin, id).await;

        let ticket = entities::ticket::Entity::find().one(app.db()).await.unwrap().unwrap();
        assert_eq!(ticket.report_id, Some(id));
        assert_eq!(ticket.description, "Kein WLAN im Neubau.\n\nAccess Point neu gestartet, ohne Erfolg.");
        let report_page = admin.get(&format!("/helpdesk/reports/{id}")).await.body;
        assert!(report_page.contains(&format!("href=\"/helpdesk/tickets/{number}\"")), "report → ticket");
        let school_page = admin.get(&format!("/helpdesk/tickets/{number}")).await.body;
        assert!(school_page.contains(&format!("href=\"/helpdesk/reports/{id}\"")), "ticket → report: {school_page}");
        for fact in ["<dd>seit Montag</dd>", "<dd>alle im Neubau</dd>", "<dd>Friederike Weber</dd>"] {
            assert!(school_page.contains(fact), "the school sees {fact} as a field");
        }

        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let desk_page = agent.get(&format!("/desk/tickets/{number}")).await.body;
        assert!(desk_page.contains("<dd>seit Montag</dd>") && desk_page.contains("<dd>alle im Neubau</dd>"));
        assert!(!desk_page.contains("/helpdesk/reports/"), "the desk cannot open a school's report page");
        for page in [&school_page, &desk_page] {
            assert!(!page.contains("Was ist betroffen?:") && !page.contains("<hr"), "no pasted labels or rule");
        }

        let desk = app.token("agent@desk.de").await;
        let forward = r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen.","share_description":true}"#;
        app.forward_ticket(&desk, &number, forward).await;
        let link = app.latest_provider_token().await;
        let provider_page = app.browser().get(&format!("/provider/{link}")).await.body;
        assert!(provider_page.contains("<dd>seit Montag</dd>"), "the report's fields go with the description");
        assert!(!provider_page.contains("Weber") && !provider_page.contains("/helpdesk/reports/"), "{provider_page}");

        let mine = teacher.get("/reports").await.body;
        assert!(mine.contains("WLAN im Neubau"), "the teacher's report never vanishes for the teacher");
        assert!(teacher.get(&format!("/reports/{id}")).await.body.contains(&number));
    }
);

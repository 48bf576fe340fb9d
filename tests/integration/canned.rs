//! Canned responses: the desk lead keeps them (each change audited), every agent reads
//! them, nobody outside the desk sees them.
use crate::common::{html_message, Backend, Browser, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use staffel::i18n::Lang;

const LEAD: &str = "lead@desk.de";
const AGENT: &str = "agent@desk.de";
const SCHOOL_ADMIN: &str = "sa@gym-a.de";

const PRINTER: [(&str, &str); 3] = [
    ("trigger", "drucker-neu"),
    ("title", "Drucker neu einrichten"),
    ("body", "Bitte den Drucker **entfernen** und neu anlegen."),
];

async fn desk(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym-a").await;
    app.users(&[(LEAD, "desk_lead", ""), (AGENT, "agent", ""), (SCHOOL_ADMIN, "school_admin", "gym-a")]).await;
    app
}

async fn stored(app: &TestApp) -> Vec<entities::canned_response::Model> {
    entities::canned_response::Entity::find()
        .order_by_asc(entities::canned_response::Column::Id)
        .all(app.db())
        .await
        .expect("read canned responses")
}

/// The audit records of canned responses, oldest first: (action, target id).
async fn audited(app: &TestApp) -> Vec<(String, Option<i32>)> {
    entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::TargetType.eq("canned_response"))
        .order_by_asc(entities::audit_event::Column::Id)
        .all(app.db())
        .await
        .expect("read the audit log")
        .into_iter()
        .map(|e| (e.action, e.target_id))
        .collect()
}

/// The lead creates the printer text; its id.
async fn create_printer(app: &TestApp, lead: &mut Browser<'_>) -> i32 {
    let created = lead.post_form("/desk/canned", &PRINTER).await;
    assert_eq!(created.status, Status::SeeOther, "{}", created.body);
    stored(app).await.last().expect("the new canned response").id
}

both_dbs!(
    async fn the_lead_creates_one_with_its_audit_record(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login(LEAD, PASSWORD).await;
        let id = create_printer(&app, &mut lead).await;
        let row = &stored(&app).await[0];
        assert_eq!((row.trigger.as_str(), row.title.as_str()), ("drucker-neu", "Drucker neu einrichten"));
        assert_eq!(row.updated_by, Some(app.user_id(LEAD).await));
        assert_eq!(audited(&app).await, [("canned.create".to_string(), Some(id))]);
        let list = lead.get("/desk/canned").await;
        assert!(
            list.body.contains("::drucker-neu") && list.body.contains("Bitte den Drucker **entfernen**"),
            "{}",
            list.body
        );
    }
);

both_dbs!(
    async fn the_lead_edits_one_with_its_audit_record(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login(LEAD, PASSWORD).await;
        let id = create_printer(&app, &mut lead).await;
        assert_eq!(lead.get(&format!("/desk/canned/{id}/edit")).await.status, Status::Ok);
        let edited = lead
            .post_form(
                &format!("/desk/canned/{id}"),
                &[("trigger", "drucker-weg"), ("title", "Drucker entfernen"), ("body", "Neuer Text.")],
            )
            .await;
        assert_eq!(edited.status, Status::SeeOther, "{}", edited.body);
        let row = &stored(&app).await[0];
        assert_eq!((row.trigger.as_str(), row.body.as_str()), ("drucker-weg", "Neuer Text."));
        assert_eq!(audited(&app).await.last(), Some(&("canned.update".to_string(), Some(id))));
    }
);

both_dbs!(
    async fn the_lead_deletes_one_with_its_audit_record(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login(LEAD, PASSWORD).await;
        let id = create_printer(&app, &mut lead).await;
        let deleted = lead.post_form(&format!("/desk/canned/{id}/delete"), &[("confirm", "1")]).await;
        assert_eq!(deleted.status, Status::SeeOther, "{}", deleted.body);
        assert!(stored(&app).await.is_empty());
        assert_eq!(audited(&app).await.last(), Some(&("canned.delete".to_string(), Some(id))));
        assert_eq!(lead.post_form(&format!("/desk/canned/{id}/delete"), &[]).await.status, Status::NotFound);
    }
);

both_dbs!(
    async fn a_delete_without_confirmation_asks_and_deletes_nothing(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login(LEAD, PASSWORD).await;
        let id = create_printer(&app, &mut lead).await;
        let before = app.fingerprint().await;
        for confirm in [None, Some(""), Some("ja")] {
            let fields: Vec<(&str, &str)> = confirm.map(|c| ("confirm", c)).into_iter().collect();
            let asked = lead.post_form(&format!("/desk/canned/{id}/delete"), &fields).await;
            assert_eq!(asked.status, Status::Ok, "{confirm:?}: {}", asked.body);
            let question = html_message(Lang::De, "canned.confirm_delete", "Drucker neu einrichten");
            assert!(asked.body.contains(&format!("<h2 id=\"confirm-title\">{question}</h2>")), "{}", asked.body);
            assert!(
                asked.body.contains(&format!("action=\"/desk/canned/{id}/delete\" class=\"row-form\"")),
                "the question posts the delete again"
            );
            assert!(asked.body.contains("<input type=\"hidden\" name=\"confirm\" value=\"1\">"));
            assert_eq!(app.fingerprint().await, before, "{confirm:?}: nothing deleted");
        }
    }
);

both_dbs!(
    async fn a_plain_agent_reads_them_but_may_not_change_them(backend: Backend) {
        let app = desk(&backend).await;
        let id = create_printer(&app, &mut app.login(LEAD, PASSWORD).await).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let list = agent.get("/desk/canned").await;
        assert_eq!(list.status, Status::Ok);
        assert!(list.body.contains("::drucker-neu") && !list.body.contains("action=\"/desk/canned\""));
        let before = app.fingerprint().await;
        let refused = [
            agent.post_form("/desk/canned", &[("trigger", "neu"), ("title", "Neu"), ("body", "Text")]).await,
            agent.post_form(&format!("/desk/canned/{id}"), &PRINTER).await,
            agent.post_form(&format!("/desk/canned/{id}/delete"), &[]).await,
        ];
        for reply in refused {
            assert_eq!(reply.status, Status::Forbidden);
        }
        assert_eq!(agent.get(&format!("/desk/canned/{id}/edit")).await.status, Status::Forbidden);
        assert_eq!(app.fingerprint().await, before, "nothing changed");
    }
);

both_dbs!(
    async fn a_taken_or_malformed_trigger_is_refused_at_its_field(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login(LEAD, PASSWORD).await;
        create_printer(&app, &mut lead).await;
        let before = app.fingerprint().await;
        let twice = lead.post_form("/desk/canned", &PRINTER).await;
        assert_eq!(twice.status, Status::UnprocessableEntity);
        assert!(twice.body.contains(&html_message(Lang::De, "canned.trigger_taken", "drucker-neu")), "{}", twice.body);
        assert!(twice.body.contains("href=\"#f-trigger\""), "the summary names the field");
        assert!(twice.body.contains("id=\"f-trigger\" name=\"trigger\" type=\"text\" value=\"drucker-neu\""));
        for bad in ["drucker neu", "drücker", "-drucker", "drucker--neu", &"x".repeat(33)] {
            let refused =
                lead.post_form("/desk/canned", &[("trigger", bad), ("title", "Titel"), ("body", "Text")]).await;
            assert_eq!(refused.status, Status::UnprocessableEntity, "{bad}");
            assert!(refused.body.contains("aria-invalid=\"true\" aria-describedby=\"f-trigger-error"), "{bad}");
        }
        assert_eq!(app.fingerprint().await, before, "nothing changed");
    }
);

both_dbs!(
    async fn the_json_gives_the_texts_to_the_desk_only(backend: Backend) {
        let app = desk(&backend).await;
        create_printer(&app, &mut app.login(LEAD, PASSWORD).await).await;
        let agent = app.login(AGENT, PASSWORD).await;
        let response = app
            .client
            .get("/desk/canned.json")
            .cookies(agent.cookies.values().cloned().collect::<Vec<_>>())
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(response.headers().get_one("Cache-Control"), Some("no-store"));
        let texts: serde_json::Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
        assert_eq!(texts[0]["trigger"], "drucker-neu");
        assert_eq!(texts[0]["body"], "Bitte den Drucker **entfernen** und neu anlegen.");
        let mut school = app.login(SCHOOL_ADMIN, PASSWORD).await;
        let refused = school.get("/desk/canned.json").await;
        assert_eq!(refused.status, Status::Forbidden);
        assert!(!refused.body.contains("entfernen"));
    }
);

const GREETING: &str = "Hier {agent} zu {ticket} „{titel}“ ({title}) der {schule}/{school}. {unbekannt} {Agent}";

/// The lead saves the greeting with every placeholder; a school admin opens a ticket. Its
/// number.
async fn greeting_and_ticket(app: &TestApp) -> String {
    let mut lead = app.login(LEAD, PASSWORD).await;
    let saved = lead.post_form("/desk/canned", &[("trigger", "gruss"), ("title", "Gruß"), ("body", GREETING)]).await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    let ticket = r#"{"title":"Beamer flackert","description":"Raum 12.","service":"presentation"}"#;
    app.open_ticket(&app.token(SCHOOL_ADMIN).await, ticket).await
}

both_dbs!(
    async fn the_json_for_a_ticket_fills_its_placeholders(backend: Backend) {
        let app = desk(&backend).await;
        let number = greeting_and_ticket(&app).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let filled = agent.get(&format!("/desk/canned.json?ticket={number}")).await;
        assert_eq!(filled.status, Status::Ok, "{}", filled.body);
        let texts: serde_json::Value = serde_json::from_str(&filled.body).unwrap();
        let want = format!(
            "Hier Test agent zu {number} „Beamer flackert“ (Beamer flackert) der Schule gym-a/Schule gym-a. {{unbekannt}} {{Agent}}"
        );
        assert_eq!(texts[0]["body"], want.as_str());
        let plain = agent.get("/desk/canned.json").await;
        let texts: serde_json::Value = serde_json::from_str(&plain.body).unwrap();
        assert_eq!(
            texts[0]["body"],
            "Hier Test agent zu {ticket} „{titel}“ ({title}) der {schule}/{school}. {unbekannt} {Agent}",
            "without a ticket only the agent is known"
        );
        let stored = &stored(&app).await[0];
        assert_eq!(stored.body, GREETING, "the stored text keeps its placeholders");
    }
);

both_dbs!(
    async fn the_json_for_an_unknown_ticket_is_not_found(backend: Backend) {
        let app = desk(&backend).await;
        greeting_and_ticket(&app).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        for ticket in ["T-999999", "kein-ticket", "T-0", "%00"] {
            let refused = agent.get(&format!("/desk/canned.json?ticket={ticket}")).await;
            assert_eq!(refused.status, Status::NotFound, "{ticket}: {}", refused.body);
            assert!(!refused.body.contains("Hier"), "{ticket}: no text");
        }
    }
);

both_dbs!(
    async fn the_edit_page_lists_the_placeholders(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login(LEAD, PASSWORD).await;
        let id = create_printer(&app, &mut lead).await;
        let page = lead.get(&format!("/desk/canned/{id}/edit")).await;
        assert_eq!(page.status, Status::Ok);
        let school = staffel::i18n::tr(Lang::De, "canned.placeholder_school");
        assert!(
            page.body.contains(&format!("<li><code>{{schule}}</code> oder <code>{{school}}</code>: {school}</li>")),
            "{}",
            page.body
        );
        for name in ["{ticket}", "{titel}", "{title}", "{agent}"] {
            assert!(page.body.contains(&format!("<code>{name}</code>")), "{name}");
        }
        assert!(page.body.contains("aria-describedby=\"f-body-hint f-body-placeholders\""), "the box names the list");
    }
);

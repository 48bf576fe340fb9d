//! The desk ticket page agents work in (#14 items 4, 5, 8): one reply box whose mode says
//! what the text is, posted to one route; resolving and recalling only once confirmed;
//! reply and resolve in one step; a refused post keeps the text and shows what came since;
//! the facts and their forms.
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::common::uploads::{post_files, PNG};
use crate::common::{ticket_id, Backend, Browser, TestApp, PASSWORD};

const SCHOOL: &str = "sa@gym.de";
const AGENT: &str = "ag@desk.de";
const CONTACT: &str = "support@netz.de";

/// A school, its admin with one ticket (T-000001, new), an agent signed in.
async fn setup(backend: &Backend) -> (TestApp, String) {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.users(&[(SCHOOL, "school_admin", "gym"), (AGENT, "agent", "")]).await;
    app.provider("netz", "Netz GmbH", "16", &[&format!("Support <{CONTACT}>")], &["wifi"]).await;
    let token = app.token(SCHOOL).await;
    let number = app
        .open_ticket(&token, r#"{"title":"WLAN im Altbau weg","description":"Seit heute früh.","service":"wifi"}"#)
        .await;
    (app, number)
}

async fn ticket(app: &TestApp, number: &str) -> entities::ticket::Model {
    entities::ticket::Entity::find_by_id(ticket_id(number)).one(app.db()).await.unwrap().unwrap()
}

async fn events(app: &TestApp, number: &str) -> Vec<entities::ticket_event::Model> {
    entities::ticket_event::Entity::find()
        .filter(entities::ticket_event::Column::TicketId.eq(ticket_id(number)))
        .all(app.db())
        .await
        .unwrap()
}

async fn mails_to(app: &TestApp, email: &str) -> u64 {
    entities::mail_outbox::Entity::find()
        .filter(entities::mail_outbox::Column::ToAddr.eq(email))
        .count(app.db())
        .await
        .unwrap()
}

/// The value of the first hidden field with this name on the page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("a field {name}")) + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// The reply box's hidden fields as the page shows them now: version and seen.
async fn page_state(agent: &mut Browser<'_>, number: &str) -> (String, String) {
    let page = agent.get(&format!("/desk/tickets/{number}")).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let form = &page.body[page.body.find("id=\"reply-box\"").expect("the reply box")..];
    (hidden(form, "version"), hidden(form, "seen"))
}

/// Posts the box of the page as it is now with these fields.
async fn post_box(agent: &mut Browser<'_>, number: &str, fields: &[(&str, &str)]) -> crate::common::Reply {
    let (version, seen) = page_state(agent, number).await;
    let mut all = vec![("version", version.as_str()), ("seen", seen.as_str())];
    all.extend_from_slice(fields);
    agent.post_form(&format!("/desk/tickets/{number}/reply"), &all).await
}

fn saved(reply: &crate::common::Reply, number: &str) {
    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    assert_eq!(reply.location.as_deref(), Some(format!("/desk/tickets/{number}").as_str()));
}

/// Forwards the ticket to Netz GmbH through the API; the forward's id.
async fn forward(app: &TestApp, number: &str) -> i32 {
    let token = app.token(AGENT).await;
    app.forward_ticket(
        &token,
        number,
        r#"{"provider":"netz","priority":"P2","message":"Bitte den Access Point prüfen."}"#,
    )
    .await;
    let forwards = entities::forward::Entity::find().all(app.db()).await.unwrap();
    forwards.last().expect("a forward").id
}

both_dbs!(
    async fn a_reply_mails_the_school(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let before = mails_to(&app, SCHOOL).await;
        saved(&post_box(&mut agent, &number, &[("mode", "reply"), ("body", "Wir schauen nach.")]).await, &number);
        let last = events(&app, &number).await.pop().unwrap();
        assert_eq!(
            (last.kind, last.internal, last.body.as_str()),
            (entities::EventKind::Comment, false, "Wir schauen nach.")
        );
        assert_eq!(mails_to(&app, SCHOOL).await, before + 1);
    }
);

both_dbs!(
    async fn a_note_stays_internal_and_mails_nobody(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let before = app.outbox().await.len();
        saved(&post_box(&mut agent, &number, &[("mode", "note"), ("body", "Access Point ist alt.")]).await, &number);
        let last = events(&app, &number).await.pop().unwrap();
        assert_eq!((last.kind, last.internal), (entities::EventKind::Note, true));
        assert_eq!(app.outbox().await.len(), before, "a note mails nobody");
        let page = agent.get(&format!("/desk/tickets/{number}")).await.body;
        assert!(page.contains("event event-note internal"), "the note is marked internal on the timeline");
    }
);

both_dbs!(
    async fn a_refused_note_comes_back_as_a_note(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let refused = post_box(&mut agent, &number, &[("mode", "note"), ("body", "  ")]).await;
        assert_eq!(refused.status, Status::UnprocessableEntity, "{}", refused.body);
        assert!(refused.body.contains(r#"id="mode-note" value="note" checked"#), "the note mode is still chosen");
        assert!(refused.body.contains("reply-box mode-note"), "the box is shown as a note");
    }
);

both_dbs!(
    async fn a_question_waits_on_the_school(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        saved(&post_box(&mut agent, &number, &[("mode", "ask"), ("body", "Welcher Raum?")]).await, &number);
        assert_eq!(ticket(&app, &number).await.status.as_str(), "waiting_on_school");
    }
);

both_dbs!(
    async fn an_answer_to_the_provider_reaches_its_contact(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let fwd = forward(&app, &number).await.to_string();
        let mut agent = app.login(AGENT, PASSWORD).await;
        let before = mails_to(&app, CONTACT).await;
        let fields = [("mode", "provider"), ("forward", fwd.as_str()), ("body", "Port 3 ist frei.")];
        saved(&post_box(&mut agent, &number, &fields).await, &number);
        let last = events(&app, &number).await.pop().unwrap();
        assert_eq!((last.kind, last.body.as_str()), (entities::EventKind::ProviderReply, "Port 3 ist frei."));
        assert_eq!(mails_to(&app, CONTACT).await, before + 1);
    }
);

both_dbs!(
    async fn a_resolve_without_confirmation_changes_nothing(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let before = ticket(&app, &number).await;
        let asked = post_box(&mut agent, &number, &[("mode", "resolve"), ("body", "AP neu gestartet.")]).await;
        assert_eq!(asked.status, Status::Ok, "{}", asked.body);
        assert!(asked.body.contains("Wirklich lösen?"), "the page asks");
        assert!(asked.body.contains(r#"name="confirm" value="1""#), "with a confirm button");
        let after = ticket(&app, &number).await;
        assert_eq!((after.status, after.version), (before.status, before.version));
    }
);

both_dbs!(
    async fn a_confirmed_resolve_resolves_with_the_text(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let fields = [("mode", "resolve"), ("body", "AP neu gestartet."), ("confirm", "1")];
        saved(&post_box(&mut agent, &number, &fields).await, &number);
        let t = ticket(&app, &number).await;
        assert_eq!((t.status.as_str(), t.solution.as_deref()), ("resolved", Some("AP neu gestartet.")));
    }
);

both_dbs!(
    async fn reply_and_resolve_resolves_with_the_reply_as_solution(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let before = events(&app, &number).await.len();
        let fields = [("mode", "reply"), ("body", "Läuft wieder."), ("close", "1"), ("confirm", "1")];
        saved(&post_box(&mut agent, &number, &fields).await, &number);
        let t = ticket(&app, &number).await;
        assert_eq!((t.status.as_str(), t.solution.as_deref()), ("resolved", Some("Läuft wieder.")));
        let added = &events(&app, &number).await[before..];
        let kinds: Vec<_> = added.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [entities::EventKind::Resolved], "one step, the solution once");
    }
);

both_dbs!(
    async fn a_recall_without_confirmation_changes_nothing(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let fwd = forward(&app, &number).await.to_string();
        let mut agent = app.login(AGENT, PASSWORD).await;
        let before = ticket(&app, &number).await;
        let asked = post_box(&mut agent, &number, &[("mode", "recall"), ("forward", &fwd)]).await;
        assert_eq!(asked.status, Status::Ok, "{}", asked.body);
        assert!(asked.body.contains("Wirklich zurückholen?"), "the page asks");
        let after = ticket(&app, &number).await;
        assert_eq!((after.status.as_str(), after.version), ("at_provider", before.version));
        let still = entities::forward::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(still[0].status, entities::ForwardStatus::Active);
    }
);

both_dbs!(
    async fn a_confirmed_recall_takes_the_ticket_back(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let fwd = forward(&app, &number).await.to_string();
        let mut agent = app.login(AGENT, PASSWORD).await;
        saved(
            &post_box(&mut agent, &number, &[("mode", "recall"), ("forward", &fwd), ("confirm", "1")]).await,
            &number,
        );
        assert_eq!(ticket(&app, &number).await.status.as_str(), "open");
    }
);

both_dbs!(
    async fn a_stale_resolve_keeps_the_text_and_marks_what_came_since(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let (version, seen) = page_state(&mut agent, &number).await;
        // Meanwhile the school writes.
        let school = app.token(SCHOOL).await;
        let path = format!("/api/v1/tickets/{number}/comments");
        let wrote = app.api_post(Some(&school), &path, r#"{"body":"Jetzt auch im Neubau."}"#).await;
        assert_eq!(wrote.status, Status::Ok, "{}", wrote.body);
        let fields = [("version", version.as_str()), ("seen", seen.as_str())];
        let typed = [("mode", "resolve"), ("body", "Controller neu gestartet."), ("confirm", "1")];
        let stale =
            agent.post_form(&format!("/desk/tickets/{number}/reply"), &[&fields[..], &typed[..]].concat()).await;
        assert_eq!(stale.status, Status::Conflict, "{}", stale.body);
        assert!(stale.body.contains("inzwischen geändert"), "says why");
        assert!(stale.body.contains(">Controller neu gestartet.</textarea>"), "the text is kept");
        assert!(stale.body.contains(r#"id="mode-resolve" value="resolve" checked"#), "and the mode");
        assert!(stale.body.contains("event event-comment fresh"), "the school's comment is marked new");
        assert_eq!(ticket(&app, &number).await.status.as_str(), "new", "nothing resolved");
        let form = &stale.body[stale.body.find("id=\"reply-box\"").unwrap()..];
        let again = [("version", hidden(form, "version")), ("seen", hidden(form, "seen"))];
        let again: Vec<(&str, &str)> = again.iter().map(|(k, v)| (*k, v.as_str())).chain(typed).collect();
        saved(&agent.post_form(&format!("/desk/tickets/{number}/reply"), &again).await, &number);
        assert_eq!(ticket(&app, &number).await.status.as_str(), "resolved", "the fresh version works");
    }
);

both_dbs!(
    async fn a_reply_needs_no_version(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let fields = [("version", "0"), ("mode", "reply"), ("body", "Wir sind dran.")];
        saved(&agent.post_form(&format!("/desk/tickets/{number}/reply"), &fields).await, &number);
    }
);

both_dbs!(
    async fn a_closed_ticket_offers_no_assign_or_priority_form(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let token = app.token(AGENT).await;
        app.resolve_ticket(&token, &number, "Erledigt.").await;
        let closed = app.api_post(Some(&token), &format!("/api/v1/tickets/{number}/close"), "{}").await;
        assert_eq!(closed.status, Status::Ok, "{}", closed.body);
        let mut agent = app.login(AGENT, PASSWORD).await;
        let page = agent.get(&format!("/desk/tickets/{number}")).await.body;
        assert!(page.contains(&format!("/desk/tickets/{number}/reopen")), "the page is the closed ticket's");
        for action in ["assign", "reclassify", "reply"] {
            assert!(!page.contains(&format!("/desk/tickets/{number}/{action}\"")), "no {action} form");
        }
    }
);

both_dbs!(
    async fn an_unknown_mode_is_refused_and_changes_nothing(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let (before, count) = (ticket(&app, &number).await.version, events(&app, &number).await.len());
        let refused = post_box(&mut agent, &number, &[("mode", "shout"), ("body", "Hallo?")]).await;
        assert_eq!(refused.status, Status::UnprocessableEntity, "{}", refused.body);
        assert!(refused.body.contains("Bitte wählen Sie, was der Text ist"), "a clear message");
        assert!(refused.body.contains(">Hallo?</textarea>"), "the text is kept");
        assert_eq!((ticket(&app, &number).await.version, events(&app, &number).await.len()), (before, count));
    }
);

both_dbs!(
    async fn a_refused_forward_keeps_its_message_and_stays_open(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let (version, seen) = page_state(&mut agent, &number).await;
        let fields = [("version", version.as_str()), ("seen", &seen), ("provider", "niemand"), ("priority", "P2")];
        let fields = [&fields[..], &[("body", "Bitte Port 3 prüfen.")]].concat();
        let refused = agent.post_form(&format!("/desk/tickets/{number}/forward"), &fields).await;
        assert_eq!(refused.status, Status::UnprocessableEntity, "{}", refused.body);
        assert!(refused.body.contains(r#"id="forwarding" open"#), "the forward form is open");
        assert!(refused.body.contains(">Bitte Port 3 prüfen.</textarea>"), "with its message");
    }
);

both_dbs!(
    async fn the_facts_name_the_service_and_the_provider_at_work(backend: Backend) {
        let (app, number) = setup(&backend).await;
        forward(&app, &number).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let page = agent.get(&format!("/desk/tickets/{number}")).await.body;
        let facts = &page[page.find("class=\"ticket-facts\"").unwrap()..page.find("class=\"ticket-main\"").unwrap()];
        let wifi = staffel::catalogue::services::list(app.db(), false).await.unwrap();
        let wifi = wifi.iter().find(|s| s.slug == "wifi").unwrap();
        assert!(facts.contains(&format!("<dd>{}</dd>", wifi.name_de)), "the service by its name: {facts}");
        assert!(facts.contains("<strong>Netz GmbH</strong>"), "the provider at work");
    }
);

both_dbs!(
    async fn a_note_carries_its_file(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let (version, seen) = page_state(&mut agent, &number).await;
        let fields = [("version", version.as_str()), ("seen", &seen), ("mode", "note"), ("body", "Foto vom AP.")];
        let path = format!("/desk/tickets/{number}/reply");
        let sent = post_files(&mut agent, &path, &fields, &[("files", "ap.png", "image/png", PNG)]).await;
        saved(&sent, &number);
        let files = entities::attachment::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(files.iter().map(|a| (a.filename.as_str(), a.internal)).collect::<Vec<_>>(), [("ap.png", true)]);
    }
);

both_dbs!(
    async fn a_resolve_with_a_file_is_refused_and_keeps_the_text(backend: Backend) {
        let (app, number) = setup(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let (version, seen) = page_state(&mut agent, &number).await;
        let fields = [
            ("version", version.as_str()),
            ("seen", &seen),
            ("mode", "resolve"),
            ("body", "Neu gestartet."),
            ("confirm", "1"),
        ];
        let path = format!("/desk/tickets/{number}/reply");
        let before = app.fingerprint().await;
        let refused = post_files(&mut agent, &path, &fields, &[("files", "ap.png", "image/png", PNG)]).await;
        assert_eq!(refused.status, Status::UnprocessableEntity, "{}", refused.body);
        assert!(refused.body.contains("Beim Lösen und Zurückholen werden keine Dateien angehängt"), "a clear message");
        assert!(refused.body.contains(">Neu gestartet.</textarea>"), "the text is kept");
        assert_eq!(app.fingerprint().await, before, "nothing stored");
    }
);

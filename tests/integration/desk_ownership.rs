//! Who works a ticket (issue #14 item 6): whoever at the desk answers, asks, resolves or
//! forwards a ticket nobody has takes it; the school's word on a ticket without a working
//! agent reaches the desk's leads; a provider's solution waits in "to verify" (and in the
//! agent's own queue) until the desk closes it; news from the school is unread for each
//! agent until they open the ticket.
use crate::common::{ticket_id, Backend, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::EntityTrait;
use staffel::tickets::queue::{self, Filter};

async fn setup(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("agent@desk.de", "agent", ""),
        ("kollege@desk.de", "agent", ""),
        ("lead@desk.de", "desk_lead", ""),
    ])
    .await;
    app
}

async fn open(app: &TestApp, title: &str) -> String {
    let admin = app.token("admin@gym.de").await;
    app.open_ticket(&admin, &format!(r#"{{"title":"{title}","description":"Geht nicht.","priority":"P3"}}"#)).await
}

async fn assignee(app: &TestApp, number: &str) -> Option<i32> {
    entities::ticket::Entity::find_by_id(ticket_id(number)).one(app.db()).await.unwrap().unwrap().assignee_id
}

async fn listed(app: &TestApp, email: &str, queue: &str) -> Vec<String> {
    let agent = app.actor(email).await;
    let filter = Filter { queue: queue.into(), ..Default::default() };
    queue::page(app.db(), &agent, &filter).await.expect("queue page").items.into_iter().map(|t| t.number).collect()
}

both_dbs!(
    async fn answering_asking_or_resolving_an_unassigned_ticket_takes_it_a_note_does_not(backend: Backend) {
        let app = setup(&backend).await;
        let agent_id = app.user_id("agent@desk.de").await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let noted = open(&app, "Notiz").await;
        let done = agent
            .post_form(
                &format!("/desk/tickets/{noted}/comment"),
                &[("body", "Intern: Raum prüfen"), ("internal", "true")],
            )
            .await;
        assert_eq!(done.status, Status::SeeOther, "{}", done.body);
        assert_eq!(assignee(&app, &noted).await, None, "an internal note leaves the ticket to whoever takes it");
        for (action, field, text) in [
            ("comment", "body", "Wir kümmern uns."),
            ("ask", "body", "Welcher Raum?"),
            ("resolve", "body", "Neu gestartet."),
        ] {
            let number = open(&app, action).await;
            let done = agent.post_form(&format!("/desk/tickets/{number}/{action}"), &[(field, text)]).await;
            assert_eq!(done.status, Status::SeeOther, "{action}: {}", done.body);
            assert_eq!(assignee(&app, &number).await, Some(agent_id), "{action} takes the unassigned ticket");
        }
        // A ticket a colleague has stays theirs.
        let theirs = open(&app, "Kollege").await;
        let mut colleague = app.login("kollege@desk.de", PASSWORD).await;
        colleague.post_form(&format!("/desk/tickets/{theirs}/assign"), &[("agent", "me")]).await;
        agent.post_form(&format!("/desk/tickets/{theirs}/comment"), &[("body", "Ich helfe mit.")]).await;
        assert_eq!(assignee(&app, &theirs).await, Some(app.user_id("kollege@desk.de").await));
    }
);

both_dbs!(
    async fn the_schools_answer_reaches_the_desk_leads_when_no_agent_works_the_ticket(backend: Backend) {
        let app = setup(&backend).await;
        let number = open(&app, "Drucker").await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let asked = agent.post_form(&format!("/desk/tickets/{number}/ask"), &[("body", "Welcher Drucker?")]).await;
        assert_eq!(asked.status, Status::SeeOther, "{}", asked.body);
        // The agent who asked has left the desk since.
        app.set_active("agent@desk.de", false).await;
        let before = app.mails_to("lead@desk.de").await.len();
        let admin = app.token("admin@gym.de").await;
        let answered = app
            .api_post(Some(&admin), &format!("/api/v1/tickets/{number}/comments"), r#"{"body":"Der im Lehrerzimmer."}"#)
            .await;
        assert_eq!(answered.status, Status::Ok, "{}", answered.body);
        let to_lead = app.mails_to("lead@desk.de").await;
        assert_eq!(to_lead.len(), before + 1, "the lead hears of the answer");
        assert!(to_lead.last().unwrap().body_text.contains("Der im Lehrerzimmer."));
        assert!(app.mails_to("kollege@desk.de").await.is_empty(), "with a lead, not every agent is mailed");
    }
);

both_dbs!(
    async fn a_providers_solution_waits_to_be_verified_and_stays_in_mine_until_closed(backend: Backend) {
        let app = setup(&backend).await;
        app.provider("druck", "Druckdienst", "8", &["service@druck.test"], &["printing"]).await;
        let number = open(&app, "Kopierer").await;
        let desk = app.token("agent@desk.de").await;
        app.forward_ticket(&desk, &number, r#"{"provider":"druck","priority":"P3","message":"Bitte prüfen."}"#).await;
        assert!(listed(&app, "agent@desk.de", "verify").await.is_empty());
        let token = app.latest_provider_token().await;
        let resolved = app
            .api_post(None, &format!("/api/v1/provider/{token}/resolve"), r#"{"solution":"Trommel getauscht."}"#)
            .await;
        assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
        assert_eq!(
            listed(&app, "agent@desk.de", "verify").await,
            std::slice::from_ref(&number),
            "to verify, for the whole desk"
        );
        assert_eq!(listed(&app, "kollege@desk.de", "verify").await, std::slice::from_ref(&number));
        assert_eq!(listed(&app, "agent@desk.de", "mine").await, std::slice::from_ref(&number), "still the agent's");
        assert!(listed(&app, "kollege@desk.de", "mine").await.is_empty());
        let agent = app.actor("agent@desk.de").await;
        let stamp = queue::stamp(app.db(), &agent).await.unwrap();
        let counts = queue::counts(app.db(), &agent, &stamp, &queue::OverdueCount::default()).await.unwrap();
        let count = |q: queue::Queue| counts.iter().find(|c| c.queue == q).unwrap().count;
        assert_eq!((count(queue::Queue::Verify), count(queue::Queue::Mine)), (1, 1));
        let closed = app.api_post(Some(&desk), &format!("/api/v1/tickets/{number}/close"), "{}").await;
        assert_eq!(closed.status, Status::Ok, "{}", closed.body);
        assert!(listed(&app, "agent@desk.de", "verify").await.is_empty(), "verified and closed");
        assert!(listed(&app, "agent@desk.de", "mine").await.is_empty());
    }
);

both_dbs!(
    async fn news_from_the_school_is_unread_for_each_agent_until_they_open_the_ticket(backend: Backend) {
        let app = setup(&backend).await;
        let number = open(&app, "Tafel").await;
        let quiet = open(&app, "Beamer").await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let mut colleague = app.login("kollege@desk.de", PASSWORD).await;
        agent.post_form(&format!("/desk/tickets/{number}/comment"), &[("body", "Welche Tafel?")]).await;
        agent.post_form(&format!("/desk/tickets/{quiet}/comment"), &[("body", "Welcher Beamer?")]).await;
        let unread_rows = |page: &str| -> Vec<String> {
            page.split("<tr")
                .filter(|row| row.contains("class=\"unread\""))
                .filter_map(|row| row.split("class=\"number\">").nth(1))
                .map(|rest| rest.split('<').next().unwrap_or_default().to_string())
                .collect()
        };
        assert!(unread_rows(&agent.get("/desk?queue=open").await.body).is_empty(), "the desk's own words are not news");
        let admin = app.token("admin@gym.de").await;
        let answered = app
            .api_post(Some(&admin), &format!("/api/v1/tickets/{number}/comments"), r#"{"body":"Die im Raum 12."}"#)
            .await;
        assert_eq!(answered.status, Status::Ok, "{}", answered.body);
        assert_eq!(unread_rows(&agent.get("/desk?queue=open").await.body), std::slice::from_ref(&number));
        assert_eq!(unread_rows(&colleague.get("/desk?queue=open").await.body), std::slice::from_ref(&number));
        assert_eq!(agent.get(&format!("/desk/tickets/{number}")).await.status, Status::Ok);
        assert!(unread_rows(&agent.get("/desk?queue=open").await.body).is_empty(), "read once opened");
        assert_eq!(
            unread_rows(&colleague.get("/desk?queue=open").await.body),
            std::slice::from_ref(&number),
            "per agent"
        );
        // New words after the reading are news again.
        app.api_post(Some(&admin), &format!("/api/v1/tickets/{number}/comments"), r#"{"body":"Noch da?"}"#).await;
        assert_eq!(unread_rows(&agent.get("/desk?queue=open").await.body), std::slice::from_ref(&number));
    }
);

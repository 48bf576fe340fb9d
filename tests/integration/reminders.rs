//! The reminder job: SLA reminders per stage, once each, to the agent working a ticket or
//! the desk leads; provider reminders when the agreed time ran out, with the link the
//! contact already has. The job's body runs at chosen moments, so nothing waits on a clock.
use crate::common::{provider_token_in, Backend, TestApp, PASSWORD};
use chrono::{DateTime, Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

async fn run_job(app: &TestApp, now: DateTime<Utc>) -> usize {
    staffel::jobs::remind_once(app.app(), now).await.expect("reminders run")
}

/// The subject of every mail to this address, oldest first.
async fn subjects_to(app: &TestApp, email: &str) -> Vec<String> {
    app.mails_to(email).await.into_iter().map(|m| m.subject).collect()
}

/// The text of every mail to this address, oldest first.
async fn bodies_to(app: &TestApp, email: &str) -> Vec<String> {
    app.mails_to(email).await.into_iter().map(|m| m.body_text).collect()
}

async fn ticket(app: &TestApp) -> entities::ticket::Model {
    entities::ticket::Entity::find_by_id(1).one(app.db()).await.unwrap().expect("ticket 1")
}

async fn set_language(app: &TestApp, email: &str, language: &str) {
    let user = entities::user::Entity::find()
        .filter(entities::user::Column::Email.eq(email))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let mut active: entities::user::ActiveModel = user.into();
    active.language = Set(language.into());
    active.update(app.db()).await.unwrap();
}

async fn setup(backend: &Backend) -> (TestApp, String, String) {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("agent@desk.de", "agent", "").await;
    app.user("lead@desk.de", "desk_lead", "").await;
    let school = app.token("admin@gym.de").await;
    let agent = app.token("agent@desk.de").await;
    let opened = app
        .api_post(Some(&school), "/api/v1/tickets", r#"{"title":"WLAN im Altbau fällt aus","description":"Seit heute früh","service":"network","priority":"P2"}"#)
        .await;
    assert_eq!(opened.status, Status::Created, "{}", opened.body);
    (app, school, agent)
}

both_dbs!(
    async fn sla_reminders_go_out_once_per_stage_to_whoever_works_the_ticket(backend: Backend) {
        let (app, school, agent) = setup(&backend).await;
        let t = ticket(&app).await;
        let created = t.created_at;
        let first_due = t.first_response_due.expect("a first-response target");
        let resolution_due = t.resolution_due.expect("a resolution target");
        let first_near = first_due - (first_due - created) / 4;

        // Early on nothing is due, and the ticket is not looked at again before its time.
        assert_eq!(run_job(&app, created + Duration::seconds(1)).await, 0);
        // (PostgreSQL keeps microseconds; the quarter of a span may have nanoseconds.)
        let next_look = ticket(&app).await.sla_check_at.expect("a next look");
        assert!((next_look - first_near).num_microseconds().unwrap().abs() <= 1, "{next_look} vs {first_near}");

        // Unassigned: the desk lead hears of it, once.
        assert_eq!(run_job(&app, first_near + Duration::seconds(1)).await, 1);
        assert_eq!(
            subjects_to(&app, "lead@desk.de").await,
            ["[T-000001] Erste Antwort bald fällig: WLAN im Altbau fällt aus"]
        );
        assert!(subjects_to(&app, "agent@desk.de").await.is_empty());
        assert_eq!(run_job(&app, first_near + Duration::seconds(2)).await, 0, "each stage is mailed once");

        // Taken by an agent who reads English: the agent, not the lead, hears of the overdue stage.
        set_language(&app, "agent@desk.de", "en").await;
        let taken = app.api_post(Some(&agent), "/api/v1/tickets/T-000001/assign", r#"{"agent":"me"}"#).await;
        assert_eq!(taken.status, Status::Ok, "{}", taken.body);
        assert_eq!(run_job(&app, first_due + Duration::seconds(1)).await, 1);
        assert_eq!(
            subjects_to(&app, "agent@desk.de").await,
            ["[T-000001] First response overdue: WLAN im Altbau fällt aus"]
        );
        assert_eq!(subjects_to(&app, "lead@desk.de").await.len(), 1);

        // The reminders are on the desk's timeline, not on the school's.
        let desk_view = app.api_get(Some(&agent), "/api/v1/tickets/T-000001").await.json();
        let kinds: Vec<&str> =
            desk_view["events"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
        assert!(kinds.contains(&"sla_first_near") && kinds.contains(&"sla_first_overdue"), "{kinds:?}");
        let school_view = app.api_get(Some(&school), "/api/v1/tickets/T-000001").await.body;
        assert!(!school_view.contains("sla_first"), "reminders are internal");

        // Answered and resolved: nothing more, even long after the resolution target.
        let resolved = app
            .api_post(Some(&agent), "/api/v1/tickets/T-000001/resolve", r#"{"solution":"Access Point getauscht"}"#)
            .await;
        assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
        assert_eq!(run_job(&app, resolution_due + Duration::days(3)).await, 0);
        assert!(
            subjects_to(&app, "admin@gym.de").await.iter().all(|s| !s.contains("fällig")),
            "schools get no reminders"
        );
    }
);

both_dbs!(
    async fn a_late_run_sends_only_the_overdue_reminders(backend: Backend) {
        let (app, _school, _agent) = setup(&backend).await;
        let t = ticket(&app).await;
        // A job that was down all along sends only the overdue stages, then leaves the ticket be.
        assert_eq!(run_job(&app, t.resolution_due.unwrap() + Duration::minutes(5)).await, 2);
        assert_eq!(
            subjects_to(&app, "lead@desk.de").await,
            [
                "[T-000001] Erste Antwort überfällig: WLAN im Altbau fällt aus",
                "[T-000001] Lösung überfällig: WLAN im Altbau fällt aus"
            ]
        );
        let after = ticket(&app).await;
        assert_eq!((after.sla_reminded, after.sla_check_at), (staffel::tickets::reminders::ALL_STAGES, None));
        assert_eq!(run_job(&app, t.resolution_due.unwrap() + Duration::days(9)).await, 0);
    }
);

both_dbs!(
    async fn providers_are_reminded_once_with_their_own_link_when_their_time_runs_out(backend: Backend) {
        let (app, _school, agent) = setup(&backend).await;
        app.provider("netz", "Netz Nord", "4", &["noc@netz.test", "bereitschaft@netz.test"], &["network"]).await;
        let taken = app.api_post(Some(&agent), "/api/v1/tickets/T-000001/assign", r#"{"agent":"me"}"#).await;
        assert_eq!(taken.status, Status::Ok);
        let forwarded = app
            .api_post(
                Some(&agent),
                "/api/v1/tickets/T-000001/forward",
                r#"{"provider":"netz","priority":"P2","message":"Bitte Uplink prüfen"}"#,
            )
            .await;
        assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
        let token = provider_token_in(&bodies_to(&app, "noc@netz.test").await[0]);
        let fwd = entities::forward::Entity::find().one(app.db()).await.unwrap().unwrap();

        // The desk's answer reaches the contact with the link they already have.
        let mut desk = app.login("agent@desk.de", PASSWORD).await;
        let replied = desk
            .post_form(
                "/desk/tickets/T-000001/provider_reply",
                &[("forward", &fwd.id.to_string()), ("body", "Noch da?")],
            )
            .await;
        assert_eq!(replied.status, Status::SeeOther, "{}", replied.body);
        let noc = bodies_to(&app, "noc@netz.test").await;
        assert_eq!(noc.len(), 2);
        assert_eq!(provider_token_in(&noc[1]), token, "the same link, not a new one");
        let links = entities::forward_link::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(links.len(), 2, "one link per contact, however many mails");
        assert!(links.iter().all(|l| l.token_hash != token && l.token_salt.as_deref() != Some(token.as_str())));

        // Before the agreed time: nothing for the provider.
        let before = run_job(&app, fwd.due_at - Duration::minutes(1)).await;
        assert!(subjects_to(&app, "noc@netz.test").await.len() == 2, "{before} mails, none to the provider");

        // After it: each contact once, with their own link, and the agent is told.
        run_job(&app, fwd.due_at + Duration::seconds(1)).await;
        let noc = bodies_to(&app, "noc@netz.test").await;
        assert_eq!(noc.len(), 3);
        assert!(subjects_to(&app, "noc@netz.test").await[2].contains("Erinnerung: vereinbarte Zeit abgelaufen"));
        assert_eq!(provider_token_in(&noc[2]), token);
        assert_eq!(bodies_to(&app, "bereitschaft@netz.test").await.len(), 3);
        assert!(subjects_to(&app, "agent@desk.de")
            .await
            .iter()
            .any(|s| s.contains("Dienstleister über der vereinbarten Zeit")));
        assert_eq!(
            app.api_get(None, &format!("/api/v1/provider/{token}")).await.status,
            Status::Ok,
            "the link still works"
        );
        run_job(&app, fwd.due_at + Duration::hours(5)).await;
        assert_eq!(bodies_to(&app, "noc@netz.test").await.len(), 3, "reminded once");
    }
);

both_dbs!(
    async fn a_recalled_forward_gets_no_reminder(backend: Backend) {
        let (app, _school, agent) = setup(&backend).await;
        app.provider("netz", "Netz Nord", "4", &["noc@netz.test"], &["network"]).await;
        app.api_post(
            Some(&agent),
            "/api/v1/tickets/T-000001/forward",
            r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen"}"#,
        )
        .await;
        let fwd = entities::forward::Entity::find().one(app.db()).await.unwrap().unwrap();
        let mut desk = app.login("agent@desk.de", PASSWORD).await;
        let recalled = desk.post_form("/desk/tickets/T-000001/recall", &[("forward", &fwd.id.to_string())]).await;
        assert_eq!(recalled.status, Status::SeeOther, "{}", recalled.body);
        run_job(&app, fwd.due_at + Duration::hours(1)).await;
        assert_eq!(subjects_to(&app, "noc@netz.test").await.len(), 1, "a recalled forward is not chased");
    }
);

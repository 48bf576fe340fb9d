//! Retention: a ticket closed 14 months ago is anonymised (free text and names replaced,
//! files gone from the table and the disk), one closed 12 months ago and an open one stay
//! as they were, and the numbers (tickets by school and status) come out the same.
use std::collections::BTreeMap;

use super::*;
use crate::common::uploads::{attachments, stored_files};
use crate::common::{ticket_id, Backend};
use staffel::privacy::MARK;

/// Tickets by (school, status, priority, level): what statistics count.
async fn statistics(app: &TestApp) -> BTreeMap<(i32, String, String, i16), usize> {
    let mut counts = BTreeMap::new();
    for t in entities::ticket::Entity::find().all(app.db()).await.unwrap() {
        *counts.entry((t.school_id, t.status.to_string(), t.priority.to_string(), t.level)).or_default() += 1;
    }
    counts
}

/// Everything a person could be recognised by, anywhere on the ticket.
async fn assert_anonymised(app: &TestApp, number: &str) {
    let t = ticket_row(app, number).await;
    assert_eq!((t.title.as_str(), t.description.as_str()), (MARK, MARK));
    assert_eq!(t.solution.as_deref(), Some(MARK));
    assert!(t.anonymised_at.is_some());
    assert_eq!(t.status.to_string(), "closed", "the status stays");
    assert!(t.closed_at.is_some() && t.resolved_at.is_some(), "the timestamps stay");
    for e in events_of(app, number).await {
        let all = format!("{} {} {}", e.actor_label, e.body, e.data);
        for personal in ["Gustav", "gym.de", "desk.de", "Anton", "0301234", "foto-gustav"] {
            assert!(!all.contains(personal), "{personal} is left in an event: {all}");
        }
    }
    assert!(attachments(app).await.iter().all(|a| a.ticket_id != Some(ticket_id(number))), "its file rows are gone");
}

both_dbs!(
    async fn retention_anonymises_only_tickets_closed_before_the_period(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        assert_eq!(stored_files(&app).len(), 1, "the old ticket's file is on disk");
        let recent_before = ticket_row(&app, &w.recent).await;
        let open_before = ticket_row(&app, &w.open).await;
        let recent_events = events_of(&app, &w.recent).await;
        let stats = statistics(&app).await;

        let now = chrono::Utc::now();
        let plan = staffel::privacy::retention::plan(app.store(), app.settings(), now).await.unwrap();
        assert_eq!(plan.tickets, vec![w.old.clone()]);
        assert_eq!(plan.attachments, 1);
        let done =
            staffel::privacy::retention::run(app.store(), app.settings(), staffel::audit::By::Cli, now).await.unwrap();
        assert_eq!(done.tickets, plan.tickets, "the run did what the plan said");
        assert_eq!(done.attachments, 1);

        assert_anonymised(&app, &w.old).await;
        assert!(stored_files(&app).is_empty(), "the file is gone from the disk: {:?}", stored_files(&app));
        assert_eq!(ticket_row(&app, &w.recent).await, recent_before, "closed 12 months ago: untouched");
        assert_eq!(events_of(&app, &w.recent).await, recent_events);
        assert_eq!(ticket_row(&app, &w.open).await, open_before, "open: untouched");
        assert_eq!(statistics(&app).await, stats, "the numbers stay");

        // The school still sees the ticket, without its text; the desk's queue counts it.
        let shown = app.api_get(Some(&w.admin_token), &format!("/api/v1/tickets/{}", w.old)).await;
        assert_eq!(shown.status.code, 200);
        assert_eq!(shown.json()["title"], MARK);

        // A second run finds nothing left to do.
        let again =
            staffel::privacy::retention::run(app.store(), app.settings(), staffel::audit::By::Cli, now).await.unwrap();
        assert!(again.tickets.is_empty() && again.attachments == 0, "{again:?}");
        let audit = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("ticket.anonymise"))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(audit.len(), 1, "one audit entry, for the one ticket");
        assert_eq!(audit[0].target_id, Some(ticket_id(&w.old)));
    }
);

both_dbs!(
    async fn retention_run_on_the_command_line_dry_and_for_real(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        let before = ticket_row(&app, &w.old).await;

        let dry = staffel_ok(&app, &["retention", "run", "--dry-run"]);
        assert!(dry.starts_with("Dry run"), "{dry}");
        assert!(dry.contains(&format!("anonymised: 1 ({})", w.old)), "{dry}");
        assert!(dry.contains("attachments removed: 1"), "{dry}");
        assert_eq!(ticket_row(&app, &w.old).await, before, "a dry run changes nothing");
        assert_eq!(stored_files(&app).len(), 1);

        let real = staffel_ok(&app, &["retention", "run"]);
        let tail = |out: &str| out.lines().skip(1).map(str::to_string).collect::<Vec<_>>();
        assert_eq!(tail(&real), tail(&dry), "the run prints what the dry run said:\n{dry}\n{real}");
        assert_anonymised(&app, &w.old).await;
        assert!(stored_files(&app).is_empty());

        let second = staffel_ok(&app, &["retention", "run"]);
        assert!(second.contains("anonymised: 0"), "{second}");
        assert!(second.contains("attachments removed: 0"), "{second}");
        let dry_again = staffel_ok(&app, &["retention", "run", "--dry-run"]);
        assert_eq!(tail(&dry_again), tail(&second));
    }
);

both_dbs!(
    async fn retention_deletes_view_records_past_the_period_and_keeps_newer_ones(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        let mut agent = app.login(AGENT, crate::common::PASSWORD).await;
        assert_eq!(agent.get(&format!("/desk/tickets/{}", w.open)).await.status.code, 200);
        assert_eq!(agent.get(&format!("/desk/tickets/{}", w.recent)).await.status.code, 200);
        staffel::audit::views::flush(app.store(), &app.app().views).await.unwrap();
        let viewed = || {
            entities::audit_event::Entity::find()
                .filter(entities::audit_event::Column::Action.eq("viewed"))
                .all(app.db())
        };
        let first = viewed().await.unwrap();
        assert_eq!(first.len(), 2);
        let old = chrono::Utc::now().checked_sub_months(chrono::Months::new(14)).unwrap();
        entities::audit_event::Entity::update_many()
            .col_expr(entities::audit_event::Column::CreatedAt, Expr::value(old))
            .filter(entities::audit_event::Column::Id.eq(first[0].id))
            .exec(app.db())
            .await
            .unwrap();
        let done =
            staffel::privacy::retention::run(app.store(), app.settings(), staffel::audit::By::Cli, chrono::Utc::now())
                .await
                .unwrap();
        assert_eq!(done.views, 1);
        let left = viewed().await.unwrap();
        assert_eq!(left.iter().map(|e| e.id).collect::<Vec<_>>(), vec![first[1].id]);
    }
);

both_dbs!(
    async fn older_audit_entries_keep_what_happened_and_lose_names_and_details(backend: Backend) {
        let app = TestApp::new(&backend).await;
        world(&app).await;
        let all = entities::audit_event::Entity::find().all(app.db()).await.unwrap();
        let (old, recent) = (&all[0], &all[all.len() - 1]);
        assert_ne!(old.detail, "{}", "the fixture's entry has details: {old:?}");
        let months_ago = chrono::Utc::now().checked_sub_months(chrono::Months::new(14)).unwrap();
        entities::audit_event::Entity::update_many()
            .col_expr(entities::audit_event::Column::CreatedAt, Expr::value(months_ago))
            .filter(entities::audit_event::Column::Id.eq(old.id))
            .exec(app.db())
            .await
            .unwrap();
        let now = chrono::Utc::now();
        let plan = staffel::privacy::retention::plan(app.store(), app.settings(), now).await.unwrap();
        assert_eq!(plan.audit, 1);
        let done =
            staffel::privacy::retention::run(app.store(), app.settings(), staffel::audit::By::Cli, now).await.unwrap();
        assert_eq!(done.audit, 1);
        let find = |id: i32| entities::audit_event::Entity::find_by_id(id).one(app.db());
        let stripped = find(old.id).await.unwrap().unwrap();
        assert_eq!(
            (stripped.action.as_str(), stripped.target_id, stripped.actor_id),
            (old.action.as_str(), old.target_id, old.actor_id)
        );
        assert_eq!((stripped.actor_label.as_str(), stripped.detail.as_str()), (staffel::privacy::MARK, "{}"));
        assert_eq!(find(recent.id).await.unwrap().unwrap(), *recent, "a newer entry is left as it was");
        let again =
            staffel::privacy::retention::run(app.store(), app.settings(), staffel::audit::By::Cli, now).await.unwrap();
        assert_eq!(again.audit, 0, "stripped once");
    }
);

#[test]
fn the_retention_period_is_at_least_a_month() {
    let figment = staffel::config::figment().merge(("staffel.ticket_retention_months", 0));
    let Err(refused) = staffel::config::Settings::from_figment(&figment) else { panic!("0 months is refused") };
    assert!(refused.to_string().contains("STAFFEL_TICKET_RETENTION_MONTHS"), "{refused}");
    let default = staffel::config::Settings::from_figment(&staffel::config::figment()).unwrap();
    assert_eq!(default.ticket_retention_months, 13);
}

/// Sets a report's last change back `months_ago`.
async fn date_report_back(app: &TestApp, id: i32, months_ago: u32) {
    let at = chrono::Utc::now().checked_sub_months(chrono::Months::new(months_ago)).unwrap();
    entities::report::Entity::update_many()
        .col_expr(entities::report::Column::UpdatedAt, Expr::value(at))
        .col_expr(entities::report::Column::CreatedAt, Expr::value(at))
        .filter(entities::report::Column::Id.eq(id))
        .exec(app.db())
        .await
        .unwrap();
}

async fn report_row(app: &TestApp, id: i32) -> entities::report::Model {
    entities::report::Entity::find_by_id(id).one(app.db()).await.unwrap().expect("the report")
}

both_dbs!(
    async fn reports_are_anonymised_when_answered_long_ago_or_with_their_ticket(backend: Backend) {
        use staffel::attachments::store::Staged;
        use staffel::reports::service::{answer, escalate, Answer, Escalation, Triage};
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        let admin = app.actor(ADMIN).await;
        let triage = || Triage { scope: "local".into(), fault_type: "hardware".into(), service: String::new() };
        let reply = |text: &str| Answer { triage: triage(), answer: text.into(), version: None };
        let old_answered = app.file_report(TEACHER, "Friederikes Laptop startet nicht.").await;
        answer(app.app(), &admin, old_answered, &reply("Akku getauscht, Frau Weber."), Staged::none()).await.unwrap();
        date_report_back(&app, old_answered, 14).await;
        let recent_answered = app.file_report(TEACHER, "Maus klemmt.").await;
        answer(app.app(), &admin, recent_answered, &reply("Neue Maus."), Staged::none()).await.unwrap();
        date_report_back(&app, recent_answered, 12).await;
        let waiting = app.file_report(TEACHER, "Noch keine Antwort darauf.").await;
        date_report_back(&app, waiting, 20).await;
        let escalated = app.file_report(TEACHER, "Beamer flackert bei Friederike.").await;
        let escalation = Escalation {
            triage: Triage { service: "presentation".into(), ..triage() },
            title: "Beamer".into(),
            priority: "P3".into(),
            description: None,
            version: None,
        };
        let ticket = escalate(app.app(), &admin, escalated, &escalation, Staged::none()).await.unwrap();
        let number = crate::common::ticket_number(ticket.id);
        super::close(&app, &w.agent_token, &w.admin_token, &number, 14).await;
        let untouched = [report_row(&app, recent_answered).await, report_row(&app, waiting).await];

        let done =
            staffel::privacy::retention::run(app.store(), app.settings(), staffel::audit::By::Cli, chrono::Utc::now())
                .await
                .unwrap();
        let mut expected = vec![old_answered, escalated];
        expected.sort_unstable();
        assert_eq!(done.reports, expected);
        assert!(done.tickets.contains(&number), "{done:?}");
        for id in [old_answered, escalated] {
            let r = report_row(&app, id).await;
            assert!(r.anonymised_at.is_some());
            let text = format!("{} {} {} {} {:?}", r.affected, r.since, r.how_many, r.description, r.answer);
            assert!(!text.contains("Friederike") && !text.contains("Weber"), "{text}");
            assert_eq!(r.description, MARK);
        }
        assert_eq!(report_row(&app, old_answered).await.status.to_string(), "answered", "the state stays");
        assert_eq!([report_row(&app, recent_answered).await, report_row(&app, waiting).await], untouched);
    }
);

both_dbs!(
    async fn two_runs_at_once_anonymise_each_ticket_once(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        // A second pool on the same database, as a second instance or the CLI has.
        let other = staffel::start::open_db(app.settings()).await.unwrap();
        let now = chrono::Utc::now();
        let (a, b) = tokio::join!(
            staffel::privacy::retention::run(app.store(), app.settings(), staffel::audit::By::System, now),
            staffel::privacy::retention::run(&other, app.settings(), staffel::audit::By::Cli, now),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let mut all = [a.tickets, b.tickets].concat();
        all.sort();
        assert_eq!(all, vec![w.old.clone()], "each ticket once");
        assert_eq!(a.attachments + b.attachments, 1);
        let audit = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("ticket.anonymise"))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        let _ = other.read().clone().close().await;
    }
);

//! The desk's queue counts stay exact: they come from a table kept by database triggers
//! (migration 000009), so after every kind of change (opening, assigning, asking the school,
//! resolving, closing, reopening, deleting) each queue's count must equal
//! the number of tickets its pages list, and the pages must come in order, each once.
use crate::common::{ticket_id, ticket_number, Backend, TestApp};
use rocket::http::Status;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use staffel::auth::Actor;
use staffel::tickets::queue::{self, Filter, Queue};

async fn actor(app: &TestApp, email: &str) -> Actor {
    app.actor(email).await
}

/// Every ticket of a queue through its pages (three at a time), newest change first.
async fn listed(app: &TestApp, agent: &Actor, queue: &str, status: &str, school: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    let mut filter = Filter {
        queue: queue.into(),
        status: status.into(),
        school: school.into(),
        limit: Some(3),
        ..Default::default()
    };
    let mut last: Option<chrono::DateTime<chrono::Utc>> = None;
    loop {
        let page = queue::page(app.db(), agent, &filter).await.expect("page");
        for item in &page.items {
            assert!(last.is_none_or(|l| l >= item.updated_at), "{queue}: pages out of order");
            last = Some(item.updated_at);
            assert!(!numbers.contains(&item.number), "{queue}: {} listed twice", item.number);
            numbers.push(item.number.clone());
        }
        match page.next {
            Some(next) => filter.after = next,
            None => return numbers,
        }
    }
}

async fn assert_exact(app: &TestApp, agent: &Actor, when: &str) {
    let counts = fresh_counts(app, agent, &queue::OverdueCount::default()).await;
    assert_eq!(counts.len(), Queue::TABS.len());
    for c in counts {
        let listed = listed(app, agent, c.queue.as_str(), "", "").await.len() as u64;
        assert_eq!(c.count, listed, "{when}: queue {} counts {} but lists {listed}", c.queue.as_str(), c.count);
    }
}

async fn fresh_counts(app: &TestApp, agent: &Actor, overdue: &queue::OverdueCount) -> Vec<queue::QueueCount> {
    let stamp = queue::stamp(app.db(), agent).await.expect("stamp");
    queue::counts(app.db(), agent, &stamp, overdue).await.expect("counts")
}

fn overdue_of(counts: Vec<queue::QueueCount>) -> u64 {
    counts.into_iter().find(|c| c.queue == Queue::Overdue).expect("overdue queue").count
}

async fn post(app: &TestApp, token: &str, path: &str, body: &str) -> serde_json::Value {
    let reply = app.api_post(Some(token), path, body).await;
    assert!(reply.status == Status::Ok || reply.status == Status::Created, "{path}: {} {}", reply.status, reply.body);
    reply.json()
}

/// Two schools' admins and two agents, with their tokens; the desk's tickets by number.
struct Desk {
    gym: String,
    agent_token: String,
    agent2_token: String,
    agent: Actor,
    agent2: Actor,
    numbers: Vec<String>,
}

fn url(number: &str, action: &str) -> String {
    format!("/api/v1/tickets/{number}/{action}")
}

/// An empty desk, then twelve tickets of two schools in all priorities; the counts are
/// checked before and after.
async fn opened(backend: &Backend) -> (TestApp, Desk) {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.school("gs").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("admin@gs.de", "school_admin", "gs"),
        ("agent@desk.de", "agent", ""),
        ("agent2@desk.de", "agent", ""),
    ])
    .await;
    let gym = app.token("admin@gym.de").await;
    let gs = app.token("admin@gs.de").await;
    let agent_token = app.token("agent@desk.de").await;
    let agent2_token = app.token("agent2@desk.de").await;
    let agent = actor(&app, "agent@desk.de").await;
    let agent2 = actor(&app, "agent2@desk.de").await;
    assert_exact(&app, &agent, "empty").await;
    let mut numbers = Vec::new();
    for n in 0..12 {
        let token = if n % 3 == 0 { &gs } else { &gym };
        let body = format!(r#"{{"title":"Problem {n}","description":"Details","priority":"P{}"}}"#, n % 4 + 1);
        numbers.push(post(&app, token, "/api/v1/tickets", &body).await["number"].as_str().unwrap().to_string());
    }
    assert_exact(&app, &agent, "opened").await;
    (app, Desk { gym, agent_token, agent2_token, agent, agent2, numbers })
}

/// Opened, then assigned, reassigned, commented, resolved, closed and reopened; checked.
async fn worked(backend: &Backend) -> (TestApp, Desk) {
    let (app, d) = opened(backend).await;
    let (numbers, agent_token, agent2_token) = (&d.numbers, &d.agent_token, &d.agent2_token);
    post(&app, agent_token, &url(&numbers[0], "assign"), r#"{"agent":"me"}"#).await;
    post(&app, agent_token, &url(&numbers[1], "assign"), r#"{"agent":"me"}"#).await;
    post(&app, agent2_token, &url(&numbers[2], "assign"), r#"{"agent":"me"}"#).await;
    // Reassigning keeps the status; only who works on it changes.
    post(&app, agent_token, &url(&numbers[2], "assign"), r#"{"agent":"agent@desk.de"}"#).await;
    post(&app, agent_token, &url(&numbers[3], "comments"), r#"{"body":"Wir schauen.","internal":false}"#).await;
    post(&app, agent_token, &url(&numbers[4], "resolve"), r#"{"solution":"Neu gestartet."}"#).await;
    post(&app, agent_token, &url(&numbers[5], "resolve"), r#"{"solution":"Getauscht."}"#).await;
    post(&app, agent_token, &url(&numbers[5], "close"), "{}").await;
    post(&app, agent_token, &url(&numbers[4], "reopen"), r#"{"reason":"Wieder kaputt."}"#).await;
    assert_exact(&app, &d.agent, "worked").await;
    assert_exact(&app, &d.agent2, "worked, the other agent").await;
    (app, d)
}

/// Worked, then one ticket asked about and answered by its school; checked.
async fn asked_and_answered(backend: &Backend) -> (TestApp, Desk) {
    let (app, d) = worked(backend).await;
    let (numbers, agent_token, gym, agent) = (&d.numbers, &d.agent_token, &d.gym, &d.agent);
    // Asking the school and its answer move the ticket between queues.
    let ask = app.api_get(Some(agent_token), &format!("/api/v1/tickets/{}", numbers[1])).await.json();
    let question = staffel::ladder::tickets::Reply {
        body: "Welcher Raum?".into(),
        internal: false,
        version: ask["version"].as_i64().map(|v| v as i32),
    };
    let number = staffel::tickets::TicketNumber::parse(&numbers[1]).expect("a ticket number");
    staffel::ladder::tickets::ask_school(
        app.app(),
        agent,
        number,
        &question,
        staffel::attachments::store::Staged::none(),
    )
    .await
    .expect("ask");
    assert_exact(&app, agent, "asked").await;
    let waiting = listed(&app, agent, "waiting", "", "").await;
    assert_eq!(waiting, vec![numbers[1].clone()]);
    post(&app, gym, &url(&numbers[1], "comments"), r#"{"body":"Raum 204","internal":false}"#).await;
    assert_exact(&app, agent, "answered").await;
    (app, d)
}

/// Asked and answered, then four tickets overdue, one more behind Staffel's back, counted
/// again after a change; checked.
async fn overdue(backend: &Backend) -> (TestApp, Desk) {
    let (app, d) = asked_and_answered(backend).await;
    let (numbers, agent_token, agent) = (&d.numbers, &d.agent_token, &d.agent);
    let id = ticket_id(&numbers[1]);
    // Overdue: due times in the past, for the resolution and for the first response alone.
    entities::ticket::Entity::update_many()
        .col_expr(entities::ticket::Column::ResolutionDue, Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)))
        .filter(entities::ticket::Column::Id.is_in([id, ticket_id(&numbers[6])]))
        .exec(app.db())
        .await
        .unwrap();
    entities::ticket::Entity::update_many()
        .col_expr(
            entities::ticket::Column::FirstResponseDue,
            Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .filter(entities::ticket::Column::Id.is_in([7, 8].map(|n| ticket_id(&numbers[n]))))
        .exec(app.db())
        .await
        .unwrap();
    let remembered = queue::OverdueCount::default();
    assert_eq!(overdue_of(fresh_counts(&app, agent, &remembered).await), 4);
    assert_exact(&app, agent, "overdue").await;

    // The overdue count is kept while no ticket changed (a due time written behind
    // Staffel's back does not move the stamp) and counted again once one did.
    entities::ticket::Entity::update_many()
        .col_expr(entities::ticket::Column::ResolutionDue, Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)))
        .filter(entities::ticket::Column::Id.eq(ticket_id(&numbers[2])))
        .exec(app.db())
        .await
        .unwrap();
    assert_eq!(overdue_of(fresh_counts(&app, agent, &remembered).await), 4, "kept: no ticket changed");
    post(&app, agent_token, &url(&numbers[2], "comments"), r#"{"body":"Wir schauen es uns an.","internal":true}"#)
        .await;
    assert_eq!(overdue_of(fresh_counts(&app, agent, &remembered).await), 5, "counted again after a change");
    assert_exact(&app, agent, "overdue after a change").await;
    (app, d)
}

both_dbs!(
    async fn counts_are_exact_on_an_empty_desk_and_after_opening(backend: Backend) {
        opened(&backend).await;
    }
);

both_dbs!(
    async fn counts_follow_assigning_commenting_resolving_closing_and_reopening(backend: Backend) {
        worked(&backend).await;
    }
);

both_dbs!(
    async fn asking_the_school_and_its_answer_move_a_ticket_between_queues(backend: Backend) {
        asked_and_answered(&backend).await;
    }
);

both_dbs!(
    async fn overdue_tickets_are_counted_kept_and_counted_again_after_a_change(backend: Backend) {
        overdue(&backend).await;
    }
);

both_dbs!(
    async fn filters_narrow_a_queue_to_the_intersection(backend: Backend) {
        let (app, d) = overdue(&backend).await;
        let agent = &d.agent;
        // Filters narrow a queue's pages to the intersection; an empty one lists nothing.
        let open_gym = listed(&app, agent, "open", "open", "gym").await;
        let all_open = listed(&app, agent, "all", "open", "").await;
        assert!(open_gym.iter().all(|n| all_open.contains(n)) && !open_gym.is_empty());
        assert!(listed(&app, agent, "waiting", "open", "").await.is_empty());
    }
);

both_dbs!(
    async fn counts_follow_tickets_deleted_behind_the_apps_back(backend: Backend) {
        let (app, d) = overdue(&backend).await;
        let agent = &d.agent;
        // Tickets deleted behind the application's back (as a school's cascade does): counts follow.
        let gs_id = entities::school::Entity::find()
            .filter(entities::school::Column::Slug.eq("gs"))
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
            .id;
        entities::ticket::Entity::delete_many()
            .filter(entities::ticket::Column::SchoolId.eq(gs_id))
            .exec(app.db())
            .await
            .unwrap();
        assert_exact(&app, agent, "deleted").await;
    }
);

both_dbs!(
    /// Every combination of the school, service, priority and status filters lists exactly the
    /// tickets a plain filter over all tickets finds, in order: on SQLite the narrowest filter
    /// drives the index and the others are written `+column`, which must not change the answer.
    async fn queue_filters_find_what_they_say(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.school("gs").await;
        app.user("admin@gym.de", "school_admin", "gym").await;
        app.user("admin@gs.de", "school_admin", "gs").await;
        app.user("agent@desk.de", "agent", "").await;
        let tokens = [app.token("admin@gym.de").await, app.token("admin@gs.de").await];
        let agent = actor(&app, "agent@desk.de").await;
        let services = ["accounts", "cloud", "devices"];
        for n in 0..18 {
            let service = if n % 4 == 3 { String::new() } else { format!(r#","service":"{}""#, services[n % 3]) };
            let body =
                format!(r#"{{"title":"Problem {n}","description":"Details","priority":"P{}"{service}}}"#, n % 4 + 1);
            post(&app, &tokens[n % 2], "/api/v1/tickets", &body).await;
        }
        let all = entities::ticket::Entity::find().all(app.db()).await.unwrap();
        let schools = entities::school::Entity::find().all(app.db()).await.unwrap();
        let service_rows = entities::service::Entity::find().all(app.db()).await.unwrap();
        for school in ["", "gym", "gs"] {
            for service in ["", "accounts", "cloud", "devices"] {
                for priority in ["", "P1", "P2", "P3", "P4"] {
                    for (queue, status) in [("all", ""), ("open", ""), ("open", "new"), ("all", "new")] {
                        let school_id = schools.iter().find(|s| s.slug == school).map(|s| s.id);
                        let service_id = service_rows.iter().find(|s| s.slug == service).map(|s| s.id);
                        let mut expected: Vec<&entities::ticket::Model> = all
                            .iter()
                            .filter(|t| school_id.is_none_or(|id| t.school_id == id))
                            .filter(|t| service_id.is_none_or(|id| t.service_id == Some(id)))
                            .filter(|t| priority.is_empty() || t.priority.as_str() == priority)
                            .collect();
                        expected.sort_by_key(|t| std::cmp::Reverse((t.updated_at, t.id)));
                        let expected: Vec<String> = expected.iter().map(|t| ticket_number(t.id)).collect();
                        let filter = Filter {
                            queue: queue.into(),
                            school: school.into(),
                            service: service.into(),
                            priority: priority.into(),
                            status: status.into(),
                            limit: Some(200),
                            ..Default::default()
                        };
                        let page = queue::page(app.db(), &agent, &filter).await.expect("page");
                        let got: Vec<String> = page.items.iter().map(|i| i.number.clone()).collect();
                        assert_eq!(
                            got, expected,
                            "queue={queue} school={school} service={service} priority={priority}"
                        );
                    }
                }
            }
        }
    }
);

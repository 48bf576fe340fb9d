//! The day tallies behind the reports (migration 000020, `tickets::tally`): every change the
//! kernel makes leaves them as a count from scratch would, and a start in another time zone
//! counts the days anew.
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rocket::figment::Figment;
use rocket::http::Status;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, Statement};

use crate::common::{ticket_id, Backend, TestApp};

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
struct Row {
    facet: String,
    school_id: i32,
    group_key: String,
    day: i32,
    opened: i64,
    solved: i64,
    first_met: i64,
    first_late: i64,
    resolution_met: i64,
    resolution_late: i64,
}

/// The tallies with their shards summed and rows of nothing left out.
async fn tallies(app: &TestApp) -> Vec<Row> {
    let sum = |c: &str| format!("CAST(SUM({c}) AS BIGINT) AS {c}");
    let columns = ["opened", "solved", "first_met", "first_late", "resolution_met", "resolution_late"];
    let sql = format!(
        "SELECT facet, school_id, group_key, day, {} FROM ticket_tallies \
         GROUP BY facet, school_id, group_key, day ORDER BY facet, school_id, group_key, day",
        columns.map(sum).join(", ")
    );
    let rows = Row::find_by_statement(Statement::from_string(app.db().get_database_backend(), sql))
        .all(app.db())
        .await
        .expect("read the tallies");
    rows.into_iter()
        .filter(|r| [r.opened, r.solved, r.first_met, r.first_late, r.resolution_met, r.resolution_late] != [0; 6])
        .collect()
}

/// The tallies as the kernel left them are what counting everything anew gives.
async fn in_step(app: &TestApp, after: &str) -> Vec<Row> {
    let kept = tallies(app).await;
    staffel::tickets::tally::recount(app.store()).await.expect("recount");
    assert_eq!(kept, tallies(app).await, "after {after}, the kept tallies differ from a count from scratch");
    kept
}

/// Moves a ticket's opening behind the kernel's back: only a count from scratch sees it.
async fn backdate(app: &TestApp, number: &str, at: &str) {
    let created: DateTime<Utc> = at.parse().expect("time");
    entities::ticket::Entity::update_many()
        .col_expr(entities::ticket::Column::CreatedAt, Expr::value(created))
        .filter(entities::ticket::Column::Id.eq(ticket_id(number)))
        .exec(app.db())
        .await
        .expect("backdate");
}

fn day(y: i32, m: u32, d: u32) -> i32 {
    NaiveDate::from_ymd_opt(y, m, d).expect("date").num_days_from_ce()
}

async fn setup(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.school("gs").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("admin@gs.de", "school_admin", "gs"),
        ("agent@desk.de", "agent", ""),
    ])
    .await;
    app
}

fn ticket(title: &str, service: &str, priority: &str) -> String {
    serde_json::json!({ "title": title, "description": "Bitte prüfen.", "service": service, "priority": priority })
        .to_string()
}

both_dbs!(
    async fn tallies_follow_every_change_the_kernel_makes(backend: Backend) {
        let app = setup(&backend).await;
        let gym = app.token("admin@gym.de").await;
        let gs = app.token("admin@gs.de").await;
        let desk = app.token("agent@desk.de").await;
        let a = app.open_ticket(&gym, &ticket("Drucker A", "printing", "P3")).await;
        let b = app.open_ticket(&gs, &ticket("WLAN B", "wifi", "P1")).await;
        let rows = in_step(&app, "opening two tickets").await;
        let today = staffel::tickets::tally::day_of(Utc::now(), app.settings().tz());
        let all = |rows: &[Row], school: i32| {
            rows.iter().find(|r| r.facet == "all" && r.school_id == school && r.day == today).cloned()
        };
        assert_eq!(all(&rows, 0).map(|r| r.opened), Some(2), "{rows:?}");

        let say = |token: &str, number: &str, path: &str, body: serde_json::Value| {
            let path = format!("/api/v1/tickets/{number}/{path}");
            let (app, token) = (&app, token.to_string());
            async move {
                let answer = app.api_post(Some(&token), &path, &body.to_string()).await;
                assert_eq!(answer.status, Status::Ok, "{path}: {}", answer.body);
            }
        };
        say(&desk, &a, "comments", serde_json::json!({ "body": "Wir sehen nach." })).await;
        let rows = in_step(&app, "the first response").await;
        assert_eq!(all(&rows, 0).map(|r| r.first_met), Some(1), "answered in time: {rows:?}");
        app.resolve_ticket(&desk, &a, "Treiber neu installiert.").await;
        let rows = in_step(&app, "resolving").await;
        assert_eq!(all(&rows, 0).map(|r| (r.solved, r.resolution_met)), Some((1, 1)), "{rows:?}");
        say(&gym, &a, "reopen", serde_json::json!({ "reason": "Geht wieder nicht." })).await;
        let rows = in_step(&app, "reopening").await;
        assert_eq!(all(&rows, 0).map(|r| r.solved), Some(0), "the solved count is taken back: {rows:?}");
        app.resolve_ticket(&desk, &b, "Zugangspunkt getauscht.").await;
        say(&gs, &b, "close", serde_json::json!({})).await;
        let rows = in_step(&app, "resolving and closing the other").await;
        let gs_id = app.find_school("gs").await.expect("gs").id;
        assert_eq!(all(&rows, gs_id).map(|r| r.solved), Some(1), "{rows:?}");
        let p1 = rows.iter().find(|r| r.facet == "priority" && r.school_id == 0 && r.group_key == "P1");
        assert_eq!(p1.map(|r| (r.opened, r.solved)), Some((1, 1)), "{rows:?}");
    }
);

both_dbs!(
    async fn a_start_in_another_time_zone_counts_the_days_anew(backend: Backend) {
        let app = setup(&backend).await;
        let gym = app.token("admin@gym.de").await;
        let number = app.open_ticket(&gym, &ticket("Drucker A", "printing", "P3")).await;
        // Sunday 9 November 2025, 23:30 UTC: Monday 00:30 in Berlin.
        backdate(&app, &number, "2025-11-09T23:30:00Z").await;
        let opened_on = |rows: Vec<Row>| -> Vec<i32> {
            rows.iter().filter(|r| r.facet == "all" && r.school_id == 0 && r.opened > 0).map(|r| r.day).collect()
        };
        let in_utc = |f: Figment| f.merge(("staffel.timezone", "UTC"));
        let app = app.restart(in_utc).await;
        assert_eq!(opened_on(tallies(&app).await), vec![day(2025, 11, 9)], "counted anew in UTC");
        // Moved again behind the kernel's back: a start in the same zone keeps the count.
        backdate(&app, &number, "2025-11-12T23:30:00Z").await;
        let app = app.restart(in_utc).await;
        assert_eq!(opened_on(tallies(&app).await), vec![day(2025, 11, 9)], "kept in the same zone");
        let app = app.restart(|f| f.merge(("staffel.timezone", "Europe/Berlin"))).await;
        assert_eq!(opened_on(tallies(&app).await), vec![day(2025, 11, 13)], "counted anew in Berlin");
    }
);

//! The reports with charts (issue #14): a small known set of tickets in two known weeks
//! gives exact figures (opened, solved, SLA met and missed, backlog ages); a school admin's
//! report counts only their school; the CSV downloads defuse formulas; bad dates are refused
//! with a message and nothing else; every chart has its title, description and table.
use chrono::{DateTime, Duration, Utc};
use rocket::http::{Cookie, Status};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::common::{ticket_id, Backend, Browser, TestApp, PASSWORD};
use entities::ticket::Column;

/// The known weeks: Monday 3 and Monday 10 November 2025 (Berlin, CET).
const RANGE: &str = "from=2025-11-03&to=2025-11-16";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc)
}

/// A ticket's times and state, written behind Staffel's back (nothing else sets a past time),
/// and counted in the report tallies the way the kernel counts a change.
struct Times {
    created: DateTime<Utc>,
    first_due: Option<DateTime<Utc>>,
    first_at: Option<DateTime<Utc>>,
    resolution_due: Option<DateTime<Utc>>,
    resolved: Option<DateTime<Utc>>,
    status: &'static str,
}

async fn set(app: &TestApp, number: &str, t: Times) {
    let txn = app.store().write().await.expect("write");
    let find = || entities::ticket::Entity::find_by_id(ticket_id(number)).one(&txn);
    let before = find().await.expect("read").expect("the ticket");
    entities::ticket::Entity::update_many()
        .col_expr(Column::CreatedAt, Expr::value(t.created))
        .col_expr(Column::FirstResponseDue, Expr::value(t.first_due))
        .col_expr(Column::FirstResponseAt, Expr::value(t.first_at))
        .col_expr(Column::ResolutionDue, Expr::value(t.resolution_due))
        .col_expr(Column::ResolvedAt, Expr::value(t.resolved))
        .col_expr(Column::Status, Expr::value(t.status))
        .filter(Column::Id.eq(ticket_id(number)))
        .exec(&txn)
        .await
        .expect("set ticket times");
    let after = find().await.expect("read").expect("the ticket");
    staffel::tickets::tally::shift(&txn, Some(&before), &after).await.expect("count the change");
    txn.commit().await.expect("commit");
}

fn ticket(title: &str, priority: &str) -> String {
    serde_json::json!({ "title": title, "description": "Bitte prüfen.", "service": "printing", "priority": priority })
        .to_string()
}

/// Schools gym and gs, their admins, a desk lead and an agent; tickets:
/// - week of 3 Nov: A (gym, P3; first response in time, resolved late on 11 Nov),
///   B (gym, P2; first response late, resolved in time on 6 Nov),
///   D (gs, P1; both in time, resolved on 4 Nov);
/// - week of 10 Nov: C (gym, P3; no response though due, still open),
///   E (gym, P4; 9 Nov 23:30 UTC is Monday 00:30 in Berlin; no SLA);
/// - after the range: F (gym; 16 Nov 23:30 UTC is 17 Nov in Berlin);
/// - open now: G (gym, 2 hours old), H (gym, 3 days), I (gs, 3 days).
async fn setup(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.school("gs").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("admin@gs.de", "school_admin", "gs"),
        ("lead@desk.de", "desk_lead", ""),
        ("agent@desk.de", "agent", ""),
    ])
    .await;
    let gym = app.token("admin@gym.de").await;
    let gs = app.token("admin@gs.de").await;
    let now = Utc::now();
    let open = |created| Times {
        created,
        first_due: None,
        first_at: None,
        resolution_due: None,
        resolved: None,
        status: "new",
    };
    let a = app.open_ticket(&gym, &ticket("Drucker A", "P3")).await;
    set(
        &app,
        &a,
        Times {
            created: at("2025-11-04T09:00:00Z"),
            first_due: Some(at("2025-11-04T11:00:00Z")),
            first_at: Some(at("2025-11-04T10:00:00Z")),
            resolution_due: Some(at("2025-11-06T09:00:00Z")),
            resolved: Some(at("2025-11-11T09:00:00Z")),
            status: "closed",
        },
    )
    .await;
    let b = app.open_ticket(&gym, &ticket("Drucker B", "P2")).await;
    set(
        &app,
        &b,
        Times {
            created: at("2025-11-05T09:00:00Z"),
            first_due: Some(at("2025-11-05T11:00:00Z")),
            first_at: Some(at("2025-11-05T12:00:00Z")),
            resolution_due: Some(at("2025-11-07T09:00:00Z")),
            resolved: Some(at("2025-11-06T09:00:00Z")),
            status: "closed",
        },
    )
    .await;
    let d = app.open_ticket(&gs, &ticket("Drucker D", "P1")).await;
    set(
        &app,
        &d,
        Times {
            created: at("2025-11-04T09:30:00Z"),
            first_due: Some(at("2025-11-04T10:30:00Z")),
            first_at: Some(at("2025-11-04T10:00:00Z")),
            resolution_due: Some(at("2025-11-04T13:30:00Z")),
            resolved: Some(at("2025-11-04T13:00:00Z")),
            status: "closed",
        },
    )
    .await;
    let c = app.open_ticket(&gym, &ticket("Drucker C", "P3")).await;
    set(
        &app,
        &c,
        Times {
            first_due: Some(at("2025-11-11T10:00:00Z")),
            resolution_due: Some(at("2025-11-13T08:00:00Z")),
            ..open(at("2025-11-11T08:00:00Z"))
        },
    )
    .await;
    let e = app.open_ticket(&gym, &ticket("Drucker E", "P4")).await;
    set(&app, &e, Times { status: "closed", ..open(at("2025-11-09T23:30:00Z")) }).await;
    let f = app.open_ticket(&gym, &ticket("Drucker F", "P4")).await;
    set(&app, &f, Times { status: "closed", ..open(at("2025-11-16T23:30:00Z")) }).await;
    let g = app.open_ticket(&gym, &ticket("Drucker G", "P3")).await;
    set(&app, &g, open(now - Duration::hours(2))).await;
    let h = app.open_ticket(&gym, &ticket("Drucker H", "P3")).await;
    set(&app, &h, open(now - Duration::days(3))).await;
    let i = app.open_ticket(&gs, &ticket("Drucker I", "P3")).await;
    set(&app, &i, open(now - Duration::days(3))).await;
    app
}

/// A download with the headers that matter.
struct Download {
    status: Status,
    body: String,
    content_type: String,
    disposition: String,
    cache: String,
}

async fn download(browser: &Browser<'_>, path: &str) -> Download {
    let response = browser
        .app
        .client
        .get(path.to_string())
        .cookies(browser.cookies.values().cloned().collect::<Vec<_>>())
        .dispatch()
        .await;
    let header = |name: &str| response.headers().get_one(name).unwrap_or_default().to_string();
    let (status, content_type, disposition, cache) =
        (response.status(), header("Content-Type"), header("Content-Disposition"), header("Cache-Control"));
    let body = response.into_string().await.unwrap_or_default();
    Download { status, body: body.trim_start_matches('\u{feff}').to_string(), content_type, disposition, cache }
}

/// The rows of a CSV table (header first), each line split at its commas.
async fn csv(browser: &Browser<'_>, base: &str, table: &str, query: &str) -> Vec<String> {
    let got = download(browser, &format!("{base}.csv?table={table}&{query}")).await;
    assert_eq!(got.status, Status::Ok, "{table}: {}", got.body);
    got.body.lines().map(str::to_string).collect()
}

both_dbs!(
    async fn stats_count_opened_and_solved_per_desk_week(backend: Backend) {
        let app = setup(&backend).await;
        let lead = app.login("lead@desk.de", PASSWORD).await;
        let rows = csv(&lead, "/desk/stats", "weekly", RANGE).await;
        assert_eq!(rows, ["Woche ab,Eröffnet,Gelöst", "2025-11-03,3,2", "2025-11-10,2,1"]);
    }
);

both_dbs!(
    async fn stats_count_sla_met_and_missed_by_week_opened(backend: Backend) {
        let app = setup(&backend).await;
        let lead = app.login("lead@desk.de", PASSWORD).await;
        let rows = csv(&lead, "/desk/stats", "sla", RANGE).await;
        // Week 1: first responses A, D in time, B late; resolutions B, D in time, A late.
        // Week 2: C's first response and resolution are due and missing; E has no targets.
        assert_eq!(rows[1], "2025-11-03,2,1,67 %,2,1,67 %");
        assert_eq!(rows[2], "2025-11-10,0,1,0 %,0,1,0 %");
    }
);

both_dbs!(
    async fn stats_backlog_counts_open_tickets_by_age(backend: Backend) {
        let app = setup(&backend).await;
        let lead = app.login("lead@desk.de", PASSWORD).await;
        let rows = csv(&lead, "/desk/stats", "backlog", RANGE).await;
        assert_eq!(
            rows,
            ["Alter,Tickets", "unter 1 Tag,1", "1–7 Tage,2", "7–30 Tage,0", "30–90 Tage,0", "über 90 Tage,1"]
        );
    }
);

both_dbs!(
    async fn stats_break_down_by_priority(backend: Backend) {
        let app = setup(&backend).await;
        let lead = app.login("lead@desk.de", PASSWORD).await;
        let rows = csv(&lead, "/desk/stats", "groups", &format!("{RANGE}&breakdown=priority")).await;
        assert_eq!(rows, ["Priorität,Eröffnet,Gelöst", "P3,2,1", "P1,1,1", "P2,1,1", "P4,1,0"]);
    }
);

both_dbs!(
    async fn stats_of_a_school_admin_count_only_their_school(backend: Backend) {
        let app = setup(&backend).await;
        let admin = app.login("admin@gym.de", PASSWORD).await;
        let base = "/helpdesk/stats";
        // D and I are gs's: never counted at gym.
        assert_eq!(
            csv(&admin, base, "weekly", RANGE).await,
            ["Woche ab,Eröffnet,Gelöst", "2025-11-03,2,1", "2025-11-10,2,1"]
        );
        assert_eq!(csv(&admin, base, "sla", RANGE).await[1], "2025-11-03,1,1,50 %,1,1,50 %");
        let backlog = csv(&admin, base, "backlog", RANGE).await;
        assert_eq!(backlog[1..3], ["unter 1 Tag,1".to_string(), "1–7 Tage,1".to_string()]);
        let schools = csv(&admin, base, "groups", &format!("{RANGE}&breakdown=school")).await;
        assert_eq!(schools, ["Schule,Eröffnet,Gelöst", "Schule gym,4,2"]);
        // The FAQ's figures are every reader's, not a school's.
        let faq = download(&admin, &format!("{base}.csv?table=searches&{RANGE}")).await;
        assert_eq!(faq.status, Status::NotFound);
        let mut admin = admin;
        let page = admin.get(&format!("{base}?{RANGE}&breakdown=school")).await;
        assert_eq!(page.status, Status::Ok);
        assert!(!page.body.contains("Schule gs"), "another school named on the page");
    }
);

both_dbs!(
    async fn stats_csv_is_an_uncached_attachment_with_formulas_defused(backend: Backend) {
        let app = setup(&backend).await;
        app.update_school("gym", "=HYPERLINK(\"http://evil.example\",\"Klick\")", true).await;
        app.update_school("gs", "@SUMME(A1), +1", true).await;
        let lead = app.login("lead@desk.de", PASSWORD).await;
        let got = download(&lead, &format!("/desk/stats.csv?table=groups&{RANGE}&breakdown=school")).await;
        assert_eq!(got.status, Status::Ok);
        assert!(got.content_type.starts_with("text/csv"), "{}", got.content_type);
        assert_eq!(got.disposition, "attachment; filename=\"staffel-groups-2025-11-03-2025-11-16.csv\"");
        assert_eq!(got.cache, "no-store");
        let lines: Vec<&str> = got.body.lines().collect();
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Klick\"\")\",4,2");
        assert_eq!(lines[2], "\"'@SUMME(A1), +1\",1,1");
    }
);

both_dbs!(
    async fn stats_refuse_bad_dates_with_a_message_and_no_figures(backend: Backend) {
        let app = setup(&backend).await;
        let mut lead = app.login("lead@desk.de", PASSWORD).await;
        for (query, message) in [
            ("from=2025-13-01", "„2025-13-01“ ist kein Datum"),
            ("to=gestern", "„gestern“ ist kein Datum"),
            ("from=2025-11-16&to=2025-11-03", "Der Zeitraum endet vor seinem Beginn."),
            ("from=2023-01-01&to=2025-11-03", "höchstens zwei Jahre"),
            ("breakdown=klasse", "Bitte Schule, Service oder Priorität"),
        ] {
            let page = lead.get(&format!("/desk/stats?{query}")).await;
            assert_eq!(page.status, Status::UnprocessableEntity, "{query}");
            assert!(page.body.contains(message), "{query}: {}", page.body);
            assert!(page.body.contains("aria-invalid=\"true\""), "{query}: the field is not marked");
            assert!(!page.body.contains("<svg class=\"stats-chart\""), "{query}: figures shown");
            let file = download(&lead, &format!("/desk/stats.csv?table=weekly&{query}")).await;
            assert_eq!(file.status, Status::UnprocessableEntity, "{query}: CSV");
            assert!(!file.disposition.contains("attachment"), "{query}: CSV");
        }
        let unknown = download(&lead, &format!("/desk/stats.csv?table=passwords&{RANGE}")).await;
        assert_eq!(unknown.status, Status::UnprocessableEntity);
    }
);

both_dbs!(
    async fn stats_charts_have_title_description_and_table_in_both_languages(backend: Backend) {
        let app = setup(&backend).await;
        let mut lead = app.login("lead@desk.de", PASSWORD).await;
        let page = lead.get(&format!("/desk/stats?{RANGE}")).await;
        assert_eq!(page.status, Status::Ok, "{}", page.body);
        let html = &page.body;
        assert!(html.contains(
            "<svg class=\"stats-chart\" role=\"img\" aria-labelledby=\"chart-weekly-title chart-weekly-desc\""
        ));
        assert!(html.contains("<title id=\"chart-weekly-title\">Tickets eröffnet und gelöst pro Woche</title>"));
        assert!(html.contains("<desc id=\"chart-weekly-desc\">Balkendiagramm: eröffnete (voll)"));
        // The values behind the chart, as a table; one bar per value with its own title.
        assert!(html.contains("<th scope=\"row\">2025-11-03</th><td>3</td><td>2</td>"));
        assert!(html.contains("<title>03.11. – Eröffnet: 3</title>"));
        assert!(html.contains("fill=\"url(#chart-weekly-p1)\""), "the second series has a pattern");
        assert!(html.contains("href=\"/desk/stats.csv?table=weekly&amp;from=2025-11-03"));
        let english = lead
            .app
            .client
            .get(format!("/desk/stats?{RANGE}"))
            .cookies(lead.cookies.values().filter(|c| c.name() != "staffel_lang").cloned().collect::<Vec<_>>())
            .cookie(Cookie::new("staffel_lang", "en"))
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap_or_default();
        assert!(
            english.contains("<title id=\"chart-weekly-title\">Tickets opened and solved per week</title>"),
            "{english}"
        );
    }
);

both_dbs!(
    async fn stats_are_linked_from_the_lead_and_school_admin_navigation(backend: Backend) {
        let app = setup(&backend).await;
        let mut lead = app.login("lead@desk.de", PASSWORD).await;
        assert!(lead.get("/desk").await.body.contains("<a href=\"/desk/stats\""));
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        assert!(admin.get("/helpdesk").await.body.contains("<a href=\"/helpdesk/stats\""));
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        assert!(!agent.get("/desk").await.body.contains("/desk/stats"));
    }
);

both_dbs!(
    async fn stats_compare_providers_with_their_agreed_times(backend: Backend) {
        let app = setup(&backend).await;
        app.provider("druck", "Druckdienst", "8", &["service@druck.test"], &["printing"]).await;
        let desk = app.token("agent@desk.de").await;
        let forward = r#"{"provider":"druck","priority":"P3","message":"Bitte prüfen."}"#;
        // Two open tickets forwarded, their forwards moved into the first week: one
        // acknowledged after two hours (due after eight), one never though due.
        for title in ["Drucker J", "Drucker K"] {
            let number = app.open_ticket(&app.token("admin@gym.de").await, &ticket(title, "P3")).await;
            app.forward_ticket(&desk, &number, forward).await;
            let ack = (title == "Drucker J").then(|| at("2025-11-04T11:00:00Z"));
            entities::forward::Entity::update_many()
                .col_expr(entities::forward::Column::CreatedAt, Expr::value(at("2025-11-04T09:00:00Z")))
                .col_expr(entities::forward::Column::DueAt, Expr::value(at("2025-11-04T17:00:00Z")))
                .col_expr(entities::forward::Column::AcknowledgedAt, Expr::value(ack))
                .filter(entities::forward::Column::TicketId.eq(ticket_id(&number)))
                .exec(app.db())
                .await
                .expect("set forward times");
        }
        let lead = app.login("lead@desk.de", PASSWORD).await;
        let rows = csv(&lead, "/desk/stats", "providers", RANGE).await;
        assert_eq!(rows[1..], ["Druckdienst,8,2,1,1,1,\"2,0\"".to_string()]);
        // gs forwarded nothing.
        let admin = app.login("admin@gs.de", PASSWORD).await;
        assert_eq!(csv(&admin, "/helpdesk/stats", "providers", RANGE).await.len(), 1, "only the header");
    }
);

async fn chat(app: &TestApp, school: &str, requester: &str, offered: &str, accepted: Option<&str>) {
    use sea_orm::{ActiveModelTrait, Set};
    let school_id = app.find_school(school).await.expect("school").id;
    let requester_id = app.user_id(requester).await;
    let offered = at(offered);
    entities::chat::ActiveModel {
        kind: Set(entities::ChatKind::Request),
        channel_id: Set(None),
        school_id: Set(Some(school_id)),
        requester_id: Set(requester_id),
        status: Set(entities::ChatStatus::Closed),
        context: Set("{}".into()),
        last_seq: Set(0),
        offered_at: Set(offered),
        accepted_by: Set(None),
        accepted_at: Set(accepted.map(at)),
        closed_at: Set(Some(offered + Duration::hours(1))),
        ticket_id: Set(None),
        created_at: Set(offered),
        updated_at: Set(offered),
        ..Default::default()
    }
    .insert(app.db())
    .await
    .expect("chat");
}

both_dbs!(
    async fn stats_count_chat_requests_and_their_waiting(backend: Backend) {
        let app = setup(&backend).await;
        chat(&app, "gym", "admin@gym.de", "2025-11-04T10:00:00Z", Some("2025-11-04T10:03:00Z")).await;
        chat(&app, "gym", "admin@gym.de", "2025-11-05T10:00:00Z", None).await;
        chat(&app, "gs", "admin@gs.de", "2025-11-04T11:00:00Z", Some("2025-11-04T11:09:00Z")).await;
        let lead = app.login("lead@desk.de", PASSWORD).await;
        let rows = csv(&lead, "/desk/stats", "chat", RANGE).await;
        assert_eq!(rows[1..], ["2025-11-03,3,2,\"6,0\",\"9,0\"".to_string(), "2025-11-10,0,0,–,–".to_string()]);
        let admin = app.login("admin@gym.de", PASSWORD).await;
        assert_eq!(csv(&admin, "/helpdesk/stats", "chat", RANGE).await[1], "2025-11-03,2,1,\"3,0\",\"3,0\"");
    }
);

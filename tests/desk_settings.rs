//! The desk lead's SLA targets, business week and holidays, and what they do to due times.
mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{Backend, TestApp, PASSWORD};
use rocket::http::{ContentType, Method, Status};
use staffel::desk::service;

async fn desk_lead_configures_service_levels(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.user("lead@desk.de", "desk_lead", "").await;
    app.user("agent@desk.de", "agent", "").await;

    // Defaults on a fresh database: four priorities, Monday to Friday.
    let targets = service::targets(app.db()).await.unwrap();
    assert_eq!(targets.iter().map(|t| t.priority.as_str()).collect::<Vec<_>>(), ["P1", "P2", "P3", "P4"]);
    let mut lead = app.login("lead@desk.de", PASSWORD).await;
    let page = lead.get("/desk/settings").await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("Montag") && page.body.contains("P1"));

    // Agents work the desk but do not configure it.
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    assert_eq!(agent.get("/desk/settings").await.status, Status::Forbidden);
    let refused = agent.post_form("/desk/settings/holidays", &[("day", "2026-12-24"), ("name", "Heiligabend")]).await;
    assert_eq!(refused.status, Status::Forbidden);

    // New targets in hours.
    let saved = lead
        .post_form(
            "/desk/settings/sla",
            &[
                ("targets[0].priority", "P1"),
                ("targets[0].first", "0,5"),
                ("targets[0].resolution", "4"),
                ("targets[1].priority", "P2"),
                ("targets[1].first", "2"),
                ("targets[1].resolution", "8"),
                ("targets[2].priority", "P3"),
                ("targets[2].first", "8"),
                ("targets[2].resolution", "40"),
                ("targets[3].priority", "P4"),
                ("targets[3].first", "16"),
                ("targets[3].resolution", "80"),
            ],
        )
        .await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    let p1 = service::targets(app.db()).await.unwrap().into_iter().find(|t| t.priority == "P1").unwrap();
    assert_eq!((p1.first_response_minutes, p1.resolution_minutes), (30, 240));

    // Bad input: a clear message and nothing changed.
    let bad = lead
        .post_form(
            "/desk/settings/sla",
            &[
                ("targets[0].priority", "P1"),
                ("targets[0].first", "zwei"),
                ("targets[0].resolution", "4"),
                ("targets[1].priority", "P2"),
                ("targets[1].first", "2"),
                ("targets[1].resolution", "8"),
                ("targets[2].priority", "P3"),
                ("targets[2].first", "8"),
                ("targets[2].resolution", "40"),
                ("targets[3].priority", "P4"),
                ("targets[3].first", "16"),
                ("targets[3].resolution", "80"),
            ],
        )
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert!(bad.body.contains("Bitte geben Sie eine ganze Zahl ein.") || bad.body.contains("Zahl"), "{}", bad.body);
    let backwards = lead
        .post_form(
            "/desk/settings/sla",
            &[
                ("targets[0].priority", "P1"),
                ("targets[0].first", "5"),
                ("targets[0].resolution", "4"),
                ("targets[1].priority", "P2"),
                ("targets[1].first", "2"),
                ("targets[1].resolution", "8"),
                ("targets[2].priority", "P3"),
                ("targets[2].first", "8"),
                ("targets[2].resolution", "40"),
                ("targets[3].priority", "P4"),
                ("targets[3].first", "16"),
                ("targets[3].resolution", "80"),
            ],
        )
        .await;
    assert_eq!(backwards.status, Status::UnprocessableEntity);
    assert!(backwards.body.contains("Die Lösungszeit darf nicht kürzer"));
    let p1 = service::targets(app.db()).await.unwrap().into_iter().find(|t| t.priority == "P1").unwrap();
    assert_eq!((p1.first_response_minutes, p1.resolution_minutes), (30, 240), "unchanged");

    // A shorter Friday and a holiday move due times.
    let mut week: Vec<(String, String)> = Vec::new();
    for (i, day) in (1..=7).enumerate() {
        week.push((format!("days[{i}].weekday"), day.to_string()));
        if day <= 5 {
            week.push((format!("days[{i}].open"), "true".into()));
        }
        week.push((format!("days[{i}].opens"), "08:00".into()));
        week.push((format!("days[{i}].closes"), if day == 5 { "12:00".into() } else { "16:00".into() }));
    }
    let fields: Vec<(&str, &str)> = week.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = lead.post_form("/desk/settings/week", &fields).await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    let added = lead.post_form("/desk/settings/holidays", &[("day", "2026-11-30"), ("name", "Brückentag")]).await;
    assert_eq!(added.status, Status::SeeOther, "{}", added.body);
    let twice = lead.post_form("/desk/settings/holidays", &[("day", "2026-11-30"), ("name", "Nochmal")]).await;
    assert_eq!(twice.status, Status::UnprocessableEntity);
    let bad_day = lead.post_form("/desk/settings/holidays", &[("day", "30.11.2026"), ("name", "Falsch")]).await;
    assert!(bad_day.body.contains("Bitte ein Datum wie 2026-12-24 eingeben."));

    let calendar = service::calendar(app.db(), chrono_tz::Europe::Berlin).await.unwrap();
    // Friday 27 Nov 2026, 11:00 Berlin (10:00 UTC) + 2 business hours: one hour on Friday
    // (until 12:00), Monday is the holiday, so the second hour ends Tuesday 9:00.
    let start = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
    assert_eq!(calendar.add_business_minutes(start, 120), Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap());

    let removed = lead.post_form("/desk/settings/holidays/2026-11-30/delete", &[]).await;
    assert_eq!(removed.status, Status::SeeOther);
    assert!(service::holidays(app.db()).await.unwrap().is_empty());
    assert_eq!(lead.post_form("/desk/settings/holidays/2026-11-30/delete", &[]).await.status, Status::NotFound);
}

#[rocket::async_test]
async fn the_desk_lead_sets_targets_hours_and_holidays() {
    on_each_backend!(desk_lead_configures_service_levels);
}

/// Opening a ticket reads the desk's settings from a copy in memory: a desk lead's change
/// must reach the very next ticket, not one some seconds later.
async fn new_targets_reach_the_next_ticket(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("lead@desk.de", "desk_lead", "").await;
    let token = app.token("admin@gym.de").await;
    let mut lead = app.login("lead@desk.de", PASSWORD).await;
    let calendar = service::calendar(app.db(), chrono_tz::Europe::Berlin).await.unwrap();

    for p1_hours in ["4", "6", "4"] {
        let mut fields: Vec<(String, String)> = Vec::new();
        let targets = [("P1", "1", p1_hours), ("P2", "8", "16"), ("P3", "8", "40"), ("P4", "16", "80")];
        for (i, (priority, first, resolution)) in targets.into_iter().enumerate() {
            fields.push((format!("targets[{i}].priority"), priority.into()));
            fields.push((format!("targets[{i}].first"), first.into()));
            fields.push((format!("targets[{i}].resolution"), resolution.into()));
        }
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let saved = lead.post_form("/desk/settings/sla", &fields).await;
        assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);

        let body = r#"{"title":"WLAN weg","description":"Seit heute","priority":"P1"}"#;
        let reply = app.api_send(Method::Post, Some(&token), "/api/v1/tickets", body, ContentType::JSON).await;
        assert_eq!(reply.status, Status::Created, "{}", reply.body);
        let json = reply.json();
        let created: DateTime<Utc> = json["created_at"].as_str().unwrap().parse().unwrap();
        let due: DateTime<Utc> = json["resolution_due"].as_str().unwrap().parse().unwrap();
        let minutes: i64 = p1_hours.parse::<i64>().unwrap() * 60;
        let expected = calendar.add_business_minutes(created, minutes);
        assert!((due - expected).num_seconds().abs() < 1, "P1 at {p1_hours} h: due {due}, expected {expected}");
    }
}

#[rocket::async_test]
async fn a_changed_target_counts_for_the_next_ticket() {
    on_each_backend!(new_targets_reach_the_next_ticket);
}

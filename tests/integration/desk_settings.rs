//! The desk lead's SLA targets, business week and holidays, and what they do to due times.
use crate::common::{Backend, Browser, TestApp, PASSWORD};
use chrono::{DateTime, TimeZone, Utc};
use rocket::http::Status;
use staffel::sla::settings as service;

/// The SLA form's fields for the four priorities: (priority, first response hours,
/// resolution hours) each.
fn targets_form(targets: [(&str, &str, &str); 4]) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for (i, (priority, first, resolution)) in targets.into_iter().enumerate() {
        fields.push((format!("targets[{i}].priority"), priority.into()));
        fields.push((format!("targets[{i}].first"), first.into()));
        fields.push((format!("targets[{i}].resolution"), resolution.into()));
    }
    fields
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The form with the P1 targets given and the others as the desk lead sets them below.
fn targets_with_p1(first: &str, resolution: &str) -> Vec<(String, String)> {
    targets_form([("P1", first, resolution), ("P2", "2", "8"), ("P3", "8", "40"), ("P4", "16", "80")])
}

async fn desk(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.users(&[("lead@desk.de", "desk_lead", ""), ("agent@desk.de", "agent", "")]).await;
    app
}

/// The desk lead sets P1 to half an hour for the first response and four for the solution.
async fn save_new_targets(app: &TestApp, lead: &mut Browser<'_>) {
    let saved = lead.post_form("/desk/settings/sla", &borrowed(&targets_with_p1("0,5", "4"))).await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    let p1 = service::targets(app.db()).await.unwrap().into_iter().find(|t| t.priority.as_str() == "P1").unwrap();
    assert_eq!((p1.first_response_minutes, p1.resolution_minutes), (30, 240));
}

/// The desk lead shortens Friday to 8:00–12:00 and enters Monday 30 November 2026 as a holiday.
async fn shorter_friday_and_a_holiday(lead: &mut Browser<'_>) {
    let mut week: Vec<(String, String)> = Vec::new();
    for (i, day) in (1..=7).enumerate() {
        week.push((format!("days[{i}].weekday"), day.to_string()));
        if day <= 5 {
            week.push((format!("days[{i}].open"), "true".into()));
        }
        week.push((format!("days[{i}].opens"), "08:00".into()));
        week.push((format!("days[{i}].closes"), if day == 5 { "12:00".into() } else { "16:00".into() }));
    }
    let saved = lead.post_form("/desk/settings/week", &borrowed(&week)).await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    let added = lead.post_form("/desk/settings/holidays", &[("day", "2026-11-30"), ("name", "Brückentag")]).await;
    assert_eq!(added.status, Status::SeeOther, "{}", added.body);
}

both_dbs!(
    async fn a_fresh_desk_has_four_priorities_and_a_working_week(backend: Backend) {
        let app = desk(&backend).await;
        let targets = service::targets(app.db()).await.unwrap();
        assert_eq!(targets.iter().map(|t| t.priority.as_str()).collect::<Vec<_>>(), ["P1", "P2", "P3", "P4"]);
        let mut lead = app.login("lead@desk.de", PASSWORD).await;
        let page = lead.get("/desk/settings").await;
        assert_eq!(page.status, Status::Ok);
        assert!(page.body.contains("Montag") && page.body.contains("P1"));
    }
);

both_dbs!(
    async fn agents_work_the_desk_but_do_not_configure_it(backend: Backend) {
        let app = desk(&backend).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        assert_eq!(agent.get("/desk/settings").await.status, Status::Forbidden);
        let refused =
            agent.post_form("/desk/settings/holidays", &[("day", "2026-12-24"), ("name", "Heiligabend")]).await;
        assert_eq!(refused.status, Status::Forbidden);
    }
);

both_dbs!(
    async fn the_desk_lead_sets_targets_in_hours(backend: Backend) {
        let app = desk(&backend).await;
        save_new_targets(&app, &mut app.login("lead@desk.de", PASSWORD).await).await;
    }
);

both_dbs!(
    async fn bad_targets_get_a_clear_message_and_change_nothing(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login("lead@desk.de", PASSWORD).await;
        save_new_targets(&app, &mut lead).await;
        let bad = lead.post_form("/desk/settings/sla", &borrowed(&targets_with_p1("zwei", "4"))).await;
        assert_eq!(bad.status, Status::UnprocessableEntity);
        assert!(bad.body.contains("Bitte geben Sie eine ganze Zahl ein.") || bad.body.contains("Zahl"), "{}", bad.body);
        let backwards = lead.post_form("/desk/settings/sla", &borrowed(&targets_with_p1("5", "4"))).await;
        assert_eq!(backwards.status, Status::UnprocessableEntity);
        assert!(backwards.body.contains("Die Lösungszeit darf nicht kürzer"));
        let p1 = service::targets(app.db()).await.unwrap().into_iter().find(|t| t.priority.as_str() == "P1").unwrap();
        assert_eq!((p1.first_response_minutes, p1.resolution_minutes), (30, 240), "unchanged");
    }
);

both_dbs!(
    async fn a_holiday_is_entered_once_and_as_a_date(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login("lead@desk.de", PASSWORD).await;
        shorter_friday_and_a_holiday(&mut lead).await;
        let twice = lead.post_form("/desk/settings/holidays", &[("day", "2026-11-30"), ("name", "Nochmal")]).await;
        assert_eq!(twice.status, Status::UnprocessableEntity);
        let bad_day = lead.post_form("/desk/settings/holidays", &[("day", "30.11.2026"), ("name", "Falsch")]).await;
        assert!(bad_day.body.contains("Bitte ein Datum wie 2026-12-24 eingeben."));
    }
);

both_dbs!(
    async fn a_shorter_friday_and_a_holiday_move_due_times(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login("lead@desk.de", PASSWORD).await;
        save_new_targets(&app, &mut lead).await;
        shorter_friday_and_a_holiday(&mut lead).await;
        let calendar = service::calendar(app.db(), chrono_tz::Europe::Berlin).await.unwrap();
        // Friday 27 Nov 2026, 11:00 Berlin (10:00 UTC) + 2 business hours: one hour on Friday
        // (until 12:00), Monday is the holiday, so the second hour ends Tuesday 9:00.
        let start = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
        assert_eq!(calendar.add_business_minutes(start, 120), Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap());
    }
);

both_dbs!(
    async fn a_removed_holiday_is_gone(backend: Backend) {
        let app = desk(&backend).await;
        let mut lead = app.login("lead@desk.de", PASSWORD).await;
        shorter_friday_and_a_holiday(&mut lead).await;
        let removed = lead.post_form("/desk/settings/holidays/2026-11-30/delete", &[]).await;
        assert_eq!(removed.status, Status::SeeOther);
        assert!(service::holidays(app.db()).await.unwrap().is_empty());
        assert_eq!(lead.post_form("/desk/settings/holidays/2026-11-30/delete", &[]).await.status, Status::NotFound);
    }
);

both_dbs!(
    /// Opening a ticket reads the desk's settings from a copy in memory: a desk lead's change
    /// must reach the very next ticket, not one some seconds later.
    async fn a_changed_target_counts_for_the_next_ticket(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.user("admin@gym.de", "school_admin", "gym").await;
        app.user("lead@desk.de", "desk_lead", "").await;
        let token = app.token("admin@gym.de").await;
        let mut lead = app.login("lead@desk.de", PASSWORD).await;
        let calendar = service::calendar(app.db(), chrono_tz::Europe::Berlin).await.unwrap();

        for p1_hours in ["4", "6", "4"] {
            let fields =
                targets_form([("P1", "1", p1_hours), ("P2", "8", "16"), ("P3", "8", "40"), ("P4", "16", "80")]);
            let saved = lead.post_form("/desk/settings/sla", &borrowed(&fields)).await;
            assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);

            let body = r#"{"title":"WLAN weg","description":"Seit heute","priority":"P1"}"#;
            let reply = app.api_post(Some(&token), "/api/v1/tickets", body).await;
            assert_eq!(reply.status, Status::Created, "{}", reply.body);
            let json = reply.json();
            let created: DateTime<Utc> = json["created_at"].as_str().unwrap().parse().unwrap();
            let due: DateTime<Utc> = json["resolution_due"].as_str().unwrap().parse().unwrap();
            let minutes: i64 = p1_hours.parse::<i64>().unwrap() * 60;
            let expected = calendar.add_business_minutes(created, minutes);
            assert!((due - expected).num_seconds().abs() < 1, "P1 at {p1_hours} h: due {due}, expected {expected}");
        }
    }
);

//! A teacher's report escalated into a ticket and forwarded with its description: the
//! provider gets the report, not the reporting teacher's name; the desk still sees who it was.
use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::Status;

both_dbs!(
    async fn the_reporters_name_stays_out_of_what_a_provider_is_shared(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.user_named("lehrer@gym.de", "Friederike Weber", "teacher", "gym", "de").await;
        app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
        app.provider("netz", "Netz GmbH", "16", &["Support <support@netz.de>"], &["wifi"]).await;
        let report = app.file_report("lehrer@gym.de", "Kein WLAN in Raum 12.").await;

        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let escalated = admin
            .post_form(
                &format!("/helpdesk/reports/{report}/escalate"),
                &[
                    ("triage_scope", "school"),
                    ("triage_fault_type", "unknown"),
                    ("service", "wifi"),
                    ("title", "WLAN Raum 12"),
                    ("priority", "P3"),
                ],
            )
            .await;
        assert_eq!(escalated.status, Status::SeeOther, "{}", escalated.body);
        let number = escalated.location.unwrap().trim_start_matches("/helpdesk/tickets/").to_string();

        let desk = app.token("agent@desk.de").await;
        let forward = r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen.","share_description":true}"#;
        app.forward_ticket(&desk, &number, forward).await;
        let link = app.latest_provider_token().await;

        let page = app.browser().get(&format!("/provider/{link}")).await;
        assert_eq!(page.status, Status::Ok);
        assert!(page.body.contains("Kein WLAN in Raum 12."), "the description is shared: {}", page.body);
        assert!(!page.body.contains("Weber"), "the reporter's name is not: {}", page.body);
        let api = app.api_get(None, &format!("/api/v1/provider/{link}")).await;
        assert!(api.body.contains("Kein WLAN in Raum 12.") && !api.body.contains("Weber"), "{}", api.body);
        for mail in app.mails_to("support@netz.de").await {
            assert!(!mail.body_text.contains("Weber"), "{}", mail.body_text);
        }

        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let desk_page = agent.get(&format!("/desk/tickets/{number}")).await;
        assert!(desk_page.body.contains("Gemeldet von: Friederike Weber"), "the desk sees the reporter");
    }
);

//! Who saw what: the desk and school admins opening a ticket (desk page, helpdesk page,
//! API) or a file are recorded; operators read the log, filtered by person and ticket;
//! nobody else may.
use super::*;
use crate::common::{Backend, PASSWORD};
use sea_orm::QueryOrder;

both_dbs!(
    async fn a_desk_agent_opening_a_ticket_appears_in_the_view_log(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        assert_eq!(agent.get(&format!("/desk/tickets/{}", w.open)).await.status.code, 200);
        let mut admin = app.login(ADMIN, PASSWORD).await;
        assert_eq!(admin.get(&format!("/helpdesk/tickets/{}", w.recent)).await.status.code, 200);
        assert_eq!(
            app.api_get(Some(&w.agent_token), &format!("/api/v1/tickets/{}", w.other_school)).await.status.code,
            200
        );
        // Views are written in batches (no write on the page's path); the log page writes
        // what is pending before it shows.
        assert!(app.app().views.pending() >= 3);
        let metrics = app.api_get(None, "/metrics").await.body;
        let pending = metrics.lines().find_map(|l| l.strip_prefix("staffel_view_log_pending ")).unwrap_or("absent");
        assert!(pending.parse::<u64>().is_ok_and(|n| n >= 3), "operators see the buffer in /metrics: {pending}");

        let mut op = app.login(OPERATOR, PASSWORD).await;
        let log = op.get("/admin/views").await;
        assert_eq!(log.status.code, 200, "{}", log.body);
        assert!(log.body.contains(AGENT) && log.body.contains(&w.open), "{}", log.body);
        assert!(log.body.contains(ADMIN) && log.body.contains(&w.recent));
        assert!(log.body.contains(&w.other_school), "the API read is recorded too");

        let by_ticket = op.get(&format!("/admin/views?ticket={}", w.open)).await;
        assert!(by_ticket.body.contains(AGENT), "{}", by_ticket.body);
        assert!(!by_ticket.body.contains(&w.recent), "{}", by_ticket.body);
        let by_person = op.get("/admin/views?person=admin%40gym.de").await;
        assert!(by_person.body.contains(&w.recent) && !by_person.body.contains(&w.open), "{}", by_person.body);
        let nobody = op.get("/admin/views?person=niemand&page=abc").await;
        assert_eq!(nobody.status.code, 200);
        assert!(!nobody.body.contains(&w.open));
        let bad = op.get("/admin/views?ticket=%E2%98%83&page=99999999999999999999").await;
        assert_eq!(bad.status.code, 200, "a bad filter is a message, not an error");

        // The person's export holds what they opened.
        let export = staffel_ok(&app, &["person", "export", "--email", AGENT]);
        let data: serde_json::Value = serde_json::from_str(&export).unwrap();
        let viewed = data["viewed"].as_array().unwrap();
        assert!(viewed.iter().any(|v| v["what"] == w.open.as_str() && v["via"] == "desk"), "{viewed:?}");
    }
);

both_dbs!(
    async fn report_pages_and_downloads_are_recorded_and_teachers_reading_their_own_are_not(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        let file = crate::common::uploads::attachments(&app).await.pop().expect("the old ticket's file");
        let report = app.file_report(TEACHER, "Der Beamer flackert.").await;
        let mut teacher = app.login(TEACHER, PASSWORD).await;
        assert_eq!(teacher.get(&format!("/reports/{report}")).await.status.code, 200);
        let mut admin = app.login(ADMIN, PASSWORD).await;
        assert_eq!(admin.get(&format!("/helpdesk/reports/{report}")).await.status.code, 200);
        let mut agent = app.login(AGENT, PASSWORD).await;
        let got =
            crate::common::uploads::download(&app, Some(&agent), None, &format!("/attachments/{}", file.id)).await;
        assert_eq!(got.status.code, 200);
        let _ = agent.get("/desk").await;
        staffel::audit::views::flush(app.store(), &app.app().views).await.unwrap();
        let rows = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("viewed"))
            .order_by_asc(entities::audit_event::Column::Id)
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(rows.len(), 2, "the school admin's report and the agent's download, not the teacher: {rows:?}");
        assert_eq!((rows[0].target_type.as_str(), rows[0].target_id), ("report", Some(report)));
        assert_eq!(rows[0].actor_id, Some(app.user_id(ADMIN).await));
        assert_eq!(rows[1].target_type, "ticket");
        assert_eq!(rows[1].target_id, Some(crate::common::ticket_id(&w.old)));
        assert_eq!(rows[1].actor_id, Some(app.user_id(AGENT).await));
        assert!(rows[1].detail.contains(&format!("\"attachment\":{}", file.id)), "{}", rows[1].detail);
    }
);

both_dbs!(
    async fn only_operators_see_the_view_log(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let w = world(&app).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        agent.get(&format!("/desk/tickets/{}", w.open)).await;
        for who in [OTHER_ADMIN, ADMIN, AGENT, TEACHER] {
            let mut browser = app.login(who, PASSWORD).await;
            let page = browser.get(&format!("/admin/views?ticket={}", w.open)).await;
            assert_eq!(page.status.code, 403, "{who}");
            assert!(!page.body.contains(AGENT), "{who}");
            let export = browser.get(&format!("/admin/users/{}/export", app.user_id(AGENT).await)).await;
            assert_eq!(export.status.code, 403, "{who}");
        }
        let anonymous = app.browser().get("/admin/views").await;
        assert_eq!(anonymous.status.code, 303);
    }
);

//! Reopening is for resolved and closed tickets only: a new ticket, one waiting on the
//! school or one at the provider gets the status machine's refusal and stays as it is.
use crate::common;

use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::Status;

const TICKET: &str = r#"{"title":"Beamer flackert","description":"Raum 12.","service":"wifi"}"#;
const FORWARD: &str = r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen Sie den Zugang."}"#;

async fn school_and_desk(backend: &Backend) -> (TestApp, String, String) {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.users(&[("admin@gym.de", "school_admin", "gym"), ("agent@desk.de", "agent", "")]).await;
    app.provider("netz", "Netz GmbH", "16", &["Support <support@netz.de>"], &["wifi"]).await;
    let school = app.token("admin@gym.de").await;
    let desk = app.token("agent@desk.de").await;
    (app, school, desk)
}

async fn reopen(app: &TestApp, token: &str, number: &str) -> common::Reply {
    app.api_post(Some(token), &format!("/api/v1/tickets/{number}/reopen"), r#"{"reason":"Doch nicht."}"#).await
}

async fn ticket(app: &TestApp, token: &str, number: &str) -> serde_json::Value {
    app.api_get(Some(token), &format!("/api/v1/tickets/{number}")).await.json()
}

both_dbs!(
    async fn school_admins_cannot_reopen_a_ticket_that_is_not_resolved_or_closed(backend: Backend) {
        let (app, school, desk) = school_and_desk(&backend).await;
        let new = app.open_ticket(&school, TICKET).await;
        let waiting = app.open_ticket(&school, TICKET).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let asked = agent.post_form(&format!("/desk/tickets/{waiting}/ask"), &[("body", "Welcher Raum?")]).await;
        assert_eq!(asked.status, Status::SeeOther, "{}", asked.body);
        let forwarded = app.open_ticket(&school, TICKET).await;
        app.forward_ticket(&desk, &forwarded, FORWARD).await;

        for (number, status) in [(&new, "new"), (&waiting, "waiting_on_school"), (&forwarded, "at_provider")] {
            let before = ticket(&app, &school, number).await;
            assert_eq!(before["status"], status);
            let refused = reopen(&app, &school, number).await;
            assert_eq!(refused.status, Status::Conflict, "{status}: {}", refused.body);
            assert!(refused.body.contains("Das geht im Status"), "{status}: {}", refused.body);
            let after = ticket(&app, &school, number).await;
            assert_eq!(after["status"], status, "{status} stays");
            assert_eq!(after["version"], before["version"], "{status} unchanged");
        }
        // At the provider the desk gets the same refusal: the forward stays as it was.
        let refused = reopen(&app, &desk, &forwarded).await;
        assert_eq!(refused.status, Status::Conflict, "{}", refused.body);
        assert_eq!(ticket(&app, &desk, &forwarded).await["status"], "at_provider");
    }
);

both_dbs!(
    async fn a_resolved_ticket_is_still_reopened_by_the_school(backend: Backend) {
        let (app, school, desk) = school_and_desk(&backend).await;
        let number = app.open_ticket(&school, TICKET).await;
        app.resolve_ticket(&desk, &number, "Lampe getauscht.").await;
        let reopened = reopen(&app, &school, &number).await;
        assert_eq!(reopened.status, Status::Ok, "{}", reopened.body);
        assert_eq!(ticket(&app, &school, &number).await["status"], "open");
    }
);

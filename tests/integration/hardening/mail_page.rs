//! The operators' mail page (`/admin/mail`): mail given up at a dead SMTP server and mail
//! waiting for more than an hour are listed with what went wrong, and "send again" hands
//! them to the worker at once, through the same service as `staffel mail retry`.
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::common::{self, Backend, SmtpServer, TestApp, PASSWORD};
use crate::mail::{enqueue, smtp_app};
use entities::{mail_outbox, MailStatus};

const OPERATOR: &str = "op@staffel.test";

/// Makes the mail look created that long ago (and due now), as after a long outage.
async fn created_ago(app: &TestApp, id: i32, age: chrono::Duration) {
    mail_outbox::ActiveModel {
        id: Set(id),
        created_at: Set(chrono::Utc::now() - age),
        next_attempt_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .update(app.db())
    .await
    .unwrap();
}

async fn row(app: &TestApp, id: i32) -> mail_outbox::Model {
    app.outbox().await.into_iter().find(|r| r.id == id).expect("the mail")
}

both_dbs!(
    /// Given up at a dead SMTP server, the mail is on the page with its error; "send
    /// again" delivers it once the server is back, and the audit log says who did it.
    async fn a_mail_given_up_at_a_dead_server_is_listed_and_sent_again(backend: Backend) {
        let port = common::free_port();
        let app = TestApp::with(&backend, smtp_app(format!("smtp://127.0.0.1:{port}"), 5)).await;
        app.user(OPERATOR, "operator", "").await;
        let mail = enqueue(&app, "lehrerin@gym.de", true).await;
        // Past `mail_give_up_days`: the next failed attempt gives it up.
        created_ago(&app, mail.id, chrono::Duration::days(8)).await;
        let pass = app.deliver_mail().await;
        assert_eq!(pass.failed, 1, "nothing listens on {port}");
        let failed = row(&app, mail.id).await;
        assert_eq!(failed.status, MailStatus::Failed);
        let error = failed.last_error.clone().expect("the attempt's error");

        let mut operator = app.login(OPERATOR, PASSWORD).await;
        let page = operator.get("/admin/mail").await;
        assert_eq!(page.status, Status::Ok, "{}", page.body);
        let listed = page.body.split(&format!("id=\"mail-{}\"", mail.id)).nth(1).expect("the mail is listed");
        let listed = listed.split("</tr>").next().unwrap();
        assert!(listed.contains("lehrerin@gym.de"), "{listed}");
        assert!(listed.contains(&failed.subject), "{listed}");
        assert!(listed.contains("aufgegeben"), "{listed}");
        assert!(listed.contains("8 Tage"), "its age: {listed}");
        let shown_error: String = error.chars().take(20).collect();
        assert!(listed.contains(&shown_error), "its last error {error:?}: {listed}");
        assert!(page.body.contains("/admin/mail/send-again-failed"), "{}", page.body);

        let smtp = SmtpServer::start_on(port);
        let again = operator.post_form(&format!("/admin/mail/{}/send-again", mail.id), &[]).await;
        assert_eq!(again.status, Status::SeeOther, "{}", again.body);
        assert_eq!(again.location.as_deref(), Some("/admin/mail"));
        let due = row(&app, mail.id).await;
        assert_eq!((due.status, due.attempts), (MailStatus::Pending, 0));
        let pass = app.deliver_mail().await;
        assert_eq!((pass.sent, pass.failed), (1, 0));
        assert_eq!(row(&app, mail.id).await.status, MailStatus::Sent);
        let delivered: Vec<_> = smtp.messages().into_iter().map(|m| m.to).collect();
        assert_eq!(delivered, vec![vec!["lehrerin@gym.de".to_string()]]);

        let audit = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("mail.send_again"))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(audit.len(), 1, "{audit:?}");
        assert_eq!(audit[0].actor_id, Some(app.user_id(OPERATOR).await));
        assert_eq!(audit[0].target_id, Some(mail.id));
        let page = operator.get("/admin/mail").await;
        assert!(!page.body.contains(&format!("id=\"mail-{}\"", mail.id)), "delivered mail leaves the page");
    }
);

both_dbs!(
    /// Mail waiting for more than an hour is listed, fresh and delivered mail is not;
    /// "send all failed again" makes every given-up mail due, and nothing else.
    async fn the_page_lists_long_waiting_mail_and_sends_all_failed_again(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user(OPERATOR, "operator", "").await;
        let waiting = enqueue(&app, "wartet@gym.de", true).await;
        created_ago(&app, waiting.id, chrono::Duration::hours(3)).await;
        let fresh = enqueue(&app, "frisch@gym.de", true).await;
        let mut given_up = Vec::new();
        for to in ["a@gym.de", "b@gym.de"] {
            let mail = enqueue(&app, to, true).await;
            let model = mail_outbox::ActiveModel {
                id: Set(mail.id),
                status: Set(MailStatus::Failed),
                attempts: Set(170),
                ..Default::default()
            };
            model.update(app.db()).await.unwrap();
            given_up.push(mail.id);
        }

        let mut operator = app.login(OPERATOR, PASSWORD).await;
        let page = operator.get("/admin/mail").await.body;
        assert!(page.contains(&format!("id=\"mail-{}\"", waiting.id)), "{page}");
        assert!(page.contains("3 Std."), "{page}");
        assert!(!page.contains(&format!("id=\"mail-{}\"", fresh.id)), "{page}");
        assert!(!page.contains("frisch@gym.de"), "{page}");

        let again = operator.post_form("/admin/mail/send-again-failed", &[]).await;
        assert_eq!(again.location.as_deref(), Some("/admin/mail"), "{}", again.body);
        let page = operator.get("/admin/mail").await.body;
        assert!(page.contains("2 aufgegebene Mail(s) werden jetzt erneut gesendet."), "{page}");
        for id in given_up {
            assert_eq!(row(&app, id).await.status, MailStatus::Pending);
        }
        let waited = row(&app, waiting.id).await;
        assert!(waited.retrying_since.is_none(), "a waiting mail is left to its schedule");
    }
);

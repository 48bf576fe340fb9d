//! Mail over real SMTP: a reset mail followed to the end, an outage and a restart, claims of
//! dead workers, two workers on the same rows, rollbacks, and the recipient's language.
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::mime::{reset_link, unescape_html, Mime};
use super::{enqueue, request_reset_by_form, smtp_app, user_with_language, SUBJECT_DE, SUBJECT_EN};
use crate::common::{self, Backend, SmtpServer, TestApp, PASSWORD};
use entities::mail_outbox;
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};

/// A teacher asks for a reset link by the form and the mail goes out over SMTP; the app, the
/// server and the parsed message.
async fn reset_mail_sent(backend: &Backend) -> (TestApp, SmtpServer, Mime) {
    let smtp = SmtpServer::start();
    let app = TestApp::with(backend, smtp_app(smtp.url(), 0)).await;
    app.school("gym").await;
    user_with_language(&app, "lehrer@gym.de", "de").await;
    request_reset_by_form(&app, "lehrer@gym.de").await;
    assert!(smtp.messages().is_empty(), "the request only enqueues");
    let rows = app.outbox().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status.as_str(), "pending");
    let pass = app.deliver_mail().await;
    assert_eq!(pass.sent, 1, "{pass:?}");
    assert_eq!(pass.failed, 0);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "exactly one message");
    let mail = Mime::parse(&messages[0].data);
    (app, smtp, mail)
}

both_dbs!(
    async fn a_reset_mail_goes_out_by_smtp_with_the_same_link_in_both_parts(backend: Backend) {
        let (app, smtp, mail) = reset_mail_sent(&backend).await;
        let messages = smtp.messages();
        let message = &messages[0];
        assert_eq!(message.to, vec!["lehrer@gym.de".to_string()]);
        assert_eq!(message.from, "staffel@localhost");
        assert_eq!(mail.subject(), SUBJECT_DE);
        let row = &app.outbox().await[0];
        assert_eq!(row.status.as_str(), "sent");
        assert!(row.sent_at.is_some());
        assert_eq!(mail.header("Message-ID").as_deref(), Some(row.message_id.as_str()));
        assert!(row.message_id.ends_with("@staffel.test>"), "{}", row.message_id);
        assert!(mail.header("To").unwrap().contains("lehrer@gym.de"));
        assert!(mail.header("Content-Type").unwrap().starts_with("multipart/alternative"));
        let text = mail.part("text/plain");
        // Tera escapes `/` in attributes as `&#x2F;`; a mail client reads the decoded value.
        let html = &unescape_html(mail.part("text/html"));
        assert!(text.contains("Jörg Müller"), "greets by name: {text}");
        assert!(html.contains("<a href=\"http://staffel.test/password/reset/"), "{html}");
        let link = reset_link(text);
        assert_eq!(reset_link(html), link, "both parts carry the same link");
    }
);

both_dbs!(
    async fn the_mailed_reset_link_sets_a_new_password_once(backend: Backend) {
        let (app, smtp, mail) = reset_mail_sent(&backend).await;
        let link = reset_link(mail.part("text/plain"));
        let mut browser = app.browser();
        let page = browser.get(&link).await;
        assert_eq!(page.status, Status::Ok);
        assert!(page.body.contains("Neues Passwort setzen"), "{}", page.body);
        let new_password = "ein-ganz-neues-passwort";
        let done = browser.post_form(&link, &[("new", new_password), ("confirm", new_password)]).await;
        assert_eq!(done.status, Status::SeeOther, "{}", done.body);
        assert_eq!(done.location.as_deref(), Some("/login"));
        app.login("lehrer@gym.de", new_password).await;
        let old = app.browser().post_form("/login", &[("email", "lehrer@gym.de"), ("password", PASSWORD)]).await;
        assert_eq!(old.status, Status::UnprocessableEntity, "the old password is gone");
        let again = app.browser().get(&link).await;
        assert_eq!(again.status, Status::Gone);
        assert!(again.body.contains("abgelaufen oder wurde schon benutzt"));
        // Nothing more to send.
        assert_eq!(app.deliver_mail().await.sent, 0);
        assert_eq!(smtp.messages().len(), 1);
    }
);

both_dbs!(
    async fn mail_survives_an_outage_and_a_restart(backend: Backend) {
        let port = common::free_port();
        let url = format!("smtp://127.0.0.1:{port}");
        let app = TestApp::with(&backend, smtp_app(url.clone(), 1)).await;
        app.school("gym").await;
        user_with_language(&app, "lehrer@gym.de", "de").await;
        request_reset_by_form(&app, "lehrer@gym.de").await;

        let before = chrono::Utc::now();
        let pass = app.deliver_mail().await;
        let after = chrono::Utc::now();
        assert_eq!(pass.sent, 0);
        assert_eq!(pass.failed, 1, "nothing listens on {port}");
        let rows = app.outbox().await;
        assert_eq!(rows.len(), 1, "nothing lost");
        let row = &rows[0];
        assert_eq!(row.status.as_str(), "pending");
        assert_eq!(row.attempts, 1);
        assert!(row.sent_at.is_none());
        assert!(row.claimed_until.is_none(), "the claim is released");
        let error = row.last_error.as_deref().expect("the error is kept");
        assert!(!error.trim().is_empty());
        // Backoff: base 1 s doubled per attempt.
        let backoff = chrono::Duration::seconds(2);
        assert!(
            row.next_attempt_at >= before + backoff - chrono::Duration::milliseconds(1)
                && row.next_attempt_at <= after + backoff + chrono::Duration::milliseconds(1),
            "retry at {} (pass between {before} and {after})",
            row.next_attempt_at
        );

        // The process restarts (a new Rocket on the same data) and the server comes back.
        let app = app.restart(smtp_app(url, 1)).await;
        let smtp = SmtpServer::start_on(port);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // Each pass by a freshly built worker, as a restarted process would run it.
            let pass = app.fresh_mail_worker().deliver_due().await.unwrap();
            assert_eq!(pass.failed, 0, "the server is up now");
            if pass.sent == 1 {
                break;
            }
            assert_eq!(pass.sent, 0);
            assert!(Instant::now() < deadline, "the retry never came");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let messages = smtp.messages();
        assert_eq!(messages.len(), 1, "delivered once");
        assert_eq!(messages[0].to, vec!["lehrer@gym.de".to_string()]);
        let row = &app.outbox().await[0];
        assert_eq!(row.status.as_str(), "sent");
        assert_eq!(row.attempts, 2);
        assert!(row.last_error.is_none());
        assert_eq!(Mime::parse(&messages[0].data).header("Message-ID").as_deref(), Some(row.message_id.as_str()));
        // The link from the delayed mail still works.
        let link = reset_link(Mime::parse(&messages[0].data).part("text/plain"));
        assert_eq!(app.browser().get(&link).await.status, Status::Ok);

        for _ in 0..3 {
            assert_eq!(app.deliver_mail().await, Default::default());
        }
        assert_eq!(smtp.messages().len(), 1, "and never again");
    }
);

both_dbs!(
    /// A worker that died after claiming a row: the claim protects the row until it expires,
    /// then another worker delivers it.
    async fn expired_claims_are_taken_over(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
        let row = enqueue(&app, "a@gym.de", true).await;
        let claimed = |until: chrono::DateTime<chrono::Utc>| mail_outbox::ActiveModel {
            id: Set(row.id),
            attempts: Set(1),
            claimed_until: Set(Some(until)),
            ..Default::default()
        };
        claimed(chrono::Utc::now() + chrono::Duration::minutes(5)).update(app.db()).await.unwrap();
        assert_eq!(app.deliver_mail().await.sent, 0, "still claimed");
        assert!(smtp.messages().is_empty());
        claimed(chrono::Utc::now() - chrono::Duration::seconds(1)).update(app.db()).await.unwrap();
        assert_eq!(app.deliver_mail().await.sent, 1, "the claim has expired");
        assert_eq!(smtp.messages().len(), 1);
        assert_eq!(app.deliver_mail().await.sent, 0);
        assert_eq!(smtp.messages().len(), 1);
    }
);

both_dbs!(
    #[worker_threads(4)]
    async fn two_workers_deliver_each_mail_once(backend: Backend) {
        const MAILS: usize = 24;
        let smtp = SmtpServer::start();
        let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
        for i in 0..MAILS {
            enqueue(&app, &format!("m{i}@gym.de"), true).await;
        }
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let mut handles = Vec::new();
        for _ in 0..2 {
            let worker = app.fresh_mail_worker();
            let start = start.clone();
            handles.push(tokio::spawn(async move {
                start.wait().await;
                worker.deliver_due().await.expect("pass")
            }));
        }
        let mut sent = 0;
        for handle in handles {
            let pass = handle.await.unwrap();
            assert_eq!(pass.failed, 0, "{pass:?}");
            sent += pass.sent;
        }
        assert_eq!(sent, MAILS, "together the passes sent every mail once");
        assert_eq!(app.deliver_mail().await, Default::default());

        let messages = smtp.messages();
        assert_eq!(messages.len(), MAILS);
        let rows = app.outbox().await;
        for row in &rows {
            assert_eq!(row.status.as_str(), "sent");
            assert_eq!(row.attempts, 1, "claimed once");
            let copies = messages
                .iter()
                .filter(|m| Mime::parse(&m.data).header("Message-ID").as_deref() == Some(&row.message_id))
                .count();
            assert_eq!(copies, 1, "{} arrived {copies} times", row.to_addr);
        }
    }
);

both_dbs!(
    async fn rolled_back_mail_never_appears(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
        enqueue(&app, "weg@gym.de", false).await;
        assert_eq!(mail_outbox::Entity::find().count(app.db()).await.unwrap(), 0, "the rollback took the mail with it");
        assert_eq!(app.deliver_mail().await, Default::default());
        enqueue(&app, "da@gym.de", true).await;
        assert_eq!(app.deliver_mail().await.sent, 1);
        let messages = smtp.messages();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].to, vec!["da@gym.de".to_string()]);
    }
);

both_dbs!(
    async fn english_users_get_english_mail(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
        app.school("gym").await;
        user_with_language(&app, "teacher@gym.de", "en").await;
        user_with_language(&app, "lehrer@gym.de", "de").await;
        // The request comes from a German browser either way.
        request_reset_by_form(&app, "teacher@gym.de").await;
        request_reset_by_form(&app, "lehrer@gym.de").await;
        assert_eq!(app.deliver_mail().await.sent, 2);
        let messages = smtp.messages();
        assert_eq!(messages.len(), 2);
        let to = |addr: &str| {
            let m =
                messages.iter().find(|m| m.to == vec![addr.to_string()]).unwrap_or_else(|| panic!("no mail to {addr}"));
            Mime::parse(&m.data)
        };
        let english = to("teacher@gym.de");
        assert_eq!(english.subject(), SUBJECT_EN);
        assert!(english.part("text/plain").contains("You (or someone else) asked for a new password"));
        assert!(english.part("text/html").contains("lang=\"en\""));
        let german = to("lehrer@gym.de");
        assert_eq!(german.subject(), SUBJECT_DE);
        assert!(german.part("text/plain").contains("Sie (oder jemand anderes)"));
    }
);

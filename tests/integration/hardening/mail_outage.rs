//! Mail across a long outage: retried for days at most an hour apart, given up only after
//! `mail_give_up_days`, shown in `/metrics` while it waits or once it was given up, and
//! sent again by an operator with `staffel mail retry`.
use crate::common::{self, Backend, SmtpServer, TestApp};
use crate::mail::{enqueue, smtp_app};
use entities::{mail_outbox, MailStatus};
use sea_orm::{ActiveModelTrait, Set};

fn ago(duration: chrono::Duration) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() - duration
}

/// The row as after a long outage: this many attempts, created that long ago, due now.
async fn aged(app: &TestApp, id: i32, attempts: i32, age: chrono::Duration, status: MailStatus) {
    mail_outbox::ActiveModel {
        id: Set(id),
        attempts: Set(attempts),
        created_at: Set(ago(age)),
        next_attempt_at: Set(chrono::Utc::now()),
        status: Set(status),
        ..Default::default()
    }
    .update(app.db())
    .await
    .unwrap();
}

both_dbs!(
    async fn mail_is_retried_for_days_at_most_an_hour_apart(backend: Backend) {
        let nothing_listens = format!("smtp://127.0.0.1:{}", common::free_port());
        let app = TestApp::with(&backend, smtp_app(nothing_listens, 5)).await;
        let row = enqueue(&app, "lehrer@gym.de", true).await;
        // Four hours of outage and twelve attempts: the old limit gave up here.
        aged(&app, row.id, 12, chrono::Duration::hours(4), MailStatus::Pending).await;
        assert_eq!(app.deliver_mail().await.failed, 1);
        let after = app.outbox().await.remove(0);
        assert_eq!(after.status, MailStatus::Pending, "still tried after hours");
        let wait = after.next_attempt_at - chrono::Utc::now();
        assert!(wait <= chrono::Duration::seconds(3600) && wait > chrono::Duration::seconds(3500), "{wait}");

        // Six days: still tried. Past seven (the default): given up.
        aged(&app, row.id, 150, chrono::Duration::days(6), MailStatus::Pending).await;
        app.deliver_mail().await;
        assert_eq!(app.outbox().await[0].status, MailStatus::Pending);
        aged(&app, row.id, 170, chrono::Duration::days(7) + chrono::Duration::minutes(1), MailStatus::Pending).await;
        app.deliver_mail().await;
        assert_eq!(app.outbox().await[0].status, MailStatus::Failed);
    }
);

both_dbs!(
    async fn metrics_show_failed_and_long_pending_mail(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let failed = enqueue(&app, "a@gym.de", true).await;
        aged(&app, failed.id, 170, chrono::Duration::days(8), MailStatus::Failed).await;
        let waiting = enqueue(&app, "b@gym.de", true).await;
        aged(&app, waiting.id, 20, chrono::Duration::hours(2), MailStatus::Pending).await;
        enqueue(&app, "c@gym.de", true).await;
        let metrics = app.api_get(None, "/metrics").await.body;
        let value = |name: &str| {
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))
                .unwrap_or_else(|| panic!("no {name} in\n{metrics}"))
                .to_string()
        };
        assert_eq!(value("staffel_mail_outbox_failed"), "1");
        assert_eq!(value("staffel_mail_outbox_pending"), "2");
        assert_eq!(value("staffel_mail_outbox_long_pending"), "1");
        let oldest: i64 = value("staffel_mail_outbox_oldest_pending_seconds").parse().unwrap();
        assert!((7190..7300).contains(&oldest), "{oldest}");
    }
);

both_dbs!(
    async fn staffel_mail_retry_sends_given_up_mail_again(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = TestApp::with(&backend, smtp_app(smtp.url(), 5)).await;
        let failed = enqueue(&app, "a@gym.de", true).await;
        aged(&app, failed.id, 170, chrono::Duration::days(8), MailStatus::Failed).await;
        let sent = enqueue(&app, "b@gym.de", true).await;
        aged(&app, sent.id, 1, chrono::Duration::hours(1), MailStatus::Sent).await;
        let url = app.pg.as_ref().map(|p| p.url.clone());
        let cwd = tempfile::tempdir().unwrap();
        let staffel = |args: &[&str]| {
            let out = common::cli::staffel_command(args, cwd.path(), app.dir.path(), url.as_deref()).output().unwrap();
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            (out.status.success(), text(&out.stdout), text(&out.stderr))
        };

        // Refusals change nothing.
        let before = app.fingerprint().await;
        let (ok, _, stderr) = staffel(&["mail", "retry", "--id", "999999"]);
        assert!(!ok && stderr.contains("there is no mail with id 999999"), "{stderr}");
        let (ok, _, stderr) = staffel(&["mail", "retry", "--id", &sent.id.to_string()]);
        assert!(!ok && stderr.contains(&format!("Mail {} was delivered already", sent.id)), "{stderr}");
        let (ok, _, stderr) = staffel(&["mail", "retry"]);
        assert!(!ok && stderr.contains("--id") && !stderr.contains("panicked"), "{stderr}");
        assert_eq!(app.fingerprint().await, before);

        let (ok, stdout, stderr) = staffel(&["mail", "retry", "--all-failed"]);
        assert!(ok, "{stdout}\n{stderr}");
        assert!(stdout.contains("1 mail(s) will be sent again now"), "{stdout}");
        let row = app.outbox().await.into_iter().find(|r| r.id == failed.id).unwrap();
        assert_eq!((row.status, row.attempts), (MailStatus::Pending, 0));
        assert!(row.retrying_since.is_some());
        let pass = app.deliver_mail().await;
        assert_eq!((pass.sent, pass.failed), (1, 0));
        assert_eq!(
            smtp.messages().iter().map(|m| m.to.clone()).collect::<Vec<_>>(),
            vec![vec!["a@gym.de".to_string()]]
        );
    }
);

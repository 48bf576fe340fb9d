//! A mail worker killed in the middle of a batch: what the SMTP server had accepted is
//! recorded as sent, so only the one mail in flight goes out again, with the same
//! Message-ID.
use std::time::Duration;

use crate::common::{Backend, SmtpServer, TestApp};
use crate::mail::mime::Mime;
use crate::mail::{enqueue, smtp_app};
use entities::mail_outbox;
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, QueryFilter};

const MAILS: usize = 10;
const ACCEPTED: usize = 6;

both_dbs!(
    #[worker_threads(2)]
    async fn a_worker_killed_mid_batch_sends_only_the_mail_in_flight_again(backend: Backend) {
        let smtp = std::sync::Arc::new(SmtpServer::start_holding_after(ACCEPTED));
        let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
        for i in 0..MAILS {
            enqueue(&app, &format!("m{i}@gym.de"), true).await;
        }
        let worker = app.fresh_mail_worker();
        let pass = tokio::spawn(async move { worker.deliver_due().await });
        let held = smtp.clone();
        tokio::task::spawn_blocking(move || held.wait_until_holding(Duration::from_secs(30))).await.unwrap();
        // The process dies while the server holds the answer to the seventh mail.
        pass.abort();
        assert!(pass.await.unwrap_err().is_cancelled());
        smtp.release();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while smtp.messages().len() < ACCEPTED + 1 {
            assert!(std::time::Instant::now() < deadline, "the held mail was never kept");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        let rows = app.outbox().await;
        let sent = rows.iter().filter(|r| r.status.as_str() == "sent").count();
        assert_eq!(sent, ACCEPTED, "every mail the server accepted before the kill is recorded");
        // The dead process's claims run out; a new process delivers the rest.
        mail_outbox::Entity::update_many()
            .col_expr(
                mail_outbox::Column::ClaimedUntil,
                Expr::value(Some(chrono::Utc::now() - chrono::Duration::seconds(1))),
            )
            .filter(sea_orm::ColumnTrait::eq(&mail_outbox::Column::Status, entities::MailStatus::Pending))
            .exec(app.db())
            .await
            .unwrap();
        let pass = app.fresh_mail_worker().deliver_due().await.unwrap();
        assert_eq!((pass.sent, pass.failed), (MAILS - ACCEPTED, 0));

        let messages = smtp.messages();
        assert_eq!(messages.len(), MAILS + 1, "only the mail in flight went out twice");
        let ids: Vec<String> =
            messages.iter().map(|m| Mime::parse(&m.data).header("Message-ID").expect("a Message-ID")).collect();
        let in_flight = &ids[ACCEPTED];
        assert_eq!(ids.iter().filter(|id| *id == in_flight).count(), 2, "the copy carries the same Message-ID");
        for row in app.outbox().await {
            assert_eq!(row.status.as_str(), "sent");
            assert_eq!(
                ids.iter().filter(|id| **id == row.message_id).count(),
                1 + usize::from(row.message_id == *in_flight)
            );
        }
    }
);

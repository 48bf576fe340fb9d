//! Every delivery has a deadline: an SMTP server that accepts the connection and then never
//! answers, or that never answers one message, costs each mail its deadline and holds back
//! no other; the mail that ran out of time is tried again later.
use std::time::Duration;

use crate::common::{Backend, SmtpServer, TestApp};
use crate::mail::{enqueue, smtp_app};
use rocket::figment::Figment;

const MAILS: usize = 3;

fn with_deadline(url: String) -> impl FnOnce(Figment) -> Figment {
    move |f| smtp_app(url, 60)(f).merge(("staffel.mail_send_timeout_secs", 1))
}

/// A TCP server that accepts every connection and never writes a byte (keeping them open).
fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming().flatten() {
            open.push(stream);
        }
    });
    port
}

both_dbs!(
    async fn a_server_that_never_answers_does_not_stall_the_outbox(backend: Backend) {
        let port = silent_server();
        let app = TestApp::with(&backend, with_deadline(format!("smtp://127.0.0.1:{port}"))).await;
        for i in 0..MAILS {
            enqueue(&app, &format!("m{i}@gym.de"), true).await;
        }
        let pass = tokio::time::timeout(Duration::from_secs(30), app.deliver_mail())
            .await
            .expect("the pass ends: each mail has its own deadline");
        assert_eq!((pass.sent, pass.failed), (0, MAILS));
        for row in app.outbox().await {
            assert_eq!(row.status.as_str(), "pending", "tried again later");
            assert_eq!(row.attempts, 1);
            assert!(row.claimed_until.is_none(), "the claim is released");
            let error = row.last_error.unwrap_or_default();
            assert!(error.contains("no answer from the mail server within 1 s"), "{error}");
        }
    }
);

both_dbs!(
    async fn a_mail_the_server_never_answers_does_not_hold_back_the_others(backend: Backend) {
        let smtp = SmtpServer::start_holding_after(0);
        let app = TestApp::with(&backend, with_deadline(smtp.url())).await;
        for i in 0..MAILS {
            enqueue(&app, &format!("m{i}@gym.de"), true).await;
        }
        let pass = tokio::time::timeout(Duration::from_secs(30), app.deliver_mail())
            .await
            .expect("the pass ends: the stuck mail has its own deadline");
        assert_eq!((pass.sent, pass.failed), (MAILS - 1, 1));
        let received: Vec<Vec<String>> = smtp.messages().into_iter().map(|m| m.to).collect();
        assert_eq!(received, vec![vec!["m1@gym.de".to_string()], vec!["m2@gym.de".to_string()]]);
        let rows = app.outbox().await;
        let stuck = rows.iter().find(|r| r.to_addr == "m0@gym.de").expect("the stuck mail's row");
        assert_eq!(stuck.status.as_str(), "pending", "tried again later");
        assert!(stuck.next_attempt_at > chrono::Utc::now(), "after a backoff");
        assert!(rows.iter().filter(|r| r.to_addr != "m0@gym.de").all(|r| r.status.as_str() == "sent"));
        smtp.release();
    }
);

//! Mail end to end: a real SMTP conversation with an in-process server, an outage with a
//! restart in between, two workers on the same rows, rollbacks, the file transport, and
//! what the reset form may send.
mod file_transport;
pub(crate) mod mime;
mod resets;
mod smtp;

use crate::common::TestApp;
use entities::mail_outbox;
use rocket::figment::Figment;
use rocket::http::Status;
use sea_orm::TransactionTrait;
use serde_json::json;
use staffel::mail::Outgoing;

const SUBJECT_DE: &str = "Ihr Link zum Zurücksetzen des Passworts";
const SUBJECT_EN: &str = "Your link to reset your password";

pub(crate) fn smtp_app(smtp_url: String, retry_base_secs: i64) -> impl FnOnce(Figment) -> Figment {
    move |f: Figment| {
        f.merge(("staffel.mail", "smtp"))
            .merge(("staffel.smtp_url", smtp_url))
            .merge(("staffel.mail_retry_base_secs", retry_base_secs))
    }
}

async fn request_reset_by_form(app: &TestApp, email: &str) {
    let mut browser = app.browser();
    assert_eq!(browser.get("/password/forgot").await.status, Status::Ok);
    let reply = browser.post_form("/password/forgot", &[("email", email)]).await;
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert!(reply.body.contains("ist eine E-Mail mit einem Link unterwegs"), "{}", reply.body);
}

/// A teacher of school gym named Jörg Müller (umlauts in the greeting) who reads this language.
async fn user_with_language(app: &TestApp, email: &str, language: &str) {
    app.user_named(email, "Jörg Müller", "teacher", "gym", language).await;
}

/// Enqueues a mail in a transaction that commits or rolls back.
pub(crate) async fn enqueue(app: &TestApp, to: &str, commit: bool) -> mail_outbox::Model {
    let mailer = &app.app().mailer;
    let txn = app.db().begin().await.unwrap();
    let row = staffel::mail::enqueue(
        &txn,
        mailer,
        Outgoing {
            to_addr: to,
            to_name: "Empfänger",
            lang: staffel::i18n::Lang::De,
            template: "password_reset",
            context: &json!({ "link": "http://staffel.test/x", "minutes": "60" }),
            thread: None,
        },
    )
    .await
    .expect("enqueue");
    if commit {
        txn.commit().await.unwrap();
    } else {
        txn.rollback().await.unwrap();
    }
    row
}

//! The outbox: composing a mail means rendering it and inserting a row in the caller's
//! transaction. If the change rolls back, so does its mail; once it commits, the worker
//! delivers it, however long the mail server is down.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;

use super::Mailer;
use crate::crypto;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use entities::{mail_outbox, MailStatus};

pub struct Outgoing<'a, C: Serialize> {
    pub to_addr: &'a str,
    pub to_name: &'a str,
    pub lang: Lang,
    /// `email/<template>.txt` (first line `Subject: …`) and `email/<template>.html`.
    pub template: &'static str,
    pub context: &'a C,
    /// Mails about one thing (a ticket) share a thread key; each refers to its root.
    pub thread: Option<&'a str>,
}

pub async fn enqueue<C: ConnectionTrait, T: Serialize>(
    db: &C,
    mailer: &Mailer,
    mail: Outgoing<'_, T>,
) -> AppResult<mail_outbox::Model> {
    Ok(compose(mailer, mail)?.insert(db).await?)
}

/// The rendered mail as an outbox row, not yet written: for callers that write several in
/// one statement (still in the transaction of their change).
pub fn compose<T: Serialize>(mailer: &Mailer, mail: Outgoing<'_, T>) -> AppResult<mail_outbox::ActiveModel> {
    let mut own = tera::Context::from_serialize(mail.context).map_err(|e| AppError::caused("a mail's context", e))?;
    own.remove("t");
    own.remove("lang");
    let mut ctx = i18n::template_context(mail.lang, own);
    ctx.insert("to_name", mail.to_name);
    ctx.insert("base_url", &mailer.base_url);
    let text = mailer.templates.render(&format!("email/{}.txt", mail.template), &ctx)?;
    let (subject, body_text) = split_subject(&text)
        .ok_or_else(|| AppError::internal(format!("email/{}.txt has no Subject line", mail.template)))?;
    let body_html = mailer.templates.render(&format!("email/{}.html", mail.template), &ctx)?;
    let now = Utc::now();
    let row = mail_outbox::ActiveModel {
        to_addr: Set(mail.to_addr.to_string()),
        to_name: Set(mail.to_name.to_string()),
        subject: Set(subject),
        body_text: Set(body_text),
        body_html: Set(body_html),
        message_id: Set(format!("<{}@{}>", crypto::random_hex(16), mailer.domain)),
        in_reply_to: Set(mail.thread.map(|t| thread_root(t, &mailer.domain))),
        status: Set(MailStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        retrying_since: Set(None),
        ..Default::default()
    };
    Ok(row)
}

/// The Message-ID every mail of one thread refers to.
pub fn thread_root(thread: &str, domain: &str) -> String {
    format!("<{thread}@{domain}>")
}

/// Splits `Subject: …` off the first line; subjects are single lines, whatever the
/// template's variables held.
fn split_subject(text: &str) -> Option<(String, String)> {
    let text = text.trim_start();
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let subject = first.strip_prefix("Subject:")?.trim();
    let subject: String = subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    Some((subject, rest.trim_start_matches(['\r', '\n']).to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn subject_is_split_off_and_kept_on_one_line() {
        let (subject, body) = super::split_subject("Subject: Hallo\twelt\n\nText\nmehr").unwrap();
        assert_eq!(subject, "Hallo welt");
        assert_eq!(body, "Text\nmehr");
        assert!(super::split_subject("Kein Betreff\nText").is_none());
    }
}

//! Where mail goes: `.eml` files in the outbox directory (the default, nothing to set up)
//! or an SMTP server (STARTTLS or TLS, with credentials, from one URL).
use std::path::PathBuf;

use lettre::message::{header, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailKind, Settings};
use entities::mail_outbox;

/// Why the transport cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot create the outbox directory {}", path.display())]
    OutboxDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid STAFFEL_SMTP_URL")]
    SmtpUrl(#[source] lettre::transport::smtp::Error),
}

/// Why one mail was not delivered (kept, as text, on its outbox row for the next try).
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("invalid address {address}")]
    Address {
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },
    #[error("cannot build the message")]
    Message(#[source] lettre::error::Error),
    #[error("cannot write the mail file")]
    File(#[source] std::io::Error),
    #[error("the SMTP server refused or failed")]
    Smtp(#[source] lettre::transport::smtp::Error),
    #[error("no answer from the mail server within {secs} s")]
    Timeout { secs: u64 },
}

impl DeliveryError {
    /// The error with its causes, as one line for the outbox row and the log.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}

#[derive(Clone)]
pub enum Transport {
    File(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Transport {
    pub fn from_settings(settings: &Settings) -> Result<Transport, TransportError> {
        match settings.mail {
            MailKind::File => {
                let dir = settings.outbox_dir();
                crate::private_files::create_dir(&dir)
                    .map_err(|source| TransportError::OutboxDir { path: dir.clone(), source })?;
                Ok(Transport::File(dir))
            }
            MailKind::Smtp => AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
                .map(|builder| Transport::Smtp(builder.timeout(Some(std::time::Duration::from_secs(20))).build()))
                .map_err(TransportError::SmtpUrl),
        }
    }

    /// Delivers one mail within `deadline`; a send that runs out of time is dropped with its
    /// connection and counts as a failed attempt, to be retried later.
    pub async fn send_within(
        &self,
        deadline: std::time::Duration,
        from: &str,
        mail: &mail_outbox::Model,
    ) -> Result<(), DeliveryError> {
        tokio::time::timeout(deadline, self.send(from, mail))
            .await
            .unwrap_or(Err(DeliveryError::Timeout { secs: deadline.as_secs() }))
    }

    pub async fn send(&self, from: &str, mail: &mail_outbox::Model) -> Result<(), DeliveryError> {
        let message = build_message(from, mail)?;
        match self {
            Transport::File(dir) => {
                // Named after the outbox row: delivering the same row twice rewrites the
                // same file instead of producing a second mail.
                let path = dir.join(format!("{:08}.eml", mail.id));
                let tmp = dir.join(format!(".{:08}.eml.tmp", mail.id));
                crate::private_files::write(&tmp, &message.formatted()).await.map_err(DeliveryError::File)?;
                tokio::fs::rename(&tmp, &path).await.map_err(DeliveryError::File)
            }
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(DeliveryError::Smtp),
        }
    }
}

fn address(text: &str) -> Result<lettre::Address, DeliveryError> {
    text.parse().map_err(|source| DeliveryError::Address { address: text.to_string(), source })
}

fn build_message(from: &str, mail: &mail_outbox::Model) -> Result<Message, DeliveryError> {
    let from: Mailbox = from.parse().map_err(|source| DeliveryError::Address { address: from.to_string(), source })?;
    let to = Mailbox::new(
        // A contact known only by address gets no display name (not the address twice).
        (!mail.to_name.is_empty() && mail.to_name != mail.to_addr).then(|| mail.to_name.clone()),
        address(&mail.to_addr)?,
    );
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .date(mail.created_at.into());
    if let Some(root) = &mail.in_reply_to {
        builder = builder.in_reply_to(root.clone()).references(root.clone());
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder().header(header::ContentType::TEXT_PLAIN).body(plain_body(&mail.body_text)),
                )
                .singlepart(SinglePart::builder().header(header::ContentType::TEXT_HTML).body(mail.body_html.clone())),
        )
        .map_err(DeliveryError::Message)
}

/// The text part as 8-bit UTF-8 when its lines allow (RFC 5322's limit of 998 octets; every
/// server of today takes 8BITMIME), so that links stay whole for readers and scripts that
/// look at the raw message; quoted-printable otherwise. lettre itself would pick
/// quoted-printable for any line over 76 characters, which splits every link.
fn plain_body(text: &str) -> lettre::message::Body {
    use lettre::message::{header::ContentTransferEncoding, Body};
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let fits = lines.iter().all(|l| l.len() <= 998 && !l.contains(['\0', '\r']));
    if fits {
        Body::dangerous_pre_encoded(lines.join("\r\n").into_bytes(), ContentTransferEncoding::EightBit)
    } else {
        Body::new(text.to_string())
    }
}

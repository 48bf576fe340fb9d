//! Mail: a durable outbox written in the transaction of its cause, a background worker that
//! delivers with retries, and two transports (`.eml` files, SMTP).
pub mod outbox;
pub mod retry;
pub mod transport;
pub mod worker;

pub use outbox::{compose, enqueue, Outgoing};
pub use transport::{DeliveryError, Transport, TransportError};

use crate::config::Settings;
use crate::templates::Templates;

/// What composing a mail needs: the templates and where links point.
#[derive(Clone)]
pub struct Mailer {
    pub templates: Templates,
    pub base_url: String,
    /// The host part of Message-IDs, so that a ticket's mails thread in every client.
    pub domain: String,
}

impl Mailer {
    pub fn new(templates: Templates, settings: &Settings) -> Mailer {
        let domain = url::Url::parse(&settings.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "staffel.localhost".into());
        // The serialised URL has quotes and angle brackets percent-encoded, so links can go
        // into HTML mails unescaped (and whole, for whoever reads the raw mail).
        let base_url =
            url::Url::parse(&settings.base_url).map(|u| u.to_string()).unwrap_or_else(|_| settings.base_url.clone());
        Mailer { templates, base_url: base_url.trim_end_matches('/').to_string(), domain }
    }

    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

//! Attachments and screenshots on reports and tickets: uploaded with a report (and its
//! answer or escalation), a new ticket, a reply or note, the desk's answer to a provider,
//! or by a provider; checked by size and by content; stored outside the web root;
//! downloaded only within the actor's scope and with safe headers. Below the ticket kernel:
//! every change carries its files (`store::Staged`, possibly none) and records them here in
//! its own transaction.
pub mod download;
pub mod service;
pub mod sniff;
pub mod store;
pub mod sweep;

/// What the upload fields tell people: the accepted types and the limits.
pub fn hints(settings: &crate::config::Settings) -> serde_json::Value {
    serde_json::json!({
        "accept": sniff::ACCEPT_ATTRIBUTE,
        "types": sniff::ACCEPTED,
        "max": store::human_size(settings.attachment_max_bytes),
        "max_files": store::MAX_FILES.to_string(),
    })
}

//! Level 3: forwarding tickets to external providers, who work them through per-recipient
//! emailed links without an account.
pub mod link_guard;
pub mod links;
pub mod reminders;
pub mod service;

//! Level 3: forwarding tickets to external providers, who work them through per-recipient
//! emailed links without an account.
pub mod api;
pub mod links;
pub mod provider_routes;
pub mod reminders;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    provider_routes::routes()
}

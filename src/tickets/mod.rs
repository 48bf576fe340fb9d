//! Level 1 → 2: tickets a school hands up to the service desk, with their timeline, the
//! status machine, priorities and due times, and the desk's queues.
pub mod api;
pub mod desk_routes;
pub mod forms;
pub mod mails;
pub mod openapi;
pub mod opening;
pub mod queue;
pub mod reminders;
pub mod school_routes;
pub mod service;
pub mod sla;
pub mod status;
pub mod view;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = school_routes::routes();
    routes.extend(desk_routes::routes());
    routes
}

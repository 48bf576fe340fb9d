//! The service desk's pages: the queues, each ticket with its timeline, its reply box and
//! every action, the desk lead's settings (SLA targets, business week, holidays) and canned
//! responses, and each agent's saved queue filters.
pub mod actions;
pub mod bulk;
pub mod canned;
pub mod filters;
pub mod queue;
pub mod reply;
pub mod settings;
pub mod ticket;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = queue::routes();
    routes.extend(ticket::routes());
    routes.extend(actions::routes());
    routes.extend(reply::routes());
    routes.extend(bulk::routes());
    routes.extend(settings::routes());
    routes.extend(canned::routes());
    routes.extend(filters::routes());
    routes
}

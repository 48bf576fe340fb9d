//! Every HTML page, by who it is for: sign-in and one's account, the FAQ and its authoring,
//! the teacher's reports, the school admin's helpdesk, the service desk, the provider's
//! link, the operators' administration, the reports with charts (`stats`). Handlers are
//! thin: a guard says who is asking, a form is checked by the service it goes to, the answer
//! is a `Page` or a post/redirect/get (`web::form`). Ticket changes go through the `ladder`.
pub mod account;
pub mod admin;
pub mod chat;
pub mod desk;
pub mod faq;
pub mod files;
pub mod helpdesk;
pub mod provider;
pub mod reports;
pub mod start;
pub mod stats;
pub mod ticket_forms;
pub mod widget;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = start::routes();
    routes.extend(account::routes());
    routes.extend(admin::routes());
    routes.extend(faq::routes());
    routes.extend(reports::routes());
    routes.extend(helpdesk::routes());
    routes.extend(desk::routes());
    routes.extend(chat::routes());
    routes.extend(provider::routes());
    routes.extend(files::routes());
    routes.extend(widget::routes());
    routes.extend(stats::routes());
    routes
}

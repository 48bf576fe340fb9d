//! The JSON API under `/api/v1`: bearer tokens (and for the chat, which the pages' scripts
//! call, the session cookie), the same authorisation as the pages, the
//! JSON error body `{"error":{"code","message","field"?}}`, and an OpenAPI document of what
//! exists (checked against the mounted routes by a test). One file per resource; ticket
//! changes go through the `ladder`, like the pages'.
pub mod attachments;
pub mod catalogue;
pub mod chat;
pub mod chat_desk;
pub mod chat_live;
pub mod forwards;
pub mod kb;
pub mod openapi;
pub mod openapi_attachments;
pub mod openapi_chat;
pub mod openapi_fields;
pub mod openapi_tickets;
pub mod tickets;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = catalogue::routes();
    routes.extend(kb::routes());
    routes.extend(tickets::routes());
    routes.extend(forwards::routes());
    routes.extend(attachments::routes());
    routes.extend(chat::routes());
    routes.extend(chat_desk::routes());
    routes.extend(chat_live::routes());
    routes.extend(openapi::routes());
    routes
}

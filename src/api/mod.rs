//! The JSON API under `/api/v1`: bearer tokens, the same authorisation as the pages, the
//! error shape of SPEC §11, and an OpenAPI document of what exists.
pub mod json;
pub mod openapi;
pub mod routes;

pub use json::ApiJson;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = routes::routes();
    routes.extend(openapi::routes());
    routes
}

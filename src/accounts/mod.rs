//! People: signing in and out, passwords and their reset, language, and the operators'
//! user administration.
pub mod admin_routes;
pub mod api_tokens;
pub mod forms;
pub mod login;
pub mod reset;
pub mod routes;
pub mod service;

use crate::audit::By;
use crate::auth::Role;
use crate::error::{AppError, AppResult};

/// Platform administration is for operators, and for whoever runs the command line.
pub fn require_operator(by: By<'_>) -> AppResult<()> {
    match by {
        By::Cli | By::System => Ok(()),
        By::User(actor) if actor.role == Role::Operator => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = routes::routes();
    routes.extend(admin_routes::routes());
    routes
}

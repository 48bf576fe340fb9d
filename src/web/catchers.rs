//! Every error status gets a clear page (or JSON under `/api/`), in the reader's language.
//!
//! A path that names nothing — an action that has no route, or a segment Rocket could not
//! parse as a ticket number or id (it forwards those with 422) — is "not found". Under a
//! prefix whose pages are for one role, the catcher first answers as those pages' guard
//! would: an anonymous reader is sent to the login, another role hears 403, and only the
//! pages' own people learn that the page does not exist.
use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{self, Responder};
use rocket::Catcher;

use crate::app::guards::{actor_of, is_api, lookup_failed};
use crate::auth::Role;
use crate::error::AppError;

/// What a guard or a data guard's status means for the person who sees it.
fn error_for(status: Status) -> AppError {
    match status.code {
        401 => AppError::Unauthorized,
        403 => AppError::Forbidden,
        404 => AppError::NotFound,
        410 => AppError::Gone,
        413 => AppError::invalid("body", "error.too_large"),
        415 => AppError::invalid("body", "error.unsupported_type"),
        400 | 422 => AppError::invalid("body", "error.bad_form"),
        429 => AppError::TooManyAttempts { minutes: 1 },
        503 => AppError::Unavailable,
        400..=499 => AppError::invalid("request", "error.bad_request"),
        _ => AppError::internal(format!("status {status}")),
    }
}

/// Who the pages under a prefix are for.
type Allowed = fn(Role) -> bool;

/// The pages under a prefix, and who they are for.
const GATES: [(&str, Allowed); 5] = [
    ("/desk/", Role::is_desk),
    ("/helpdesk/", |role| role == Role::SchoolAdmin),
    ("/reports/", |role| role == Role::Teacher),
    ("/kb/drafts/", |role| role == Role::SchoolAdmin || role.is_desk()),
    ("/attachments/", |_| true),
];

/// "Not found", after the role check of the pages under the path's prefix.
async fn not_found(req: &Request<'_>) -> AppError {
    let path = req.uri().path();
    let gate = GATES.iter().find(|(prefix, _)| path.as_str().starts_with(prefix));
    match (gate, is_api(req)) {
        (Some((_, allowed)), false) => match actor_of(req).await {
            None if lookup_failed(req) => AppError::Unavailable,
            None => AppError::Unauthorized,
            Some(actor) if !allowed(actor.role) => AppError::Forbidden,
            Some(_) => AppError::NotFound,
        },
        _ => AppError::NotFound,
    }
}

struct Caught(Status, AppError);

impl<'r> Responder<'r, 'static> for Caught {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let Caught(status, error) = self;
        let kind = error.status();
        let mut response = error.respond_to(req)?;
        // Keep the original status (405, 400, ...) where the error kind is broader; a 401 on
        // a page has become a redirect to the login and stays one; a path that names
        // nothing answers as the error says.
        if response.status() != Status::SeeOther && kind == error_for(status).status() {
            response.set_status(status);
        }
        Ok(response)
    }
}

#[rocket::catch(default)]
async fn any_error(status: Status, req: &Request<'_>) -> Caught {
    let refused_body = req.local_cache(|| crate::error::RefusedBody(false)).0;
    let error = if status == Status::Forbidden && crate::auth::csrf::was_rejected(req) {
        AppError::CsrfFailed
    } else if status == Status::NotFound || (status == Status::UnprocessableEntity && !refused_body) {
        not_found(req).await
    } else {
        error_for(status)
    };
    Caught(status, error)
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![any_error]
}

//! Every error status gets a clear page (or JSON under `/api/`), in the reader's language.
use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{self, Responder};
use rocket::Catcher;

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
        400..=499 => AppError::invalid("request", "error.bad_request"),
        _ => AppError::Internal(format!("status {status}")),
    }
}

struct Caught(Status);

impl<'r> Responder<'r, 'static> for Caught {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let error = if self.0 == Status::Forbidden && crate::auth::csrf::was_rejected(req) {
            AppError::CsrfFailed
        } else {
            error_for(self.0)
        };
        let mut response = error.respond_to(req)?;
        // Keep the original status (405, 400, ...) where the error kind is broader; a
        // 401 on a page has become a redirect to the login and stays one.
        if response.status() != Status::SeeOther {
            response.set_status(self.0);
        }
        Ok(response)
    }
}

#[rocket::catch(default)]
fn any_error(status: Status, _req: &Request<'_>) -> Caught {
    Caught(status)
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![any_error]
}

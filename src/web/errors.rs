//! How an `AppError` answers: an HTML page in the reader's language, or under `/api/` the
//! JSON error body. Internal errors go to the log with their causes and reach nobody else.
use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};

use crate::app::guards::is_api;
use crate::error::{json_body, AppError};
use crate::i18n::Lang;

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let status = self.status();
        if status == Status::InternalServerError {
            tracing::error!(error = %self.chain(), path = %super::loggable_path(req.uri().path().as_str()), "request failed");
        } else if status == Status::ServiceUnavailable {
            tracing::warn!(error = %self.chain(), path = %super::loggable_path(req.uri().path().as_str()), "database unreachable");
        }
        if let AppError::Storage { .. } = &self {
            tracing::error!(error = %self.chain(), path = %super::loggable_path(req.uri().path().as_str()), "write refused by storage");
        }
        let lang = Lang::of_request(req);
        let message = self.message(lang);
        if is_api(req) {
            let body = json_body(self.code(), &message, self.field());
            let mut response = Response::build();
            response.status(status).header(ContentType::JSON).sized_body(body.len(), std::io::Cursor::new(body));
            if status == Status::Unauthorized {
                response.raw_header("WWW-Authenticate", "Bearer");
            }
            if status == Status::ServiceUnavailable {
                response.raw_header("Retry-After", RETRY_AFTER_SECS);
            }
            return response.ok();
        }
        if status == Status::Unauthorized {
            let next = req.uri().to_string();
            let target =
                format!("/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
            return Response::build().status(Status::SeeOther).raw_header("Location", target).ok();
        }
        let mut response = super::page::error_page(req, status, &message)?;
        if status == Status::ServiceUnavailable {
            response.set_raw_header("Retry-After", RETRY_AFTER_SECS);
        }
        Ok(response)
    }
}

/// When a client may try again after a 503: the database usually returns within seconds
/// (a restart, a failover), and the pool reconnects by itself.
const RETRY_AFTER_SECS: &str = "5";

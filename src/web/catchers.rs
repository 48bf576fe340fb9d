//! Every error status gets a clear page (or JSON under `/api/`), in the reader's language.
//!
//! A path that names nothing — an action that has no route, or a segment Rocket could not
//! parse as a ticket number or id (it forwards those with 422) — is "not found". Under a
//! prefix whose pages are for one role, the catcher first answers as those pages' guard
//! would: an anonymous reader is sent to the login, another role hears 403, and only the
//! pages' own people learn that the page does not exist.
use rocket::http::{Header, Method, Status};
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
        405 => AppError::invalid("request", "error.method_not_allowed"),
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

/// The methods mounted for the request's path under `/api/`, in the order Rocket lists them.
/// Empty when the path names nothing there.
/// Where several paths match (`/chats/direct` and `/chats/<id>`), the one with the most
/// literal segments names the resource, as Rocket's ranking would.
fn api_methods_for_path(req: &Request<'_>) -> Vec<Method> {
    let segments: Vec<&str> = req.uri().path().segments().collect();
    let mut best = 0;
    let mut methods = Vec::new();
    for route in req.rocket().routes() {
        let path = route.uri.path();
        if !path.starts_with("/api/") || !path_matches(path, &segments) {
            continue;
        }
        let literal = path.split('/').filter(|part| !part.is_empty() && !part.starts_with('<')).count();
        if literal > best {
            best = literal;
            methods.clear();
        }
        if literal == best && !methods.contains(&route.method) {
            methods.push(route.method);
        }
    }
    methods
}

/// Whether a mounted path (`/api/v1/tickets/<number>/comments`, `/x/<rest..>`) names these
/// request segments.
fn path_matches(pattern: &str, segments: &[&str]) -> bool {
    let mut parts = pattern.split('/').filter(|part| !part.is_empty());
    let mut segments = segments.iter();
    loop {
        match (parts.next(), segments.next()) {
            (None, None) => return true,
            (Some(part), _) if part.starts_with('<') && part.ends_with("..>") => return true,
            (Some(part), Some(segment)) if part.starts_with('<') => {
                if segment.is_empty() {
                    return false;
                }
            }
            (Some(part), Some(segment)) if part == *segment => {}
            _ => return false,
        }
    }
}

/// A request to an API path with a method the path does not have is answered 405 with the
/// methods it has, as HTTP says, rather than "not found". Rocket reports both a method it
/// does not route and one it cannot parse at all (`QUERY`, made up ones) without a matched
/// route: the first as 404, the second as 400 on a salvaged `GET` of the same path.
fn method_not_allowed(status: Status, req: &Request<'_>) -> Option<Vec<Method>> {
    let unparsed_method = status == Status::BadRequest && req.route().is_none();
    // 422 without a refused body: a path segment another route could not parse
    // (`GET /chats/direct` tried as `GET /chats/<id>`), which is a path that names nothing.
    let unparsed_segment =
        status == Status::UnprocessableEntity && !req.local_cache(|| crate::error::RefusedBody(false)).0;
    if !is_api(req) || !(status == Status::NotFound || unparsed_method || unparsed_segment) {
        return None;
    }
    let methods = api_methods_for_path(req);
    let routed = methods.contains(&req.method()) || (req.method() == Method::Head && methods.contains(&Method::Get));
    (!methods.is_empty() && (unparsed_method || !routed)).then_some(methods)
}

struct Caught(Status, AppError, Option<Vec<Method>>);

impl<'r> Responder<'r, 'static> for Caught {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let Caught(status, error, allow) = self;
        let kind = error.status();
        let mut response = error.respond_to(req)?;
        // Keep the original status (405, 400, ...) where the error kind is broader; a 401 on
        // a page has become a redirect to the login and stays one; a path that names
        // nothing answers as the error says.
        if response.status() != Status::SeeOther && kind == error_for(status).status() {
            response.set_status(status);
        }
        if let Some(methods) = allow {
            let list: Vec<&str> = methods.iter().map(|method| method.as_str()).collect();
            response.set_header(Header::new("Allow", list.join(", ")));
        }
        Ok(response)
    }
}

#[rocket::catch(default)]
async fn any_error(status: Status, req: &Request<'_>) -> Caught {
    if let Some(methods) = method_not_allowed(status, req) {
        return Caught(Status::MethodNotAllowed, error_for(Status::MethodNotAllowed), Some(methods));
    }
    let refused_body = req.local_cache(|| crate::error::RefusedBody(false)).0;
    let error = if status == Status::Forbidden && crate::auth::csrf::was_rejected(req) {
        AppError::CsrfFailed
    } else if status == Status::NotFound || (status == Status::UnprocessableEntity && !refused_body) {
        not_found(req).await
    } else {
        error_for(status)
    };
    Caught(status, error, None)
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![any_error]
}

//! Who is asking, as request guards. `CurrentUser` resolves the session cookie (people) or
//! the bearer token (the API) once per request and caches it, so layered guards cost one
//! lookup. The role guards on top of it let a handler name the role it serves: they answer
//! 401 (not signed in) or 403 (signed in, wrong role) before it runs.
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use super::App;
use crate::auth::session::{self, SESSION_COOKIE};
use crate::auth::{Actor, Role};
use crate::error::AppError;

/// Whether a request is for the JSON API (errors answer JSON there, and bearer tokens
/// authenticate).
pub fn is_api(req: &Request<'_>) -> bool {
    req.uri().path().as_str().starts_with("/api/")
}

/// The chat's part of the API, which the pages' scripts call too: there the session
/// cookie also authenticates (see `session_for_script`).
pub fn is_chat_api(path: &str) -> bool {
    path.starts_with("/api/v1/chat/") || path == "/api/v1/chats" || path.starts_with("/api/v1/chats/")
}

/// The header a page's script repeats its CSRF token in.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

#[derive(Debug, Clone)]
pub struct CurrentUser(pub Actor);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match actor_of(req).await {
            Some(actor) => Outcome::Success(CurrentUser(actor)),
            // A lookup that failed says nothing about the credential: not "sign in".
            None if lookup_failed(req) => Outcome::Error((Status::ServiceUnavailable, AppError::Unavailable)),
            None => Outcome::Error((Status::Unauthorized, AppError::Unauthorized)),
        }
    }
}

/// Left in a request's cache when its session or token could not be looked up (the
/// database was unreachable), so that the guards answer 503 instead of taking the
/// credential for a wrong one.
struct LookupFailed(bool);

/// Whether this request's session or token lookup failed (see `LookupFailed`); only
/// meaningful after `actor_of`.
pub fn lookup_failed(req: &Request<'_>) -> bool {
    req.local_cache(|| LookupFailed(false)).0
}

/// The actor of this request, resolved once and cached; used by page rendering too, which
/// must not fail for anonymous readers.
pub async fn actor_of(req: &Request<'_>) -> Option<Actor> {
    req.local_cache_async(async { resolve(req).await }).await.clone()
}

async fn resolve(req: &Request<'_>) -> Option<Actor> {
    let app = req.rocket().state::<App>()?;
    if app.db.reach().is_known_down() {
        // Nothing can be looked up: the guards answer 503 at once (see `LookupFailed`).
        req.local_cache(|| LookupFailed(true));
        return None;
    }
    let found = if is_api(req) {
        match req.headers().get_one("Authorization") {
            Some(header) => {
                // The scheme is case-insensitive (RFC 9110); the token is not.
                let (scheme, token) = header.trim().split_once(' ')?;
                if !scheme.eq_ignore_ascii_case("bearer") {
                    return None;
                }
                session::actor_for_token(&app.db, token.trim()).await
            }
            None => {
                let cookie = session_for_script(req)?;
                session::actor_for_session(&app.db, &cookie).await
            }
        }
    } else {
        let cookie = req.cookies().get_private(SESSION_COOKIE)?;
        session::actor_for_session(&app.db, cookie.value()).await
    };
    match found {
        Ok(actor) => actor,
        Err(e) => {
            tracing::error!(error = %e, "cannot look up the session or token");
            req.local_cache(|| LookupFailed(true));
            None
        }
    }
}

/// The session a page's script calls the chat API with. The rest of the API takes bearer
/// tokens only, which a browser never sends by itself. Here the cookie counts for reading
/// (and for WebSocket upgrades, whose `Origin` the socket route checks), and for a change
/// only with the page's CSRF token in a header, which a foreign site cannot read.
fn session_for_script(req: &Request<'_>) -> Option<String> {
    if !is_chat_api(req.uri().path().as_str()) {
        return None;
    }
    let cookie = req.cookies().get_private(SESSION_COOKIE)?;
    let reading = matches!(req.method(), rocket::http::Method::Get | rocket::http::Method::Head);
    if !reading {
        let expected = req.cookies().get_private(crate::auth::csrf::CSRF_COOKIE)?;
        let given = req.headers().get_one(CSRF_HEADER)?;
        if given.is_empty() || !crate::crypto::same_secret(expected.value(), given) {
            return None;
        }
    }
    Some(cookie.value().to_string())
}

macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $($role:pat_param)|+) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Actor);

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = AppError;

            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
                match CurrentUser::from_request(req).await {
                    Outcome::Success(CurrentUser(actor)) => {
                        if matches!(actor.role, $($role)|+) {
                            Outcome::Success($name(actor))
                        } else {
                            Outcome::Error((Status::Forbidden, AppError::Forbidden))
                        }
                    }
                    Outcome::Error(e) => Outcome::Error(e),
                    Outcome::Forward(s) => Outcome::Forward(s),
                }
            }
        }
    };
}

role_guard!(
    /// Anyone signed in.
    AnyUser,
    Role::Pupil | Role::Teacher | Role::SchoolAdmin | Role::Agent | Role::DeskLead | Role::Operator
);
role_guard!(
    /// Teachers: they file problem reports to their school admins.
    Teacher,
    Role::Teacher
);
role_guard!(
    /// School admins: first level, the helpdesk tile.
    SchoolAdmin,
    Role::SchoolAdmin
);
role_guard!(
    /// Who writes FAQ articles: school admins (for their school, or as proposals) and the desk.
    Author,
    Role::SchoolAdmin | Role::Agent | Role::DeskLead
);
role_guard!(
    /// The service desk: agents and desk leads.
    Agent,
    Role::Agent | Role::DeskLead
);
role_guard!(
    /// Desk leads: the desk plus its configuration.
    DeskLead,
    Role::DeskLead
);
role_guard!(
    /// Operators: platform administration.
    Operator,
    Role::Operator
);

/// Anyone, signed in or not: anonymous readers are pupils.
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<Actor>);

impl Viewer {
    pub fn role(&self) -> Role {
        self.0.as_ref().map(|a| a.role).unwrap_or(Role::Pupil)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Viewer {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match actor_of(req).await {
            // A signed-in reader whose session cannot be looked up is not a pupil: showing
            // them the anonymous page would say they were signed out.
            None if lookup_failed(req) => Outcome::Error((Status::ServiceUnavailable, AppError::Unavailable)),
            actor => Outcome::Success(Viewer(actor)),
        }
    }
}

//! CSRF protection for every state-changing form: a random token in a private (encrypted,
//! HttpOnly, SameSite=Lax) cookie that each form repeats in a hidden `_csrf` field. A
//! foreign site can neither read nor forge the cookie, so it cannot fill the field.
use rocket::data::{self, Data, FromData};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};

use crate::crypto;
use crate::error::AppError;

pub const CSRF_COOKIE: &str = "staffel_csrf";

/// The request's CSRF token, created (and set as a cookie) on first use.
struct CachedToken(String);

pub fn token(req: &Request<'_>) -> String {
    req.local_cache(|| {
        if let Some(cookie) = req.cookies().get_private(CSRF_COOKIE) {
            return CachedToken(cookie.value().to_string());
        }
        let fresh = crypto::random_hex(32);
        let secure = req.rocket().config().tls_enabled();
        req.cookies().add_private(
            Cookie::build((CSRF_COOKIE, fresh.clone()))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(secure)
                .path("/"),
        );
        CachedToken(fresh)
    })
    .0
    .clone()
}

pub struct CsrfToken(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CsrfToken {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(CsrfToken(token(req)))
    }
}

/// Left in the request cache when a form's CSRF token did not match.
pub struct CsrfRejected(pub bool);

pub fn was_rejected(req: &Request<'_>) -> bool {
    req.local_cache(|| CsrfRejected(false)).0
}

/// A form that carries the `_csrf` field.
pub trait HasCsrf {
    fn csrf(&self) -> &str;
}

/// Implements `HasCsrf` for form structs with a `csrf` field named `_csrf`.
#[macro_export]
macro_rules! csrf_form {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::auth::csrf::HasCsrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}

/// A form whose CSRF token was checked before the handler sees it.
pub struct CsrfForm<T>(pub T);

impl<T> std::ops::Deref for CsrfForm<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Rocket reports a broken multipart body (no closing boundary, cut-off headers) as a length
/// error without a limit, which it answers with 413; only a body over a limit is too large,
/// anything else is unreadable (400), so the person is not told to send less.
pub(crate) fn unreadable_form_status(status: Status, errors: &rocket::form::Errors<'_>) -> Status {
    use rocket::form::error::ErrorKind;
    let over_a_limit = errors.iter().any(|e| matches!(e.kind, ErrorKind::InvalidLength { max: Some(_), .. }));
    if status == Status::PayloadTooLarge && !over_a_limit {
        Status::BadRequest
    } else {
        status
    }
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r> + HasCsrf + Send> FromData<'r> for CsrfForm<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        match Form::<T>::from_data(req, data).await {
            data::Outcome::Success(form) => {
                let form = form.into_inner();
                let expected = req.cookies().get_private(CSRF_COOKIE);
                match expected {
                    Some(cookie) if !form.csrf().is_empty() && crypto::same_secret(cookie.value(), form.csrf()) => {
                        data::Outcome::Success(CsrfForm(form))
                    }
                    _ => {
                        // Catchers only see the status; this marks the 403 as a CSRF one
                        // so the page can say "reload the form" instead of "forbidden".
                        req.local_cache(|| CsrfRejected(true));
                        data::Outcome::Error((Status::Forbidden, AppError::CsrfFailed))
                    }
                }
            }
            data::Outcome::Error((status, errors)) => {
                crate::error::refuse_body(req);
                data::Outcome::Error((
                    unreadable_form_status(status, &errors),
                    AppError::invalid("form", "error.bad_form"),
                ))
            }
            data::Outcome::Forward((data, status)) => data::Outcome::Forward((data, status)),
        }
    }
}

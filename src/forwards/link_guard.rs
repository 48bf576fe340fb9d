//! A provider's link as a request guard: the `<token>` segment of `/provider/<token>…`
//! (the page) and `/api/v1/provider/<token>…` (the API) opened once, so every handler of
//! the provider side starts with what the link may reach. An unknown token is 404, an
//! expired or revoked one 410, before any handler runs.
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use super::service::{self, Access};
use crate::app::App;
use crate::error::AppError;

pub struct ProviderLink {
    pub access: Access,
    /// The token as the path carried it, for links back to the same page.
    pub token: String,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ProviderLink {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AppError> {
        let Some(app) = req.rocket().state::<App>() else {
            return Outcome::Error((Status::InternalServerError, AppError::internal("App is not managed")));
        };
        // The second segment after the mount point: `provider/<token>`.
        let Some(Ok(token)) = req.param::<&str>(1) else {
            return Outcome::Error((Status::NotFound, AppError::NotFound));
        };
        match service::open(app.db.read(), token).await {
            Ok(access) => Outcome::Success(ProviderLink { access, token: token.to_string() }),
            Err(e) => Outcome::Error((e.status(), e)),
        }
    }
}

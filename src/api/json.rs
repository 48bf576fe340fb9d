//! `ApiJson<T>`: the request body of an API call. Like Rocket's `Json<T>`, but only for a
//! request that says it sends JSON: a form post, a `text/plain` body or no content type at
//! all is refused with 415 instead of being parsed as if it were JSON. Bodies that are not
//! JSON of the expected shape answer 400/422, one too large 413, all with the error shape
//! of SPEC §11 (the catchers write it).
use rocket::data::{self, Data, FromData};
use rocket::http::Status;
use rocket::request::Request;
use rocket::serde::json::Json;
use serde::Deserialize;

use crate::error::AppError;

#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for ApiJson<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

#[rocket::async_trait]
impl<'r, T: Deserialize<'r>> FromData<'r> for ApiJson<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if !req.content_type().is_some_and(|ct| ct.is_json()) {
            return data::Outcome::Error((
                Status::UnsupportedMediaType,
                AppError::invalid("body", "error.unsupported_type"),
            ));
        }
        match Json::<T>::from_data(req, data).await {
            data::Outcome::Success(json) => data::Outcome::Success(ApiJson(json.into_inner())),
            data::Outcome::Error((status, _)) => {
                data::Outcome::Error((status, AppError::invalid("body", "error.bad_form")))
            }
            data::Outcome::Forward(forward) => data::Outcome::Forward(forward),
        }
    }
}

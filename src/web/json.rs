//! `ApiJson<T>`: the request body of an API call. Like Rocket's `Json<T>`, but only for a
//! request that says it sends JSON: a form post or a `text/plain` body is refused with 415
//! instead of being parsed as if it were JSON. A request without any body and without a
//! content type (what `curl -X POST` sends) is an empty object: an action whose fields are
//! all optional works without one. Bodies that are not JSON of the expected shape answer
//! 400/422, one too large 413, all with the JSON error body (the catchers write it).
use rocket::data::{self, Data, FromData};
use rocket::http::Status;
use rocket::request::Request;
use rocket::serde::json::Json;

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
impl<'r, T: serde::de::DeserializeOwned> FromData<'r> for ApiJson<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, mut data: Data<'r>) -> data::Outcome<'r, Self> {
        if req.content_type().is_none() {
            let nothing = data.peek(1).await.is_empty();
            if nothing && data.peek_complete() {
                return match serde_json::from_str::<T>("{}") {
                    Ok(empty) => data::Outcome::Success(ApiJson(empty)),
                    Err(_) => refuse(req, Status::UnprocessableEntity),
                };
            }
        }
        if !req.content_type().is_some_and(|ct| ct.is_json()) {
            crate::error::refuse_body(req);
            return data::Outcome::Error((
                Status::UnsupportedMediaType,
                AppError::invalid("body", "error.unsupported_type"),
            ));
        }
        match Json::<T>::from_data(req, data).await {
            data::Outcome::Success(json) => data::Outcome::Success(ApiJson(json.into_inner())),
            data::Outcome::Error((status, _)) => refuse(req, status),
            data::Outcome::Forward(forward) => data::Outcome::Forward(forward),
        }
    }
}

fn refuse<'r, T>(req: &'r Request<'_>, status: Status) -> data::Outcome<'r, T, AppError> {
    crate::error::refuse_body(req);
    data::Outcome::Error((status, AppError::invalid("body", "error.bad_form")))
}

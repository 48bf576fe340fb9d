//! One error type for every layer. Services return it; handlers pass it on; its
//! `Responder` answers with an HTML page or, under `/api/`, the JSON error shape of SPEC §11.
use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use serde_json::json;

use crate::i18n::{self, Lang};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// A field failed validation. `message` is a catalogue key; `arg` fills `{arg}` in it.
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: &'static str, arg: Option<String> },
    /// The request conflicts with the current state (duplicate, stale version, wrong status).
    #[error("conflict: {message}")]
    Conflict { message: &'static str, arg: Option<String> },
    #[error("gone")]
    Gone,
    #[error("too many attempts")]
    TooManyAttempts { minutes: i64 },
    #[error("form expired")]
    CsrfFailed,
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: &str, message: &'static str) -> AppError {
        AppError::Invalid { field: field.to_string(), message, arg: None }
    }

    pub fn invalid_with(field: &str, message: &'static str, arg: impl ToString) -> AppError {
        AppError::Invalid { field: field.to_string(), message, arg: Some(arg.to_string()) }
    }

    pub fn conflict(message: &'static str) -> AppError {
        AppError::Conflict { message, arg: None }
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }

    pub fn status(&self) -> Status {
        match self {
            AppError::NotFound => Status::NotFound,
            AppError::Unauthorized => Status::Unauthorized,
            AppError::Forbidden | AppError::CsrfFailed => Status::Forbidden,
            AppError::Invalid { .. } => Status::UnprocessableEntity,
            AppError::Conflict { .. } => Status::Conflict,
            AppError::Gone => Status::Gone,
            AppError::TooManyAttempts { .. } => Status::TooManyRequests,
            AppError::Db(_) | AppError::Internal(_) => Status::InternalServerError,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::CsrfFailed => "csrf_failed",
            AppError::Invalid { .. } => "invalid",
            AppError::Conflict { .. } => "conflict",
            AppError::Gone => "gone",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::Db(_) | AppError::Internal(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The message for a person, in their language. Internal details never leave the log.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Invalid { message, arg, .. } | AppError::Conflict { message, arg } => {
                i18n::tr_arg(lang, message, arg.as_deref().unwrap_or(""))
            }
            AppError::TooManyAttempts { minutes } => {
                i18n::tr_arg(lang, "error.too_many_attempts", &minutes.to_string())
            }
            AppError::NotFound => i18n::tr(lang, "error.not_found").into(),
            AppError::Unauthorized => i18n::tr(lang, "error.unauthorized").into(),
            AppError::Forbidden => i18n::tr(lang, "error.forbidden").into(),
            AppError::CsrfFailed => i18n::tr(lang, "error.csrf").into(),
            AppError::Gone => i18n::tr(lang, "error.gone").into(),
            AppError::Db(_) | AppError::Internal(_) => i18n::tr(lang, "error.internal").into(),
        }
    }
}

pub fn is_api(req: &Request<'_>) -> bool {
    req.uri().path().as_str().starts_with("/api/")
}

/// The JSON body of SPEC §11: `{"error":{"code","message","field"?}}`.
pub fn json_body(code: &str, message: &str, field: Option<&str>) -> String {
    let mut error = json!({ "code": code, "message": message });
    if let Some(field) = field {
        error["field"] = json!(field);
    }
    json!({ "error": error }).to_string()
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let status = self.status();
        if status == Status::InternalServerError {
            tracing::error!(error = %self, path = %req.uri(), "request failed");
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
            return response.ok();
        }
        if status == Status::Unauthorized {
            let next = req.uri().to_string();
            let target =
                format!("/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
            return Response::build().status(Status::SeeOther).raw_header("Location", target).ok();
        }
        crate::web::page::error_page(req, status, &message)
    }
}

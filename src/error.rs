//! One error type for every layer. Services return it; handlers pass it on; the web layer
//! answers it with an HTML page or, under `/api/`, the JSON error shape
//! `{"error":{"code","message","field"?}}` (`web::errors`).
use rocket::http::Status;
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
    /// `also`: the other fields of the same form that failed too (each an `Invalid`), so the
    /// form comes back with every error at once (`validate::Checks`).
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: &'static str, arg: Option<String>, also: Vec<AppError> },
    /// The request conflicts with the current state (duplicate, stale version, wrong status).
    #[error("conflict: {message}")]
    Conflict { message: &'static str, arg: Option<String> },
    #[error("gone")]
    Gone,
    #[error("too many attempts")]
    TooManyAttempts { minutes: i64 },
    #[error("form expired")]
    CsrfFailed,
    /// The database cannot be reached right now (see `is_unavailable`): 503, try again.
    #[error("database unavailable")]
    Unavailable,
    #[error("database error")]
    Db(#[source] sea_orm::DbErr),
    /// A full disk or read-only storage stopped a write: it passes when an operator acts,
    /// so the person is told so (507 or 503), not that something broke.
    #[error("storage: {}", fault.reason())]
    Storage {
        fault: crate::db::StorageFault,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Something that is nobody's input error. The cause goes to the log, never to the
    /// person (who is told that something went wrong on our side).
    #[error("internal error: {context}")]
    Internal {
        context: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> AppError {
        match crate::db::StorageFault::of_db(&e) {
            Some(fault) => AppError::Storage { fault, source: Box::new(e) },
            None => AppError::Db(e),
        }
    }
}

impl AppError {
    /// A file could not be written: a storage fault if that is why, else internal.
    pub fn writing(context: &str, e: std::io::Error) -> AppError {
        match crate::db::StorageFault::of_io(&e) {
            Some(fault) => AppError::Storage { fault, source: Box::new(e) },
            None => AppError::caused(context, e),
        }
    }
}

impl From<crate::templates::TemplateError> for AppError {
    fn from(e: crate::templates::TemplateError) -> AppError {
        AppError::caused("rendering a template", e)
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: &str, message: &'static str) -> AppError {
        AppError::Invalid { field: field.to_string(), message, arg: None, also: Vec::new() }
    }

    pub fn invalid_with(field: &str, message: &'static str, arg: impl ToString) -> AppError {
        AppError::Invalid { field: field.to_string(), message, arg: Some(arg.to_string()), also: Vec::new() }
    }

    pub fn conflict(message: &'static str) -> AppError {
        AppError::Conflict { message, arg: None }
    }

    /// An internal error without an underlying cause (a broken promise of our own code).
    pub fn internal(context: impl std::fmt::Display) -> AppError {
        AppError::Internal { context: context.to_string(), source: None }
    }

    /// An internal error with the error that caused it, kept for the log.
    pub fn caused(context: &str, source: impl std::error::Error + Send + Sync + 'static) -> AppError {
        AppError::Internal { context: context.to_string(), source: Some(Box::new(source)) }
    }

    /// The error and every cause below it, for the log: `a: b: c`.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }

    /// Whether this error means "the database is unreachable, try again soon": said so
    /// directly, or a database error of that kind, possibly as the cause of an internal
    /// error. Such a request answers 503 with `Retry-After`, never 401 or 500.
    pub fn is_unavailable(&self) -> bool {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = match self {
            AppError::Unavailable => return true,
            AppError::Db(e) => return crate::db::is_unreachable(e),
            AppError::Internal { source, .. } => source.as_deref().map(|e| e as _),
            _ => None,
        };
        while let Some(e) = cause {
            if let Some(db) = e.downcast_ref::<sea_orm::DbErr>() {
                return crate::db::is_unreachable(db);
            }
            cause = e.source();
        }
        false
    }

    pub fn status(&self) -> Status {
        if self.is_unavailable() {
            return Status::ServiceUnavailable;
        }
        match self {
            AppError::Unavailable => Status::ServiceUnavailable,
            AppError::NotFound => Status::NotFound,
            AppError::Unauthorized => Status::Unauthorized,
            AppError::Forbidden | AppError::CsrfFailed => Status::Forbidden,
            AppError::Invalid { .. } => Status::UnprocessableEntity,
            AppError::Conflict { .. } => Status::Conflict,
            AppError::Gone => Status::Gone,
            AppError::TooManyAttempts { .. } => Status::TooManyRequests,
            AppError::Storage { fault: crate::db::StorageFault::Full, .. } => Status::InsufficientStorage,
            AppError::Storage { .. } => Status::ServiceUnavailable,
            AppError::Db(_) | AppError::Internal { .. } => Status::InternalServerError,
        }
    }

    pub fn code(&self) -> &'static str {
        if self.is_unavailable() {
            return "unavailable";
        }
        match self {
            AppError::Unavailable => "unavailable",
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::CsrfFailed => "csrf_failed",
            AppError::Invalid { .. } => "invalid",
            AppError::Conflict { .. } => "conflict",
            AppError::Gone => "gone",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::Storage { fault: crate::db::StorageFault::Full, .. } => "storage_full",
            AppError::Storage { .. } => "storage_unavailable",
            AppError::Db(_) | AppError::Internal { .. } => "internal",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Every field this error refuses, each with its message in `lang`: the first, then
    /// the others of the same form.
    pub fn fields(&self, lang: Lang) -> Vec<(String, String)> {
        match self {
            AppError::Invalid { field, also, .. } => std::iter::once((field.clone(), self.message(lang)))
                .chain(also.iter().flat_map(|e| e.fields(lang)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// This error with `others` of the same form: an `Invalid` collects the other `Invalid`s;
    /// any other error (the database failed) wins, as it is nobody's input.
    pub fn with_also(self, others: impl IntoIterator<Item = AppError>) -> AppError {
        let mut first = self;
        for other in others {
            match (&mut first, other) {
                (AppError::Invalid { also, .. }, other @ AppError::Invalid { .. }) => also.push(other),
                (AppError::Invalid { .. }, other) => first = other,
                _ => {}
            }
        }
        first
    }

    /// The message for a person, in their language. Internal details never leave the log.
    pub fn message(&self, lang: Lang) -> String {
        if self.is_unavailable() {
            return i18n::tr(lang, "error.unavailable").into();
        }
        match self {
            AppError::Unavailable => i18n::tr(lang, "error.unavailable").into(),
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
            AppError::Storage { fault: crate::db::StorageFault::Full, .. } => {
                i18n::tr(lang, "error.storage_full").into()
            }
            AppError::Storage { .. } => i18n::tr(lang, "error.storage_unavailable").into(),
            AppError::Db(_) | AppError::Internal { .. } => i18n::tr(lang, "error.internal").into(),
        }
    }
}

/// Left in a request's cache by the data guards when they refuse its body. A 422 that
/// reaches the catchers without it came from a path segment Rocket could not parse (a
/// ticket number or id that is none), and that path names nothing: 404.
pub struct RefusedBody(pub bool);

/// Marks this request's body as refused (see `RefusedBody`).
pub fn refuse_body(req: &rocket::Request<'_>) {
    req.local_cache(|| RefusedBody(true));
}

/// The JSON error body: `{"error":{"code","message","field"?}}`.
pub fn json_body(code: &str, message: &str, field: Option<&str>) -> String {
    let mut error = json!({ "code": code, "message": message });
    if let Some(field) = field {
        error["field"] = json!(field);
    }
    json!({ "error": error }).to_string()
}

//! `Page`, the responder every HTML handler returns: a template with its own context and
//! what every page gets (the viewer, language, catalogue, CSRF token, flash message, path).
use std::io::Cursor;

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use serde::Serialize;

use crate::app::App;
use crate::auth::{csrf, Actor};
use crate::error::AppError;
use crate::i18n::{self, Lang};

/// An HTML page: a template, its own context, and the shared context every page gets
/// (the viewer, language, catalogue, CSRF token, flash message, current path).
pub struct Page {
    template: &'static str,
    ctx: tera::Context,
    status: Status,
}

impl Page {
    pub fn new(template: &'static str) -> Page {
        let mut ctx = tera::Context::new();
        // Forms compare `error_field` with their field names; a page shown without an error
        // must still define it (`with_error` replaces it), or the template fails to render.
        ctx.insert("error_field", "");
        ctx.insert("field_errors", &serde_json::Map::new());
        ctx.insert("errors", &Vec::<FieldError>::new());
        Page { template, ctx, status: Status::Ok }
    }

    pub fn with(mut self, key: &str, value: impl Serialize) -> Page {
        self.ctx.insert(key, &value);
        self
    }

    pub fn status(mut self, status: Status) -> Page {
        self.status = status;
        self
    }

    /// Re-shows a form with its errors and the values the user entered: `error` (the first
    /// message), `errors` (every refused field with its label and message, for the summary
    /// that links to each) and `field_errors` (field → message, for the fields themselves).
    pub fn with_error(self, error: &crate::error::AppError, lang: Lang) -> Page {
        let status = error.status();
        let fields = error.fields(lang);
        let by_field: serde_json::Map<String, serde_json::Value> =
            fields.iter().map(|(f, m)| (f.clone(), serde_json::Value::from(m.as_str()))).collect();
        let errors: Vec<FieldError> = fields
            .into_iter()
            .map(|(field, message)| {
                let key = format!("field.{field}");
                let label = i18n::has_key(&key).then(|| i18n::tr(lang, &key).to_string());
                FieldError { field, label, message }
            })
            .collect();
        self.with("error", error.message(lang))
            .with("error_field", error.field())
            .with("field_errors", by_field)
            .with("errors", errors)
            .status(status)
    }
}

/// One refused field as the error summary names it.
#[derive(Serialize)]
struct FieldError {
    field: String,
    label: Option<String>,
    message: String,
}

impl<'r> Responder<'r, 'static> for Page {
    fn respond_to(mut self, req: &'r Request<'_>) -> response::Result<'static> {
        let Some(app) = req.rocket().state::<App>() else {
            return Err(Status::InternalServerError);
        };
        let lang = Lang::of_request(req);
        // The guard that resolved the viewer left it in the request cache; pages of public
        // routes ask for `Viewer`, so the navigation knows who is reading.
        let me: &Option<Actor> = req.local_cache(|| None);
        self.ctx.insert("me", me);
        self.ctx.insert("csrf", &csrf::token(req));
        self.ctx.insert("path", req.uri().path().as_str());
        // Times are stored in UTC and shown in Staffel's time zone (`date(…, timezone=tz)`).
        self.ctx.insert("tz", &app.settings.timezone);
        self.ctx.insert("flash", &crate::web::flash::take(req, lang));
        let ctx = i18n::template_context(lang, self.ctx);
        match app.templates.render(self.template, &ctx) {
            Ok(html) => Response::build()
                .status(self.status)
                .header(ContentType::HTML)
                .raw_header("Cache-Control", "no-store")
                .sized_body(html.len(), Cursor::new(html))
                .ok(),
            Err(e) => {
                tracing::error!(template = self.template, error = %AppError::from(e).chain(), "template failed");
                Err(Status::InternalServerError)
            }
        }
    }
}

/// What an error page is titled: what happened, where there is a word for it.
fn error_title(lang: Lang, status: Status) -> String {
    let key = match status.code {
        400 => "error.title_400",
        401 => "error.title_401",
        403 => "error.title_403",
        404 => "error.title_404",
        410 => "error.title_410",
        413 => "error.title_413",
        429 => "error.title_429",
        500 => "error.title_500",
        503 => "error.title_503",
        _ => "error.title",
    };
    i18n::tr(lang, key).to_string()
}

/// The page shown for every error, with the message in the reader's language.
pub fn error_page(req: &Request<'_>, status: Status, message: &str) -> response::Result<'static> {
    let lang = Lang::of_request(req);
    let page = Page::new("error.html")
        .with("status", status.code)
        .with("message", message)
        .with("title", error_title(lang, status))
        .status(status);
    page.respond_to(req).or_else(|_| {
        let body = format!("{} {}", status.code, message);
        Response::build().status(status).header(ContentType::Plain).sized_body(body.len(), Cursor::new(body)).ok()
    })
}

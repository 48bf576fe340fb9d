//! Tera templates, loaded from the files embedded in the binary and overridden by a local
//! directory if one is configured; and `Page`, the responder every HTML handler returns.
use std::io::Cursor;
use std::path::Path;

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rust_embed::RustEmbed;
use serde::Serialize;

use crate::auth::{csrf, Actor};
use crate::config::Settings;
use crate::i18n::{self, Lang};

#[derive(RustEmbed)]
#[folder = "templates/"]
#[include = "*.tera"]
struct EmbeddedTemplates;

#[derive(Clone)]
pub struct Templates {
    tera: std::sync::Arc<tera::Tera>,
}

impl Templates {
    /// The embedded templates, each replaced by a file of the same name under
    /// `templates_dir` when that is set.
    pub fn load(settings: &Settings) -> Result<Templates, String> {
        let mut sources: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
        for name in EmbeddedTemplates::iter() {
            let file = EmbeddedTemplates::get(&name).ok_or("embedded template vanished")?;
            let text =
                String::from_utf8(file.data.into_owned()).map_err(|_| format!("template {name} is not UTF-8"))?;
            sources.insert(name.trim_end_matches(".tera").to_string(), text);
        }
        if let Some(dir) = &settings.templates_dir {
            collect_overrides(dir, dir, &mut sources)?;
        }
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(|e| format!("templates do not compile: {e:?}"))?;
        Ok(Templates { tera: std::sync::Arc::new(tera) })
    }

    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<String, String> {
        self.tera.render(name, ctx).map_err(|e| {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                message.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            message
        })
    }
}

fn collect_overrides(
    root: &Path,
    dir: &Path,
    sources: &mut std::collections::BTreeMap<String, String>,
) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_overrides(root, &path, sources)?;
        } else if path.extension().is_some_and(|e| e == "tera") {
            let name = path.strip_prefix(root).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            sources.insert(name.trim_end_matches(".tera").to_string(), text);
        }
    }
    Ok(())
}

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

    /// Re-shows a form with the error of one field and the values the user entered.
    pub fn with_error(self, error: &crate::error::AppError, lang: Lang) -> Page {
        let status = error.status();
        self.with("error", error.message(lang)).with("error_field", error.field()).status(status)
    }
}

impl<'r> Responder<'r, 'static> for Page {
    fn respond_to(mut self, req: &'r Request<'_>) -> response::Result<'static> {
        let Some(templates) = req.rocket().state::<Templates>() else {
            return Err(Status::InternalServerError);
        };
        let lang = Lang::of_request(req);
        // The guard that resolved the viewer left it in the request cache; pages of public
        // routes ask for `Viewer`, so the navigation knows who is reading.
        let me: &Option<Actor> = req.local_cache(|| None);
        self.ctx.insert("me", me);
        self.ctx.insert("csrf", &csrf::token(req));
        self.ctx.insert("path", req.uri().path().as_str());
        self.ctx.insert("flash", &crate::web::flash::take(req, lang));
        let ctx = i18n::template_context(lang, self.ctx);
        match templates.render(self.template, &ctx) {
            Ok(html) => Response::build()
                .status(self.status)
                .header(ContentType::HTML)
                .raw_header("Cache-Control", "no-store")
                .sized_body(html.len(), Cursor::new(html))
                .ok(),
            Err(e) => {
                tracing::error!(template = self.template, error = %e, "template failed");
                Err(Status::InternalServerError)
            }
        }
    }
}

/// The page shown for every error, with the message in the reader's language.
pub fn error_page(req: &Request<'_>, status: Status, message: &str) -> response::Result<'static> {
    let lang = Lang::of_request(req);
    let page = Page::new("error.html")
        .with("status", status.code)
        .with("message", message)
        .with("title", i18n::tr(lang, "error.title"))
        .status(status);
    page.respond_to(req).or_else(|_| {
        let body = format!("{} {}", status.code, message);
        Response::build().status(status).header(ContentType::Plain).sized_body(body.len(), Cursor::new(body)).ok()
    })
}

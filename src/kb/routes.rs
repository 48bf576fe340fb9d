//! The FAQ pages: search and browse, search-as-you-type suggestions, the article page with
//! related articles and rating, and the desk's list of searches that found nothing.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::serde::json::Json;
use rocket::{get, post, FromForm, Route, State};
use sea_orm::DatabaseConnection;

use super::service;
use crate::auth::csrf::CsrfForm;
use crate::auth::{Agent, Viewer};
use crate::csrf_form;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::search::Engine;
use crate::web::flash;
use crate::web::page::Page;

#[get("/faq?<q>&<service>")]
async fn faq(
    viewer: Viewer,
    db: &State<DatabaseConnection>,
    engine: &State<Engine>,
    q: Option<&str>,
    service: Option<&str>,
    lang: Lang,
) -> AppResult<Page> {
    let role = viewer.role().as_str();
    let page = Page::new("kb/faq.html").with("role", role).with("service", service.unwrap_or(""));
    let text = q.unwrap_or("").trim();
    if text.is_empty() {
        let groups = service::browse(db, viewer.0.as_ref()).await?;
        return Ok(page.with("q", "").with("groups", groups));
    }
    match service::search(db, engine, viewer.0.as_ref(), text, 20, service, true).await {
        Ok(results) => Ok(page.with("q", text).with("results", results)),
        Err(e @ crate::error::AppError::Invalid { .. }) => {
            Ok(page.with("q", text.chars().take(service::QUERY_MAX).collect::<String>()).with_error(&e, lang))
        }
        Err(e) => Err(e),
    }
}

/// Suggestions while typing, in the reader's own scope (the page's session, unlike the
/// bearer-token API).
#[get("/faq/suggest?<q>")]
async fn suggest(
    viewer: Viewer,
    db: &State<DatabaseConnection>,
    engine: &State<Engine>,
    q: Option<&str>,
) -> AppResult<Json<Vec<super::api::ApiHit>>> {
    let results = service::search(db, engine, viewer.0.as_ref(), q.unwrap_or(""), 6, None, false).await?;
    Ok(Json(
        results
            .hits
            .into_iter()
            .map(|h| super::api::ApiHit {
                url: format!("/kb/{}", h.slug),
                slug: h.slug,
                title: h.title,
                snippet: h.snippet,
            })
            .collect(),
    ))
}

#[get("/kb/<slug>")]
async fn article(
    viewer: Viewer,
    db: &State<DatabaseConnection>,
    engine: &State<Engine>,
    slug: &str,
) -> AppResult<Page> {
    let found = service::find_readable(db, viewer.0.as_ref(), slug).await?;
    let id = found.id;
    let published = found.status == "published";
    let editable = found.clone();
    let view = service::view(db, found).await?;
    if published {
        service::count_view(db, id).await?;
    }
    let related = service::related(engine, viewer.0.as_ref(), &view).await?;
    let can_edit = viewer.0.as_ref().is_some_and(|actor| super::authoring::can_edit(actor, &editable));
    Ok(Page::new("kb/article.html")
        .with("article", view)
        .with("related", related)
        .with("can_edit", can_edit)
        .with("role", viewer.role().as_str()))
}

#[derive(Debug, FromForm)]
pub struct RateForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub helpful: String,
}
csrf_form!(RateForm);

#[post("/kb/<slug>/rate", data = "<form>")]
async fn rate(
    viewer: Viewer,
    db: &State<DatabaseConnection>,
    slug: &str,
    form: CsrfForm<RateForm>,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let found = service::find_readable(db, viewer.0.as_ref(), slug).await?;
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(crate::error::AppError::invalid("helpful", "validation.required")),
    };
    service::rate(db, found.id, helpful).await?;
    flash::success(jar, if helpful { "kb.thanks_helpful" } else { "kb.thanks_not_helpful" });
    Ok(Redirect::to(format!("/kb/{slug}#rate")))
}

#[get("/desk/kb/misses")]
async fn misses(agent: Agent, db: &State<DatabaseConnection>) -> AppResult<Page> {
    Ok(Page::new("kb/misses.html")
        .with("misses", service::misses(db, &agent.0).await?)
        .with("proposals", service::proposals(db, &agent.0).await?))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![faq, suggest, article, rate, misses]
}

//! The FAQ pages: search and browse, search-as-you-type suggestions, the article page with
//! related articles and rating, and the desk's list of searches that found nothing; the
//! authors' pages are in `authoring` and `drafts`.
pub mod authoring;
pub mod drafts;

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::serde::json::Json;
use rocket::{get, post, FromForm, Route};

use crate::app::{Agent, App, Viewer};
use crate::auth::csrf::CsrfForm;
use crate::csrf_form;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::kb::service;
use crate::kb::votes::{self, Voter};
use crate::web::flash;
use crate::web::page::Page;

#[get("/faq?<q>&<service>")]
async fn faq(viewer: Viewer, app: &App, q: Option<&str>, service: Option<&str>, lang: Lang) -> AppResult<Page> {
    let role = viewer.role().as_str();
    let page = Page::new("kb/faq.html").with("role", role).with("service", service.unwrap_or(""));
    let text = q.unwrap_or("").trim();
    if text.is_empty() {
        let groups = service::browse(app.db.read(), viewer.0.as_ref()).await?;
        return Ok(page.with("q", "").with("groups", groups));
    }
    match service::search(&app.misses, &app.search, viewer.0.as_ref(), text, 20, service, service::Purpose::Results)
        .await
    {
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
async fn suggest(viewer: Viewer, app: &App, q: Option<&str>) -> AppResult<Json<Vec<crate::api::kb::ApiHit>>> {
    let results = service::search(
        &app.misses,
        &app.search,
        viewer.0.as_ref(),
        q.unwrap_or(""),
        6,
        None,
        service::Purpose::Typing,
    )
    .await?;
    Ok(Json(
        results
            .hits
            .into_iter()
            .map(|h| crate::api::kb::ApiHit {
                url: format!("/kb/{}", h.slug),
                slug: h.slug,
                title: h.title,
                snippet: h.snippet,
            })
            .collect(),
    ))
}

#[get("/kb/<slug>")]
async fn article(viewer: Viewer, app: &App, slug: &str) -> AppResult<Page> {
    let found = service::find_readable(app.db.read(), viewer.0.as_ref(), slug).await?;
    let id = found.id;
    let published = found.status == entities::ArticleStatus::Published;
    let editable = found.clone();
    let view = service::view(app.db.read(), found).await?;
    if published {
        service::count_view(&app.db, id).await?;
    }
    let related = service::related(&app.search, viewer.0.as_ref(), &view).await?;
    let can_edit = viewer.0.as_ref().is_some_and(|actor| crate::kb::authoring::can_edit(actor, &editable));
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

/// The anonymous reader's browser, for one vote per browser: a random id in a private
/// cookie, made on the first vote.
fn reader_cookie(jar: &CookieJar<'_>) -> String {
    if let Some(cookie) = jar.get_private(READER_COOKIE) {
        return cookie.value().to_string();
    }
    let id = crate::crypto::random_hex(16);
    jar.add_private(
        Cookie::build((READER_COOKIE, id.clone()))
            .http_only(true)
            .same_site(SameSite::Lax)
            .path("/")
            .max_age(rocket::time::Duration::days(365)),
    );
    id
}

const READER_COOKIE: &str = "staffel_reader";

#[post("/kb/<slug>/rate", data = "<form>")]
async fn rate(
    viewer: Viewer,
    app: &App,
    slug: &str,
    form: CsrfForm<RateForm>,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let found = service::find_readable(app.db.read(), viewer.0.as_ref(), slug).await?;
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(crate::error::AppError::invalid("helpful", "validation.required")),
    };
    let browser;
    let reader = match &viewer.0 {
        Some(actor) => Voter::User(actor.id),
        None => {
            browser = reader_cookie(jar);
            Voter::Browser(&browser)
        }
    };
    votes::rate(&app.db, found.id, reader, helpful).await?;
    flash::success(jar, if helpful { "kb.thanks_helpful" } else { "kb.thanks_not_helpful" });
    Ok(Redirect::to(format!("/kb/{slug}#rate")))
}

#[get("/desk/kb/misses")]
async fn misses(agent: Agent, app: &App) -> AppResult<Page> {
    Ok(Page::new("kb/misses.html")
        .with("misses", service::misses(app.db.read(), &agent.0).await?)
        .with("proposals", service::proposals(app.db.read(), &agent.0).await?))
}

pub fn routes() -> Vec<Route> {
    let mut routes = rocket::routes![faq, suggest, article, rate, misses];
    routes.extend(authoring::routes());
    routes.extend(drafts::routes());
    routes
}

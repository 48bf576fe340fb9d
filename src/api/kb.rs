//! `GET /api/v1/kb/search` and `GET /api/v1/kb/articles/{slug}`: the FAQ for scripts and
//! for the search-as-you-type of the pages.
use rocket::serde::json::Json;
use rocket::{get, Route};
use serde::Serialize;

use crate::app::{App, Viewer};
use crate::error::AppResult;
use crate::kb::service::{self, ArticleView};
use crate::web::params::QueryParam;

#[derive(Serialize)]
pub struct ApiHit {
    pub slug: String,
    pub title: String,
    pub snippet: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct ApiResults {
    pub hits: Vec<ApiHit>,
    pub total: usize,
}

/// The search's query string.
#[derive(Debug, rocket::FromForm)]
pub struct SearchQuery {
    q: QueryParam<String>,
    limit: QueryParam<usize>,
    service: QueryParam<String>,
    /// Marks search-as-you-type keystrokes, which are not recorded as misses.
    suggest: QueryParam<bool>,
}

#[get("/kb/search?<query..>")]
async fn search(viewer: Viewer, app: &App, query: SearchQuery) -> AppResult<Json<ApiResults>> {
    let q = query.q.value()?.unwrap_or_default();
    let limit = query.limit.value_in("limit", 1, 50)?.unwrap_or(10);
    let service = query.service.value()?;
    let suggest = query.suggest.value()?.unwrap_or(false);
    let purpose = if suggest { service::Purpose::Typing } else { service::Purpose::Results };
    let results =
        service::search(&app.misses, &app.search, viewer.0.as_ref(), &q, limit, service.as_deref(), purpose).await?;
    Ok(Json(ApiResults {
        total: results.total,
        hits: results
            .hits
            .into_iter()
            .map(|h| ApiHit { url: format!("/kb/{}", h.slug), slug: h.slug, title: h.title, snippet: h.snippet })
            .collect(),
    }))
}

#[get("/kb/articles/<slug>")]
async fn article(viewer: Viewer, app: &App, slug: &str) -> AppResult<Json<ArticleView>> {
    let found = service::find_readable(app.db.read(), viewer.0.as_ref(), slug).await?;
    Ok(Json(service::view(app.db.read(), found).await?))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![search, article]
}

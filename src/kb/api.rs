//! `GET /api/v1/kb/search` and `GET /api/v1/kb/articles/{slug}`: the FAQ for scripts and
//! for the search-as-you-type of the pages.
use rocket::serde::json::Json;
use rocket::{get, Route, State};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::service::{self, ArticleView};
use crate::auth::Viewer;
use crate::error::AppResult;
use crate::search::Engine;

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

/// `suggest=1` marks search-as-you-type keystrokes, which are not recorded as misses.
#[get("/kb/search?<q>&<limit>&<service>&<suggest>")]
async fn search(
    viewer: Viewer,
    db: &State<DatabaseConnection>,
    engine: &State<Engine>,
    q: Option<&str>,
    limit: Option<usize>,
    service: Option<&str>,
    suggest: Option<bool>,
) -> AppResult<Json<ApiResults>> {
    let results = service::search(
        db,
        engine,
        viewer.0.as_ref(),
        q.unwrap_or(""),
        limit.unwrap_or(10),
        service,
        !suggest.unwrap_or(false),
    )
    .await?;
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
async fn article(viewer: Viewer, db: &State<DatabaseConnection>, slug: &str) -> AppResult<Json<ArticleView>> {
    let found = service::find_readable(db, viewer.0.as_ref(), slug).await?;
    Ok(Json(service::view(db, found).await?))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![search, article]
}

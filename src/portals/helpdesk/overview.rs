//! The school admin's list of all their school's reports and tickets: state filters, a
//! text search and pages (the service is `reports::overview`, scoped in its queries).
use rocket::{get, FromForm, Route};
use serde_json::json;

use crate::app::{App, SchoolAdmin};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::reports::overview::{self, OverviewQuery, State};
use crate::web::page::Page;

/// The query string as typed; each part is checked by `OverviewQuery::check`, so a bad one
/// gets its message instead of being quietly dropped.
#[derive(Debug, Default, FromForm)]
pub struct ListQuery {
    pub q: Option<String>,
    pub state: Option<String>,
    pub page: Option<String>,
}

#[get("/helpdesk/all?<query..>")]
async fn all(admin: SchoolAdmin, app: &App, query: ListQuery, lang: Lang) -> AppResult<Page> {
    let typed = OverviewQuery {
        q: query.q.unwrap_or_default(),
        state: query.state.unwrap_or_default(),
        page: query.page.unwrap_or_default(),
    };
    let base = Page::new("tickets/helpdesk_all.html")
        .with("school", &admin.0.school_name)
        .with("states", State::ALL.map(State::as_str));
    let checked = match typed.check() {
        Ok(checked) => checked,
        Err(e @ AppError::Invalid { .. }) => {
            // The form again as typed (bounded), an empty list, and the message.
            let shown: String = typed.q.chars().take(overview::QUERY_MAX).collect();
            let state = State::parse(&typed.state).map(State::as_str).unwrap_or("all");
            return Ok(base
                .with("query", json!({ "q": shown, "state": state, "page": 1 }))
                .with("list", json!({ "items": [], "total": 0, "page": 1, "pages": 1 }))
                .with_error(&e, lang));
        }
        Err(e) => return Err(e),
    };
    let list = overview::list(app.db.read(), &admin.0, &checked).await?;
    Ok(base.with("query", &checked).with("list", list))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![all]
}

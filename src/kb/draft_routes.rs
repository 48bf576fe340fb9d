//! The one-click "solution → FAQ draft" buttons on the desk's ticket page and the school
//! admin's report page; both land on the draft's edit page (the one made before, if any).
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{post, Route, State};
use sea_orm::DatabaseConnection;

use super::drafts;
use crate::accounts::forms::CsrfOnly;
use crate::auth::csrf::CsrfForm;
use crate::auth::Author;
use crate::error::{AppError, AppResult};
use crate::search::Engine;
use crate::tickets::status::id_of;
use crate::web::flash;

#[post("/kb/drafts/ticket/<ticket>", data = "<_form>")]
async fn from_ticket(
    author: Author,
    ticket: &str,
    _form: CsrfForm<CsrfOnly>,
    db: &State<DatabaseConnection>,
    engine: &State<Engine>,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let drafted = drafts::from_ticket(db, engine, &author.0, id_of(ticket)?).await?;
    Ok(to_edit(jar, drafted))
}

#[post("/kb/drafts/report/<report>", data = "<_form>")]
async fn from_report(
    author: Author,
    report: &str,
    _form: CsrfForm<CsrfOnly>,
    db: &State<DatabaseConnection>,
    engine: &State<Engine>,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let id = report.parse().map_err(|_| AppError::NotFound)?;
    let drafted = drafts::from_report(db, engine, &author.0, id).await?;
    Ok(to_edit(jar, drafted))
}

fn to_edit(jar: &CookieJar<'_>, drafted: drafts::Drafted) -> Redirect {
    flash::success(jar, if drafted.created { "kb.draft_created" } else { "kb.draft_exists" });
    Redirect::to(format!("/kb/{}/edit", drafted.article.slug))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![from_ticket, from_report]
}

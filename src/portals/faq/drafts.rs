//! The one-click "solution → FAQ draft" buttons on the desk's ticket page and the school
//! admin's report page; both land on the draft's edit page (the one made before, if any).
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{post, Route};

use crate::app::{App, Author};
use crate::auth::csrf::CsrfForm;
use crate::error::AppResult;
use crate::kb::drafts;
use crate::portals::account::forms::CsrfOnly;
use crate::tickets::TicketNumber;
use crate::web::flash;
use crate::web::params::Id;

#[post("/kb/drafts/ticket/<ticket>", data = "<_form>")]
async fn from_ticket(
    author: Author,
    ticket: TicketNumber,
    _form: CsrfForm<CsrfOnly>,
    app: &App,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let drafted = drafts::from_ticket(&app.db, &app.search, &author.0, ticket.id()).await?;
    Ok(to_edit(jar, drafted))
}

#[post("/kb/drafts/report/<report>", data = "<_form>")]
async fn from_report(
    author: Author,
    report: Id,
    _form: CsrfForm<CsrfOnly>,
    app: &App,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let drafted = drafts::from_report(&app.db, &app.search, &author.0, report.0).await?;
    Ok(to_edit(jar, drafted))
}

fn to_edit(jar: &CookieJar<'_>, drafted: drafts::Drafted) -> Redirect {
    flash::success(jar, if drafted.created { "kb.draft_created" } else { "kb.draft_exists" });
    Redirect::to(format!("/kb/{}/edit", drafted.article.slug))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![from_ticket, from_report]
}

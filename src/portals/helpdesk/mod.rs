//! The school admin's side: the helpdesk tile with the school's tickets, new reports and
//! the new-ticket form, and each ticket with its (public) timeline, reply, confirm and
//! reopen; and the list of all the school's reports and tickets. The triage of teachers'
//! reports is `portals::reports`.
pub mod overview;
pub mod tickets;

use rocket::http::CookieJar;
use rocket::{get, post, Route};
use serde_json::json;

use super::ticket_forms::NewTicketForm;
use crate::app::{App, SchoolAdmin};
use crate::attachments::store;
use crate::auth::csrf::CsrfForm;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::tickets::{number, opening, Opened, FAULT_TYPES, TRIAGE_SCOPES};
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;

/// The tile, as shown and as shown again after a refused form.
pub(crate) async fn tile(app: &App, admin: &SchoolAdmin) -> AppResult<Page> {
    let db = app.db.read();
    let settings = &app.settings;
    Ok(Page::new("tickets/helpdesk.html")
        .with("upload", crate::attachments::hints(settings))
        .with("school", &admin.0.school_name)
        .with("desk", json!({ "phone": settings.desk_phone, "hours": settings.desk_hours }))
        .with("chat", crate::chat::channels::availability(db, settings, chrono::Utc::now()).await?)
        .with(
            "chats",
            crate::chat::list(db, &admin.0, "")
                .await?
                .into_iter()
                .filter(|c| c.closed_at.is_none())
                .collect::<Vec<_>>(),
        )
        .with("services", crate::catalogue::services::list(db, false).await?)
        .with("tickets", crate::reports::overview::tile_tickets(db, &admin.0).await?)
        .with("counters", crate::reports::overview::counters(db, &admin.0).await?)
        .with("reports", crate::reports::service::inbox(db, &admin.0).await?)
        .with("input", json!({}))
        .with("scopes", TRIAGE_SCOPES)
        .with("fault_types", FAULT_TYPES))
}

#[get("/helpdesk")]
async fn helpdesk(admin: SchoolAdmin, app: &App) -> AppResult<Page> {
    tile(app, &admin).await
}

#[post("/helpdesk/tickets", data = "<form>")]
async fn open_ticket(
    admin: SchoolAdmin,
    form: CsrfForm<NewTicketForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    // Files are checked (and refused) before anything else is stored.
    let opened = match store::accept(&app.settings, &form.files).await {
        Ok(files) => opening::open(app, &admin.0, &form.input(), files).await,
        Err(e) => Err(e),
    };
    if opened.is_ok() {
        crate::kb::service::note_problem(&app.misses, &app.search, &admin.0, &form.title).await;
    }
    let saved = |opened: Opened| {
        let number = number(opened.ticket.id);
        Saved::to("tickets.opened", format!("/helpdesk/tickets/{number}")).with_arg(number)
    };
    let again = || async {
        let mut typed = form.typed();
        typed["triage_scope"] = json!(form.triage_scope);
        typed["triage_fault_type"] = json!(form.triage_fault_type);
        Ok(tile(app, &admin).await?.with("input", typed))
    };
    finish(opened, jar, lang, saved, again).await
}

pub fn routes() -> Vec<Route> {
    let mut routes = rocket::routes![helpdesk, open_ticket];
    routes.extend(tickets::routes());
    routes.extend(overview::routes());
    routes
}

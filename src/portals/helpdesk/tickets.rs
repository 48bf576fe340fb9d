//! A school's ticket as its admins see it (the public timeline), and what they may do with
//! it: reply (with files), confirm the solution (close), reopen.
use rocket::http::CookieJar;
use rocket::{get, post, Route};

use crate::app::{App, SchoolAdmin};
use crate::attachments::store;
use crate::auth::csrf::CsrfForm;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::ladder;
use crate::portals::ticket_forms::{ReplyForm, TextForm};
use crate::tickets::{self, view, TicketNumber};
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;
use entities::ticket;

async fn ticket_page(app: &App, admin: &SchoolAdmin, number: TicketNumber) -> AppResult<Page> {
    let db = app.db.read();
    let ticket = tickets::find(db, &admin.0, number.id()).await?;
    app.views.record(&admin.0, "ticket", ticket.id, Some(ticket.school_id), "school");
    let attachments = crate::attachments::service::for_ticket(db, &admin.0, ticket.id).await?;
    let events = tickets::timeline(db, &admin.0, &ticket).await?;
    let lookup = view::Lookup::load(db, std::slice::from_ref(&ticket)).await?;
    // The report it was escalated from, linked and shown as fields (the school's own
    // teacher, so their name too).
    let origin = crate::reports::service::origin_of(db, &ticket).await?;
    let reporter = crate::reports::service::reporter_of(db, &ticket).await?;
    Ok(Page::new("tickets/school_ticket.html")
        .with("origin", origin)
        .with("reporter", reporter)
        .with("attachments", attachments)
        .with("upload", crate::attachments::hints(&app.settings))
        // Schools read the service by its name, not its code (retired services included).
        .with("services", crate::catalogue::services::list(db, true).await?)
        .with("ticket", lookup.view(&ticket, chrono::Utc::now()))
        .with("events", events.into_iter().map(view::event_view).collect::<Vec<_>>()))
}

#[get("/helpdesk/tickets/<number>")]
async fn show(admin: SchoolAdmin, number: TicketNumber, app: &App) -> AppResult<Page> {
    ticket_page(app, &admin, number).await
}

/// Back to the ticket with the message of what was done, or the ticket page again with
/// the error (a stale version, a transition the ticket's state does not allow, bad input).
async fn after(
    result: AppResult<ticket::Model>,
    done: &'static str,
    app: &App,
    admin: &SchoolAdmin,
    number: TicketNumber,
    (jar, lang): (&CookieJar<'_>, Lang),
) -> AppResult<Posted> {
    let saved = |t: ticket::Model| Saved::to(done, format!("/helpdesk/tickets/{}", tickets::number(t.id)));
    finish(result, jar, lang, saved, || ticket_page(app, admin, number)).await
}

#[post("/helpdesk/tickets/<number>/comment", data = "<form>")]
async fn comment(
    admin: SchoolAdmin,
    number: TicketNumber,
    form: CsrfForm<ReplyForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    // The ticket first: a file message must not tell anyone that a ticket exists.
    tickets::find(app.db.read(), &admin.0, number.id()).await?;
    // Schools write public replies only.
    let reply = ladder::tickets::Reply { internal: false, ..form.reply() };
    let result = match store::accept(&app.settings, &form.files).await {
        Ok(files) => ladder::tickets::comment(app, &admin.0, number, &reply, files).await,
        Err(e) => Err(e),
    };
    after(result, "tickets.commented", app, &admin, number, (jar, lang)).await
}

/// The school confirms the solution.
#[post("/helpdesk/tickets/<number>/close", data = "<form>")]
async fn close(
    admin: SchoolAdmin,
    number: TicketNumber,
    form: CsrfForm<TextForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::tickets::close(app, &admin.0, number, form.version()).await;
    after(result, "tickets.closed", app, &admin, number, (jar, lang)).await
}

#[post("/helpdesk/tickets/<number>/reopen", data = "<form>")]
async fn reopen(
    admin: SchoolAdmin,
    number: TicketNumber,
    form: CsrfForm<TextForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::tickets::reopen(app, &admin.0, number, &form.body, form.version()).await;
    after(result, "tickets.reopened", app, &admin, number, (jar, lang)).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![show, comment, close, reopen]
}

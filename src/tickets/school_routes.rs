//! The school admin's side: the helpdesk tile with the school's tickets and the
//! new-ticket form, and each ticket with its (public) timeline, reply, confirm and reopen.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, Route, State};
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::forms::{ActionForm, NewTicketForm};
use super::service::{self, Ctx};
use super::status::{id_of, number};
use super::{queue, view};
use crate::auth::csrf::CsrfForm;
use crate::auth::SchoolAdmin;
use crate::catalogue::services;
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::flash;
use crate::web::page::Page;

async fn tile(db: &DatabaseConnection, settings: &Settings, admin: &SchoolAdmin) -> AppResult<Page> {
    Ok(Page::new("tickets/helpdesk.html")
        .with("upload", crate::attachments::hints(settings))
        .with("school", &admin.0.school_name)
        .with("desk", json!({ "phone": settings.desk_phone, "hours": settings.desk_hours, "chat_available": false }))
        .with("services", services::list(db, false).await?)
        .with("tickets", queue::for_school(db, &admin.0).await?)
        .with("reports", crate::reports::service::inbox(db, &admin.0).await?)
        .with("input", json!({}))
        .with("scopes", service::TRIAGE_SCOPES)
        .with("fault_types", service::FAULT_TYPES))
}

#[get("/helpdesk")]
async fn helpdesk(admin: SchoolAdmin, settings: &State<Settings>, db: &State<DatabaseConnection>) -> AppResult<Page> {
    tile(db, settings, &admin).await
}

#[post("/helpdesk/tickets", data = "<form>")]
async fn open_ticket(
    admin: SchoolAdmin,
    form: CsrfForm<NewTicketForm<'_>>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
    settings: &State<Settings>,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    // Files are checked (and refused) before anything else is stored.
    let opened = match crate::attachments::store::accept(settings, &form.files).await {
        Ok(staged) if staged.is_empty() => service::open(&ctx, &admin.0, &form.input()).await.map(|o| o.ticket),
        Ok(staged) => crate::attachments::flows::open_ticket(&ctx, &admin.0, &form.input(), staged).await,
        Err(e) => Err(e),
    };
    match opened {
        Ok(ticket) => {
            flash::success_with(jar, "tickets.opened", &number(ticket.id));
            Ok(Ok(Redirect::to(format!("/helpdesk/tickets/{}", number(ticket.id)))))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(Err(tile(db, settings, &admin)
            .await?
            .with(
                "input",
                json!({
                    "title": form.title, "description": form.description, "service": form.service,
                    "priority": form.priority, "triage_scope": form.triage_scope, "triage_fault_type": form.triage_fault_type,
                }),
            )
            .with_error(&e, lang))),
        Err(e) => Err(e),
    }
}

async fn ticket_page(db: &DatabaseConnection, settings: &Settings, admin: &SchoolAdmin, id: i32) -> AppResult<Page> {
    let ticket = service::find(db, &admin.0, id).await?;
    let attachments = crate::attachments::service::for_ticket(db, &admin.0, ticket.id).await?;
    let events = service::timeline(db, &admin.0, &ticket).await?;
    let lookup = view::Lookup::load(db, std::slice::from_ref(&ticket)).await?;
    Ok(Page::new("tickets/school_ticket.html")
        .with("attachments", attachments)
        .with("upload", crate::attachments::hints(settings))
        .with("ticket", lookup.view(&ticket, chrono::Utc::now()))
        .with("events", events.into_iter().map(view::event_view).collect::<Vec<_>>()))
}

#[get("/helpdesk/tickets/<ticket>")]
async fn show(
    admin: SchoolAdmin,
    ticket: &str,
    db: &State<DatabaseConnection>,
    settings: &State<Settings>,
) -> AppResult<Page> {
    ticket_page(db, settings, &admin, id_of(ticket)?).await
}

/// After an action: back to the ticket with a message, or the ticket page again with the
/// error (a stale version, a transition the ticket's state does not allow, bad input).
#[allow(clippy::too_many_arguments)]
async fn after(
    result: AppResult<entities::ticket::Model>,
    db: &DatabaseConnection,
    settings: &Settings,
    admin: &SchoolAdmin,
    id: i32,
    jar: &CookieJar<'_>,
    lang: Lang,
    done: &'static str,
) -> AppResult<Result<Redirect, Page>> {
    match result {
        Ok(ticket) => {
            flash::success(jar, done);
            Ok(Ok(Redirect::to(format!("/helpdesk/tickets/{}", number(ticket.id)))))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            Ok(Err(ticket_page(db, settings, admin, id).await?.with_error(&e, lang)))
        }
        Err(e) => Err(e),
    }
}

/// Every school-side action posts here; the last path segment names it: a reply, the
/// confirmation of a solution (close), or a reopen.
#[post("/helpdesk/tickets/<ticket>/<action>", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn act(
    admin: SchoolAdmin,
    ticket: &str,
    action: &str,
    form: CsrfForm<ActionForm<'_>>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
    settings: &State<Settings>,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let id = id_of(ticket)?;
    let (result, done) = match action {
        "comment" => {
            // The ticket first: a file message must not tell anyone that a ticket exists.
            service::find(db.inner(), &admin.0, id).await?;
            let result = match crate::attachments::store::accept(settings, &form.files).await {
                Ok(staged) if staged.is_empty() => {
                    service::comment(&ctx, &admin.0, id, &form.body, false, form.version()).await
                }
                Ok(staged) => {
                    let kind = crate::attachments::flows::Reply::Comment { internal: false };
                    crate::attachments::flows::reply(&ctx, &admin.0, id, &form.body, kind, form.version(), staged).await
                }
                Err(e) => Err(e),
            };
            (result, "tickets.commented")
        }
        "close" => (service::close(&ctx, &admin.0, id, form.version()).await, "tickets.closed"),
        "reopen" => (service::reopen(&ctx, &admin.0, id, &form.body, form.version()).await, "tickets.reopened"),
        _ => return Err(AppError::NotFound),
    };
    after(result, db, settings, &admin, id, jar, lang, done).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![helpdesk, open_ticket, show, act]
}

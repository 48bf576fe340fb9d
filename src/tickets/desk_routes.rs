//! The service desk's side: the queues, and each ticket with its full timeline and every
//! action of SPEC §5.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, Route, State};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use super::forms::ActionForm;
use super::service::{self, Ctx};
use super::status::{id_of, number, Priority, Status};
use super::{queue, view};
use crate::auth::csrf::CsrfForm;
use crate::auth::Agent;
use crate::catalogue::services;
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::flash;
use crate::web::page::Page;

#[get("/desk?<queue>&<school>&<service>&<priority>&<status>&<after>")]
#[allow(clippy::too_many_arguments)]
async fn queues(
    agent: Agent,
    db: &State<DatabaseConnection>,
    queue: Option<&str>,
    school: Option<&str>,
    service: Option<&str>,
    priority: Option<&str>,
    status: Option<&str>,
    after: Option<&str>,
    overdue: &State<queue::OverdueCount>,
    lang: Lang,
) -> AppResult<Page> {
    let filter = queue::Filter {
        queue: queue.unwrap_or("open").to_string(),
        school: school.unwrap_or("").to_string(),
        service: service.unwrap_or("").to_string(),
        priority: priority.unwrap_or("").to_string(),
        status: status.unwrap_or("").to_string(),
        after: after.unwrap_or("").to_string(),
        limit: None,
    };
    // The stamp first: counts read after it are at least as new as what it names.
    let stamp = queue::stamp(db, &agent.0).await?;
    let base = Page::new("tickets/desk_queue.html")
        .with("queue", &filter.queue)
        .with("filter", json!({ "school": filter.school, "service": filter.service, "priority": filter.priority, "status": filter.status }))
        .with("counts", queue::counts(db, &agent.0, &stamp, overdue).await?)
        .with("schools", crate::schools::service::list(db, crate::audit::By::User(&agent.0), false).await?)
        .with("services", services::list(db.inner(), false).await?)
        .with("priorities", Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>())
        .with("statuses", Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        .with("is_lead", agent.0.role == crate::auth::Role::DeskLead)
        .with("stamp", stamp);
    match queue::page(db, &agent.0, &filter).await {
        Ok(page) => Ok(base.with("page", page)),
        Err(e @ AppError::Invalid { .. }) => {
            Ok(base.with("page", json!({ "items": [], "next": null })).with_error(&e, lang))
        }
        Err(e) => Err(e),
    }
}

async fn ticket_page(db: &DatabaseConnection, settings: &Settings, agent: &Agent, id: i32) -> AppResult<Page> {
    let ticket = service::find(db, &agent.0, id).await?;
    let attachments = crate::attachments::service::for_ticket(db, &agent.0, ticket.id).await?;
    let events = service::timeline(db, &agent.0, &ticket).await?;
    let lookup = view::Lookup::load(db, std::slice::from_ref(&ticket)).await?;
    let agents = entities::user::Entity::find()
        .filter(entities::user::Column::Role.is_in(["agent", "desk_lead"]))
        .filter(entities::user::Column::Active.eq(true))
        .order_by_asc(entities::user::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|u| json!({ "email": u.email, "name": u.name }))
        .collect::<Vec<_>>();
    let providers = crate::forwards::service::choices(db, &ticket).await?;
    let forwards = crate::forwards::service::for_ticket(db, ticket.id).await?;
    Ok(Page::new("tickets/desk_ticket.html")
        .with("attachments", attachments)
        .with("upload", crate::attachments::hints(settings))
        .with("providers", providers)
        .with("forwards", forwards)
        .with("ticket", lookup.view(&ticket, chrono::Utc::now()))
        .with("events", events.into_iter().map(view::event_view).collect::<Vec<_>>())
        .with("agents", agents)
        .with("services", services::list(db, false).await?)
        .with("priorities", Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>()))
}

/// What the queue page polls to know when to refresh itself.
#[get("/desk/changes")]
async fn changes(
    agent: Agent,
    db: &State<DatabaseConnection>,
) -> AppResult<rocket::serde::json::Json<serde_json::Value>> {
    Ok(rocket::serde::json::Json(json!({ "stamp": queue::stamp(db, &agent.0).await? })))
}

#[get("/desk/tickets/<ticket>")]
async fn show(
    agent: Agent,
    ticket: &str,
    db: &State<DatabaseConnection>,
    settings: &State<Settings>,
) -> AppResult<Page> {
    ticket_page(db, settings, &agent, id_of(ticket)?).await
}

/// Every desk action posts here; the last path segment names it.
#[post("/desk/tickets/<ticket>/<action>", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn act(
    agent: Agent,
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
    let actor = &agent.0;
    let version = form.version();
    let (result, done) = match action {
        "comment" | "ask" if form.files.iter().any(|f| !f.is_empty() || f.raw_name().is_some()) => {
            // Files with a reply, note or question: checked first, in one transaction after.
            service::find(db.inner(), actor, id).await?;
            let kind = if action == "ask" {
                crate::attachments::flows::Reply::AskSchool
            } else {
                crate::attachments::flows::Reply::Comment { internal: form.internal }
            };
            let result = match crate::attachments::store::accept(settings, &form.files).await {
                Ok(staged) => {
                    crate::attachments::flows::reply(&ctx, actor, id, &form.body, kind, version, staged).await
                }
                Err(e) => Err(e),
            };
            (result, if action == "ask" { "tickets.asked" } else { "tickets.commented" })
        }
        "comment" => (service::comment(&ctx, actor, id, &form.body, form.internal, version).await, "tickets.commented"),
        "assign" => (service::assign(&ctx, actor, id, &form.agent, version).await, "tickets.assigned"),
        "reclassify" => {
            (service::reclassify(&ctx, actor, id, &form.priority, &form.service, version).await, "tickets.reclassified")
        }
        "ask" => (service::ask_school(&ctx, actor, id, &form.body, version).await, "tickets.asked"),
        "resolve" => (service::resolve(&ctx, actor, id, &form.body, version).await, "tickets.resolved"),
        "close" => (service::close(&ctx, actor, id, version).await, "tickets.closed"),
        "reopen" => (service::reopen(&ctx, actor, id, &form.body, version).await, "tickets.reopened"),
        "forward" => {
            let input = crate::forwards::service::ForwardInput {
                provider: form.provider.clone(),
                priority: form.priority.clone(),
                message: form.body.clone(),
                share_description: form.share_description,
                shared_events: form.shared_events.clone(),
                shared_attachments: form.shared_attachments.clone(),
            };
            let result = crate::forwards::service::forward(&ctx, actor, id, &input, version).await;
            (
                match result {
                    Ok(_) => service::find(db.inner(), actor, id).await,
                    Err(e) => Err(e),
                },
                "forwards.forwarded",
            )
        }
        "recall" => {
            (crate::forwards::service::recall(&ctx, actor, id, form.forward, version).await, "forwards.recalled")
        }
        "provider_reply" => {
            // Files are checked before anything is stored; the answer records them.
            let result = match crate::attachments::store::accept(settings, &form.files).await {
                Ok(staged) => crate::forwards::service::reply(&ctx, actor, id, form.forward, &form.body, staged).await,
                Err(e) => Err(e),
            };
            (result, "forwards.replied")
        }
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(ticket) => {
            flash::success(jar, done);
            Ok(Ok(Redirect::to(format!("/desk/tickets/{}", number(ticket.id)))))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            Ok(Err(ticket_page(db, settings, &agent, id).await?.with_error(&e, lang)))
        }
        Err(e) => Err(e),
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![queues, changes, show, act]
}

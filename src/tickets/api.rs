//! The ticket routes of the JSON API (SPEC §11), with the same authorisation as the pages.
use rocket::http::Status;
use rocket::serde::json::Json;

use crate::api::json::ApiJson;
use rocket::{get, post, Route, State};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use super::queue;
use super::service::{self, Ctx, NewTicket};
use super::status::id_of;
use super::view::{self, EventView, TicketView};
use crate::auth::AnyUser;
use crate::error::AppResult;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageJson {
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub fault_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTicketJson {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub triage: Option<TriageJson>,
}

#[derive(Debug, Serialize)]
pub struct TicketWithEvents {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub events: Vec<EventView>,
    /// The files the caller may download (`/api/v1/tickets/{number}/attachments/{id}`).
    pub attachments: Vec<crate::attachments::service::AttachmentView>,
}

pub(crate) async fn with_events(
    db: &DatabaseConnection,
    actor: &crate::auth::Actor,
    id: i32,
) -> AppResult<TicketWithEvents> {
    let ticket = service::find(db, actor, id).await?;
    let events = service::timeline(db, actor, &ticket).await?;
    let lookup = view::Lookup::load(db, std::slice::from_ref(&ticket)).await?;
    Ok(TicketWithEvents {
        ticket: lookup.view(&ticket, chrono::Utc::now()),
        events: events.into_iter().map(view::event_view).collect(),
        attachments: crate::attachments::service::for_ticket(db, actor, ticket.id).await?,
    })
}

#[post("/tickets", data = "<body>")]
async fn create(
    user: AnyUser,
    body: ApiJson<NewTicketJson>,
    ctx: Ctx<'_>,
) -> AppResult<(Status, Json<TicketWithEvents>)> {
    let body = body.into_inner();
    let triage = body.triage.unwrap_or(TriageJson { scope: String::new(), fault_type: String::new() });
    let input = NewTicket {
        title: body.title,
        description: body.description,
        service: body.service,
        priority: body.priority.unwrap_or_default(),
        triage_scope: triage.scope,
        triage_fault_type: triage.fault_type,
    };
    let opened = service::open(&ctx, &user.0, &input).await?;
    // Answered from what was just written: a new ticket has one event and no files yet.
    let lookup = view::Lookup::for_new_ticket(&user.0, &opened);
    Ok((
        Status::Created,
        Json(TicketWithEvents {
            ticket: lookup.view(&opened.ticket, chrono::Utc::now()),
            events: vec![view::event_view(opened.first_event)],
            attachments: Vec::new(),
        }),
    ))
}

#[get("/tickets?<status>&<priority>&<school>&<service>&<queue>&<limit>&<after>")]
#[allow(clippy::too_many_arguments)]
async fn list(
    user: AnyUser,
    db: &State<DatabaseConnection>,
    status: Option<&str>,
    priority: Option<&str>,
    school: Option<&str>,
    service: Option<&str>,
    queue: Option<&str>,
    limit: Option<u64>,
    after: Option<&str>,
) -> AppResult<Json<queue::QueuePage>> {
    let filter = queue::Filter {
        queue: queue.unwrap_or("all").to_string(),
        school: school.unwrap_or("").to_string(),
        service: service.unwrap_or("").to_string(),
        priority: priority.unwrap_or("").to_string(),
        status: status.unwrap_or("").to_string(),
        after: after.unwrap_or("").to_string(),
        limit,
    };
    // A school admin lists their own school's tickets; the desk lists any.
    if user.0.role == crate::auth::Role::SchoolAdmin {
        return Ok(Json(queue::school_page(db, &user.0, &filter).await?));
    }
    Ok(Json(queue::page(db, &user.0, &filter).await?))
}

#[get("/tickets/<number>")]
async fn show(user: AnyUser, number: &str, db: &State<DatabaseConnection>) -> AppResult<Json<TicketWithEvents>> {
    Ok(Json(with_events(db, &user.0, id_of(number)?).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentJson {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub internal: bool,
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignJson {
    #[serde(default)]
    pub agent: String,
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveJson {
    #[serde(default)]
    pub solution: String,
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PlainJson {
    #[serde(default)]
    pub reason: String,
    pub version: Option<i32>,
}

macro_rules! ticket_action {
    ($name:ident, $path:literal, $body:ty, |$ctx:ident, $actor:ident, $id:ident, $input:ident| $call:expr) => {
        #[post($path, data = "<body>")]
        async fn $name(
            user: AnyUser,
            number: &str,
            body: ApiJson<$body>,
            db: &State<DatabaseConnection>,
            $ctx: Ctx<'_>,
        ) -> AppResult<Json<TicketWithEvents>> {
            let $actor = &user.0;
            let $id = id_of(number)?;
            let $input = body.into_inner();
            $call.await?;
            Ok(Json(with_events(db, &user.0, $id).await?))
        }
    };
}

ticket_action!(comment, "/tickets/<number>/comments", CommentJson, |ctx, actor, id, input| service::comment(
    &ctx,
    actor,
    id,
    &input.body,
    input.internal,
    input.version
));
ticket_action!(assign, "/tickets/<number>/assign", AssignJson, |ctx, actor, id, input| service::assign(
    &ctx,
    actor,
    id,
    &input.agent,
    input.version
));
ticket_action!(resolve, "/tickets/<number>/resolve", ResolveJson, |ctx, actor, id, input| service::resolve(
    &ctx,
    actor,
    id,
    &input.solution,
    input.version
));
ticket_action!(close, "/tickets/<number>/close", PlainJson, |ctx, actor, id, input| service::close(
    &ctx,
    actor,
    id,
    input.version
));
ticket_action!(reopen, "/tickets/<number>/reopen", PlainJson, |ctx, actor, id, input| service::reopen(
    &ctx,
    actor,
    id,
    &input.reason,
    input.version
));

pub fn routes() -> Vec<Route> {
    rocket::routes![create, list, show, comment, assign, resolve, close, reopen]
}

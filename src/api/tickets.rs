//! The ticket routes of the JSON API, with the same authorisation as the pages.
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, Route};
use serde::{Deserialize, Serialize};

use crate::app::{AnyUser, App};
use crate::attachments::store::Staged;
use crate::auth::{Actor, Role};
use crate::error::AppResult;
use crate::ladder;
use crate::tickets::view::{self, EventView, TicketView};
use crate::tickets::{self, queue, NewTicket, TicketNumber};
use crate::web::json::ApiJson;
use crate::web::params::QueryParam;

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

/// A ticket with its timeline and files as this actor may see them.
pub async fn with_events(app: &App, actor: &Actor, number: TicketNumber) -> AppResult<TicketWithEvents> {
    let db = app.db.read();
    let ticket = tickets::find(db, actor, number.id()).await?;
    let events = tickets::timeline(db, actor, &ticket).await?;
    let lookup = view::Lookup::load(db, std::slice::from_ref(&ticket)).await?;
    Ok(TicketWithEvents {
        ticket: lookup.view(&ticket, chrono::Utc::now()),
        events: events.into_iter().map(view::event_view).collect(),
        attachments: crate::attachments::service::for_ticket(db, actor, ticket.id).await?,
    })
}

#[post("/tickets", data = "<body>")]
async fn create(user: AnyUser, body: ApiJson<NewTicketJson>, app: &App) -> AppResult<(Status, Json<TicketWithEvents>)> {
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
    let opened = tickets::opening::open(app, &user.0, &input, Staged::none()).await?;
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

/// The ticket list's query string, read strictly (see `QueryParam`).
#[derive(Debug, rocket::FromForm)]
pub struct ListQuery {
    queue: QueryParam<String>,
    school: QueryParam<String>,
    service: QueryParam<String>,
    priority: QueryParam<String>,
    status: QueryParam<String>,
    sort: QueryParam<String>,
    after: QueryParam<String>,
    limit: QueryParam<u64>,
}

impl ListQuery {
    /// The filter, with every named queue, status, priority and order checked here: a school
    /// admin's list has no queues, and would otherwise pass an unknown one over in silence.
    fn filter(self) -> AppResult<queue::Filter> {
        let queue = self.queue.value()?.unwrap_or_else(|| "all".into());
        queue::Queue::parse(&queue)?;
        let status = self.status.value()?.unwrap_or_default();
        if !status.is_empty() && entities::TicketStatus::parse(&status).is_none() {
            return Err(crate::error::AppError::invalid("status", "validation.param_invalid"));
        }
        let priority = self.priority.value()?.unwrap_or_default();
        if !priority.is_empty() && !["P1", "P2", "P3", "P4"].contains(&priority.as_str()) {
            return Err(crate::error::AppError::invalid("priority", "validation.param_invalid"));
        }
        let sort = self.sort.value()?.unwrap_or_default();
        crate::tickets::queue_sort::Sort::parse(&sort)?;
        Ok(queue::Filter {
            queue,
            sort,
            school: self.school.value()?.unwrap_or_default(),
            service: self.service.value()?.unwrap_or_default(),
            priority,
            status,
            after: self.after.value_or_empty()?.unwrap_or_default(),
            limit: self.limit.value_in("limit", 1, 200)?,
        })
    }
}

#[get("/tickets?<query..>")]
async fn list(user: AnyUser, app: &App, query: ListQuery) -> AppResult<Json<queue::QueuePage>> {
    let filter = query.filter()?;
    // A school admin lists their own school's tickets; the desk lists any.
    if user.0.role == Role::SchoolAdmin {
        return Ok(Json(queue::school_page(app.db.read(), &user.0, &filter).await?));
    }
    Ok(Json(queue::page(app.db.read(), &user.0, &filter).await?))
}

#[get("/tickets/<number>")]
async fn show(user: AnyUser, number: TicketNumber, app: &App) -> AppResult<Json<TicketWithEvents>> {
    let shown = with_events(app, &user.0, number).await?;
    // Who saw what (SPEC §9): the desk and school admins reading a ticket are recorded.
    app.views.record(&user.0, "ticket", number.id(), None, "api");
    Ok(Json(shown))
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

/// Close and reopen: every field optional, so a request without a body works.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PlainJson {
    #[serde(default)]
    pub reason: String,
    pub version: Option<i32>,
}

/// An action's route: the caller, the ticket, the body; the answer is the ticket after it.
macro_rules! ticket_action {
    ($name:ident, $path:literal, $body:ty, |$app:ident, $actor:ident, $number:ident, $input:ident| $call:expr) => {
        #[post($path, data = "<body>")]
        async fn $name(
            user: AnyUser,
            $number: TicketNumber,
            body: ApiJson<$body>,
            $app: &App,
        ) -> AppResult<Json<TicketWithEvents>> {
            let $actor = &user.0;
            let $input = body.into_inner();
            $call.await?;
            Ok(Json(with_events($app, &user.0, $number).await?))
        }
    };
}

ticket_action!(comment, "/tickets/<number>/comments", CommentJson, |app, actor, number, input| async {
    let reply = ladder::tickets::Reply { body: input.body, internal: input.internal, version: input.version };
    ladder::tickets::comment(app, actor, number, &reply, Staged::none()).await
});
ticket_action!(assign, "/tickets/<number>/assign", AssignJson, |app, actor, number, input| {
    ladder::tickets::assign(app, actor, number, &input.agent, input.version)
});
ticket_action!(resolve, "/tickets/<number>/resolve", ResolveJson, |app, actor, number, input| {
    ladder::tickets::resolve(app, actor, number, &input.solution, input.version)
});
ticket_action!(close, "/tickets/<number>/close", PlainJson, |app, actor, number, input| {
    ladder::tickets::close(app, actor, number, input.version)
});
ticket_action!(reopen, "/tickets/<number>/reopen", PlainJson, |app, actor, number, input| {
    ladder::tickets::reopen(app, actor, number, &input.reason, input.version)
});

pub fn routes() -> Vec<Route> {
    rocket::routes![create, list, show, comment, assign, resolve, close, reopen]
}

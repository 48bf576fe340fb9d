//! A ticket as the desk sees it: the facts, the full timeline (internal notes too), its
//! files, the forwards, the one reply box, and the choices every action form needs.
use rocket::{get, Route};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;

use crate::app::{Agent, App};
use crate::auth::Role;
use crate::error::AppResult;
use crate::tickets::{self, view, Priority, TicketNumber};
use crate::web::page::Page;
use entities::user;

/// What a post leaves on the page shown again (refused, or waiting for its confirmation):
/// the box as it was typed, the forward form as it was filled in, and the newest timeline
/// event the agent had seen, so what came since is marked. Nothing typed is thrown away.
#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    /// The form the post came from: "box", "forward" or "facts".
    pub form: &'static str,
    pub mode: &'static str,
    pub body: String,
    pub forward: Option<i32>,
    pub close: bool,
    pub seen: Option<i32>,
    /// The action that waits for the agent's confirmation: "resolve", "close" (reply and
    /// resolve) or "recall".
    pub confirm: Option<&'static str>,
    pub forwarding: Option<Forwarding>,
}

/// The forward form as filled in.
#[derive(Debug, Clone, Serialize)]
pub struct Forwarding {
    pub provider: String,
    pub priority: String,
    pub body: String,
    pub share_description: bool,
    pub shared_events: Vec<i32>,
    pub shared_attachments: Vec<i32>,
}

impl Default for Kept {
    fn default() -> Kept {
        Kept {
            form: "",
            mode: "reply",
            body: String::new(),
            forward: None,
            close: false,
            seen: None,
            confirm: None,
            forwarding: None,
        }
    }
}

impl Kept {
    /// A post of another form on the page, with the newest event its page showed.
    pub fn from_form(form: &'static str, seen: Option<i32>) -> Kept {
        Kept { form, seen, ..Kept::default() }
    }
}

/// The ticket page; the action handlers show it again with what was typed (`kept`).
pub async fn ticket_page(app: &App, agent: &Agent, number: TicketNumber, kept: Kept) -> AppResult<Page> {
    let db = app.db.read();
    let ticket = tickets::find(db, &agent.0, number.id()).await?;
    app.views.record(&agent.0, "ticket", ticket.id, Some(ticket.school_id), "desk");
    tickets::reads::opened(&app.db, &agent.0, &ticket).await;
    let attachments = crate::attachments::service::for_ticket(db, &agent.0, ticket.id).await?;
    let events: Vec<_> = tickets::timeline(db, &agent.0, &ticket).await?.into_iter().map(view::event_view).collect();
    let last_event = events.iter().map(|e| e.id).max().unwrap_or(0);
    let fresh: Vec<i32> = match kept.seen {
        Some(seen) => events.iter().filter(|e| e.id > seen).map(|e| e.id).collect(),
        None => Vec::new(),
    };
    let lookup = view::Lookup::load(db, std::slice::from_ref(&ticket)).await?;
    let agents = user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Agent, Role::DeskLead]))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|u| json!({ "email": u.email, "name": u.name }))
        .collect::<Vec<_>>();
    let providers = crate::forwards::service::choices(db, &ticket).await?;
    let forwards = crate::forwards::service::for_ticket(db, ticket.id).await?;
    let active_forwards = forwards.iter().filter(|f| f.status == entities::ForwardStatus::Active).count();
    let reporter = crate::reports::service::reporter_of(db, &ticket).await?;
    let origin = crate::reports::service::origin_of(db, &ticket).await?;
    Ok(Page::new("tickets/desk_ticket.html")
        .with("attachments", attachments)
        .with("upload", crate::attachments::hints(&app.settings))
        .with("providers", providers)
        .with("forwards", forwards)
        .with("active_forwards", active_forwards)
        .with("reporter", reporter)
        .with("origin", origin)
        .with("ticket", lookup.view(&ticket, chrono::Utc::now()))
        .with("events", events)
        .with("last_event", last_event)
        .with("fresh", fresh)
        .with("kept", kept)
        .with("agents", agents)
        .with("services", crate::catalogue::services::list(db, false).await?)
        .with("priorities", Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>()))
}

#[get("/desk/tickets/<number>")]
async fn show(agent: Agent, number: TicketNumber, app: &App) -> AppResult<Page> {
    ticket_page(app, &agent, number, Kept::default()).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![show]
}

//! A ticket as the desk sees it: the full timeline (internal notes too), its files, the
//! forwards, and the choices every action form needs.
use rocket::{get, Route};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::app::{Agent, App};
use crate::auth::Role;
use crate::error::AppResult;
use crate::tickets::{self, view, Priority, TicketNumber};
use crate::web::page::Page;
use entities::user;

/// The ticket page; the action handlers show it again with an error.
pub async fn ticket_page(app: &App, agent: &Agent, number: TicketNumber) -> AppResult<Page> {
    let db = app.db.read();
    let ticket = tickets::find(db, &agent.0, number.id()).await?;
    app.views.record(&agent.0, "ticket", ticket.id, Some(ticket.school_id), "desk");
    tickets::reads::opened(&app.db, &agent.0, &ticket).await;
    let attachments = crate::attachments::service::for_ticket(db, &agent.0, ticket.id).await?;
    let events = tickets::timeline(db, &agent.0, &ticket).await?;
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
    let reporter = crate::reports::service::reporter_of(db, &ticket).await?;
    let origin = crate::reports::service::origin_of(db, &ticket).await?;
    Ok(Page::new("tickets/desk_ticket.html")
        .with("attachments", attachments)
        .with("upload", crate::attachments::hints(&app.settings))
        .with("providers", providers)
        .with("forwards", forwards)
        .with("reporter", reporter)
        .with("origin", origin)
        .with("ticket", lookup.view(&ticket, chrono::Utc::now()))
        .with("events", events.into_iter().map(view::event_view).collect::<Vec<_>>())
        .with("agents", agents)
        .with("services", crate::catalogue::services::list(db, false).await?)
        .with("priorities", Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>()))
}

#[get("/desk/tickets/<number>")]
async fn show(agent: Agent, number: TicketNumber, app: &App) -> AppResult<Page> {
    ticket_page(app, &agent, number).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![show]
}

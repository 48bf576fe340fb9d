//! The ticket actions of the desk and the school: each finds the ticket within the actor's
//! scope, has the kernel build its change, and runs it with its follow-ups.
use crate::app::App;
use crate::attachments::store::Staged;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::tickets::{actions, Priority, TicketNumber, Who};
use entities::ticket;

/// Desk actions refuse everyone else before looking for the ticket, so the answer is the
/// same whether or not it exists.
fn desk_only(actor: &Actor) -> AppResult<()> {
    if actor.role.is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A reply (or the desk's internal note) as typed, with the version the page showed.
pub struct Reply {
    pub body: String,
    pub internal: bool,
    pub version: Option<i32>,
}

pub async fn comment(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    reply: &Reply,
    files: Staged,
) -> AppResult<ticket::Model> {
    let (txn, current) = super::begin(app, actor, number).await?;
    let change = actions::comment(actor, &current, &reply.body, reply.internal, files)?;
    super::run(app, txn, Who::User(actor), current, reply.version, change).await
}

/// Assigns the ticket to an agent: "me" (or nothing) for the actor, else an agent's email.
pub async fn assign(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    agent: &str,
    version: Option<i32>,
) -> AppResult<ticket::Model> {
    desk_only(actor)?;
    let agent = agent.trim();
    let agent_id = if agent == "me" || agent.is_empty() {
        actor.id
    } else {
        crate::accounts::service::find_by_email(app.db.read(), agent)
            .await?
            .filter(|u| u.active && u.role.is_desk())
            .ok_or_else(|| AppError::invalid_with("agent", "tickets.unknown_agent", crate::validate::shown(agent)))?
            .id
    };
    let (txn, current) = super::begin(app, actor, number).await?;
    let change = actions::assign(actor, &current, agent_id)?;
    super::run(app, txn, Who::User(actor), current, version, change).await
}

/// Changes the priority and the service.
pub async fn reclassify(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    priority: &str,
    service: &str,
    version: Option<i32>,
) -> AppResult<ticket::Model> {
    desk_only(actor)?;
    let priority =
        Priority::from_input(priority).ok_or_else(|| AppError::invalid("priority", "desk.priority_invalid"))?;
    let service_id =
        crate::catalogue::services::from_input(app.db.read(), "service", service, true).await?.map(|s| s.id);
    let (txn, current) = super::begin(app, actor, number).await?;
    let change = actions::reclassify(app, actor, &current, priority, service_id).await?;
    super::run(app, txn, Who::User(actor), current, version, change).await
}

/// The desk asks the school; the ticket waits on the school.
pub async fn ask_school(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    question: &Reply,
    files: Staged,
) -> AppResult<ticket::Model> {
    desk_only(actor)?;
    let (txn, current) = super::begin(app, actor, number).await?;
    let change = actions::ask_school(actor, &question.body, files)?;
    super::run(app, txn, Who::User(actor), current, question.version, change).await
}

/// The desk resolves with a solution.
pub async fn resolve(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    solution: &str,
    version: Option<i32>,
) -> AppResult<ticket::Model> {
    desk_only(actor)?;
    let (txn, current) = super::begin(app, actor, number).await?;
    let change = actions::resolve(actor, solution, Staged::none())?;
    super::run(app, txn, Who::User(actor), current, version, change).await
}

/// The desk closes after verifying, or the school confirms the solution.
pub async fn close(app: &App, actor: &Actor, number: TicketNumber, version: Option<i32>) -> AppResult<ticket::Model> {
    let (txn, current) = super::begin(app, actor, number).await?;
    let change = actions::close(app, actor, &current).await?;
    super::run(app, txn, Who::User(actor), current, version, change).await
}

/// Reopens a resolved or closed ticket (school admins within the reopen period).
pub async fn reopen(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    reason: &str,
    version: Option<i32>,
) -> AppResult<ticket::Model> {
    let (txn, current) = super::begin(app, actor, number).await?;
    let change = actions::reopen(app, actor, &current, reason)?;
    super::run(app, txn, Who::User(actor), current, version, change).await
}

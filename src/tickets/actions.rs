//! What each action of the desk and the school does to a ticket, as a `Change` for
//! `apply`: who may take it, which status it leads to, which columns it sets and who hears
//! of it. The ladder finds the ticket, builds the change here and applies it.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use super::change::Change;
use super::sla::due_times;
use super::status::{Priority, Status};
use super::{Env, TEXT_MAX};
use crate::attachments::store::Staged;
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use entities::{ticket, ticket_event, EventKind};

fn desk_only(actor: &Actor) -> AppResult<()> {
    if actor.role.is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A public reply (school or desk) or, for the desk, an internal note, with its files. A
/// school's reply to a ticket waiting on it puts it back to the desk. The text may be empty
/// when files carry the message.
pub fn comment(actor: &Actor, current: &ticket::Model, body: &str, internal: bool, files: Staged) -> AppResult<Change> {
    if current.status == Status::Closed {
        return Err(AppError::conflict("tickets.closed_no_comment"));
    }
    let body = files.message("body", body, TEXT_MAX)?;
    let mut change = Change::new(if internal { EventKind::Note } else { EventKind::Comment }).with_files(files);
    change.body = body;
    if actor.role.is_desk() {
        change.internal = internal;
        if !internal {
            change.takes = true;
            change.school_mail = Some("ticket_reply");
            if current.status == Status::New {
                change.status = Some(Status::Open);
            }
        }
    } else {
        if internal {
            return Err(AppError::Forbidden);
        }
        change.desk_mail = true;
        if current.status == Status::WaitingOnSchool {
            change.status = Some(Status::Open);
        }
    }
    Ok(change)
}

/// Assigns the ticket to an agent (already found and checked by the caller); a new
/// ticket becomes open.
pub fn assign(actor: &Actor, current: &ticket::Model, agent_id: i32) -> AppResult<Change> {
    desk_only(actor)?;
    let mut change = Change::new(EventKind::Assign);
    change.columns.push((ticket::Column::AssigneeId, Expr::value(Some(agent_id))));
    change.data = json!({ "assignee": agent_id });
    if current.status == Status::New {
        change.status = Some(Status::Open);
    }
    Ok(change)
}

/// Changes the priority (and with it the due times) and the service.
pub async fn reclassify(
    env: &impl Env,
    actor: &Actor,
    current: &ticket::Model,
    priority: Priority,
    service_id: Option<i32>,
) -> AppResult<Change> {
    desk_only(actor)?;
    let mut change = Change::new(EventKind::Reclassify);
    change.data = json!({ "priority": priority, "old_priority": current.priority, "service_id": service_id });
    if priority != current.priority {
        let (first_due, resolution_due) = due_times(env, priority, current.created_at).await?;
        change.columns.push((ticket::Column::Priority, Expr::value(priority)));
        change.columns.push((ticket::Column::FirstResponseDue, Expr::value(first_due)));
        change.columns.push((ticket::Column::ResolutionDue, Expr::value(resolution_due)));
        // New targets: the reminder job starts over for this ticket, on its next run.
        change.columns.push((ticket::Column::SlaReminded, Expr::value(0i16)));
        change.columns.push((ticket::Column::SlaCheckAt, Expr::value(Some(Utc::now()))));
    }
    change.columns.push((ticket::Column::ServiceId, Expr::value(service_id)));
    Ok(change)
}

/// The desk asks the school for information: the ticket waits on the school. A question
/// needs words; files alone do not ask anything.
pub fn ask_school(actor: &Actor, question: &str, files: Staged) -> AppResult<Change> {
    desk_only(actor)?;
    let mut change = Change::new(EventKind::AskSchool);
    change.body = crate::validate::multiline("body", question, TEXT_MAX)?;
    change.status = Some(Status::WaitingOnSchool);
    change.school_mail = Some("ticket_question");
    change.takes = true;
    Ok(change.with_files(files))
}

/// The desk resolves with a solution; the school is told and may confirm or reopen.
pub fn resolve(actor: &Actor, solution: &str, files: Staged) -> AppResult<Change> {
    desk_only(actor)?;
    let solution = crate::validate::multiline("solution", solution, TEXT_MAX)?;
    let mut change = Change::new(EventKind::Resolved).with_files(files);
    change.body = solution.clone();
    change.status = Some(Status::Resolved);
    change.school_mail = Some("ticket_resolved");
    change.tell_reporter = true;
    change.takes = true;
    // The desk's own solution: nothing a provider sent is left to check.
    change.columns.push((ticket::Column::ToVerify, Expr::value(false)));
    change.columns.push((ticket::Column::Solution, Expr::value(Some(solution))));
    change.columns.push((ticket::Column::ResolvedAt, Expr::value(Some(Utc::now()))));
    change.columns.push((ticket::Column::Level, Expr::value(2i16)));
    Ok(change)
}

/// Closes a resolved ticket: the desk after verifying, or the school confirming.
pub async fn close(env: &impl Env, actor: &Actor, current: &ticket::Model) -> AppResult<Change> {
    if !(actor.role.is_desk() || actor.role == Role::SchoolAdmin) {
        return Err(AppError::Forbidden);
    }
    let mut change = Change::new(EventKind::Closed);
    change.status = Some(Status::Closed);
    // A closed ticket is not closed again (that would write a second "closed" event and
    // mail the school once more); every other status goes as the status machine allows.
    change.only_from =
        Some(&[Status::New, Status::Open, Status::WaitingOnSchool, Status::AtProvider, Status::Resolved]);
    change.columns.push((ticket::Column::ClosedAt, Expr::value(Some(Utc::now()))));
    change.columns.push((ticket::Column::ToVerify, Expr::value(false)));
    if actor.role.is_desk() {
        // A provider's solution reaches the school only now, verified by the desk.
        let last_resolution = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(current.id))
            .filter(ticket_event::Column::Kind.is_in([EventKind::Resolved, EventKind::ProviderResolved]))
            .order_by_desc(ticket_event::Column::Id)
            .one(env.db().read())
            .await?;
        if last_resolution.is_some_and(|e| e.kind == EventKind::ProviderResolved) {
            change.school_mail = Some("ticket_resolved");
            change.body = current.solution.clone().unwrap_or_default();
            change.tell_reporter = true;
        } else {
            change.school_mail = Some("ticket_closed");
        }
    } else {
        change.desk_mail = true;
    }
    Ok(change)
}

/// Reopens a resolved or closed ticket. School admins may within the reopen period.
pub fn reopen(env: &impl Env, actor: &Actor, current: &ticket::Model, reason: &str) -> AppResult<Change> {
    if actor.role == Role::SchoolAdmin {
        // The period counts from resolving or closing; any other status is refused by
        // `apply` (after the version check), whatever its age.
        if !matches!(current.status, Status::Resolved | Status::Closed) {
            return reopen_change(reason, false);
        }
        let since = current.closed_at.or(current.resolved_at).unwrap_or(current.updated_at);
        let days = env.settings().reopen_days;
        if Utc::now() - since > chrono::Duration::days(days) {
            return Err(AppError::Conflict { message: "tickets.reopen_expired", arg: Some(days.to_string()) });
        }
    } else if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    reopen_change(reason, actor.role.is_desk())
}

/// The reason is optional, but one that is given is checked like any other text.
fn reopen_change(reason: &str, by_desk: bool) -> AppResult<Change> {
    let mut change = Change::new(EventKind::Reopened);
    if !reason.trim().is_empty() {
        change.body = crate::validate::multiline("reason", reason, TEXT_MAX)?;
    }
    change.status = Some(Status::Open);
    change.only_from = Some(&[Status::Resolved, Status::Closed]);
    change.columns.push((ticket::Column::ClosedAt, Expr::value(Option::<DateTime<Utc>>::None)));
    change.columns.push((ticket::Column::ResolvedAt, Expr::value(Option::<DateTime<Utc>>::None)));
    change.columns.push((ticket::Column::ToVerify, Expr::value(false)));
    if by_desk {
        change.school_mail = Some("ticket_reply");
    } else {
        change.desk_mail = true;
    }
    Ok(change)
}

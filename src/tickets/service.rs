//! Tickets: opening, reading within the actor's scope, and every change of SPEC §5. Each
//! change checks who may make it and whether the status machine allows it, writes its
//! timeline event, audit event and mails, and bumps the version — in one transaction, and
//! only if nobody changed the ticket in between.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Value};

use super::mails;
use super::sla::due_times;
use super::status::{Priority, Status};
use crate::audit::{self, By, Target};
use crate::auth::{Actor, Role};
use crate::config::Settings;
use crate::desk::clock::DeskClockCache;
use crate::error::{AppError, AppResult};
use crate::mail::Mailer;
use entities::{ticket, ticket_event};

pub use super::opening::{check_new, insert, open, CheckedTicket, NewTicket, Opened};

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 50_000;
pub const TRIAGE_SCOPES: [&str; 4] = ["local", "school", "networked", "unknown"];
pub const FAULT_TYPES: [&str; 3] = ["hardware", "software", "unknown"];

/// Everything a change needs: the database, the outbox's mailer, the configuration and
/// the desk's clock. A request guard, so handlers take it whole.
pub struct Ctx<'a> {
    pub db: &'a DatabaseConnection,
    pub mailer: &'a Mailer,
    pub settings: &'a Settings,
    pub desk_clock: &'a DeskClockCache,
    pub write_turn: &'a crate::db::WriteTurn,
    pub intake: &'a super::opening::Intake,
}

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Ctx<'r> {
    type Error = AppError;

    async fn from_request(req: &'r rocket::Request<'_>) -> rocket::request::Outcome<Self, AppError> {
        match Ctx::of(req.rocket()) {
            Some(ctx) => rocket::request::Outcome::Success(ctx),
            None => rocket::request::Outcome::Error((
                rocket::http::Status::InternalServerError,
                AppError::internal("the ticket context is not managed"),
            )),
        }
    }
}

impl<'a> Ctx<'a> {
    /// The context from a Rocket's managed state (once ignited).
    pub fn of<P: rocket::Phase>(rocket: &'a rocket::Rocket<P>) -> Option<Ctx<'a>> {
        Some(Ctx {
            db: rocket.state()?,
            mailer: rocket.state()?,
            settings: rocket.state()?,
            desk_clock: rocket.state::<std::sync::Arc<DeskClockCache>>()?,
            write_turn: rocket.state::<std::sync::Arc<crate::db::WriteTurn>>()?,
            intake: rocket.state::<std::sync::Arc<super::opening::Intake>>()?,
        })
    }
}

/// Who changes a ticket: a signed-in user, or a provider's contact through their link.
#[derive(Clone, Copy)]
pub enum Who<'a> {
    User(&'a Actor),
    Provider(&'a str),
}

impl Who<'_> {
    fn id(&self) -> Option<i32> {
        match self {
            Who::User(actor) => Some(actor.id),
            Who::Provider(_) => None,
        }
    }

    fn label(&self) -> String {
        match self {
            Who::User(actor) => actor.name.clone(),
            Who::Provider(label) => label.to_string(),
        }
    }

    fn is_desk(&self) -> bool {
        matches!(self, Who::User(actor) if actor.role.is_desk())
    }

    fn by(&self) -> By<'_> {
        match self {
            Who::User(actor) => By::User(actor),
            Who::Provider(label) => By::Provider(label),
        }
    }
}

pub(super) fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    crate::validate::multiline(field, value, max)
}

pub(super) async fn service_of<C: ConnectionTrait>(db: &C, slug: &str) -> AppResult<Option<(i32, String)>> {
    Ok(crate::catalogue::services::from_input(db, "service", slug, true).await?.map(|s| (s.id, s.slug)))
}

/// A timeline event, not yet written (new tickets write theirs together, see `opening`).
pub(super) fn event_row(
    ticket_id: i32,
    who: Who<'_>,
    kind: &str,
    body: &str,
    internal: bool,
    data: Value,
) -> ticket_event::ActiveModel {
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        kind: Set(kind.into()),
        actor_id: Set(who.id()),
        actor_label: Set(who.label()),
        body: Set(body.into()),
        internal: Set(internal),
        data: Set(data.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

async fn event(
    txn: &DatabaseTransaction,
    ticket_id: i32,
    who: Who<'_>,
    kind: &str,
    body: &str,
    internal: bool,
    data: Value,
) -> AppResult<ticket_event::Model> {
    Ok(event_row(ticket_id, who, kind, body, internal, data).insert(txn).await?)
}

/// The ticket behind an id if this actor may see it; "not found" otherwise, so nobody
/// learns that another school's ticket exists.
pub async fn find<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32) -> AppResult<ticket::Model> {
    let found = ticket::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let visible = match actor.role {
        Role::Agent | Role::DeskLead => true,
        Role::SchoolAdmin => actor.school_id == Some(found.school_id),
        _ => false,
    };
    if visible {
        Ok(found)
    } else {
        Err(AppError::NotFound)
    }
}

/// The timeline as this actor may see it: schools never see internal notes.
pub async fn timeline(
    db: &DatabaseConnection,
    actor: &Actor,
    ticket: &ticket::Model,
) -> AppResult<Vec<ticket_event::Model>> {
    let mut select = ticket_event::Entity::find().filter(ticket_event::Column::TicketId.eq(ticket.id));
    if !actor.role.is_desk() {
        select = select.filter(ticket_event::Column::Internal.eq(false));
    }
    Ok(select.order_by_asc(ticket_event::Column::Id).all(db).await?)
}

/// One change: what it does to the ticket row, and what the timeline, audit log and mail
/// say about it.
pub(crate) struct Change {
    pub kind: &'static str,
    pub body: String,
    pub internal: bool,
    pub data: Value,
    pub status: Option<Status>,
    pub columns: Vec<(ticket::Column, Expr)>,
    /// Which mail the school gets, if any.
    pub school_mail: Option<&'static str>,
    /// Whether the assigned agent gets a mail about it.
    pub desk_mail: bool,
    /// Whether the teacher whose report started the ticket gets the solution.
    pub tell_reporter: bool,
}

impl Change {
    pub fn new(kind: &'static str) -> Change {
        Change {
            kind,
            body: String::new(),
            internal: false,
            data: json!({}),
            status: None,
            columns: Vec::new(),
            school_mail: None,
            desk_mail: false,
            tell_reporter: false,
        }
    }
}

/// Applies a change in its own transaction (see `apply_in`).
async fn apply(
    ctx: &Ctx<'_>,
    actor: &Actor,
    current: ticket::Model,
    expected_version: Option<i32>,
    change: Change,
) -> AppResult<ticket::Model> {
    let (_turn, txn) = ctx.write_turn.begin(ctx.db).await?;
    let updated = apply_in(&txn, ctx, Who::User(actor), current, expected_version, change).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Applies a change in the caller's transaction, if the ticket is still at
/// `expected_version` (the loaded one when the caller has none) and the status machine
/// allows it: the row, its timeline event, audit event and mails.
pub(crate) async fn apply_in(
    txn: &DatabaseTransaction,
    ctx: &Ctx<'_>,
    who: Who<'_>,
    current: ticket::Model,
    expected_version: Option<i32>,
    change: Change,
) -> AppResult<ticket::Model> {
    let version = expected_version.unwrap_or(current.version);
    if version != current.version {
        return Err(AppError::conflict("tickets.stale"));
    }
    let from = Status::parse(&current.status).unwrap_or(Status::Open);
    if let Some(to) = change.status {
        if to != from && !from.can_become(to) {
            return Err(AppError::Conflict {
                message: "tickets.invalid_transition",
                arg: Some(current.status.clone()),
            });
        }
    }
    let now = Utc::now();
    let mut update = ticket::Entity::update_many()
        .col_expr(ticket::Column::Version, Expr::value(version + 1))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(current.id))
        .filter(ticket::Column::Version.eq(version));
    if let Some(to) = change.status {
        update = update.col_expr(ticket::Column::Status, Expr::value(to.as_str()));
    }
    for (column, value) in change.columns {
        update = update.col_expr(column, value);
    }
    // The desk's first public word to the school is the first response of the SLA.
    if who.is_desk() && !change.internal && current.first_response_at.is_none() && change.school_mail.is_some() {
        update = update.col_expr(ticket::Column::FirstResponseAt, Expr::value(now));
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Err(AppError::conflict("tickets.stale"));
    }
    let updated = ticket::Entity::find_by_id(current.id).one(txn).await?.ok_or(AppError::NotFound)?;
    let mut data = change.data;
    if let Some(to) = change.status {
        data["from"] = json!(from.as_str());
        data["to"] = json!(to.as_str());
    }
    event(txn, updated.id, who, change.kind, &change.body, change.internal, data.clone()).await?;
    audit::record(
        txn,
        who.by(),
        &format!("ticket.{}", change.kind),
        Target::new("ticket", updated.id).in_school(Some(updated.school_id)),
        data,
    )
    .await?;
    if let Some(template) = change.school_mail {
        mails::to_school(txn, ctx, &updated, template, &change.body).await?;
    }
    if change.desk_mail {
        mails::to_desk(txn, ctx, &updated, matches!(who, Who::Provider(_)), &change.body).await?;
    }
    if change.tell_reporter {
        crate::reports::service::ticket_resolved(txn, ctx, &updated).await?;
    }
    // A closed ticket's provider links stop working.
    if change.status == Some(Status::Closed) {
        crate::forwards::service::end_all(txn, updated.id, "closed").await?;
    }
    Ok(updated)
}

fn desk_only(actor: &Actor) -> AppResult<()> {
    if actor.role.is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A public reply (school or desk) or, for the desk, an internal note. A school's reply to
/// a ticket waiting on it puts it back to the desk.
pub async fn comment(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i32,
    body: &str,
    internal: bool,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    let current = find(ctx.db, actor, id).await?;
    let body = text("body", body, TEXT_MAX)?;
    let change = comment_change(actor, &current, body, internal)?;
    apply(ctx, actor, current, expected_version, change).await
}

/// What a reply or note (with its checked body) does to the ticket; attachments with a
/// reply make the same change (see `attachments::flows`).
pub(crate) fn comment_change(
    actor: &Actor,
    current: &ticket::Model,
    body: String,
    internal: bool,
) -> AppResult<Change> {
    let status = Status::parse(&current.status).unwrap_or(Status::Open);
    if status == Status::Closed {
        return Err(AppError::conflict("tickets.closed_no_comment"));
    }
    let mut change = Change::new(if internal { "note" } else { "comment" });
    change.body = body;
    if actor.role.is_desk() {
        change.internal = internal;
        if !internal {
            change.school_mail = Some("ticket_reply");
            if status == Status::New {
                change.status = Some(Status::Open);
            }
        }
    } else {
        if internal {
            return Err(AppError::Forbidden);
        }
        change.desk_mail = true;
        if status == Status::WaitingOnSchool {
            change.status = Some(Status::Open);
        }
    }
    Ok(change)
}

/// Assigns the ticket to an agent ("me" or an email); a new ticket becomes open.
pub async fn assign(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i32,
    agent: &str,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    desk_only(actor)?;
    let current = find(ctx.db, actor, id).await?;
    let target = if agent.trim() == "me" || agent.trim().is_empty() {
        actor.id
    } else {
        let found = crate::accounts::service::find_by_email(ctx.db, agent)
            .await?
            .filter(|u| u.active && (u.role == "agent" || u.role == "desk_lead"))
            .ok_or_else(|| {
                AppError::invalid_with("agent", "tickets.unknown_agent", crate::validate::shown(agent.trim()))
            })?;
        found.id
    };
    let mut change = Change::new("assign");
    change.columns.push((ticket::Column::AssigneeId, Expr::value(Some(target))));
    change.data = json!({ "assignee": target });
    if current.status == Status::New.as_str() {
        change.status = Some(Status::Open);
    }
    apply(ctx, actor, current, expected_version, change).await
}

/// Changes the priority (and with it the due times) or the service.
pub async fn reclassify(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i32,
    priority: &str,
    service: &str,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    desk_only(actor)?;
    let current = find(ctx.db, actor, id).await?;
    let priority = Priority::parse(priority).ok_or_else(|| AppError::invalid("priority", "desk.priority_invalid"))?;
    let service_id = service_of(ctx.db, service).await?.map(|(id, _)| id);
    let mut change = Change::new("reclassify");
    change.data = json!({ "priority": priority.as_str(), "old_priority": current.priority, "service_id": service_id });
    if priority.as_str() != current.priority {
        let (first_due, resolution_due) = due_times(ctx, priority, current.created_at).await?;
        change.columns.push((ticket::Column::Priority, Expr::value(priority.as_str())));
        change.columns.push((ticket::Column::FirstResponseDue, Expr::value(first_due)));
        change.columns.push((ticket::Column::ResolutionDue, Expr::value(resolution_due)));
        // New targets: the reminder job starts over for this ticket, on its next run.
        change.columns.push((ticket::Column::SlaReminded, Expr::value(0i16)));
        change.columns.push((ticket::Column::SlaCheckAt, Expr::value(Some(Utc::now()))));
    }
    change.columns.push((ticket::Column::ServiceId, Expr::value(service_id)));
    apply(ctx, actor, current, expected_version, change).await
}

/// The desk asks the school for information: the ticket waits on the school.
pub async fn ask_school(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i32,
    question: &str,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    desk_only(actor)?;
    let current = find(ctx.db, actor, id).await?;
    let mut change = Change::new("ask_school");
    change.body = text("body", question, TEXT_MAX)?;
    change.status = Some(Status::WaitingOnSchool);
    change.school_mail = Some("ticket_question");
    apply(ctx, actor, current, expected_version, change).await
}

/// The desk resolves with a solution; the school is told and may confirm or reopen.
pub async fn resolve(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i32,
    solution: &str,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    desk_only(actor)?;
    let current = find(ctx.db, actor, id).await?;
    let solution = text("solution", solution, TEXT_MAX)?;
    let mut change = Change::new("resolved");
    change.body = solution.clone();
    change.status = Some(Status::Resolved);
    change.school_mail = Some("ticket_resolved");
    change.tell_reporter = true;
    change.columns.push((ticket::Column::Solution, Expr::value(Some(solution))));
    change.columns.push((ticket::Column::ResolvedAt, Expr::value(Some(Utc::now()))));
    change.columns.push((ticket::Column::Level, Expr::value(2i16)));
    apply(ctx, actor, current, expected_version, change).await
}

/// Closes a resolved ticket: the desk after verifying, or the school confirming.
pub async fn close(ctx: &Ctx<'_>, actor: &Actor, id: i32, expected_version: Option<i32>) -> AppResult<ticket::Model> {
    let current = find(ctx.db, actor, id).await?;
    if !(actor.role.is_desk() || actor.role == Role::SchoolAdmin) {
        return Err(AppError::Forbidden);
    }
    let mut change = Change::new("closed");
    change.status = Some(Status::Closed);
    change.columns.push((ticket::Column::ClosedAt, Expr::value(Some(Utc::now()))));
    if actor.role.is_desk() {
        // A provider's solution reaches the school only now, verified by the desk.
        let last_resolution = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(current.id))
            .filter(ticket_event::Column::Kind.is_in(["resolved", "provider_resolved"]))
            .order_by_desc(ticket_event::Column::Id)
            .one(ctx.db)
            .await?;
        if last_resolution.is_some_and(|e| e.kind == "provider_resolved") {
            change.school_mail = Some("ticket_resolved");
            change.body = current.solution.clone().unwrap_or_default();
            change.tell_reporter = true;
        } else {
            change.school_mail = Some("ticket_closed");
        }
    } else {
        change.desk_mail = true;
    }
    apply(ctx, actor, current, expected_version, change).await
}

/// Reopens a resolved or closed ticket. School admins may within the reopen period.
pub async fn reopen(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i32,
    reason: &str,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    let current = find(ctx.db, actor, id).await?;
    if actor.role == Role::SchoolAdmin {
        let since = current.closed_at.or(current.resolved_at).unwrap_or(current.updated_at);
        if Utc::now() - since > chrono::Duration::days(ctx.settings.reopen_days) {
            return Err(AppError::Conflict {
                message: "tickets.reopen_expired",
                arg: Some(ctx.settings.reopen_days.to_string()),
            });
        }
    } else if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let mut change = Change::new("reopened");
    change.body = reason.trim().chars().take(TEXT_MAX).collect();
    change.status = Some(Status::Open);
    change.columns.push((ticket::Column::ClosedAt, Expr::value(Option::<DateTime<Utc>>::None)));
    change.columns.push((ticket::Column::ResolvedAt, Expr::value(Option::<DateTime<Utc>>::None)));
    if actor.role.is_desk() {
        change.school_mail = Some("ticket_reply");
    } else {
        change.desk_mail = true;
    }
    apply(ctx, actor, current, expected_version, change).await
}

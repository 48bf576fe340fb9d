//! The desk's queues: named views over all schools' tickets, with counts, filters and
//! keyset pagination (newest change first; the cursor is the last row's time and id, so
//! page 1,000 costs what page 1 does).
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use super::status::{Priority, Status};
use super::view::{Lookup, TicketView};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use entities::{school, service, ticket};

pub const QUEUES: [&str; 7] = ["new", "mine", "open", "waiting", "provider", "overdue", "all"];
pub const PAGE: u64 = 50;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub queue: String,
    pub school: String,
    pub service: String,
    pub priority: String,
    pub status: String,
    pub after: String,
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct QueuePage {
    pub items: Vec<TicketView>,
    pub next: Option<String>,
}

fn active_statuses() -> Vec<&'static str> {
    Status::ALL.iter().filter(|s| s.is_active()).map(|s| s.as_str()).collect()
}

fn queue_condition(queue: &str, actor: &Actor, now: DateTime<Utc>) -> AppResult<Condition> {
    Ok(match queue {
        "" | "open" => Condition::all().add(ticket::Column::Status.is_in(active_statuses())),
        "new" => Condition::all().add(ticket::Column::Status.eq("new")).add(ticket::Column::AssigneeId.is_null()),
        "mine" => Condition::all()
            .add(ticket::Column::AssigneeId.eq(actor.id))
            .add(ticket::Column::Status.is_in(active_statuses())),
        "waiting" => Condition::all().add(ticket::Column::Status.eq("waiting_on_school")),
        "provider" => Condition::all().add(ticket::Column::Status.eq("at_provider")),
        "overdue" => Condition::all().add(ticket::Column::Status.is_in(active_statuses())).add(
            Condition::any().add(ticket::Column::ResolutionDue.lt(now)).add(
                Condition::all()
                    .add(ticket::Column::FirstResponseAt.is_null())
                    .add(ticket::Column::FirstResponseDue.lt(now)),
            ),
        ),
        "all" => Condition::all(),
        _ => return Err(AppError::invalid("queue", "tickets.queue_invalid")),
    })
}

/// A cursor: `<rfc3339 time>_<id>`.
fn parse_cursor(after: &str) -> AppResult<Option<(DateTime<Utc>, i32)>> {
    if after.is_empty() {
        return Ok(None);
    }
    let (time, id) = after.rsplit_once('_').ok_or_else(|| AppError::invalid("after", "tickets.cursor_invalid"))?;
    let time = DateTime::parse_from_rfc3339(time).map_err(|_| AppError::invalid("after", "tickets.cursor_invalid"))?;
    let id: i32 = id.parse().map_err(|_| AppError::invalid("after", "tickets.cursor_invalid"))?;
    Ok(Some((time.with_timezone(&Utc), id)))
}

fn cursor(t: &ticket::Model) -> String {
    format!("{}_{}", t.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true), t.id)
}

/// The filters a page may narrow any queue by; unknown values are refused, not ignored.
async fn narrowing(db: &DatabaseConnection, filter: &Filter) -> AppResult<Condition> {
    let mut condition = Condition::all();
    if !filter.school.is_empty() {
        let found = school::Entity::find()
            .filter(school::Column::Slug.eq(filter.school.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| AppError::invalid_with("school", "validation.unknown_school", &filter.school))?;
        condition = condition.add(ticket::Column::SchoolId.eq(found.id));
    }
    if !filter.service.is_empty() {
        let found = service::Entity::find()
            .filter(service::Column::Slug.eq(filter.service.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| AppError::invalid_with("service", "validation.unknown_service", &filter.service))?;
        condition = condition.add(ticket::Column::ServiceId.eq(found.id));
    }
    if !filter.priority.is_empty() {
        let p =
            Priority::parse(&filter.priority).ok_or_else(|| AppError::invalid("priority", "desk.priority_invalid"))?;
        condition = condition.add(ticket::Column::Priority.eq(p.as_str()));
    }
    if !filter.status.is_empty() {
        let s = Status::parse(&filter.status).ok_or_else(|| AppError::invalid("status", "tickets.status_invalid"))?;
        condition = condition.add(ticket::Column::Status.eq(s.as_str()));
    }
    Ok(condition)
}

pub async fn page(db: &DatabaseConnection, actor: &Actor, filter: &Filter) -> AppResult<QueuePage> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let condition = queue_condition(&filter.queue, actor, Utc::now())?.add(narrowing(db, filter).await?);
    fetch(db, condition, filter).await
}

/// One page of the tickets matching `condition`, newest change first, after the cursor.
async fn fetch(db: &DatabaseConnection, condition: Condition, filter: &Filter) -> AppResult<QueuePage> {
    let now = Utc::now();
    let limit = filter.limit.unwrap_or(PAGE).clamp(1, 200);
    let mut select = ticket::Entity::find().filter(condition);
    if let Some((time, id)) = parse_cursor(&filter.after)? {
        select = select.filter(
            Condition::any()
                .add(ticket::Column::UpdatedAt.lt(time))
                .add(Condition::all().add(ticket::Column::UpdatedAt.eq(time)).add(ticket::Column::Id.lt(id))),
        );
    }
    let rows = select
        .order_by_desc(ticket::Column::UpdatedAt)
        .order_by_desc(ticket::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    let rows: Vec<ticket::Model> = rows.into_iter().take(limit as usize).collect();
    let next = if more { rows.last().map(cursor) } else { None };
    let lookup = Lookup::load(db, &rows).await?;
    Ok(QueuePage { items: rows.iter().map(|t| lookup.view(t, now)).collect(), next })
}

#[derive(Debug, Serialize)]
pub struct QueueCount {
    pub queue: &'static str,
    pub count: u64,
}

/// The count on each queue's tab.
pub async fn counts(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<QueueCount>> {
    let now = Utc::now();
    let mut out = Vec::new();
    for queue in QUEUES.iter().filter(|q| **q != "all") {
        let count = ticket::Entity::find().filter(queue_condition(queue, actor, now)?).count(db).await?;
        out.push(QueueCount { queue, count });
    }
    Ok(out)
}

/// A school's tickets for its helpdesk tile: open ones first, then the recently finished.
pub async fn for_school(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<TicketView>> {
    let Some(school_id) = actor.school_id.filter(|_| actor.role == crate::auth::Role::SchoolAdmin) else {
        return Err(AppError::Forbidden);
    };
    let rows = ticket::Entity::find()
        .filter(ticket::Column::SchoolId.eq(school_id))
        .order_by_desc(ticket::Column::UpdatedAt)
        .limit(100)
        .all(db)
        .await?;
    let lookup = Lookup::load(db, &rows).await?;
    let now = Utc::now();
    let mut views: Vec<TicketView> = rows.iter().map(|t| lookup.view(t, now)).collect();
    views.sort_by_key(|v| !Status::parse(&v.status).is_some_and(Status::is_active));
    Ok(views)
}

/// The API's list for a school admin: their school's tickets, with the same filters and
/// cursor as the desk (the queue names are the desk's and do not apply).
pub async fn school_page(db: &DatabaseConnection, actor: &Actor, filter: &Filter) -> AppResult<QueuePage> {
    let Some(school_id) = actor.school_id.filter(|_| actor.role == crate::auth::Role::SchoolAdmin) else {
        return Err(AppError::Forbidden);
    };
    if !filter.school.is_empty() && actor.school_slug.as_deref() != Some(filter.school.as_str()) {
        return Ok(QueuePage { items: Vec::new(), next: None });
    }
    let mut narrowed = filter.clone();
    narrowed.school = String::new();
    let condition = Condition::all().add(ticket::Column::SchoolId.eq(school_id)).add(narrowing(db, &narrowed).await?);
    fetch(db, condition, filter).await
}

/// A fingerprint of the ticket table (latest change and number of tickets): the queue
/// page polls it and reloads itself when it moves.
pub async fn stamp(db: &DatabaseConnection, actor: &Actor) -> AppResult<String> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let latest = ticket::Entity::find()
        .order_by_desc(ticket::Column::UpdatedAt)
        .order_by_desc(ticket::Column::Id)
        .one(db)
        .await?;
    Ok(match latest {
        Some(t) => format!("{}_{}_{}", t.updated_at.timestamp_micros(), t.id, t.version),
        None => "empty".into(),
    })
}

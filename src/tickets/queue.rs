//! The desk's queues: named views over all schools' tickets, with counts, filters and
//! keyset pagination in one of several orders (`queue_sort`: newest change first unless
//! the query sorts otherwise; the cursor is the last row's key and id, so page 1,000 costs
//! what page 1 does).
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Query, UnionType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QueryTrait, Statement,
};

use crate::auth::Role;
use serde::Serialize;

use super::queue_sort::{arm_selects, Position, Sort};
use super::status::{Priority, Status};
use super::view::{Lookup, TicketView};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::validate::{can_match_stored, shown};
use entities::{school, service, ticket};

pub const PAGE: u64 = 50;

/// The desk's named views over the tickets, as the query string names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    New,
    Mine,
    Open,
    Waiting,
    Provider,
    /// Solved by a provider: the desk checks the solution before the school hears of it.
    Verify,
    Overdue,
    All,
}

impl Queue {
    /// The queues with a tab and a count, in the tabs' order.
    pub const TABS: [Queue; 7] =
        [Queue::New, Queue::Mine, Queue::Open, Queue::Waiting, Queue::Provider, Queue::Verify, Queue::Overdue];

    /// The queue a query names; nothing names the open tickets.
    pub fn parse(text: &str) -> AppResult<Queue> {
        Ok(match text {
            "" | "open" => Queue::Open,
            "new" => Queue::New,
            "mine" => Queue::Mine,
            "waiting" => Queue::Waiting,
            "provider" => Queue::Provider,
            "verify" => Queue::Verify,
            "overdue" => Queue::Overdue,
            "all" => Queue::All,
            _ => return Err(AppError::invalid("queue", "tickets.queue_invalid")),
        })
    }

    /// The queue's name in query strings and the catalogue (`desk.queue.<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::New => "new",
            Queue::Mine => "mine",
            Queue::Open => "open",
            Queue::Waiting => "waiting",
            Queue::Provider => "provider",
            Queue::Verify => "verify",
            Queue::Overdue => "overdue",
            Queue::All => "all",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub queue: String,
    pub school: String,
    pub service: String,
    pub priority: String,
    pub status: String,
    /// The order (`queue_sort::Sort`); empty for the default, newest change first.
    pub sort: String,
    pub after: String,
    pub limit: Option<u64>,
}

impl Filter {
    /// The filter's parameters as the queue's query string, in a fixed order and without
    /// the empty ones (the queue is always named); not the cursor or the page size, which
    /// say where one is in the list, not what it holds. Saved filters are stored this way,
    /// so a parameter the queue learns (like the sort order) must be written here to be saved.
    pub fn to_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("queue", if self.queue.is_empty() { "open" } else { &self.queue });
        for (name, value) in [
            ("school", &self.school),
            ("service", &self.service),
            ("priority", &self.priority),
            ("status", &self.status),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        // The default order is the one without a `sort`; an order the queue refuses is
        // written as given, to be refused again.
        match Sort::parse(&self.sort) {
            Ok(sort) if sort.is_default() => {}
            Ok(sort) => {
                query.append_pair("sort", &sort.as_str());
            }
            Err(_) => {
                query.append_pair("sort", &self.sort);
            }
        }
        query.finish()
    }
}

/// Refuses a filter the desk's queue would refuse (an unknown queue, school, service,
/// priority, status or order), with the same message.
pub async fn check(db: &DatabaseConnection, actor: &Actor, filter: &Filter) -> AppResult<()> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    Queue::parse(&filter.queue)?;
    Sort::parse(&filter.sort)?;
    narrowing(db, filter, None).await?;
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct QueuePage {
    pub items: Vec<TicketView>,
    pub next: Option<String>,
}

fn active_statuses() -> Vec<Status> {
    Status::ALL.iter().copied().filter(|s| s.is_active()).collect()
}

fn queue_condition(queue: Queue, actor: &Actor, now: DateTime<Utc>) -> Condition {
    match queue {
        Queue::Open => Condition::all().add(ticket::Column::Status.is_in(active_statuses())),
        Queue::New => {
            Condition::all().add(ticket::Column::Status.eq(Status::New)).add(ticket::Column::AssigneeId.is_null())
        }
        // An agent's own tickets, and those a provider solved until the agent closed them.
        Queue::Mine => Condition::all().add(ticket::Column::AssigneeId.eq(actor.id)).add(
            Condition::any()
                .add(ticket::Column::Status.is_in(active_statuses()))
                .add(ticket::Column::ToVerify.eq(true)),
        ),
        Queue::Waiting => Condition::all().add(ticket::Column::Status.eq(Status::WaitingOnSchool)),
        Queue::Provider => Condition::all().add(ticket::Column::Status.eq(Status::AtProvider)),
        Queue::Verify => Condition::all().add(ticket::Column::ToVerify.eq(true)),
        Queue::Overdue => Condition::all().add(ticket::Column::Status.is_in(active_statuses())).add(
            Condition::any().add(ticket::Column::ResolutionDue.lt(now)).add(
                Condition::all()
                    .add(ticket::Column::FirstResponseAt.is_null())
                    .add(ticket::Column::FirstResponseDue.lt(now)),
            ),
        ),
        Queue::All => Condition::all(),
    }
}

/// The filters a page may narrow any queue by; unknown values are refused, not ignored.
/// `school_id` is the school a school admin's list is fixed to.
async fn narrowing(db: &DatabaseConnection, filter: &Filter, school_id: Option<i32>) -> AppResult<Condition> {
    let school_id = match (school_id, filter.school.is_empty()) {
        (Some(id), _) => Some(id),
        (None, true) => None,
        (None, false) => {
            // A text no slug can be (a NUL, which PostgreSQL refuses in a query) names nothing.
            let found = match can_match_stored(&filter.school) {
                true => school::Entity::find().filter(school::Column::Slug.eq(filter.school.as_str())).one(db).await?,
                false => None,
            };
            let unknown = || AppError::invalid_with("school", "validation.unknown_school", shown(&filter.school));
            Some(found.ok_or_else(unknown)?.id)
        }
    };
    let service_id = match filter.service.is_empty() {
        true => None,
        false => {
            let found = match can_match_stored(&filter.service) {
                true => {
                    service::Entity::find().filter(service::Column::Slug.eq(filter.service.as_str())).one(db).await?
                }
                false => None,
            };
            let unknown = || AppError::invalid_with("service", "validation.unknown_service", shown(&filter.service));
            Some(found.ok_or_else(unknown)?.id)
        }
    };
    let priority = match filter.priority.is_empty() {
        true => None,
        false => Some(
            Priority::from_input(&filter.priority)
                .ok_or_else(|| AppError::invalid("priority", "desk.priority_invalid"))?,
        ),
    };
    // SQLite keeps no statistics, so it cannot tell that a school's tickets are far fewer
    // than a service's or a priority's, and may walk the wider index, reading a hundred
    // thousand entries for one page. The narrowest filter present drives the index (school,
    // then service, then priority: ~5,000, ~100,000 and ≥ 30,000 of a million tickets); the
    // others are written `+column`, which no index can serve, and are checked on the rows
    // the index yields. PostgreSQL's planner knows the spread and chooses for itself.
    let sqlite = db.get_database_backend() == DatabaseBackend::Sqlite;
    let narrowed: Vec<(ticket::Column, &str, sea_orm::Value)> = [
        school_id.map(|id| (ticket::Column::SchoolId, "school_id", id.into())),
        service_id.map(|id| (ticket::Column::ServiceId, "service_id", id.into())),
        priority.map(|p| (ticket::Column::Priority, "priority", p.as_str().into())),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut condition = Condition::all();
    for (n, (column, name, value)) in narrowed.into_iter().enumerate() {
        condition = if n > 0 && sqlite {
            use sea_orm::sea_query::ExprTrait;
            condition.add(Expr::cust(format!("+\"{name}\"")).eq(value))
        } else {
            condition.add(column.eq(value))
        };
    }
    if !filter.status.is_empty() {
        let s = Status::parse(&filter.status).ok_or_else(|| AppError::invalid("status", "tickets.status_invalid"))?;
        condition = condition.add(ticket::Column::Status.eq(s));
    }
    Ok(condition)
}

pub async fn page(db: &DatabaseConnection, actor: &Actor, filter: &Filter) -> AppResult<QueuePage> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let queue = Queue::parse(&filter.queue)?;
    let sort = Sort::parse(&filter.sort)?;
    let narrowed = narrowing(db, filter, None).await?;
    let statuses = match (queue, sort.is_default()) {
        // Every other order has an index per status (migration 000021), not one over all.
        (Queue::All, false) => Some(Status::ALL.to_vec()),
        _ => queue_statuses(queue),
    };
    let statuses = page_statuses(statuses, filter);
    let arms = match (queue, statuses) {
        // Per status the agent's own tickets need no "or to verify": an active status is
        // the one side, and of the resolved only those to verify are the other. Written as
        // one condition, every arm walked all of the agent's tickets (47,000 at 1,000,000).
        (Queue::Mine, Some(statuses)) => statuses
            .into_iter()
            .map(|status| narrowed.clone().add(mine(actor, status)).add(ticket::Column::Status.eq(status)))
            .collect(),
        (_, statuses) => status_arms(queue_condition(queue, actor, Utc::now()).add(narrowed), statuses),
    };
    fetch(db, arms, filter).await
}

/// An agent's own tickets of one status: all of an active status, of the others those a
/// provider solved that wait to be verified.
fn mine(actor: &Actor, status: Status) -> Condition {
    let own = Condition::all().add(ticket::Column::AssigneeId.eq(actor.id));
    match status.is_active() {
        true => own,
        false => own.add(ticket::Column::ToVerify.eq(true)),
    }
}

/// The arms of a page: with `statuses`, one per status (read on its own and the pages
/// merged: an `IN` over statuses cannot walk an index in page order, and would sort every
/// matching ticket); without, the condition alone.
fn status_arms(condition: Condition, statuses: Option<Vec<Status>>) -> Vec<Condition> {
    match statuses {
        None => vec![condition],
        Some(statuses) => {
            statuses.into_iter().map(|status| condition.clone().add(ticket::Column::Status.eq(status))).collect()
        }
    }
}

/// The statuses a queue holds; `None` for every status ("all").
fn queue_statuses(queue: Queue) -> Option<Vec<Status>> {
    match queue {
        Queue::Open | Queue::Overdue => Some(active_statuses()),
        Queue::Mine => Some(active_statuses().into_iter().chain([Status::Resolved]).collect()),
        // One index range (`to_verify`, in page order); every such ticket is resolved.
        Queue::Verify => None,
        Queue::New => Some(vec![Status::New]),
        Queue::Waiting => Some(vec![Status::WaitingOnSchool]),
        Queue::Provider => Some(vec![Status::AtProvider]),
        Queue::All => None,
    }
}

/// The statuses a page reads, one index range each: the queue's, narrowed by the status
/// filter (already checked by `narrowing`).
fn page_statuses(of_queue: Option<Vec<Status>>, filter: &Filter) -> Option<Vec<Status>> {
    match Status::parse(&filter.status) {
        Some(wanted) => Some(of_queue.unwrap_or_else(|| vec![wanted]).into_iter().filter(|s| *s == wanted).collect()),
        None => of_queue,
    }
}

/// One page of the tickets matching any of the `arms`, in the filter's order, after the
/// cursor; each arm is read on its own and the pages merged.
async fn fetch(db: &DatabaseConnection, arms: Vec<Condition>, filter: &Filter) -> AppResult<QueuePage> {
    let now = Utc::now();
    let limit = filter.limit.unwrap_or(PAGE).clamp(1, 200);
    let sort = Sort::parse(&filter.sort)?;
    let after = Position::parse_cursor(&filter.after, sort)?;
    let mut keys = page_keys(db, arms, sort, after.as_ref(), limit + 1).await?;
    keys.sort_unstable_by(|a, b| Position::page_order(sort, a, b));
    let more = keys.len() as u64 > limit;
    keys.truncate(limit as usize);
    let ids: Vec<i32> = keys.iter().map(|k| k.id).collect();
    let mut found: HashMap<i32, ticket::Model> = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    // The order (and the cursor) of the keys: a ticket changed since keeps its place on this page.
    let rows: Vec<ticket::Model> = ids.iter().filter_map(|id| found.remove(id)).collect();
    let next = if more { keys.last().map(|k| k.cursor(sort)) } else { None };
    let lookup = Lookup::load(db, &rows).await?;
    Ok(QueuePage { items: rows.iter().map(|t| lookup.view(t, now)).collect(), next })
}

/// The keys of up to `limit` tickets for each condition (arm) after the cursor, each arm
/// in page order; read from the index alone where one covers it. Several arms (and the two
/// ranges of an order by due time, `arm_selects`) go in one statement, `UNION ALL` of one
/// ordered, limited subquery each, so a queue of four statuses costs one round trip to the
/// database, not four.
async fn page_keys(
    db: &DatabaseConnection,
    arms: Vec<Condition>,
    sort: Sort,
    after: Option<&Position>,
    limit: u64,
) -> AppResult<Vec<Position>> {
    let mut selects = arms.into_iter().flat_map(|arm| arm_selects(arm, sort, after, limit));
    let Some(first) = selects.next() else {
        return Ok(Vec::new());
    };
    let rest: Vec<_> = selects.collect();
    let backend = db.get_database_backend();
    let statement = if rest.is_empty() {
        first.build(backend)
    } else {
        // ORDER BY and LIMIT belong to each arm, so each is wrapped as a subquery.
        let wrapped = |n: usize, select: sea_orm::Select<ticket::Entity>| {
            Query::select()
                .column(Asterisk)
                .from_subquery(select.into_query(), Alias::new(format!("arm{n}")))
                .to_owned()
        };
        let mut union = wrapped(0, first);
        for (n, select) in rest.into_iter().enumerate() {
            union.union(UnionType::All, wrapped(n + 1, select));
        }
        backend.build(&union)
    };
    db.query_all_raw(statement).await?.iter().map(|row| Position::from_row(row, sort)).collect()
}

#[derive(Debug, Serialize)]
pub struct QueueCount {
    pub queue: Queue,
    pub count: u64,
}

#[derive(FromQueryResult)]
struct StatusCount {
    status: Status,
    unassigned: i32,
    tickets: i64,
}

/// The count on each queue's tab. The status queues add up `ticket_queue_counts` (kept
/// exact by triggers, see migration 000009): counting 40,000 open tickets per page view
/// would cost more than the whole page. "mine" and "overdue" count index ranges that
/// grow with one agent's work and with the overdue backlog only.
/// The overdue count the desk saw last, with the queue stamp it was counted at. Counting
/// it walks every overdue ticket (thousands in a large backlog) and, unlike the other
/// counts, it changes with the clock, so no trigger can keep it; every agent's queue page
/// shows it. It is counted again when any ticket changed (the stamp moved) or after
/// `OVERDUE_FRESH_FOR`, which is how late a ticket that just crossed its due time shows.
#[derive(Default)]
pub struct OverdueCount {
    last: std::sync::Mutex<Option<(String, std::time::Instant, u64)>>,
}

const OVERDUE_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(5);

impl OverdueCount {
    async fn get(&self, db: &DatabaseConnection, stamp: &str, now: DateTime<Utc>) -> AppResult<u64> {
        if let Some((seen, at, count)) = self.last.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if seen == stamp && at.elapsed() < OVERDUE_FRESH_FOR {
                return Ok(*count);
            }
        }
        let count = overdue_count(db, now).await?;
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((stamp.to_string(), std::time::Instant::now(), count));
        Ok(count)
    }
}

/// Every queue's count for this agent; `stamp` is the queue stamp read before.
pub async fn counts(
    db: &DatabaseConnection,
    actor: &Actor,
    stamp: &str,
    overdue: &OverdueCount,
) -> AppResult<Vec<QueueCount>> {
    let now = Utc::now();
    let by_status = StatusCount::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT status, CAST(unassigned AS INTEGER) AS unassigned, CAST(SUM(tickets) AS BIGINT) AS tickets \
         FROM ticket_queue_counts GROUP BY status, unassigned",
    ))
    .all(db)
    .await?;
    let sum = |keep: &dyn Fn(&StatusCount) -> bool| -> u64 {
        by_status.iter().filter(|c| keep(c)).map(|c| c.tickets.max(0) as u64).sum()
    };
    let active = active_statuses();
    let mut out = Vec::new();
    for queue in Queue::TABS {
        let count = match queue {
            Queue::New => sum(&|c| c.status == Status::New && c.unassigned == 1),
            Queue::Open => sum(&|c| active.contains(&c.status)),
            Queue::Waiting => sum(&|c| c.status == Status::WaitingOnSchool),
            Queue::Provider => sum(&|c| c.status == Status::AtProvider),
            Queue::Overdue => overdue.get(db, stamp, now).await?,
            // Two index ranges (the agent's active tickets, the few to verify): as one
            // condition with its "or" it walked all of the agent's tickets.
            Queue::Mine => {
                let own = || ticket::Entity::find().filter(ticket::Column::AssigneeId.eq(actor.id));
                own().filter(ticket::Column::Status.is_in(active_statuses())).count(db).await?
                    + own()
                        .filter(ticket::Column::ToVerify.eq(true))
                        .filter(ticket::Column::Status.is_not_in(active_statuses()))
                        .count(db)
                        .await?
            }
            Queue::Verify | Queue::All => {
                ticket::Entity::find().filter(queue_condition(queue, actor, now)).count(db).await?
            }
        };
        out.push(QueueCount { queue, count });
    }
    Ok(out)
}

/// The overdue queue's count as two disjoint index ranges per status: past the resolution
/// time, or else past the first-response time without a response.
async fn overdue_count(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u64> {
    let active = || ticket::Entity::find().filter(ticket::Column::Status.is_in(active_statuses()));
    let past_resolution = active().filter(ticket::Column::ResolutionDue.lt(now)).count(db).await?;
    let only_first_response = active()
        .filter(ticket::Column::FirstResponseAt.is_null())
        .filter(ticket::Column::FirstResponseDue.lt(now))
        .filter(
            Condition::any().add(ticket::Column::ResolutionDue.gte(now)).add(ticket::Column::ResolutionDue.is_null()),
        )
        .count(db)
        .await?;
    Ok(past_resolution + only_first_response)
}

/// The API's list for a school admin: their school's tickets, with the same filters and
/// cursor as the desk (the queue names are the desk's and do not apply).
pub async fn school_page(db: &DatabaseConnection, actor: &Actor, filter: &Filter) -> AppResult<QueuePage> {
    let Some(school_id) = actor.school_id.filter(|_| actor.role == Role::SchoolAdmin) else {
        return Err(AppError::Forbidden);
    };
    if !filter.school.is_empty() && actor.school_slug.as_deref() != Some(filter.school.as_str()) {
        return Ok(QueuePage { items: Vec::new(), next: None });
    }
    let mut narrowed = filter.clone();
    narrowed.school = String::new();
    let condition = narrowing(db, &narrowed, Some(school_id)).await?;
    fetch(db, status_arms(condition, page_statuses(None, filter)), filter).await
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

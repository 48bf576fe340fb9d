//! Nothing vanishes for the school admin: every report their teachers filed and every ticket
//! their school opened, in one list with a state filter, a text search and pages, and the
//! counters on the helpdesk tile. Always scoped to the acting school admin's school in the
//! query itself.
//!
//! A report escalated into a ticket is listed as that ticket (which links back to it), so
//! one problem is one row; reports still with the school (new) or solved there (answered)
//! are rows of their own.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, LikeExpr, Order, Query, SelectStatement, UnionType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::tickets::{number, Status, TicketNumber};
use crate::validate;
use entities::{report, ticket, user, ReportStatus};

/// Rows per page of the list.
pub const PAGE: u64 = 25;
/// The longest search accepted (a title is at most 200 characters).
pub const QUERY_MAX: usize = 200;
/// The highest page number accepted; far beyond any school's list.
const PAGE_MAX: u64 = 100_000;

/// The list's state filters, as the query string names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Everything.
    All,
    /// Not finished: new reports and every ticket not closed.
    Open,
    /// Reports nobody at the school has triaged yet.
    New,
    /// Tickets where an answer waits for the school: the desk asked, or solved it and waits
    /// for the school's confirmation.
    Waiting,
    /// Tickets the desk (or a provider) works on.
    Desk,
    /// Reports the school solved itself.
    Answered,
    /// Closed tickets.
    Closed,
}

impl State {
    /// The filters in the order the page offers them.
    pub const ALL: [State; 7] =
        [State::All, State::Open, State::New, State::Waiting, State::Desk, State::Answered, State::Closed];

    pub fn parse(text: &str) -> AppResult<State> {
        let found = State::ALL.into_iter().find(|s| s.as_str() == text.trim());
        match (text.trim(), found) {
            ("", _) => Ok(State::All),
            (_, Some(state)) => Ok(state),
            (other, None) => Err(AppError::invalid_with("state", "overview.state_invalid", validate::shown(other))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::All => "all",
            State::Open => "open",
            State::New => "new",
            State::Waiting => "waiting",
            State::Desk => "desk",
            State::Answered => "answered",
            State::Closed => "closed",
        }
    }

    /// The report states this filter lists; empty: no reports.
    fn report_statuses(self) -> Vec<ReportStatus> {
        match self {
            State::All => vec![ReportStatus::New, ReportStatus::Answered],
            State::Open | State::New => vec![ReportStatus::New],
            State::Answered => vec![ReportStatus::Answered],
            State::Waiting | State::Desk | State::Closed => Vec::new(),
        }
    }

    /// The ticket states this filter lists; empty: no tickets.
    fn ticket_statuses(self) -> Vec<Status> {
        match self {
            State::All => Status::ALL.to_vec(),
            State::Open => Status::ALL.iter().copied().filter(|s| *s != Status::Closed).collect(),
            State::Waiting => WAITING_FOR_SCHOOL.to_vec(),
            State::Desk => vec![Status::New, Status::Open, Status::AtProvider],
            State::Closed => vec![Status::Closed],
            State::New | State::Answered => Vec::new(),
        }
    }
}

/// A ticket in these states waits for the school: a question, or a solution to confirm.
pub const WAITING_FOR_SCHOOL: [Status; 2] = [Status::WaitingOnSchool, Status::Resolved];

/// The list's query as typed: every part optional, each checked with a clear message.
#[derive(Debug, Clone, Default)]
pub struct OverviewQuery {
    pub q: String,
    pub state: String,
    pub page: String,
}

/// The query, checked.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub q: String,
    pub state: State,
    pub page: u64,
}

impl OverviewQuery {
    pub fn check(&self) -> AppResult<Checked> {
        let q = self.q.trim();
        if q.chars().count() > QUERY_MAX {
            return Err(AppError::invalid_with("q", "validation.too_long", QUERY_MAX));
        }
        if q.chars().any(char::is_control) {
            return Err(AppError::invalid("q", "validation.control_chars"));
        }
        let state = State::parse(&self.state)?;
        let page = match self.page.trim() {
            "" => 1,
            p => p
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=PAGE_MAX).contains(n))
                .ok_or_else(|| AppError::invalid_with("page", "validation.range", format!("1–{PAGE_MAX}")))?,
        };
        Ok(Checked { q: q.to_string(), state, page })
    }
}

/// One row: a report still with the school, or a ticket (with the report it came from).
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// "report" or "ticket".
    pub kind: &'static str,
    pub link: String,
    /// The ticket's number; none for a report.
    pub number: Option<String>,
    pub title: String,
    /// The report's or the ticket's state, as stored.
    pub status: &'static str,
    /// An answer waits for the school (a question from the desk, a solution to confirm).
    pub waiting: bool,
    /// The teacher who reported it (the school's own people only ever see this list).
    pub teacher: Option<String>,
    /// For a ticket escalated from a report: that report's page.
    pub report_link: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub items: Vec<Item>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// What the helpdesk tile counts: reports nobody triaged yet, and tickets where an answer
/// waits for the school.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counters {
    pub new_reports: u64,
    pub waiting: u64,
}

fn school_of(actor: &Actor) -> AppResult<i32> {
    actor.school_id.filter(|_| actor.role == Role::SchoolAdmin).ok_or(AppError::Forbidden)
}

/// `column` contains `text`, ignoring case: lower-cased on both sides (PostgreSQL's LIKE
/// heeds case; SQLite's ignores it for ASCII only and lower-cases ASCII only, so the text
/// as typed is tried too, which finds "Übertragung" for "Über").
fn contains(
    column: (impl sea_orm::sea_query::IntoIden + Copy, impl sea_orm::sea_query::IntoIden + Copy),
    text: &str,
) -> Condition {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let lowered = LikeExpr::new(format!("%{}%", escaped.to_lowercase())).escape('\\');
    let as_typed = LikeExpr::new(format!("%{escaped}%")).escape('\\');
    Condition::any().add(Expr::expr(Func::lower(Expr::col(column))).like(lowered)).add(Expr::col(column).like(as_typed))
}

fn report_condition(school_id: i32, statuses: Vec<ReportStatus>, q: &str) -> Condition {
    let mut condition =
        Condition::all().add(report::Column::SchoolId.eq(school_id)).add(report::Column::Status.is_in(statuses));
    if !q.is_empty() {
        condition = condition.add(contains((report::Entity, report::Column::Affected), q));
    }
    condition
}

fn ticket_condition(school_id: i32, statuses: Vec<Status>, q: &str) -> Condition {
    let mut condition =
        Condition::all().add(ticket::Column::SchoolId.eq(school_id)).add(ticket::Column::Status.is_in(statuses));
    if !q.is_empty() {
        let mut matching = Condition::any().add(contains((ticket::Entity, ticket::Column::Title), q));
        if let Some(n) = TicketNumber::parse(q) {
            matching = matching.add(ticket::Column::Id.eq(n.id()));
        }
        condition = condition.add(matching);
    }
    condition
}

#[derive(FromQueryResult)]
struct Key {
    kind: String,
    id: i32,
}

/// One page of the school's list, newest change first.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor, query: &Checked) -> AppResult<Overview> {
    let school_id = school_of(actor)?;
    let report_statuses = query.state.report_statuses();
    let ticket_statuses = query.state.ticket_statuses();
    let mut arms: Vec<SelectStatement> = Vec::new();
    let mut total = 0;
    if !report_statuses.is_empty() {
        let condition = report_condition(school_id, report_statuses, &query.q);
        total += report::Entity::find().filter(condition.clone()).count(db).await?;
        arms.push(
            Query::select()
                .expr_as(Expr::cust("'report'"), Alias::new("kind"))
                .column(report::Column::Id)
                .column(report::Column::UpdatedAt)
                .from(report::Entity)
                .cond_where(condition)
                .to_owned(),
        );
    }
    if !ticket_statuses.is_empty() {
        let condition = ticket_condition(school_id, ticket_statuses, &query.q);
        total += ticket::Entity::find().filter(condition.clone()).count(db).await?;
        arms.push(
            Query::select()
                .expr_as(Expr::cust("'ticket'"), Alias::new("kind"))
                .column(ticket::Column::Id)
                .column(ticket::Column::UpdatedAt)
                .from(ticket::Entity)
                .cond_where(condition)
                .to_owned(),
        );
    }
    let pages = Ord::max(total.div_ceil(PAGE), 1);
    let mut arms = arms.into_iter();
    let Some(mut union) = arms.next() else {
        return Ok(Overview { items: Vec::new(), total, page: query.page, pages });
    };
    for arm in arms {
        union.union(UnionType::All, arm);
    }
    let select = Query::select()
        .column(Asterisk)
        .from_subquery(union, Alias::new("items"))
        .order_by(Alias::new("updated_at"), Order::Desc)
        .order_by(Alias::new("kind"), Order::Asc)
        .order_by(Alias::new("id"), Order::Desc)
        .limit(PAGE)
        .offset((query.page - 1) * PAGE)
        .to_owned();
    let keys = Key::find_by_statement(db.get_database_backend().build(&select)).all(db).await?;
    Ok(Overview { items: items(db, school_id, &keys).await?, total, page: query.page, pages })
}

/// The rows behind the keys, in the keys' order, with the teachers' names.
async fn items<C: ConnectionTrait>(db: &C, school_id: i32, keys: &[Key]) -> AppResult<Vec<Item>> {
    let ids_of = |kind: &str| keys.iter().filter(|k| k.kind == kind).map(|k| k.id).collect::<Vec<_>>();
    let tickets: HashMap<i32, ticket::Model> = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ids_of("ticket")))
        .filter(ticket::Column::SchoolId.eq(school_id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let report_ids: Vec<i32> =
        ids_of("report").into_iter().chain(tickets.values().filter_map(|t| t.report_id)).collect();
    let reports: HashMap<i32, report::Model> = report::Entity::find()
        .filter(report::Column::Id.is_in(report_ids))
        .filter(report::Column::SchoolId.eq(school_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let teachers: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(reports.values().map(|r| r.teacher_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let teacher_of = |r: &report::Model| teachers.get(&r.teacher_id).cloned();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        if key.kind == "ticket" {
            let Some(t) = tickets.get(&key.id) else { continue };
            let origin = t.report_id.and_then(|id| reports.get(&id));
            out.push(Item {
                kind: "ticket",
                link: format!("/helpdesk/tickets/{}", number(t.id)),
                number: Some(number(t.id)),
                title: t.title.clone(),
                status: t.status.as_str(),
                waiting: WAITING_FOR_SCHOOL.contains(&t.status),
                teacher: origin.and_then(teacher_of),
                report_link: origin.map(|r| format!("/helpdesk/reports/{}", r.id)),
                updated_at: t.updated_at,
            });
        } else if let Some(r) = reports.get(&key.id) {
            out.push(Item {
                kind: "report",
                link: format!("/helpdesk/reports/{}", r.id),
                number: None,
                title: r.affected.clone(),
                status: r.status.as_str(),
                waiting: false,
                teacher: teacher_of(r),
                report_link: None,
                updated_at: r.updated_at,
            });
        }
    }
    Ok(out)
}

/// The tile's counters.
pub async fn counters<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<Counters> {
    let school_id = school_of(actor)?;
    let new_reports = report::Entity::find()
        .filter(report::Column::SchoolId.eq(school_id))
        .filter(report::Column::Status.eq(ReportStatus::New))
        .count(db)
        .await?;
    let waiting = ticket::Entity::find()
        .filter(ticket::Column::SchoolId.eq(school_id))
        .filter(ticket::Column::Status.is_in(WAITING_FOR_SCHOOL))
        .count(db)
        .await?;
    Ok(Counters { new_reports, waiting })
}

/// How many open tickets the tile lists; the rest are one click away in the list.
pub const TILE_OPEN: u64 = 10;
/// How many recently closed tickets the tile lists below the open ones.
pub const TILE_CLOSED: u64 = 3;

/// The tile's tickets: the open ones (not closed; a solved one waits for the school's
/// confirmation), those waiting for the school first, and the few closed most recently.
#[derive(Debug, Serialize)]
pub struct TileTickets {
    pub open: Vec<Item>,
    pub open_total: u64,
    pub closed: Vec<Item>,
}

pub async fn tile_tickets<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<TileTickets> {
    let school_id = school_of(actor)?;
    let open = || {
        ticket::Entity::find()
            .filter(ticket::Column::SchoolId.eq(school_id))
            .filter(ticket::Column::Status.ne(Status::Closed))
    };
    let open_total = open().count(db).await?;
    let waiting = open()
        .filter(ticket::Column::Status.is_in(WAITING_FOR_SCHOOL))
        .order_by_desc(ticket::Column::UpdatedAt)
        .limit(TILE_OPEN)
        .all(db)
        .await?;
    let rest = open()
        .filter(ticket::Column::Status.is_not_in(WAITING_FOR_SCHOOL))
        .order_by_desc(ticket::Column::UpdatedAt)
        .limit(TILE_OPEN.saturating_sub(waiting.len() as u64))
        .all(db)
        .await?;
    let closed = ticket::Entity::find()
        .filter(ticket::Column::SchoolId.eq(school_id))
        .filter(ticket::Column::Status.eq(Status::Closed))
        .order_by_desc(ticket::Column::UpdatedAt)
        .limit(TILE_CLOSED)
        .all(db)
        .await?;
    let keys =
        |rows: &[ticket::Model]| rows.iter().map(|t| Key { kind: "ticket".into(), id: t.id }).collect::<Vec<_>>();
    let open_rows: Vec<ticket::Model> = waiting.into_iter().chain(rest).collect();
    Ok(TileTickets {
        open: items(db, school_id, &keys(&open_rows)).await?,
        open_total,
        closed: items(db, school_id, &keys(&closed)).await?,
    })
}

//! The tallies behind the reports: per day of the desk's calendar, how many tickets were
//! opened (with their first response and resolution in time or late) and how many solved,
//! for all schools and for each, as a whole and by service and priority (`ticket_tallies`,
//! migration 000020). A year's report then sums a few thousand rows instead of reading a
//! million tickets.
//!
//! The kernel keeps them in step: every insert and change of a ticket passes the ticket as it
//! was and as it is now to `shift`, in the same transaction, which adds the difference. What
//! writes tickets outside the kernel (a bench's bulk load, the demo's backdating, a test
//! that sets times by hand) calls `shift` itself or `recount`. `ensure`, at every start,
//! counts everything anew when the time zone differs from the one the days were counted in
//! (or nothing was counted yet).
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Statement, Value,
};

use crate::db::sql::statement;
use crate::db::{Db, WriteTxn};
use crate::error::AppResult;
use entities::ticket;

/// What a tally row counts by.
pub const ALL: &str = "all";
pub const SERVICE: &str = "service";
pub const PRIORITY: &str = "priority";

/// All-schools rows are spread over this many shards (by ticket id), like the queue counts.
const SHARDS: i32 = 8;

/// Where one ticket counts: the row's key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    facet: &'static str,
    school_id: i32,
    group_key: String,
    day: i32,
    shard: i16,
}

/// What a ticket adds to a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub opened: i64,
    pub solved: i64,
    pub first_met: i64,
    pub first_late: i64,
    pub resolution_met: i64,
    pub resolution_late: i64,
}

impl Counts {
    fn add(&mut self, other: &Counts, sign: i64) {
        self.opened += sign * other.opened;
        self.solved += sign * other.solved;
        self.first_met += sign * other.first_met;
        self.first_late += sign * other.first_late;
        self.resolution_met += sign * other.resolution_met;
        self.resolution_late += sign * other.resolution_late;
    }

    fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

/// The day (of the desk's calendar) an instant falls on, as the tallies number days.
pub fn day_of(at: DateTime<Utc>, calendar: chrono_tz::Tz) -> i32 {
    at.with_timezone(&calendar).date_naive().num_days_from_ce()
}

/// The fields of a ticket the tallies count.
#[derive(Debug, Clone, FromQueryResult)]
struct Counted {
    id: i32,
    school_id: i32,
    service_id: Option<i32>,
    priority: entities::Priority,
    created_at: DateTime<Utc>,
    first_response_due: Option<DateTime<Utc>>,
    first_response_at: Option<DateTime<Utc>>,
    resolution_due: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
}

impl From<&ticket::Model> for Counted {
    fn from(t: &ticket::Model) -> Counted {
        Counted {
            id: t.id,
            school_id: t.school_id,
            service_id: t.service_id,
            priority: t.priority,
            created_at: t.created_at,
            first_response_due: t.first_response_due,
            first_response_at: t.first_response_at,
            resolution_due: t.resolution_due,
            resolved_at: t.resolved_at,
        }
    }
}

/// Met when done by the due time, late when after it; neither while not done (that
/// depends on the clock and is counted from the tickets) or without a due time.
fn judged(done: Option<DateTime<Utc>>, due: Option<DateTime<Utc>>) -> (i64, i64) {
    match (done, due) {
        (Some(done), Some(due)) => ((done <= due) as i64, (done > due) as i64),
        _ => (0, 0),
    }
}

/// The rows a ticket counts in, with what it adds to each: where it was opened and, once
/// solved, where it was solved; each for all schools and its school, as a whole, by
/// service and by priority.
fn contribution(t: &Counted, calendar: chrono_tz::Tz, out: &mut BTreeMap<Slot, Counts>, sign: i64) {
    let (first_met, first_late) = judged(t.first_response_at, t.first_response_due);
    let (resolution_met, resolution_late) = judged(t.resolved_at, t.resolution_due);
    let opened = Counts { opened: 1, solved: 0, first_met, first_late, resolution_met, resolution_late };
    let solved = Counts { solved: 1, ..Counts::default() };
    let service = t.service_id.map(|id| id.to_string()).unwrap_or_default();
    let priority = t.priority.as_str().to_string();
    let shard = (t.id.rem_euclid(SHARDS)) as i16;
    let days = std::iter::once((day_of(t.created_at, calendar), opened))
        .chain(t.resolved_at.map(|at| (day_of(at, calendar), solved)));
    for (day, counts) in days {
        for (school_id, shard) in [(0, shard), (t.school_id, 0)] {
            for (facet, group_key) in [(ALL, String::new()), (SERVICE, service.clone()), (PRIORITY, priority.clone())] {
                let slot = Slot { facet, school_id, group_key, day, shard };
                out.entry(slot).or_default().add(&counts, sign);
            }
        }
    }
}

const COLUMNS: &str =
    "facet, school_id, group_key, day, shard, opened, solved, first_met, first_late, resolution_met, resolution_late";

/// Adds `rows` to the tallies (a row not there yet is created), in key order, so that
/// two transactions on PostgreSQL lock the rows they share in the same order.
async fn add(conn: &impl ConnectionTrait, rows: &BTreeMap<Slot, Counts>) -> AppResult<()> {
    let rows: Vec<_> = rows.iter().filter(|(_, c)| !c.is_zero()).collect();
    for chunk in rows.chunks(500) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 11);
        for (slot, c) in chunk {
            values.extend([
                Value::from(slot.facet),
                slot.school_id.into(),
                slot.group_key.clone().into(),
                slot.day.into(),
                slot.shard.into(),
                c.opened.into(),
                c.solved.into(),
                c.first_met.into(),
                c.first_late.into(),
                c.resolution_met.into(),
                c.resolution_late.into(),
            ]);
        }
        let marks = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO ticket_tallies ({COLUMNS}) VALUES {marks} \
             ON CONFLICT (facet, school_id, group_key, day, shard) DO UPDATE SET \
             opened = ticket_tallies.opened + excluded.opened, \
             solved = ticket_tallies.solved + excluded.solved, \
             first_met = ticket_tallies.first_met + excluded.first_met, \
             first_late = ticket_tallies.first_late + excluded.first_late, \
             resolution_met = ticket_tallies.resolution_met + excluded.resolution_met, \
             resolution_late = ticket_tallies.resolution_late + excluded.resolution_late"
        );
        conn.execute_raw(statement(conn.get_database_backend(), &sql, values)).await?;
    }
    Ok(())
}

/// Counts the change of a ticket from `before` (none for a new ticket) to `after`, in the
/// transaction that changes it. Nothing is written when the tallies see no difference (a
/// comment, an assignment).
pub async fn shift(txn: &WriteTxn, before: Option<&ticket::Model>, after: &ticket::Model) -> AppResult<()> {
    let mut rows = BTreeMap::new();
    if let Some(before) = before {
        contribution(&before.into(), txn.calendar(), &mut rows, -1);
    }
    contribution(&after.into(), txn.calendar(), &mut rows, 1);
    add(txn, &rows).await
}

/// Counts new tickets (one statement for all of them).
pub async fn opened(txn: &WriteTxn, tickets: &[ticket::Model]) -> AppResult<()> {
    let mut rows = BTreeMap::new();
    for t in tickets {
        contribution(&t.into(), txn.calendar(), &mut rows, 1);
    }
    add(txn, &rows).await
}

#[derive(Debug, FromQueryResult)]
struct State {
    time_zone: String,
}

/// Counts everything anew unless the tallies were counted in the desk's time zone: at every
/// start, before anything is served. Returns whether it counted.
pub async fn ensure(db: &Db) -> AppResult<bool> {
    let backend = db.backend();
    let stmt = Statement::from_string(backend, "SELECT time_zone FROM ticket_tally_state WHERE id = 1");
    let state = State::find_by_statement(stmt).one(db.read()).await?;
    if state.is_some_and(|s| s.time_zone == db.calendar().name()) {
        return Ok(false);
    }
    let tickets = recount(db).await?;
    tracing::info!(tickets, time_zone = db.calendar().name(), "counted the report tallies anew");
    Ok(true)
}

/// Tickets read per statement while counting anew.
const BATCH: u64 = 5_000;

/// Counts every ticket anew in one write transaction and records the time zone; returns how
/// many tickets were counted. For what wrote tickets past the kernel (a bulk load, a test
/// that sets times by hand).
pub async fn recount(db: &Db) -> AppResult<u64> {
    let txn = db.write().await?;
    let backend = txn.get_database_backend();
    if backend == sea_orm::DatabaseBackend::Postgres {
        // Another instance's changes wait until the new counts are in, and then add to them.
        txn.execute_unprepared("LOCK TABLE ticket_tallies IN EXCLUSIVE MODE").await?;
    }
    txn.execute_unprepared("DELETE FROM ticket_tallies").await?;
    let mut rows = BTreeMap::new();
    let mut last = 0;
    let mut counted = 0;
    loop {
        let batch = ticket::Entity::find()
            .select_only()
            .columns([
                ticket::Column::Id,
                ticket::Column::SchoolId,
                ticket::Column::ServiceId,
                ticket::Column::Priority,
                ticket::Column::CreatedAt,
                ticket::Column::FirstResponseDue,
                ticket::Column::FirstResponseAt,
                ticket::Column::ResolutionDue,
                ticket::Column::ResolvedAt,
            ])
            .filter(ticket::Column::Id.gt(last))
            .order_by_asc(ticket::Column::Id)
            .limit(BATCH)
            .into_model::<Counted>()
            .all(&txn)
            .await?;
        let Some(end) = batch.last() else { break };
        last = end.id;
        counted += batch.len() as u64;
        for t in &batch {
            contribution(t, txn.calendar(), &mut rows, 1);
        }
    }
    add(&txn, &rows).await?;
    let zone = txn.calendar().name().to_string();
    txn.execute_raw(statement(
        backend,
        "INSERT INTO ticket_tally_state (id, time_zone, counted_at) VALUES (1, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET time_zone = excluded.time_zone, counted_at = excluded.counted_at",
        vec![zone.into(), Utc::now().into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(created: &str, resolved: Option<&str>) -> Counted {
        let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap().and_utc();
        Counted {
            id: 9,
            school_id: 3,
            service_id: Some(5),
            priority: entities::Priority::P2,
            created_at: at(created),
            first_response_due: Some(at(created) + chrono::Duration::hours(4)),
            first_response_at: Some(at(created) + chrono::Duration::hours(5)),
            resolution_due: Some(at(created) + chrono::Duration::hours(24)),
            resolved_at: resolved.map(at),
        }
    }

    #[test]
    fn a_ticket_counts_where_it_was_opened_and_where_it_was_solved() {
        let mut rows = BTreeMap::new();
        // Sunday 23:30 UTC is Monday 00:30 in Berlin (winter): the Monday's day.
        contribution(&ticket("2026-11-29 23:30", Some("2026-12-01 10:00")), chrono_tz::Europe::Berlin, &mut rows, 1);
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap().num_days_from_ce();
        let tuesday = monday + 1;
        assert_eq!(rows.len(), 12, "six rows where it was opened, six where solved");
        let opened = rows.iter().filter(|(s, _)| s.day == monday).map(|(_, c)| *c).collect::<Vec<_>>();
        assert_eq!(opened.len(), 6);
        assert!(opened.iter().all(|c| c.opened == 1 && c.first_late == 1 && c.resolution_late == 1));
        let solved = rows.keys().filter(|s| s.day == tuesday).count();
        assert_eq!(solved, 6);
        assert!(rows.keys().filter(|s| s.school_id == 0).all(|s| s.shard == 1), "9 % 8");
    }

    #[test]
    fn a_change_that_reopens_takes_back_the_solved_count() {
        let mut rows = BTreeMap::new();
        contribution(&ticket("2026-11-30 09:00", Some("2026-11-30 12:00")), chrono_tz::Europe::Berlin, &mut rows, -1);
        contribution(&ticket("2026-11-30 09:00", None), chrono_tz::Europe::Berlin, &mut rows, 1);
        let changed: Vec<_> = rows.values().filter(|c| !c.is_zero()).collect();
        assert_eq!(changed.len(), 6);
        assert!(changed.iter().all(|c| c.solved == -1 && c.resolution_met == -1 && c.opened == 0));
    }
}

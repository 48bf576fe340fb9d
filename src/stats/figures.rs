//! The ticket figures: opened and solved per week with the SLA held or missed, and the
//! ages of the open backlog.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Value};
use serde::Serialize;

use super::range::Week;
use super::sql::{count_if, statement};
use super::Scope;
use crate::error::AppResult;
use crate::tickets::tally::{self, day_of};
use entities::TicketStatus;

/// One week: tickets opened and solved in it, and of the tickets opened in it how many got
/// their first response and their resolution in time (met), late or not at all though due
/// (missed). A ticket whose time has not come yet is neither.
#[derive(Debug, Clone, Serialize)]
pub struct WeekFigures {
    pub week: String,
    pub opened: i64,
    pub solved: i64,
    pub first_met: i64,
    pub first_missed: i64,
    pub resolution_met: i64,
    pub resolution_missed: i64,
}

impl WeekFigures {
    /// Share met of what was decided, in whole percent; none when nothing was.
    pub fn first_share(&self) -> Option<i64> {
        share(self.first_met, self.first_missed)
    }

    pub fn resolution_share(&self) -> Option<i64> {
        share(self.resolution_met, self.resolution_missed)
    }
}

fn share(met: i64, missed: i64) -> Option<i64> {
    let all = met + missed;
    (all > 0).then(|| (met * 100 + all / 2) / all)
}

/// The scope as a condition on `tickets` (aliased `t`), with its value.
fn scoped(scope: Scope, values: &mut Vec<Value>) -> &'static str {
    scoped_as(scope, values, " AND t.school_id = ?")
}

/// The same condition written so that SQLite does not take the school's index for it (`+`):
/// for the undecided tickets a big school's 70,000 tickets read through that index took
/// 220 ms, its few undecided ones in the partial index (which holds the school) 9 ms.
fn scoped_past_school_index(scope: Scope, values: &mut Vec<Value>) -> &'static str {
    scoped_as(scope, values, " AND +t.school_id = ?")
}

fn scoped_as(scope: Scope, values: &mut Vec<Value>, condition: &'static str) -> &'static str {
    match scope.school() {
        Some(id) => {
            values.push(id.into());
            condition
        }
        None => "",
    }
}

/// The desk's days each week covers, `[first, last + 1)` as the tallies number days.
pub(super) fn week_days(weeks: &[Week], tz: chrono_tz::Tz) -> Vec<(i32, i32)> {
    weeks.iter().map(|w| (day_of(w.start, tz), day_of(w.end, tz))).collect()
}

/// The week a day falls in, if any.
pub(super) fn week_of(days: &[(i32, i32)], day: i32) -> Option<usize> {
    days.iter().position(|(first, end)| (*first..*end).contains(&day))
}

/// Where the tallies of a scope's totals are: all schools together, or the school.
pub(super) fn tally_school(scope: Scope) -> i32 {
    scope.school().unwrap_or(0)
}

#[derive(Debug, FromQueryResult)]
struct DayTotals {
    day: i32,
    opened: i64,
    solved: i64,
    first_met: i64,
    first_late: i64,
    resolution_met: i64,
    resolution_late: i64,
}

/// The weeks' figures: what no longer changes with the clock from the day tallies (a few
/// hundred rows for a year), and the tickets still unanswered or unresolved past their due
/// time from the tickets themselves (few, through partial indexes).
pub async fn weeks(
    db: &DatabaseConnection,
    scope: Scope,
    weeks: &[Week],
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> AppResult<Vec<WeekFigures>> {
    let days = week_days(weeks, tz);
    let mut out: Vec<WeekFigures> = weeks
        .iter()
        .map(|w| WeekFigures {
            week: w.monday.clone(),
            opened: 0,
            solved: 0,
            first_met: 0,
            first_missed: 0,
            resolution_met: 0,
            resolution_missed: 0,
        })
        .collect();
    let (Some(first), Some(end)) = (days.first().map(|d| d.0), days.last().map(|d| d.1)) else { return Ok(out) };
    let sum = |c: &str| format!("CAST(SUM({c}) AS BIGINT) AS {c}");
    let sql = format!(
        "SELECT day, {}, {}, {}, {}, {}, {} FROM ticket_tallies \
         WHERE facet = ? AND school_id = ? AND group_key = '' AND day >= ? AND day < ? GROUP BY day",
        sum("opened"),
        sum("solved"),
        sum("first_met"),
        sum("first_late"),
        sum("resolution_met"),
        sum("resolution_late"),
    );
    let values = vec![tally::ALL.into(), tally_school(scope).into(), first.into(), end.into()];
    let rows = DayTotals::find_by_statement(statement(db.get_database_backend(), &sql, values)).all(db).await?;
    for row in rows {
        let Some(w) = week_of(&days, row.day) else { continue };
        let week = &mut out[w];
        week.opened += row.opened;
        week.solved += row.solved;
        week.first_met += row.first_met;
        week.first_missed += row.first_late;
        week.resolution_met += row.resolution_met;
        week.resolution_missed += row.resolution_late;
    }
    let unanswered = undecided(db, scope, weeks, now, "first_response_at", "first_response_due").await?;
    let unresolved = undecided(db, scope, weeks, now, "resolved_at", "resolution_due").await?;
    for (week, (a, r)) in out.iter_mut().zip(unanswered.into_iter().zip(unresolved)) {
        week.first_missed += a;
        week.resolution_missed += r;
    }
    Ok(out)
}

/// Per week, the tickets opened in it that are not `done` though `due` has passed: one
/// statement over the partial index of the tickets not done, each ticket given the number
/// of its week by one CASE (the first boundary it lies before) and counted per number.
async fn undecided(
    db: &DatabaseConnection,
    scope: Scope,
    weeks: &[Week],
    now: DateTime<Utc>,
    done: &str,
    due: &str,
) -> AppResult<Vec<i64>> {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else { return Ok(Vec::new()) };
    let mut values: Vec<Value> = Vec::with_capacity(weeks.len() + 4);
    let mut case = String::from("CASE");
    for (i, week) in weeks.iter().enumerate() {
        case.push_str(&format!(" WHEN t.created_at < ? THEN {i}"));
        values.push(week.end.into());
    }
    case.push_str(" END");
    values.extend([Value::from(first.start), Value::from(last.end), Value::from(now)]);
    let scope_sql = scoped_past_school_index(scope, &mut values);
    let sql = format!(
        "SELECT w, CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT {case} AS w FROM tickets t \
         WHERE t.{done} IS NULL AND t.created_at >= ? AND t.created_at < ? AND t.{due} < ?{scope_sql}) AS undecided \
         GROUP BY w"
    );
    let mut out = vec![0; weeks.len()];
    for row in WeekCount::find_by_statement(statement(db.get_database_backend(), &sql, values)).all(db).await? {
        if let Some(n) = usize::try_from(row.w).ok().and_then(|w| out.get_mut(w)) {
            *n = row.n;
        }
    }
    Ok(out)
}

#[derive(Debug, FromQueryResult)]
struct WeekCount {
    w: i32,
    n: i64,
}

/// An age bucket of the open backlog: tickets not yet resolved, opened between `min_days`
/// and `max_days` ago.
#[derive(Debug, Clone, Serialize)]
pub struct BacklogBucket {
    /// The bucket's name in the catalogue (`stats.age.<key>`).
    pub key: &'static str,
    pub count: i64,
}

pub const AGE_BUCKETS: [(&str, i64, Option<i64>); 5] =
    [("day", 0, Some(1)), ("week", 1, Some(7)), ("month", 7, Some(30)), ("quarter", 30, Some(90)), ("older", 90, None)];

/// The open backlog by age, now (it does not depend on the range): one pass over the open
/// tickets' `(status, created_at)` index, each ticket counted in the bucket of its age.
pub async fn backlog(db: &DatabaseConnection, scope: Scope, now: DateTime<Utc>) -> AppResult<Vec<BacklogBucket>> {
    let active: Vec<&str> = TicketStatus::ALL.iter().filter(|s| s.is_active()).map(|s| s.as_str()).collect();
    let marks = vec!["?"; active.len()].join(", ");
    let mut values: Vec<Value> = Vec::new();
    let mut columns = Vec::new();
    for (i, (_, min_days, max_days)) in AGE_BUCKETS.iter().enumerate() {
        values.push((now - Duration::days(*min_days)).into());
        let mut condition = "t.created_at <= ?".to_string();
        if let Some(max) = max_days {
            condition.push_str(" AND t.created_at > ?");
            values.push((now - Duration::days(*max)).into());
        }
        columns.push(format!("{} AS b{i}", count_if(&condition)));
    }
    values.extend(active.iter().map(|s| Value::from(s.to_string())));
    let mut sql = format!("SELECT {} FROM tickets t WHERE t.status IN ({marks})", columns.join(", "));
    sql.push_str(scoped(scope, &mut values));
    let row = db.query_one_raw(statement(db.get_database_backend(), &sql, values)).await?;
    AGE_BUCKETS
        .iter()
        .enumerate()
        .map(|(i, (key, _, _))| {
            let count = match &row {
                Some(row) => row.try_get::<i64>("", &format!("b{i}"))?,
                None => 0,
            };
            Ok(BacklogBucket { key, count })
        })
        .collect()
}

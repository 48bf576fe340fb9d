//! The ticket figures: opened and solved per week with the SLA held or missed, the same
//! broken down by school, service or priority, and the ages of the open backlog.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{DatabaseConnection, FromQueryResult, Value};
use serde::Serialize;

use super::range::{Breakdown, Week};
use super::sql::{count_if, statement};
use super::Scope;
use crate::error::AppResult;
use crate::i18n::{tr, Lang};
use entities::{Priority, TicketStatus};

/// One week: tickets opened and solved in it, and of the tickets opened in it how many got
/// their first response and their resolution in time (met), late or not at all though due
/// (missed). A ticket whose time has not come yet is neither.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct WeekFigures {
    #[sea_orm(skip)]
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
    match scope.school() {
        Some(id) => {
            values.push(id.into());
            " AND t.school_id = ?"
        }
        None => "",
    }
}

pub async fn weeks(
    db: &DatabaseConnection,
    scope: Scope,
    weeks: &[Week],
    now: DateTime<Utc>,
) -> AppResult<Vec<WeekFigures>> {
    let backend = db.get_database_backend();
    let mut out = Vec::with_capacity(weeks.len());
    for week in weeks {
        // The values in the order of their placeholders: the two `now`s of the select list,
        // the solved subquery's range (and school), then the opened range (and school).
        let mut values: Vec<Value> = vec![now.into(), now.into(), week.start.into(), week.end.into()];
        let scope_sql_solved = scoped(scope, &mut values);
        values.extend([Value::from(week.start), Value::from(week.end)]);
        let scope_sql = scoped(scope, &mut values);
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS opened, {first_met} AS first_met, {first_missed} AS first_missed, \
             {res_met} AS resolution_met, {res_missed} AS resolution_missed, \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM tickets t WHERE t.resolved_at >= ? AND t.resolved_at < ?{scope_sql_solved}) AS solved \
             FROM tickets t WHERE t.created_at >= ? AND t.created_at < ?{scope_sql}",
            first_met = count_if("t.first_response_at IS NOT NULL AND t.first_response_at <= t.first_response_due"),
            first_missed = count_if(
                "(t.first_response_at IS NOT NULL AND t.first_response_at > t.first_response_due) \
                 OR (t.first_response_at IS NULL AND t.first_response_due < ?)"
            ),
            res_met = count_if("t.resolved_at IS NOT NULL AND t.resolved_at <= t.resolution_due"),
            res_missed = count_if(
                "(t.resolved_at IS NOT NULL AND t.resolved_at > t.resolution_due) \
                 OR (t.resolved_at IS NULL AND t.resolution_due < ?)"
            ),
        );
        let row = WeekFigures::find_by_statement(statement(backend, &sql, values)).one(db).await?;
        let mut row = row.unwrap_or(WeekFigures {
            week: String::new(),
            opened: 0,
            solved: 0,
            first_met: 0,
            first_missed: 0,
            resolution_met: 0,
            resolution_missed: 0,
        });
        row.week = week.monday.clone();
        out.push(row);
    }
    Ok(out)
}

/// One group of the breakdown over the whole range.
#[derive(Debug, Clone, Serialize)]
pub struct GroupFigures {
    pub key: String,
    pub label: String,
    pub opened: i64,
    pub solved: i64,
}

/// One of the largest groups (or all the others) week by week.
#[derive(Debug, Clone, Serialize)]
pub struct GroupWeeks {
    pub label: String,
    pub opened: Vec<i64>,
}

/// How many of the largest groups the weekly breakdown shows on their own.
pub const TOP_GROUPS: usize = 5;

#[derive(Debug, FromQueryResult)]
struct Counted {
    opened: i64,
    solved: i64,
}

#[derive(Debug, FromQueryResult)]
struct Named {
    id: String,
    name_de: String,
    name_en: String,
}

/// The values a breakdown can take in the scope, with their names.
async fn group_keys(
    db: &DatabaseConnection,
    scope: Scope,
    breakdown: Breakdown,
    lang: Lang,
) -> AppResult<Vec<(String, String)>> {
    let backend = db.get_database_backend();
    let named = |sql: &str, values: Vec<Value>| Named::find_by_statement(statement(backend, sql, values)).all(db);
    let rows = match (breakdown, scope.school()) {
        (Breakdown::Priority, _) => {
            return Ok(Priority::ALL.iter().map(|p| (p.as_str().to_string(), p.as_str().to_string())).collect())
        }
        (Breakdown::School, Some(id)) => {
            named(
                "SELECT CAST(id AS TEXT) AS id, name AS name_de, name AS name_en FROM schools WHERE id = ?",
                vec![id.into()],
            )
            .await?
        }
        (Breakdown::School, None) => {
            named("SELECT CAST(id AS TEXT) AS id, name AS name_de, name AS name_en FROM schools ORDER BY name", vec![])
                .await?
        }
        (Breakdown::Service, _) => {
            named("SELECT CAST(id AS TEXT) AS id, name_de, name_en FROM services ORDER BY slug", vec![]).await?
        }
    };
    Ok(rows.into_iter().map(|n| (n.id, if lang == Lang::En { n.name_en } else { n.name_de })).collect())
}

fn column(breakdown: Breakdown) -> &'static str {
    match breakdown {
        Breakdown::School => "school_id",
        Breakdown::Service => "service_id",
        Breakdown::Priority => "priority",
    }
}

fn key_value(breakdown: Breakdown, key: &str) -> Value {
    match breakdown {
        Breakdown::Priority => key.to_string().into(),
        _ => key.parse::<i32>().unwrap_or_default().into(),
    }
}

/// Opened and solved in `[start, end)` for one group: two index ranges (`(column,
/// created_at)` and `(column, resolved_at)`).
async fn group_count(
    db: &DatabaseConnection,
    scope: Scope,
    breakdown: Breakdown,
    key: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<Counted> {
    let col = column(breakdown);
    let mut values = vec![key_value(breakdown, key), start.into(), end.into()];
    let scope_opened = scoped(scope, &mut values);
    values.extend([key_value(breakdown, key), start.into(), end.into()]);
    let scope_solved = scoped(scope, &mut values);
    let sql = format!(
        "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM tickets t WHERE t.{col} = ? AND t.created_at >= ? AND t.created_at < ?{scope_opened}) AS opened, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM tickets t WHERE t.{col} = ? AND t.resolved_at >= ? AND t.resolved_at < ?{scope_solved}) AS solved"
    );
    let row = Counted::find_by_statement(statement(db.get_database_backend(), &sql, values)).one(db).await?;
    Ok(row.unwrap_or(Counted { opened: 0, solved: 0 }))
}

/// Opened and solved per group over the range (largest first, tickets without a service as
/// their own group), and the largest groups week by week.
pub async fn groups(
    db: &DatabaseConnection,
    scope: Scope,
    weeks: &[Week],
    window: (DateTime<Utc>, DateTime<Utc>),
    breakdown: Breakdown,
    lang: Lang,
) -> AppResult<(Vec<GroupFigures>, Vec<GroupWeeks>)> {
    let mut groups = Vec::new();
    for (key, label) in group_keys(db, scope, breakdown, lang).await? {
        let c = group_count(db, scope, breakdown, &key, window).await?;
        if c.opened > 0 || c.solved > 0 {
            groups.push(GroupFigures { key, label, opened: c.opened, solved: c.solved });
        }
    }
    if breakdown == Breakdown::Service {
        let none = without_service(db, scope, window).await?;
        if none.opened > 0 || none.solved > 0 {
            groups.push(GroupFigures {
                key: String::new(),
                label: tr(lang, "stats.no_service").to_string(),
                opened: none.opened,
                solved: none.solved,
            });
        }
    }
    groups.sort_by(|a, b| b.opened.cmp(&a.opened).then(b.solved.cmp(&a.solved)).then(a.label.cmp(&b.label)));
    let mut series = Vec::new();
    for group in groups.iter().take(TOP_GROUPS).filter(|g| !g.key.is_empty()) {
        let mut opened = Vec::with_capacity(weeks.len());
        for week in weeks {
            opened.push(group_count(db, scope, breakdown, &group.key, (week.start, week.end)).await?.opened);
        }
        series.push(GroupWeeks { label: group.label.clone(), opened });
    }
    Ok((groups, series))
}

async fn without_service(
    db: &DatabaseConnection,
    scope: Scope,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<Counted> {
    let mut values = vec![start.into(), end.into()];
    let scope_opened = scoped(scope, &mut values);
    values.extend([Value::from(start), Value::from(end)]);
    let scope_solved = scoped(scope, &mut values);
    let sql = format!(
        "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM tickets t WHERE t.service_id IS NULL AND t.created_at >= ? AND t.created_at < ?{scope_opened}) AS opened, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM tickets t WHERE t.service_id IS NULL AND t.resolved_at >= ? AND t.resolved_at < ?{scope_solved}) AS solved"
    );
    let row = Counted::find_by_statement(statement(db.get_database_backend(), &sql, values)).one(db).await?;
    Ok(row.unwrap_or(Counted { opened: 0, solved: 0 }))
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

#[derive(Debug, FromQueryResult)]
struct Count {
    count: i64,
}

/// The open backlog by age, now (it does not depend on the range).
pub async fn backlog(db: &DatabaseConnection, scope: Scope, now: DateTime<Utc>) -> AppResult<Vec<BacklogBucket>> {
    let active: Vec<&str> = TicketStatus::ALL.iter().filter(|s| s.is_active()).map(|s| s.as_str()).collect();
    let marks = vec!["?"; active.len()].join(", ");
    let mut out = Vec::new();
    for (key, min_days, max_days) in AGE_BUCKETS {
        let mut values: Vec<Value> = active.iter().map(|s| Value::from(s.to_string())).collect();
        values.push((now - Duration::days(min_days)).into());
        let mut sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS count FROM tickets t WHERE t.status IN ({marks}) AND t.created_at <= ?"
        );
        if let Some(max) = max_days {
            sql.push_str(" AND t.created_at > ?");
            values.push((now - Duration::days(max)).into());
        }
        sql.push_str(scoped(scope, &mut values));
        let row = Count::find_by_statement(statement(db.get_database_backend(), &sql, values)).one(db).await?;
        out.push(BacklogBucket { key, count: row.map(|r| r.count).unwrap_or(0) });
    }
    Ok(out)
}

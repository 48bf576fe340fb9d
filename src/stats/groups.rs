//! The ticket figures broken down by school, service or priority: opened and solved per
//! group over the range, and the largest groups week by week, summed from the day tallies
//! (`tickets::tally`): one statement for the groups, one for the weeks of the largest.
use std::collections::HashMap;

use sea_orm::{DatabaseConnection, FromQueryResult, Value};
use serde::Serialize;

use super::figures::{tally_school, week_days, week_of};
use super::range::{Breakdown, Week};
use super::sql::statement;
use super::Scope;
use crate::error::AppResult;
use crate::i18n::{tr, Lang};
use crate::tickets::tally;
use entities::Priority;

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

/// The tally rows a breakdown sums, as a condition with its values, and what names the
/// group in them: by school, the whole of each school (or of the one school in scope);
/// by service or priority, that facet of all schools or of the school in scope.
fn slice(scope: Scope, breakdown: Breakdown) -> (String, Vec<Value>, &'static str) {
    match (breakdown, scope.school()) {
        (Breakdown::School, None) => (
            "facet = ? AND school_id <> 0 AND group_key = ''".into(),
            vec![tally::ALL.into()],
            "CAST(school_id AS TEXT)",
        ),
        (Breakdown::School, Some(id)) => (
            "facet = ? AND school_id = ? AND group_key = ''".into(),
            vec![tally::ALL.into(), id.into()],
            "CAST(school_id AS TEXT)",
        ),
        (facet, _) => {
            let facet = if facet == Breakdown::Service { tally::SERVICE } else { tally::PRIORITY };
            ("facet = ? AND school_id = ?".into(), vec![facet.into(), tally_school(scope).into()], "group_key")
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct Summed {
    k: String,
    opened: i64,
    solved: i64,
}

#[derive(Debug, FromQueryResult)]
struct DayOpened {
    k: String,
    day: i32,
    opened: i64,
}

/// Opened and solved per group over the range (largest first, tickets without a service as
/// their own group), and the largest groups week by week.
pub async fn groups(
    db: &DatabaseConnection,
    scope: Scope,
    weeks: &[Week],
    tz: chrono_tz::Tz,
    breakdown: Breakdown,
    lang: Lang,
) -> AppResult<(Vec<GroupFigures>, Vec<GroupWeeks>)> {
    let days = week_days(weeks, tz);
    let (Some(first), Some(end)) = (days.first().map(|d| d.0), days.last().map(|d| d.1)) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let backend = db.get_database_backend();
    let (condition, mut values, key) = slice(scope, breakdown);
    values.extend([Value::from(first), Value::from(end)]);
    let sql = format!(
        "SELECT {key} AS k, CAST(SUM(opened) AS BIGINT) AS opened, CAST(SUM(solved) AS BIGINT) AS solved \
         FROM ticket_tallies WHERE {condition} AND day >= ? AND day < ? GROUP BY {key}"
    );
    let sums: HashMap<String, Summed> = Summed::find_by_statement(statement(backend, &sql, values))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.k.clone(), s))
        .collect();
    let mut keys = group_keys(db, scope, breakdown, lang).await?;
    if breakdown == Breakdown::Service {
        keys.push((String::new(), tr(lang, "stats.no_service").to_string()));
    }
    let mut groups: Vec<GroupFigures> = keys
        .into_iter()
        .filter_map(|(key, label)| {
            let s = sums.get(&key).filter(|s| s.opened > 0 || s.solved > 0)?;
            Some(GroupFigures { key, label, opened: s.opened, solved: s.solved })
        })
        .collect();
    groups.sort_by(|a, b| b.opened.cmp(&a.opened).then(b.solved.cmp(&a.solved)).then(a.label.cmp(&b.label)));
    let top: Vec<&GroupFigures> = groups.iter().take(TOP_GROUPS).filter(|g| !g.key.is_empty()).collect();
    if top.is_empty() {
        return Ok((groups, Vec::new()));
    }
    let (condition, mut values, key) = slice(scope, breakdown);
    values.extend([Value::from(first), Value::from(end)]);
    values.extend(top.iter().map(|g| Value::from(g.key.clone())));
    let marks = vec!["?"; top.len()].join(", ");
    let sql = format!(
        "SELECT {key} AS k, day, CAST(SUM(opened) AS BIGINT) AS opened FROM ticket_tallies \
         WHERE {condition} AND day >= ? AND day < ? AND {key} IN ({marks}) GROUP BY {key}, day"
    );
    let mut weekly: HashMap<String, Vec<i64>> = HashMap::new();
    for row in DayOpened::find_by_statement(statement(backend, &sql, values)).all(db).await? {
        if let Some(w) = week_of(&days, row.day) {
            weekly.entry(row.k).or_insert_with(|| vec![0; weeks.len()])[w] += row.opened;
        }
    }
    let series = top
        .iter()
        .map(|g| GroupWeeks {
            label: g.label.clone(),
            opened: weekly.remove(&g.key).unwrap_or_else(|| vec![0; weeks.len()]),
        })
        .collect();
    Ok((groups, series))
}

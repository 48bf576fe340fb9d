//! The figures around the tickets: providers against their agreed times, chat volume and
//! waiting, and the FAQ's missed searches and ratings (the desk's only: they come from every
//! reader, not from one school).
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, FromQueryResult, Value};
use serde::Serialize;

use super::range::Week;
use super::sql::{avg_float, count_if, hours_between, statement};
use super::Scope;
use crate::error::AppResult;

/// One provider's forwards opened in the range: acknowledged in time (by the due time the
/// forward got from the provider's agreed business hours), late or not at all though due.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct ProviderFigures {
    pub name: String,
    pub agreed_hours: i32,
    pub forwards: i64,
    pub acknowledged: i64,
    pub on_time: i64,
    pub late: i64,
    /// Average clock hours from forward to acknowledgement (the agreed time is business hours).
    pub average_hours: Option<f64>,
}

pub async fn providers(
    db: &DatabaseConnection,
    scope: Scope,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> AppResult<Vec<ProviderFigures>> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = vec![now.into()];
    let join = match scope.school() {
        Some(id) => {
            values.push(id.into());
            " JOIN tickets t ON t.id = f.ticket_id AND t.school_id = ?"
        }
        None => "",
    };
    values.extend([Value::from(start), Value::from(end)]);
    let sql = format!(
        "SELECT p.name AS name, p.response_hours AS agreed_hours, CAST(COUNT(*) AS BIGINT) AS forwards, \
         {acknowledged} AS acknowledged, {on_time} AS on_time, {late} AS late, {average} AS average_hours \
         FROM forwards f JOIN providers p ON p.id = f.provider_id{join} \
         WHERE f.created_at >= ? AND f.created_at < ? \
         GROUP BY p.id, p.name, p.response_hours ORDER BY p.name",
        acknowledged = count_if("f.acknowledged_at IS NOT NULL"),
        on_time = count_if("f.acknowledged_at IS NOT NULL AND f.acknowledged_at <= f.due_at"),
        late = count_if(
            "(f.acknowledged_at IS NOT NULL AND f.acknowledged_at > f.due_at) OR (f.acknowledged_at IS NULL AND f.due_at < ?)"
        ),
        average = avg_float(&hours_between(backend, "f.created_at", "f.acknowledged_at")),
    );
    Ok(ProviderFigures::find_by_statement(statement(backend, &sql, values)).all(db).await?)
}

/// One week of chat requests to the desk (direct chats between agents are not counted):
/// how many were offered, accepted, and how long an accepted one waited.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct ChatWeek {
    #[sea_orm(skip)]
    pub week: String,
    pub requests: i64,
    pub accepted: i64,
    pub average_wait_minutes: Option<f64>,
    pub longest_wait_minutes: Option<f64>,
}

pub async fn chat(db: &DatabaseConnection, scope: Scope, weeks: &[Week]) -> AppResult<Vec<ChatWeek>> {
    let backend = db.get_database_backend();
    let wait = format!("({}) * 60.0", hours_between(backend, "c.offered_at", "c.accepted_at"));
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS requests, {accepted} AS accepted, {average} AS average_wait_minutes, \
         CAST(MAX({wait}) AS DOUBLE PRECISION) AS longest_wait_minutes \
         FROM chats c WHERE c.kind = 'request' AND c.offered_at >= ? AND c.offered_at < ?{scope}",
        accepted = count_if("c.accepted_at IS NOT NULL"),
        average = avg_float(&wait),
        scope = if scope.school().is_some() { " AND c.school_id = ?" } else { "" },
    );
    let mut out = Vec::with_capacity(weeks.len());
    for week in weeks {
        let mut values: Vec<Value> = vec![week.start.into(), week.end.into()];
        if let Some(id) = scope.school() {
            values.push(id.into());
        }
        let row = ChatWeek::find_by_statement(statement(backend, &sql, values)).one(db).await?;
        let mut row = row.unwrap_or(ChatWeek {
            week: String::new(),
            requests: 0,
            accepted: 0,
            average_wait_minutes: None,
            longest_wait_minutes: None,
        });
        row.week = week.monday.clone();
        out.push(row);
    }
    Ok(out)
}

/// A search that found nothing, searched last within the range.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct MissedSearch {
    pub query: String,
    pub count: i32,
    pub last_at: DateTime<Utc>,
}

/// An article's ratings given within the range.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct ArticleRating {
    pub slug: String,
    pub title: String,
    pub helpful: i64,
    pub unhelpful: i64,
}

/// How many missed searches and rated articles the report lists.
pub const FAQ_ROWS: u64 = 20;

pub async fn faq(
    db: &DatabaseConnection,
    scope: Scope,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<Option<(Vec<MissedSearch>, Vec<ArticleRating>)>> {
    if scope != Scope::Desk {
        return Ok(None);
    }
    let backend = db.get_database_backend();
    let searches = MissedSearch::find_by_statement(statement(
        backend,
        &format!(
            "SELECT query, count, last_at FROM kb_search_misses WHERE last_at >= ? AND last_at < ? \
             ORDER BY count DESC, query LIMIT {FAQ_ROWS}"
        ),
        vec![start.into(), end.into()],
    ))
    .all(db)
    .await?;
    let ratings = ArticleRating::find_by_statement(statement(
        backend,
        &format!(
            "SELECT a.slug AS slug, a.title AS title, {helpful} AS helpful, {unhelpful} AS unhelpful \
             FROM kb_votes v JOIN kb_articles a ON a.id = v.article_id \
             WHERE v.created_at >= ? AND v.created_at < ? \
             GROUP BY a.id, a.slug, a.title ORDER BY unhelpful DESC, helpful DESC, a.title LIMIT {FAQ_ROWS}",
            helpful = count_if("v.helpful"),
            unhelpful = count_if("NOT v.helpful"),
        ),
        vec![start.into(), end.into()],
    ))
    .all(db)
    .await?;
    Ok(Some((searches, ratings)))
}

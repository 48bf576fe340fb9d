//! The view log for operators: who opened which ticket, report or file, filterable by
//! person and by ticket, newest first, a page at a time.
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::audit::views::{self, VIEWED};
use crate::audit::By;
use crate::db::Db;
use crate::error::AppResult;
use crate::tickets::number;
use entities::{audit_event, user};

pub const PER_PAGE: u64 = 50;

#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// An address (exact, any case) or part of a name or address.
    pub person: String,
    /// A ticket's number (`T-000123` or `123`).
    pub ticket: Option<i32>,
    /// From 1.
    pub page: u64,
}

#[derive(Debug, Serialize)]
pub struct Entry {
    pub at: chrono::DateTime<chrono::Utc>,
    pub who: String,
    pub actor_id: Option<i32>,
    /// ticket, report or chat
    pub kind: String,
    pub id: Option<i32>,
    /// `T-000123` for a ticket, `#12` for a report.
    pub what: String,
    /// desk, school, api, file
    pub via: String,
    pub attachment: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct LogPage {
    pub entries: Vec<Entry>,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
}

pub fn entry(e: audit_event::Model) -> Entry {
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
    let what = match (e.target_type.as_str(), e.target_id) {
        ("ticket", Some(id)) => number(id),
        (_, Some(id)) => format!("#{id}"),
        _ => String::new(),
    };
    Entry {
        at: e.created_at,
        who: e.actor_label,
        actor_id: e.actor_id,
        kind: e.target_type,
        id: e.target_id,
        what,
        via: detail["via"].as_str().unwrap_or("").to_string(),
        attachment: detail["attachment"].as_i64(),
    }
}

/// One page of the log (operators and the command line only). What is still in memory is
/// written first, so the page shows every view up to now.
pub async fn page(db: &Db, log: &views::ViewLog, by: By<'_>, filter: &Filter) -> AppResult<LogPage> {
    by.require_operator()?;
    if let Err(e) = views::flush(db, log).await {
        tracing::warn!(error = %e.chain(), "writing the view log before showing it failed");
    }
    let mut select = audit_event::Entity::find().filter(audit_event::Column::Action.eq(VIEWED));
    let person = filter.person.trim().to_lowercase().replace(char::is_control, "");
    if !person.is_empty() {
        let ids: Vec<i32> = user::Entity::find()
            .filter(
                Condition::any().add(user::Column::Email.contains(&person)).add(user::Column::Name.contains(&person)),
            )
            .select_only()
            .column(user::Column::Id)
            .into_tuple()
            .all(db.read())
            .await?;
        select = select.filter(
            Condition::any()
                .add(audit_event::Column::ActorId.is_in(ids))
                .add(audit_event::Column::ActorLabel.contains(&person)),
        );
    }
    if let Some(ticket) = filter.ticket {
        select = select
            .filter(audit_event::Column::TargetType.eq("ticket"))
            .filter(audit_event::Column::TargetId.eq(ticket));
    }
    let total = select.clone().count(db.read()).await?;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = filter.page.clamp(1, pages);
    let entries = select
        .order_by_desc(audit_event::Column::CreatedAt)
        .order_by_desc(audit_event::Column::Id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .all(db.read())
        .await?
        .into_iter()
        .map(entry)
        .collect();
    Ok(LogPage { entries, page, pages, total })
}

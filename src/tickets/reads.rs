//! What is new for an agent: a ticket on which the school or a provider wrote after the
//! agent last opened it is unread for them. Opening the ticket's desk page reads it; the
//! queue marks the unread ones of the page it shows.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::view::TicketView;
use crate::auth::Actor;
use crate::db::Db;
use crate::error::AppResult;
use entities::{ticket, ticket_read};

/// The numbers of the tickets among `items` with news this agent has not seen.
pub async fn unread<C: ConnectionTrait>(db: &C, actor: &Actor, items: &[TicketView]) -> AppResult<Vec<String>> {
    let with_news: Vec<&TicketView> = items.iter().filter(|t| t.outside_news_at.is_some()).collect();
    if with_news.is_empty() || !actor.role.is_desk() {
        return Ok(Vec::new());
    }
    let read: HashMap<i32, DateTime<Utc>> = ticket_read::Entity::find()
        .filter(ticket_read::Column::UserId.eq(actor.id))
        .filter(ticket_read::Column::TicketId.is_in(with_news.iter().map(|t| t.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.ticket_id, r.read_at))
        .collect();
    Ok(with_news
        .into_iter()
        .filter(|t| read.get(&t.id).is_none_or(|at| t.outside_news_at.is_some_and(|news| news > *at)))
        .map(|t| t.number.clone())
        .collect())
}

/// The agent opened the ticket: what it holds now is read. Written only when there was
/// news they had not seen, so opening a ticket costs a write only once per news. A write
/// that fails (a full disk, say) costs the marker, not the page.
pub async fn opened(db: &Db, actor: &Actor, t: &ticket::Model) {
    let Some(news) = t.outside_news_at.filter(|_| actor.role.is_desk()) else {
        return;
    };
    let seen = ticket_read::Entity::find_by_id((actor.id, t.id)).one(db.read()).await;
    if matches!(seen, Ok(Some(ref r)) if r.read_at >= news) {
        return;
    }
    if let Err(e) = mark(db, actor.id, t.id).await {
        tracing::warn!(error = %e.chain(), ticket = t.id, "the ticket's read marker was not written");
    }
}

async fn mark(db: &Db, user_id: i32, ticket_id: i32) -> AppResult<()> {
    let txn = db.write().await?;
    let row = ticket_read::ActiveModel { user_id: Set(user_id), ticket_id: Set(ticket_id), read_at: Set(Utc::now()) };
    ticket_read::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([ticket_read::Column::UserId, ticket_read::Column::TicketId])
                .update_column(ticket_read::Column::ReadAt)
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

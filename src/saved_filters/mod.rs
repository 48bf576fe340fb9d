//! An agent's saved queue filters: a name and the queue's query string, shown as links
//! above the queue. Each agent sees and deletes only their own. The query is the queue
//! filter written again by the queue (`Filter::to_query`), after the queue checked it, so
//! nothing the queue does not know is stored.
//!
//! Not audited: a saved filter is one person's view of the queue and changes nothing
//! anyone else sees. It goes with the account (`privacy::person`).
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, SqlErr,
};

use crate::auth::Actor;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::tickets::queue::{self, Filter};
use crate::validate;
use entities::saved_filter;

pub const NAME_MAX: usize = 60;
pub const QUERY_MAX: usize = 500;
/// Links above the queue, not a second queue: more than this and none is found quickly.
pub const PER_AGENT: u64 = 20;

fn require_desk(actor: &Actor) -> AppResult<()> {
    if actor.role.is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The agent's own filters, by name.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<Vec<saved_filter::Model>> {
    require_desk(actor)?;
    Ok(saved_filter::Entity::find()
        .filter(saved_filter::Column::UserId.eq(actor.id))
        .order_by_asc(saved_filter::Column::Name)
        .all(db)
        .await?)
}

fn name_taken(name: &str) -> AppError {
    AppError::invalid_with("name", "saved_filters.name_taken", name)
}

/// Saves the filter under this name for the agent. The filter is checked as the queue
/// checks it and stored as the queue writes it.
pub async fn save(db: &Db, actor: &Actor, name: &str, filter: &Filter) -> AppResult<saved_filter::Model> {
    require_desk(actor)?;
    let name = validate::text("name", name, NAME_MAX)?;
    queue::check(db.read(), actor, filter).await?;
    let query = filter.to_query();
    if query.len() > QUERY_MAX {
        return Err(AppError::invalid_with("query", "saved_filters.query_too_long", QUERY_MAX));
    }
    let txn = db.write().await?;
    let mine = || saved_filter::Entity::find().filter(saved_filter::Column::UserId.eq(actor.id));
    if mine().filter(saved_filter::Column::Name.eq(name.as_str())).one(&txn).await?.is_some() {
        return Err(name_taken(&name));
    }
    if mine().count(&txn).await? >= PER_AGENT {
        return Err(AppError::invalid_with("name", "saved_filters.too_many", PER_AGENT));
    }
    let saved = saved_filter::ActiveModel {
        user_id: Set(actor.id),
        name: Set(name.clone()),
        query: Set(query),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => name_taken(&name),
        _ => e.into(),
    })?;
    txn.commit().await?;
    Ok(saved)
}

/// Deletes one of the agent's own filters; another agent's is not found.
pub async fn delete(db: &Db, actor: &Actor, id: i32) -> AppResult<saved_filter::Model> {
    require_desk(actor)?;
    let txn = db.write().await?;
    let found = saved_filter::Entity::find_by_id(id)
        .filter(saved_filter::Column::UserId.eq(actor.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    saved_filter::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    Ok(found)
}

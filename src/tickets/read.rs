//! Reading tickets within the actor's scope: the desk sees every school's, a school admin
//! their own school's, nobody else any.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use entities::{ticket, ticket_event};

/// The ticket behind an id if this actor may see it; "not found" otherwise, so nobody
/// learns that another school's ticket exists.
pub async fn find<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32) -> AppResult<ticket::Model> {
    let found = ticket::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    find_in_scope(actor, found)
}

fn find_in_scope(actor: &Actor, found: ticket::Model) -> AppResult<ticket::Model> {
    let visible = match actor.role {
        Role::Agent | Role::DeskLead => true,
        Role::SchoolAdmin => actor.school_id == Some(found.school_id),
        _ => false,
    };
    if visible {
        Ok(found)
    } else {
        Err(AppError::NotFound)
    }
}

/// The ticket as a change's transaction sees it, locked until that commits on PostgreSQL
/// (SQLite's writers take turns anyway, and it knows no row locks); scoped as `find`.
pub async fn find_for_change(txn: &crate::db::WriteTxn, actor: &Actor, id: i32) -> AppResult<ticket::Model> {
    use sea_orm::QuerySelect;
    let found = ticket::Entity::find_by_id(id).lock_exclusive().one(txn).await?.ok_or(AppError::NotFound)?;
    find_in_scope(actor, found)
}

/// The timeline as this actor may see it: schools never see internal notes.
pub async fn timeline<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    ticket: &ticket::Model,
) -> AppResult<Vec<ticket_event::Model>> {
    let mut select = ticket_event::Entity::find().filter(ticket_event::Column::TicketId.eq(ticket.id));
    if !actor.role.is_desk() {
        select = select.filter(ticket_event::Column::Internal.eq(false));
    }
    Ok(select.order_by_asc(ticket_event::Column::Id).all(db).await?)
}

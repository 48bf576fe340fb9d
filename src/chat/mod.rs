//! Live chat between school admins and the service desk, and among agents: presence,
//! channels, requests and their place in the queue, the conversation (every message stored
//! in order before anyone receives it), and how a chat ends (as a ticket, attached to one,
//! or just closed), with its transcript.
//!
//! A domain beside `reports` and `forwards`: it turns a chat into a ticket through the
//! ticket kernel (`tickets::opening`) and never writes ticket rows itself. Live events go
//! through `App::live` after the transaction that wrote them committed.
pub mod channels;
pub mod ending;
pub mod files;
pub mod follow;
pub mod lifecycle;
pub mod messages;
pub mod presence;
pub mod relay;
pub mod transcript;
pub mod upkeep;
pub mod via;
pub mod view;

pub use via::Via;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use entities::{chat, chat_participant, ChatKind, ChatStatus};

/// How someone stands to a chat they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Participation {
    /// In it: may write.
    Active,
    /// Was in it, or is at the desk looking at a school's chat: may read.
    Reader,
}

/// The chat behind an id if this actor may see it, and how they stand to it: its
/// participants; the desk for every school's requests (as for tickets); nobody else —
/// for them it does not exist.
pub async fn find<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32) -> AppResult<(chat::Model, Participation)> {
    let found = chat::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let participant = chat_participant::Entity::find_by_id((found.id, actor.id)).one(db).await?;
    let participation = match participant {
        Some(p) if p.left_at.is_none() => Some(Participation::Active),
        Some(_) => Some(Participation::Reader),
        None if actor.role.is_desk() && found.kind == ChatKind::Request => Some(Participation::Reader),
        None => None,
    };
    // A school admin sees only their own school's chats, even if a stale row said more.
    let school_ok = actor.role != Role::SchoolAdmin || found.school_id == actor.school_id;
    match participation {
        Some(p) if school_ok => Ok((found, p)),
        _ => Err(AppError::NotFound),
    }
}

/// The chats a list shows: for the desk the requests (of every channel) and the chats
/// they are in, for a school admin their own; `status` narrows.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor, status: &str) -> AppResult<Vec<view::ChatView>> {
    let status = match status.trim() {
        "" => None,
        text => Some(ChatStatus::parse(text).ok_or_else(|| AppError::invalid("status", "chat.status_invalid"))?),
    };
    let mine: Vec<i32> = chat_participant::Entity::find()
        .filter(chat_participant::Column::UserId.eq(actor.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.chat_id)
        .collect();
    let mut select = chat::Entity::find().order_by_desc(chat::Column::Id).limit(200);
    select = match actor.role {
        Role::Agent | Role::DeskLead => {
            let waiting_requests = sea_orm::Condition::all()
                .add(chat::Column::Kind.eq(ChatKind::Request))
                .add(chat::Column::Status.eq(ChatStatus::Waiting));
            select.filter(sea_orm::Condition::any().add(chat::Column::Id.is_in(mine)).add(waiting_requests))
        }
        Role::SchoolAdmin => select.filter(chat::Column::RequesterId.eq(actor.id)),
        _ => return Err(AppError::Forbidden),
    };
    if let Some(status) = status {
        select = select.filter(chat::Column::Status.eq(status));
    }
    view::chats(db, select.all(db).await?).await
}

/// The waiting requests of the channels this agent takes, oldest first: their request list.
pub async fn requests_for<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<Vec<view::ChatView>> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let mut taken = Vec::new();
    for channel in channels::active(db).await? {
        if channels::takers(db, &channel).await?.contains(&actor.id) {
            taken.push(channel.id);
        }
    }
    let waiting = chat::Entity::find()
        .filter(chat::Column::Kind.eq(ChatKind::Request))
        .filter(chat::Column::Status.eq(ChatStatus::Waiting))
        .filter(chat::Column::ChannelId.is_in(taken))
        .order_by_asc(chat::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    view::chats(db, waiting).await
}

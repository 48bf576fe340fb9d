//! Chats and their messages as pages, the API and live events show them: names instead of
//! ids, the requester's place in the queue.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use serde_json::Value;

use crate::error::AppResult;
use entities::{chat, chat_channel, chat_message, chat_participant, school, user};
use entities::{ChatKind, ChatStatus, MessageKind};

#[derive(Debug, Clone, Serialize)]
pub struct PersonRef {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChatView {
    pub id: i32,
    pub kind: ChatKind,
    pub status: ChatStatus,
    pub channel: Option<ChannelRef>,
    pub school: Option<String>,
    pub school_name: Option<String>,
    pub requester: PersonRef,
    /// The agents in the chat now.
    pub agents: Vec<PersonRef>,
    /// The page the chat was started on and what it passed along.
    pub context: Value,
    /// The request's place among the channel's waiting requests (1: next).
    pub position: Option<u64>,
    pub last_seq: i32,
    pub ticket: Option<String>,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// Where the agent who took it answers (`web`, `xmpp`).
    pub answered_via: String,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MessageView {
    pub seq: i32,
    pub kind: MessageKind,
    pub author: String,
    /// The author's role, or "system".
    pub role: String,
    pub body: String,
    pub client_id: Option<String>,
    /// A file sent in the chat: its id (`…/chats/{id}/attachments/{file}`).
    pub file: Option<i32>,
    pub at: DateTime<Utc>,
}

pub fn message(m: chat_message::Model) -> MessageView {
    MessageView {
        seq: m.seq,
        kind: m.kind,
        author: m.author_label,
        role: m.author_role,
        body: m.body,
        client_id: m.client_id,
        file: m.attachment_id,
        at: m.created_at,
    }
}

/// The place of a waiting request: one more than the requests of its channel waiting
/// since before it.
pub async fn position<C: ConnectionTrait>(db: &C, c: &chat::Model) -> AppResult<Option<u64>> {
    if c.status != ChatStatus::Waiting {
        return Ok(None);
    }
    let mut before = chat::Entity::find()
        .filter(chat::Column::Status.eq(ChatStatus::Waiting))
        .filter(chat::Column::Kind.eq(ChatKind::Request))
        .filter(chat::Column::Id.lt(c.id));
    before = match c.channel_id {
        Some(channel) => before.filter(chat::Column::ChannelId.eq(channel)),
        None => before.filter(chat::Column::ChannelId.is_null()),
    };
    Ok(Some(before.count(db).await? + 1))
}

/// Views of chats, with the names they show read in a few queries.
pub async fn chats<C: ConnectionTrait>(db: &C, rows: Vec<chat::Model>) -> AppResult<Vec<ChatView>> {
    let ids: Vec<i32> = rows.iter().map(|c| c.id).collect();
    let participants =
        chat_participant::Entity::find().filter(chat_participant::Column::ChatId.is_in(ids.clone())).all(db).await?;
    let mut user_ids: Vec<i32> = participants.iter().map(|p| p.user_id).collect();
    user_ids.extend(rows.iter().map(|c| c.requester_id));
    let users: HashMap<i32, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let channels: HashMap<i32, chat_channel::Model> =
        chat_channel::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c)).collect();
    let school_ids: Vec<i32> = rows.iter().filter_map(|c| c.school_id).collect();
    let schools: HashMap<i32, school::Model> = school::Entity::find()
        .filter(school::Column::Id.is_in(school_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let person = |id: i32| match users.get(&id) {
        Some(u) => PersonRef { name: u.name.clone(), email: u.email.clone() },
        None => PersonRef { name: String::new(), email: String::new() },
    };
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let agents = participants
            .iter()
            .filter(|p| p.chat_id == c.id && p.role == "agent" && p.left_at.is_none())
            .map(|p| person(p.user_id))
            .collect();
        let school = c.school_id.and_then(|id| schools.get(&id));
        out.push(ChatView {
            position: position(db, &c).await?,
            id: c.id,
            kind: c.kind,
            status: c.status,
            channel: c
                .channel_id
                .and_then(|id| channels.get(&id))
                .map(|ch| ChannelRef { slug: ch.slug.clone(), name: ch.name.clone() }),
            school: school.map(|s| s.slug.clone()),
            school_name: school.map(|s| s.name.clone()),
            requester: person(c.requester_id),
            agents,
            context: serde_json::from_str(&c.context).unwrap_or(Value::Null),
            last_seq: c.last_seq,
            ticket: c.ticket_id.map(crate::tickets::number),
            created_at: c.created_at,
            accepted_at: c.accepted_at,
            answered_via: c.answered_via.clone(),
            closed_at: c.closed_at,
        });
    }
    Ok(out)
}

pub async fn chat<C: ConnectionTrait>(db: &C, c: chat::Model) -> AppResult<ChatView> {
    let mut views = chats(db, vec![c]).await?;
    Ok(views.remove(0))
}

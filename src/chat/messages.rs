//! A chat's messages. Every message is stored with the chat's next sequence number before
//! anyone receives it; a client that reconnects says the last number it has and reads
//! exactly what came after. A message sent again with the same client id (after a dropped
//! connection) is stored once: the second send gets the first one back.
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;

use super::view::{self, MessageView};
use super::{find, Participation, Via};
use crate::app::App;
use crate::auth::Actor;
use crate::db::WriteTxn;
use crate::error::{AppError, AppResult};
use crate::live::{Event, Topic};
use entities::{chat, chat_message, ChatStatus, MessageKind};

/// How many messages one read returns at most.
pub const PAGE: u64 = 500;

/// The longest client id a sender may choose.
pub const CLIENT_ID_MAX: usize = 64;

/// Appends a line in the caller's transaction, with the chat's next sequence number.
pub async fn append(
    txn: &WriteTxn,
    chat_id: i32,
    author: Option<&Actor>,
    kind: MessageKind,
    body: &str,
    client_id: Option<&str>,
) -> AppResult<chat_message::Model> {
    let now = Utc::now();
    let bumped = chat::Entity::update_many()
        .col_expr(chat::Column::LastSeq, Expr::col(chat::Column::LastSeq).add(1))
        .col_expr(chat::Column::UpdatedAt, Expr::value(now))
        .filter(chat::Column::Id.eq(chat_id))
        .exec_with_returning(txn)
        .await?;
    let seq = bumped.first().map(|c| c.last_seq).ok_or(AppError::NotFound)?;
    let (author_id, label, role) = match author {
        Some(actor) => (Some(actor.id), actor.name.clone(), actor.role.to_string()),
        None => (None, "Staffel".to_string(), "system".to_string()),
    };
    Ok(chat_message::ActiveModel {
        chat_id: Set(chat_id),
        seq: Set(seq),
        author_id: Set(author_id),
        author_label: Set(label),
        author_role: Set(role),
        kind: Set(kind),
        body: Set(body.to_string()),
        client_id: Set(client_id.map(str::to_string)),
        attachment_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// Tells the chat's followers about lines that were just committed.
pub fn publish(app: &App, chat_id: i32, lines: &[chat_message::Model]) {
    for line in lines {
        let event = line_event(chat_id, view::message(line.clone())).relayed(json!({ "seq": line.seq }));
        app.live.publish(Topic::Chat(chat_id), event);
    }
}

/// A stored line as its followers receive it, live or when catching up: `message`,
/// `joined`, `left` or `closed`, with the line.
pub fn line_event(chat_id: i32, line: MessageView) -> Event {
    let kind = match line.kind {
        MessageKind::Message | MessageKind::File => "message",
        MessageKind::Joined => "joined",
        MessageKind::Left => "left",
        MessageKind::Closed => "closed",
    };
    let payload = serde_json::to_value(&line).unwrap_or_default();
    Event::new(kind, json!({ "chat": chat_id, "message": payload }))
}

/// The sequence number of a line's event; `None` for events that are no stored line.
pub fn seq_of(event: &Event) -> Option<i32> {
    event.payload.get("message")?.get("seq")?.as_i64().and_then(|n| i32::try_from(n).ok())
}

fn client_id(text: Option<&str>) -> AppResult<Option<String>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(id) if id.len() <= CLIENT_ID_MAX && id.chars().all(|c| c.is_ascii_graphic()) => Ok(Some(id.to_string())),
        Some(_) => Err(AppError::invalid("client_id", "chat.client_id_invalid")),
    }
}

/// What a post answers: the stored message, and whether it had been stored before.
pub struct Posted {
    pub message: MessageView,
    pub repeated: bool,
}

/// A participant writes in the browser. Plain text; links are made clickable by the
/// pages, not here.
pub async fn post(app: &App, actor: &Actor, chat_id: i32, body: &str, client: Option<&str>) -> AppResult<Posted> {
    post_via(app, actor, chat_id, body, client, Via::Web).await
}

/// A participant writes from where they answer.
pub async fn post_via(
    app: &App,
    actor: &Actor,
    chat_id: i32,
    body: &str,
    client: Option<&str>,
    via: Via,
) -> AppResult<Posted> {
    let (current, participation) = find(app.db.read(), actor, chat_id).await?;
    if participation != Participation::Active {
        return Err(AppError::Forbidden);
    }
    if current.status == ChatStatus::Closed {
        return Err(AppError::conflict("chat.closed"));
    }
    via.check(actor, &current)?;
    let body = crate::validate::multiline("body", body, app.settings.chat_message_max)?;
    let client = client_id(client)?;
    if let Some(stored) = earlier(app.db.read(), chat_id, actor.id, client.as_deref()).await? {
        return Ok(Posted { message: view::message(stored), repeated: true });
    }
    if !app.live.allow(actor.id, app.settings.chat_messages_per_minute) {
        return Err(AppError::TooManyAttempts { minutes: 1 });
    }
    let txn = app.db.write().await?;
    // Looked at again in the write turn: the same send may have come through another
    // connection meanwhile.
    if let Some(stored) = earlier(&txn, chat_id, actor.id, client.as_deref()).await? {
        return Ok(Posted { message: view::message(stored), repeated: true });
    }
    let stored = append(&txn, chat_id, Some(actor), MessageKind::Message, &body, client.as_deref()).await?;
    txn.commit().await?;
    publish(app, chat_id, std::slice::from_ref(&stored));
    Ok(Posted { message: view::message(stored), repeated: false })
}

/// The message this author sent before with this client id, if any.
async fn earlier<C: ConnectionTrait>(
    db: &C,
    chat_id: i32,
    author_id: i32,
    client: Option<&str>,
) -> AppResult<Option<chat_message::Model>> {
    let Some(id) = client else { return Ok(None) };
    Ok(chat_message::Entity::find()
        .filter(chat_message::Column::ChatId.eq(chat_id))
        .filter(chat_message::Column::AuthorId.eq(author_id))
        .filter(chat_message::Column::ClientId.eq(id))
        .one(db)
        .await?)
}

/// The messages after `after` (0: from the start) that this actor may read, in order.
pub async fn after<C: ConnectionTrait>(db: &C, actor: &Actor, chat_id: i32, after: i32) -> AppResult<Vec<MessageView>> {
    find(db, actor, chat_id).await?;
    read_after(db, chat_id, after).await
}

/// The messages after `after`, for a caller that checked who may read them.
pub async fn read_after<C: ConnectionTrait>(db: &C, chat_id: i32, after: i32) -> AppResult<Vec<MessageView>> {
    Ok(lines_after(db, chat_id, after).await?.into_iter().map(|(_, line)| line).collect())
}

/// The lines after `after` with who wrote each (`None`: Staffel), for a caller that checked
/// who may read them and must tell a person's own lines from the others'.
pub async fn lines_after<C: ConnectionTrait>(
    db: &C,
    chat_id: i32,
    after: i32,
) -> AppResult<Vec<(Option<i32>, MessageView)>> {
    Ok(chat_message::Entity::find()
        .filter(chat_message::Column::ChatId.eq(chat_id))
        .filter(chat_message::Column::Seq.gt(after))
        .order_by_asc(chat_message::Column::Seq)
        .limit(PAGE)
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.author_id, view::message(m)))
        .collect())
}

/// A participant is typing: their followers are told, nothing is stored.
pub async fn typing(app: &App, actor: &Actor, chat_id: i32) -> AppResult<()> {
    let (current, participation) = find(app.db.read(), actor, chat_id).await?;
    if participation != Participation::Active || current.status == ChatStatus::Closed {
        return Err(AppError::Forbidden);
    }
    let typing = Event::new("typing", json!({ "chat": chat_id, "author": actor.name }));
    app.live.publish(Topic::Chat(chat_id), typing.relayed(json!({ "user": actor.id })));
    Ok(())
}

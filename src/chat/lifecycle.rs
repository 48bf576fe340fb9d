//! A chat's life: a school admin asks (in a channel, with a first message and the page's
//! context), every taking agent of the channel hears of it, one accepts — taken in one
//! conditional update, so a second accept is told who was first — agents invite others or
//! hand over, and someone closes it. Agents also chat with each other outside any request.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Map, Value};

use super::channels::{self, Availability};
use super::messages::{append, publish};
use super::view::{self, ChatView};
use super::{find, Participation, Via};
use crate::app::App;
use crate::audit::{self, By, Target};
use crate::auth::{Actor, Role};
use crate::db::WriteTxn;
use crate::error::{AppError, AppResult};
use crate::live::{Event, Topic};
use crate::validate;
use entities::{chat, chat_participant, user, ChatKind, ChatStatus, MessageKind};

/// How many context parameters a page may pass, and how long each may be.
pub const CONTEXT_KEYS: usize = 20;
pub const CONTEXT_KEY_MAX: usize = 40;
pub const CONTEXT_VALUE_MAX: usize = 500;

/// A request as the school admin's page sends it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub channel: String,
    pub message: String,
    /// What the page passes along (the page's address, its own parameters).
    pub context: Value,
    /// Where the request was made from, when the page did not say.
    pub page: Option<String>,
}

/// What asking answers: the waiting chat, or — nobody being there — what to do instead.
pub enum Asked {
    Waiting(Box<ChatView>),
    NobodyThere(Availability),
}

/// The context as stored: an object of up to `CONTEXT_KEYS` short keys with text values
/// (numbers and booleans become text), shown as text wherever it is shown.
pub fn checked_context(context: &Value, page: Option<&str>) -> AppResult<Value> {
    let mut out = Map::new();
    let given = match context {
        Value::Null => Map::new(),
        Value::Object(map) => map.clone(),
        _ => return Err(AppError::invalid("context", "chat.context_invalid")),
    };
    if given.len() > CONTEXT_KEYS {
        return Err(AppError::invalid_with("context", "validation.too_many", CONTEXT_KEYS));
    }
    for (key, value) in given {
        let key_ok = !key.is_empty()
            && key.chars().count() <= CONTEXT_KEY_MAX
            && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !key_ok {
            return Err(AppError::invalid("context", "chat.context_invalid"));
        }
        let text = match value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            _ => return Err(AppError::invalid("context", "chat.context_invalid")),
        };
        out.insert(key, Value::String(validate::text("context", &text, CONTEXT_VALUE_MAX)?));
    }
    if let Some(page) = page.filter(|_| !out.contains_key("page")) {
        let page: String = page.chars().filter(|c| !c.is_control()).take(CONTEXT_VALUE_MAX).collect();
        out.insert("page".into(), Value::String(page));
    }
    Ok(Value::Object(out))
}

/// A school admin asks the desk. Availability is checked again now: a request in a channel
/// that lost its last agent is refused with what to do instead.
pub async fn ask(app: &App, actor: &Actor, request: &Request) -> AppResult<Asked> {
    let school_id = match (actor.role, actor.school_id) {
        (Role::SchoolAdmin, Some(id)) => id,
        _ => return Err(AppError::Forbidden),
    };
    let message = validate::multiline("message", &request.message, app.settings.chat_message_max)?;
    let context = checked_context(&request.context, request.page.as_deref())?;
    let channel = channels::for_request(app.db.read(), &request.channel).await?;
    let now = Utc::now();
    let available = channels::availability(app.db.read(), &app.settings, now).await?;
    if !available.channels.iter().any(|c| c.slug == channel.slug && c.available) {
        return Ok(Asked::NobodyThere(available));
    }
    if !app.live.allow(actor.id, app.settings.chat_messages_per_minute) {
        return Err(AppError::TooManyAttempts { minutes: 1 });
    }
    let txn = app.db.write().await?;
    let created = chat::ActiveModel {
        kind: Set(ChatKind::Request),
        channel_id: Set(Some(channel.id)),
        school_id: Set(Some(school_id)),
        requester_id: Set(actor.id),
        status: Set(ChatStatus::Waiting),
        context: Set(context.to_string()),
        last_seq: Set(0),
        offered_at: Set(now),
        accepted_by: Set(None),
        accepted_at: Set(None),
        closed_at: Set(None),
        ticket_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    join(&txn, created.id, actor.id, "requester").await?;
    let first = append(&txn, created.id, Some(actor), MessageKind::Message, &message, None).await?;
    audit::record(
        &txn,
        By::User(actor),
        "chat.ask",
        Target::new("chat", created.id).in_school(Some(school_id)),
        json!({ "channel": channel.slug }),
    )
    .await?;
    txn.commit().await?;
    publish(app, created.id, &[first]);
    let shown = view::chat(app.db.read(), created).await?;
    let takers = channels::takers(app.db.read(), &channel).await?;
    let request = Event::new("request", json!({ "chat": shown })).relayed(json!({ "chat": shown.id }));
    app.live.publish(Topic::Desk, request.to(takers));
    Ok(Asked::Waiting(Box::new(shown)))
}

async fn join(txn: &WriteTxn, chat_id: i32, user_id: i32, role: &str) -> AppResult<()> {
    let now = Utc::now();
    match chat_participant::Entity::find_by_id((chat_id, user_id)).one(txn).await? {
        Some(existing) => {
            let mut again: chat_participant::ActiveModel = existing.into();
            again.left_at = Set(None);
            again.joined_at = Set(now);
            again.update(txn).await?;
        }
        None => {
            chat_participant::ActiveModel {
                chat_id: Set(chat_id),
                user_id: Set(user_id),
                role: Set(role.into()),
                joined_at: Set(now),
                left_at: Set(None),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

async fn leave(txn: &WriteTxn, chat_id: i32, user_id: i32) -> AppResult<()> {
    chat_participant::Entity::update_many()
        .col_expr(chat_participant::Column::LeftAt, Expr::value(Some(Utc::now())))
        .filter(chat_participant::Column::ChatId.eq(chat_id))
        .filter(chat_participant::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// How many chats this agent is in now.
async fn running<C: ConnectionTrait>(db: &C, agent: i32) -> AppResult<u64> {
    let active: Vec<i32> = chat::Entity::find()
        .filter(chat::Column::Status.eq(ChatStatus::Active))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    Ok(chat_participant::Entity::find()
        .filter(chat_participant::Column::UserId.eq(agent))
        .filter(chat_participant::Column::Role.eq("agent"))
        .filter(chat_participant::Column::LeftAt.is_null())
        .filter(chat_participant::Column::ChatId.is_in(active))
        .count(db)
        .await?)
}

fn desk_only(actor: &Actor) -> AppResult<()> {
    if actor.role.is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Tells the waiting requests behind a taken or closed one their new place.
async fn tell_positions(app: &App, channel_id: Option<i32>) -> AppResult<()> {
    let Some(channel_id) = channel_id else { return Ok(()) };
    let waiting = chat::Entity::find()
        .filter(chat::Column::Status.eq(ChatStatus::Waiting))
        .filter(chat::Column::ChannelId.eq(channel_id))
        .all(app.db.read())
        .await?;
    for c in waiting {
        let position = view::position(app.db.read(), &c).await?;
        let event = Event::new("position", json!({ "chat": c.id, "position": position })).relayed(json!({}));
        app.live.publish(Topic::Chat(c.id), event);
    }
    Ok(())
}

/// An agent takes a waiting request in the browser. Of two agents accepting at once one
/// wins; the other is told who took it.
pub async fn accept(app: &App, actor: &Actor, id: i32) -> AppResult<ChatView> {
    accept_via(app, actor, id, Via::Web).await
}

/// An agent takes a waiting request where they will answer it.
pub async fn accept_via(app: &App, actor: &Actor, id: i32, via: Via) -> AppResult<ChatView> {
    desk_only(actor)?;
    let (current, _) = find(app.db.read(), actor, id).await?;
    if current.kind != ChatKind::Request {
        return Err(AppError::NotFound);
    }
    let limit = app.settings.chat_max_active;
    let txn = app.db.write().await?;
    if running(&txn, actor.id).await? >= u64::from(limit) {
        return Err(AppError::Conflict { message: "chat.limit", arg: Some(limit.to_string()) });
    }
    let now = Utc::now();
    let taken = chat::Entity::update_many()
        .col_expr(chat::Column::Status, Expr::value(ChatStatus::Active))
        .col_expr(chat::Column::AcceptedBy, Expr::value(Some(actor.id)))
        .col_expr(chat::Column::AcceptedAt, Expr::value(Some(now)))
        .col_expr(chat::Column::AnsweredVia, Expr::value(via.as_str()))
        .col_expr(chat::Column::UpdatedAt, Expr::value(now))
        .filter(chat::Column::Id.eq(id))
        .filter(chat::Column::Status.eq(ChatStatus::Waiting))
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        drop(txn);
        let now_current = chat::Entity::find_by_id(id).one(app.db.read()).await?.ok_or(AppError::NotFound)?;
        return Err(match now_current.accepted_by {
            Some(by) => {
                let name = user::Entity::find_by_id(by).one(app.db.read()).await?.map(|u| u.name).unwrap_or_default();
                AppError::Conflict { message: "chat.already_taken", arg: Some(name) }
            }
            None => AppError::conflict("chat.closed"),
        });
    }
    join(&txn, id, actor.id, "agent").await?;
    let joined = append(&txn, id, Some(actor), MessageKind::Joined, &actor.name, None).await?;
    audit::record(
        &txn,
        By::User(actor),
        "chat.accept",
        Target::new("chat", id).in_school(current.school_id),
        json!({ "via": via.as_str() }),
    )
    .await?;
    txn.commit().await?;
    publish(app, id, &[joined]);
    let taken = Event::new("taken", json!({ "chat": id, "by": actor.name })).relayed(json!({ "chat": id }));
    app.live.publish(Topic::Desk, taken);
    tell_positions(app, current.channel_id).await?;
    let updated = chat::Entity::find_by_id(id).one(app.db.read()).await?.ok_or(AppError::NotFound)?;
    view::chat(app.db.read(), updated).await
}

async fn active_agent<C: ConnectionTrait>(db: &C, email: &str) -> AppResult<user::Model> {
    crate::accounts::service::find_by_email(db, email)
        .await?
        .filter(|u| u.active && u.role.is_desk())
        .ok_or_else(|| AppError::invalid_with("agent", "tickets.unknown_agent", validate::shown(email.trim())))
}

/// An agent in the chat brings another agent in (`handover`: and leaves it to them). The
/// requester sees who joined and who left.
pub async fn bring_in(app: &App, actor: &Actor, id: i32, email: &str, handover: bool) -> AppResult<ChatView> {
    desk_only(actor)?;
    let (current, participation) = find(app.db.read(), actor, id).await?;
    if participation != Participation::Active {
        return Err(AppError::Forbidden);
    }
    if current.status != ChatStatus::Active {
        return Err(AppError::conflict("chat.not_active"));
    }
    let other = active_agent(app.db.read(), email).await?;
    if other.id == actor.id {
        return Err(AppError::invalid("agent", "chat.not_yourself"));
    }
    let newcomer = crate::auth::session::load_actor(&app.db, other.id).await?.ok_or(AppError::NotFound)?;
    let txn = app.db.write().await?;
    join(&txn, id, other.id, "agent").await?;
    let mut lines = vec![append(&txn, id, Some(&newcomer), MessageKind::Joined, &newcomer.name, None).await?];
    if handover {
        leave(&txn, id, actor.id).await?;
        chat::Entity::update_many()
            .col_expr(chat::Column::AcceptedBy, Expr::value(Some(other.id)))
            // The newcomer answers in the browser, whatever the one handing over used.
            .col_expr(chat::Column::AnsweredVia, Expr::value(Via::Web.as_str()))
            .filter(chat::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        lines.push(append(&txn, id, Some(actor), MessageKind::Left, &actor.name, None).await?);
    }
    let action = if handover { "chat.handover" } else { "chat.invite" };
    audit::record(
        &txn,
        By::User(actor),
        action,
        Target::new("chat", id).in_school(current.school_id),
        json!({ "agent": other.email }),
    )
    .await?;
    txn.commit().await?;
    publish(app, id, &lines);
    let invited =
        Event::new("invited", json!({ "chat": id, "agent": other.email, "by": actor.name, "handover": handover }))
            .relayed(json!({ "chat": id, "agent": other.id, "by": actor.id, "handover": handover }));
    app.live.publish(Topic::Desk, invited.to(vec![other.id]));
    let updated = chat::Entity::find_by_id(id).one(app.db.read()).await?.ok_or(AppError::NotFound)?;
    view::chat(app.db.read(), updated).await
}

/// Ends the chat in the caller's transaction (closing it, turning it into a ticket or
/// attaching it to one all end here); the line that says so, to publish after the commit.
pub async fn end(
    txn: &WriteTxn,
    actor: &Actor,
    current: &chat::Model,
    ticket_id: Option<i32>,
) -> AppResult<entities::chat_message::Model> {
    let now = Utc::now();
    let closed = chat::Entity::update_many()
        .col_expr(chat::Column::Status, Expr::value(ChatStatus::Closed))
        .col_expr(chat::Column::ClosedAt, Expr::value(Some(now)))
        .col_expr(chat::Column::UpdatedAt, Expr::value(now))
        .col_expr(chat::Column::TicketId, Expr::value(ticket_id.or(current.ticket_id)))
        .filter(chat::Column::Id.eq(current.id))
        .filter(chat::Column::Status.ne(ChatStatus::Closed))
        .exec(txn)
        .await?;
    if closed.rows_affected != 1 {
        return Err(AppError::conflict("chat.closed"));
    }
    let line = append(txn, current.id, Some(actor), MessageKind::Closed, &actor.name, None).await?;
    audit::record(
        txn,
        By::User(actor),
        "chat.close",
        Target::new("chat", current.id).in_school(current.school_id),
        json!({ "ticket": ticket_id.map(crate::tickets::number) }),
    )
    .await?;
    Ok(line)
}

/// Tells everyone that a chat ended (after its transaction committed).
pub async fn ended(app: &App, current: &chat::Model, line: entities::chat_message::Model) -> AppResult<ChatView> {
    publish(app, current.id, &[line]);
    app.live.publish(
        Topic::Desk,
        Event::new("closed", json!({ "chat": current.id })).relayed(json!({ "chat": current.id })),
    );
    if current.status == ChatStatus::Waiting {
        tell_positions(app, current.channel_id).await?;
    }
    let updated = chat::Entity::find_by_id(current.id).one(app.db.read()).await?.ok_or(AppError::NotFound)?;
    view::chat(app.db.read(), updated).await
}

/// A participant closes the chat (the requester may also withdraw a waiting request).
pub async fn close(app: &App, actor: &Actor, id: i32) -> AppResult<ChatView> {
    let (current, participation) = find(app.db.read(), actor, id).await?;
    if participation != Participation::Active {
        return Err(AppError::Forbidden);
    }
    let txn = app.db.write().await?;
    let line = end(&txn, actor, &current, None).await?;
    txn.commit().await?;
    ended(app, &current, line).await
}

/// An agent starts a chat with another agent, outside any request.
pub async fn direct(app: &App, actor: &Actor, email: &str, message: &str) -> AppResult<ChatView> {
    desk_only(actor)?;
    let other = active_agent(app.db.read(), email).await?;
    if other.id == actor.id {
        return Err(AppError::invalid("agent", "chat.not_yourself"));
    }
    let message = validate::multiline("message", message, app.settings.chat_message_max)?;
    let now = Utc::now();
    let txn = app.db.write().await?;
    let created = chat::ActiveModel {
        kind: Set(ChatKind::Direct),
        channel_id: Set(None),
        school_id: Set(None),
        requester_id: Set(actor.id),
        status: Set(ChatStatus::Active),
        context: Set("{}".into()),
        last_seq: Set(0),
        offered_at: Set(now),
        accepted_by: Set(Some(other.id)),
        accepted_at: Set(Some(now)),
        closed_at: Set(None),
        ticket_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    join(&txn, created.id, actor.id, "agent").await?;
    join(&txn, created.id, other.id, "agent").await?;
    let first = append(&txn, created.id, Some(actor), MessageKind::Message, &message, None).await?;
    txn.commit().await?;
    publish(app, created.id, &[first]);
    app.live.publish(
        Topic::Desk,
        Event::new("direct", json!({ "chat": created.id, "to": other.email, "from": actor.name }))
            .relayed(json!({ "chat": created.id, "to": other.id, "from": actor.id }))
            .to(vec![other.id]),
    );
    view::chat(app.db.read(), created).await
}

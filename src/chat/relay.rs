//! The chat's live events as another instance told them (see `live::relay`): each is built
//! again from the rows its notice names, exactly as this instance would have published it,
//! or not at all when the rows say otherwise (the line is not there, the request was taken
//! meanwhile, the person is no participant).
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::messages::line_event;
use super::{channels, presence, view};
use crate::app::App;
use crate::error::AppResult;
use crate::live::relay::Notice;
use crate::live::{Event, Topic};
use entities::{chat, chat_channel, chat_message, chat_participant, user, ChatKind, ChatStatus};

/// The event a chat notice stands for, read from the database.
pub async fn rebuild(app: &App, notice: &Notice) -> AppResult<Option<Event>> {
    let db = app.db.read();
    let now = chrono::Utc::now();
    Ok(match (notice.topic, notice.kind.as_str()) {
        (Topic::Chat(chat_id), "typing") => {
            let Some(user_id) = notice.id("user") else { return Ok(None) };
            let active = chat_participant::Entity::find_by_id((chat_id, user_id)).one(db).await?;
            match (active.filter(|p| p.left_at.is_none()), name(db, user_id).await?) {
                (Some(_), Some(author)) => Some(Event::new("typing", json!({ "chat": chat_id, "author": author }))),
                _ => None,
            }
        }
        (Topic::Chat(chat_id), "position") => match waiting(db, chat_id).await? {
            Some(c) => {
                let position = view::position(db, &c).await?;
                Some(Event::new("position", json!({ "chat": chat_id, "position": position })))
            }
            None => None,
        },
        // Every other event of a chat is one of its stored lines.
        (Topic::Chat(chat_id), _) => {
            let Some(seq) = notice.id("seq") else { return Ok(None) };
            let line = chat_message::Entity::find()
                .filter(chat_message::Column::ChatId.eq(chat_id))
                .filter(chat_message::Column::Seq.eq(seq))
                .one(db)
                .await?;
            line.map(|line| line_event(chat_id, view::message(line)))
        }
        (Topic::Desk, "request") => {
            let Some(c) = notice.id("chat") else { return Ok(None) };
            let Some(c) = waiting(db, c).await? else { return Ok(None) };
            let Some(channel) = c.channel_id else { return Ok(None) };
            let Some(channel) = chat_channel::Entity::find_by_id(channel).one(db).await? else { return Ok(None) };
            let takers = channels::takers(db, &channel).await?;
            // Whom the sender named, if it named anyone, but never beyond who may take it.
            let to: Vec<i32> = match &notice.to {
                Some(named) => takers.into_iter().filter(|id| named.contains(id)).collect(),
                None => takers,
            };
            let shown = view::chat(db, c).await?;
            let mut payload = json!({ "chat": shown });
            if notice.flag("again") {
                payload["again"] = json!(true);
            }
            Some(Event::new("request", payload).to(to))
        }
        (Topic::Desk, "taken") => {
            let Some(c) = notice.id("chat") else { return Ok(None) };
            let Some(c) = chat::Entity::find_by_id(c).one(db).await? else { return Ok(None) };
            match c.accepted_by {
                Some(agent) => name(db, agent).await?.map(|by| Event::new("taken", json!({ "chat": c.id, "by": by }))),
                None => None,
            }
        }
        (Topic::Desk, "closed") => {
            let Some(c) = notice.id("chat") else { return Ok(None) };
            let closed = chat::Entity::find_by_id(c).one(db).await?.filter(|c| c.status == ChatStatus::Closed);
            closed.map(|c| Event::new("closed", json!({ "chat": c.id })))
        }
        (Topic::Desk, "invited") => {
            let (Some(c), Some(agent), Some(by)) = (notice.id("chat"), notice.id("agent"), notice.id("by")) else {
                return Ok(None);
            };
            let (Some(agent_row), Some(by)) = (user::Entity::find_by_id(agent).one(db).await?, name(db, by).await?)
            else {
                return Ok(None);
            };
            let payload = json!({ "chat": c, "agent": agent_row.email, "by": by, "handover": notice.flag("handover") });
            Some(Event::new("invited", payload).to(vec![agent]))
        }
        (Topic::Desk, "direct") => {
            let (Some(c), Some(to), Some(from)) = (notice.id("chat"), notice.id("to"), notice.id("from")) else {
                return Ok(None);
            };
            let direct = chat::Entity::find_by_id(c).one(db).await?.filter(|c| c.kind == ChatKind::Direct);
            let (Some(_), Some(to_row), Some(from)) =
                (direct, user::Entity::find_by_id(to).one(db).await?, name(db, from).await?)
            else {
                return Ok(None);
            };
            Some(Event::new("direct", json!({ "chat": c, "to": to_row.email, "from": from })).to(vec![to]))
        }
        (Topic::Desk, "presence") => {
            let people = presence::people(db, &app.settings, now).await?;
            Some(Event::new("presence", json!({ "people": people })))
        }
        (Topic::Availability, "availability") => {
            let availability = channels::availability(db, &app.settings, now).await?;
            Some(Event::new("availability", serde_json::to_value(&availability).unwrap_or_default()))
        }
        _ => None,
    })
}

async fn name<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<Option<String>> {
    Ok(user::Entity::find_by_id(user_id).one(db).await?.map(|u| u.name))
}

async fn waiting<C: ConnectionTrait>(db: &C, chat_id: i32) -> AppResult<Option<chat::Model>> {
    let found = chat::Entity::find_by_id(chat_id).one(db).await?;
    Ok(found.filter(|c| c.kind == ChatKind::Request && c.status == ChatStatus::Waiting))
}

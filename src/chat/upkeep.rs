//! What the chat needs done over time, run by the background jobs: requests left waiting
//! are offered again (and the online agents who let them wait are set away), presence and
//! availability changes that come with the clock are announced, and closed chats are
//! deleted once their retention period is over.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::channels::{self, Availability};
use super::presence::{self, Person};
use super::view;
use crate::app::App;
use crate::error::AppResult;
use crate::live::{Event, Topic};
use entities::{attachment, chat, chat_channel, chat_unanswered, ChatKind, ChatStatus, PresenceState};

/// Requests waiting longer than `chat_unanswered_secs` since they were last offered: the
/// channel's online agents who let them wait are set away (once per request), and the
/// request is offered to the channel again. Returns how many requests were offered again.
pub async fn offer_again(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    let due = now - Duration::seconds(app.settings.chat_unanswered_secs);
    let waiting = chat::Entity::find()
        .filter(chat::Column::Kind.eq(ChatKind::Request))
        .filter(chat::Column::Status.eq(ChatStatus::Waiting))
        .filter(chat::Column::OfferedAt.lte(due))
        .all(app.db.read())
        .await?;
    let mut offered = 0;
    for request in waiting {
        let Some(channel) = request.channel_id else { continue };
        let Some(channel) = chat_channel::Entity::find_by_id(channel).one(app.db.read()).await? else { continue };
        let takers = channels::takers(app.db.read(), &channel).await?;
        let states = presence::states(app.db.read(), &app.settings, &takers, now).await?;
        let already: Vec<i32> = chat_unanswered::Entity::find()
            .filter(chat_unanswered::Column::ChatId.eq(request.id))
            .all(app.db.read())
            .await?
            .into_iter()
            .map(|u| u.user_id)
            .collect();
        let sleepers: Vec<i32> = takers
            .iter()
            .copied()
            .filter(|id| states.get(id) == Some(&PresenceState::Online) && !already.contains(id))
            .collect();
        let txn = app.db.write().await?;
        // Claimed like a reminder: another instance doing the same meanwhile changes nothing.
        let claimed = chat::Entity::update_many()
            .col_expr(chat::Column::OfferedAt, now.into())
            .filter(chat::Column::Id.eq(request.id))
            .filter(chat::Column::Status.eq(ChatStatus::Waiting))
            .filter(chat::Column::OfferedAt.eq(request.offered_at))
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        presence::set_away(&txn, &sleepers, now).await?;
        for user_id in &sleepers {
            chat_unanswered::Entity::insert(chat_unanswered::ActiveModel {
                chat_id: Set(request.id),
                user_id: Set(*user_id),
                at: Set(now),
            })
            .exec(&txn)
            .await?;
        }
        txn.commit().await?;
        offered += 1;
        let shown = view::chat(app.db.read(), request).await?;
        let others: Vec<i32> = takers.into_iter().filter(|id| !sleepers.contains(id)).collect();
        let again = Event::new("request", json!({ "chat": shown, "again": true }));
        app.live.publish(Topic::Desk, again.relayed(json!({ "chat": shown.id, "again": true })).to(others));
    }
    Ok(offered)
}

/// What the live pages were last told, to announce only what the clock changed.
#[derive(Default)]
pub struct Announced {
    availability: Option<Availability>,
    people: Option<Vec<Person>>,
}

/// Announces availability (the tile, the widget) and the desk's presence when they
/// changed since the last announcement: idle time moves people without any request.
pub async fn announce(app: &App, announced: &mut Announced, now: DateTime<Utc>) -> AppResult<()> {
    let availability = channels::availability(app.db.read(), &app.settings, now).await?;
    if announced.availability.as_ref() != Some(&availability) {
        let payload = serde_json::to_value(&availability).unwrap_or_default();
        app.live.publish(Topic::Availability, Event::new("availability", payload).relayed(json!({})));
        announced.availability = Some(availability);
    }
    let people = presence::people(app.db.read(), &app.settings, now).await?;
    if announced.people.as_ref() != Some(&people) {
        app.live.publish(Topic::Desk, Event::new("presence", json!({ "people": people })).relayed(json!({})));
        announced.people = Some(people);
    }
    Ok(())
}

/// The chats closed more than `chat_retention_days` before `now`: what `delete_expired`
/// deletes (and `staffel retention run --dry-run` lists).
pub async fn expired(
    db: &sea_orm::DatabaseConnection,
    settings: &crate::config::Settings,
    now: DateTime<Utc>,
) -> AppResult<Vec<i32>> {
    let before = now - Duration::days(settings.chat_retention_days);
    Ok(chat::Entity::find()
        .filter(chat::Column::Status.eq(ChatStatus::Closed))
        .filter(chat::Column::ClosedAt.lt(before))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect())
}

/// Deletes the chats closed more than `chat_retention_days` ago, with their messages and
/// the files that stayed with them (files carried to a ticket stay with the ticket).
/// Returns how many chats were deleted.
pub async fn delete_expired(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    delete_expired_in(&app.db, &app.settings, now).await
}

/// `delete_expired` for whoever holds only the database and the settings (the CLI).
pub async fn delete_expired_in(
    db: &crate::db::Db,
    settings: &crate::config::Settings,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let expired = expired(db.read(), settings, now).await?;
    if expired.is_empty() {
        return Ok(0);
    }
    let files = attachment::Entity::find()
        .filter(attachment::Column::ChatId.is_in(expired.clone()))
        .filter(attachment::Column::TicketId.is_null())
        .all(db.read())
        .await?;
    let txn = db.write().await?;
    attachment::Entity::delete_many()
        .filter(attachment::Column::Id.is_in(files.iter().map(|f| f.id)))
        .exec(&txn)
        .await?;
    chat::Entity::delete_many().filter(chat::Column::Id.is_in(expired.clone())).exec(&txn).await?;
    crate::audit::record(
        &txn,
        crate::audit::By::System,
        "chat.retention",
        crate::audit::Target { kind: "chat", id: None, school_id: None },
        json!({ "chats": expired.len(), "files": files.len() }),
    )
    .await?;
    txn.commit().await?;
    for file in files {
        if let Some(path) = crate::attachments::store::path_of(settings, &file.storage_key) {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(expired.len())
}

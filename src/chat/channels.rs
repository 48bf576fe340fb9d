//! Chat channels: service areas ("Lernplattform & Cloud", "Netz & WLAN", …) whose agents
//! take the requests made in them. The desk lead creates them and chooses their agents;
//! each agent chooses which of their channels they take requests from. A fresh
//! installation has one default channel that every agent belongs to, so chat works before
//! anybody configures channels. A channel is available when one of its taking agents is
//! online (and, if the channel asks for it, the desk is in its business hours).
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;

use super::presence;
use crate::app::App;
use crate::audit::{self, By, Target};
use crate::auth::{Actor, Role};
use crate::config::Settings;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::validate;
use entities::{chat_channel, chat_member, user, PresenceState};

pub const DEFAULT_SLUG: &str = "allgemein";

/// On a fresh database: the default channel (only where none exists yet, so a desk lead's
/// changes stay).
pub async fn ensure_default(db: &Db) -> AppResult<()> {
    let has_default = || chat_channel::Entity::find().filter(chat_channel::Column::IsDefault.eq(true));
    if has_default().count(db.read()).await? > 0 {
        return Ok(());
    }
    let txn = db.write().await?;
    if has_default().count(&txn).await? == 0 {
        chat_channel::ActiveModel {
            slug: Set(DEFAULT_SLUG.into()),
            name: Set("Allgemein".into()),
            service_id: Set(None),
            is_default: Set(true),
            hours_only: Set(false),
            active: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn active<C: ConnectionTrait>(db: &C) -> AppResult<Vec<chat_channel::Model>> {
    Ok(chat_channel::Entity::find()
        .filter(chat_channel::Column::Active.eq(true))
        .order_by_desc(chat_channel::Column::IsDefault)
        .order_by_asc(chat_channel::Column::Name)
        .all(db)
        .await?)
}

/// The channel a request names (its slug), or the default one when it names none.
pub async fn for_request<C: ConnectionTrait>(db: &C, slug: &str) -> AppResult<chat_channel::Model> {
    let slug = slug.trim();
    let channels = active(db).await?;
    let found = if slug.is_empty() {
        channels.into_iter().find(|c| c.is_default)
    } else {
        channels.into_iter().find(|c| c.slug == slug)
    };
    found.ok_or_else(|| AppError::invalid_with("channel", "chat.unknown_channel", validate::shown(slug)))
}

/// The agents who take a channel's requests: for the default channel every active agent
/// who did not opt out, for the others the members the desk lead chose who opted in.
pub async fn takers<C: ConnectionTrait>(db: &C, channel: &chat_channel::Model) -> AppResult<Vec<i32>> {
    let desk: Vec<i32> = user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Agent, Role::DeskLead]))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let rows = chat_member::Entity::find().filter(chat_member::Column::ChannelId.eq(channel.id)).all(db).await?;
    Ok(desk
        .into_iter()
        .filter(|id| match rows.iter().find(|m| m.user_id == *id) {
            Some(member) => member.taking,
            None => channel.is_default,
        })
        .collect())
}

/// Whether chat is available in each channel and at all, with the desk's phone and hours
/// for when it is not. Names no agent: anonymous callers may ask.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Availability {
    pub available: bool,
    pub channels: Vec<ChannelAvailability>,
    pub phone: String,
    pub hours: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChannelAvailability {
    pub slug: String,
    pub name: String,
    pub available: bool,
}

pub async fn availability<C: ConnectionTrait>(
    db: &C,
    settings: &Settings,
    now: DateTime<Utc>,
) -> AppResult<Availability> {
    let channels = active(db).await?;
    let calendar = crate::sla::settings::calendar(db, settings.tz()).await?;
    let open = calendar.is_open(now);
    let mut out = Vec::with_capacity(channels.len());
    for channel in channels {
        let takers = takers(db, &channel).await?;
        let states = presence::states(db, settings, &takers, now).await?;
        let someone_online = states.values().any(|s| *s == PresenceState::Online);
        out.push(ChannelAvailability {
            available: someone_online && (open || !channel.hours_only),
            slug: channel.slug,
            name: channel.name,
        });
    }
    Ok(Availability {
        available: out.iter().any(|c| c.available),
        channels: out,
        phone: settings.desk_phone.clone(),
        hours: settings.desk_hours.clone(),
    })
}

/// A channel as an agent sees it in "my chat channels".
#[derive(Debug, Clone, Serialize)]
pub struct MyChannel {
    pub slug: String,
    pub name: String,
    pub taking: bool,
}

fn desk_only(actor: &Actor) -> AppResult<()> {
    if actor.role.is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The channels an agent belongs to, and whether they take each one's requests.
pub async fn mine<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<Vec<MyChannel>> {
    desk_only(actor)?;
    let rows = chat_member::Entity::find().filter(chat_member::Column::UserId.eq(actor.id)).all(db).await?;
    Ok(active(db)
        .await?
        .into_iter()
        .filter_map(|c| {
            let row = rows.iter().find(|m| m.channel_id == c.id);
            let member = c.is_default || row.is_some();
            member.then(|| MyChannel { taking: row.map_or(c.is_default, |m| m.taking), slug: c.slug, name: c.name })
        })
        .collect())
}

/// An agent takes a channel's requests, or stops taking them.
pub async fn set_taking(app: &App, actor: &Actor, slug: &str, taking: bool) -> AppResult<()> {
    desk_only(actor)?;
    let channel = for_request(app.db.read(), slug).await?;
    let member = mine(app.db.read(), actor).await?.iter().any(|c| c.slug == channel.slug);
    if !member {
        return Err(AppError::invalid_with("channel", "chat.unknown_channel", validate::shown(slug)));
    }
    let txn = app.db.write().await?;
    chat_member::Entity::insert(chat_member::ActiveModel {
        channel_id: Set(channel.id),
        user_id: Set(actor.id),
        taking: Set(taking),
    })
    .on_conflict(
        OnConflict::columns([chat_member::Column::ChannelId, chat_member::Column::UserId])
            .update_column(chat_member::Column::Taking)
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A channel as the desk lead types it.
#[derive(Debug, Clone, Default)]
pub struct ChannelInput {
    pub slug: String,
    pub name: String,
    pub service: String,
    pub hours_only: bool,
    pub active: bool,
    /// The agents' emails.
    pub agents: Vec<String>,
}

/// Creates a channel or changes the one with this slug, with its agents (the default
/// channel has every agent and takes no list).
pub async fn save(db: &Db, by: By<'_>, input: &ChannelInput) -> AppResult<chat_channel::Model> {
    by.require_desk_lead()?;
    let slug = validate::slug("slug", &input.slug)?;
    let name = validate::text("name", &input.name, validate::NAME_MAX)?;
    let service_id =
        crate::catalogue::services::from_input(db.read(), "service", &input.service, true).await?.map(|s| s.id);
    let mut agents = Vec::new();
    for email in input.agents.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        let agent = crate::accounts::service::find_by_email(db.read(), email)
            .await?
            .filter(|u| u.active && u.role.is_desk())
            .ok_or_else(|| AppError::invalid_with("agents", "tickets.unknown_agent", validate::shown(email)))?;
        agents.push(agent.id);
    }
    let txn = db.write().await?;
    let existing = chat_channel::Entity::find().filter(chat_channel::Column::Slug.eq(&slug)).one(&txn).await?;
    let saved = match existing {
        Some(current) => {
            let is_default = current.is_default;
            let mut model: chat_channel::ActiveModel = current.into();
            model.name = Set(name);
            model.service_id = Set(service_id);
            model.hours_only = Set(input.hours_only);
            // The default channel stays: chat must work whatever else the lead switched off.
            model.active = Set(input.active || is_default);
            model.update(&txn).await?
        }
        None => {
            chat_channel::ActiveModel {
                slug: Set(slug),
                name: Set(name),
                service_id: Set(service_id),
                is_default: Set(false),
                hours_only: Set(input.hours_only),
                active: Set(input.active),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    if !saved.is_default {
        let current = chat_member::Entity::find().filter(chat_member::Column::ChannelId.eq(saved.id)).all(&txn).await?;
        for member in current.iter().filter(|m| !agents.contains(&m.user_id)) {
            chat_member::Entity::delete_by_id((member.channel_id, member.user_id)).exec(&txn).await?;
        }
        for agent in agents.iter().filter(|a| !current.iter().any(|m| m.user_id == **a)) {
            chat_member::ActiveModel { channel_id: Set(saved.id), user_id: Set(*agent), taking: Set(true) }
                .insert(&txn)
                .await?;
        }
    }
    audit::record(
        &txn,
        by,
        "chat.channel_save",
        Target::new("chat_channel", saved.id),
        json!({ "slug": saved.slug, "agents": agents, "active": saved.active, "hours_only": saved.hours_only }),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Every channel with its agents' emails, for the desk lead's settings.
pub async fn overview<C: ConnectionTrait>(db: &C) -> AppResult<Vec<serde_json::Value>> {
    let channels = chat_channel::Entity::find().order_by_asc(chat_channel::Column::Name).all(db).await?;
    let mut out = Vec::new();
    for channel in channels {
        let agents: Vec<String> = match channel.is_default {
            true => Vec::new(),
            false => {
                let ids: Vec<i32> = chat_member::Entity::find()
                    .filter(chat_member::Column::ChannelId.eq(channel.id))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|m| m.user_id)
                    .collect();
                user::Entity::find()
                    .filter(user::Column::Id.is_in(ids))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|u| u.email)
                    .collect()
            }
        };
        out.push(json!({ "channel": channel, "agents": agents }));
    }
    Ok(out)
}

//! The desk's presence: online, away, extended away, do not disturb, offline.
//!
//! Every open desk tab or device of an agent is a session that reports in (a heartbeat)
//! and says whether its person typed or moved since. A state is worked out, not stored:
//! - a state the agent chose (away, xa, dnd, offline) sticks until they choose again;
//!   choosing online goes back to the automatic state;
//! - with no session heard of within the heartbeat timeout, the agent is offline;
//! - otherwise the latest input in any of their sessions counts (several tabs are one
//!   agent, the most available wins): idle less than `chat_away_after_secs` is online, less
//!   than `chat_xa_after_secs` away, longer extended away;
//! - an agent who let a chat request go unanswered is away until their next input.
//!
//! - with no browser session but an XMPP client that reports in (see `report_remote`), what
//!   that client says (available, away, xa, dnd) counts.
//!
//! Sessions and chosen states are rows, so every instance on one database sees the same.
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::app::App;
use crate::auth::{Actor, Role};
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use entities::{chat_presence, chat_presence_session, user, PresenceState};

/// The longest session id a client may choose.
pub const SESSION_MAX: usize = 64;

/// What a presence is worked out from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub manual: Option<PresenceState>,
    pub away_since: Option<DateTime<Utc>>,
    /// (last heard of, last input) of each session.
    pub sessions: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// What another client reports, and when that was last known to hold.
    pub remote: Option<(PresenceState, DateTime<Utc>)>,
}

impl Facts {
    /// Whether a browser tab or device of theirs reported in within the timeout.
    pub fn browser_open(&self, settings: &Settings, now: DateTime<Utc>) -> bool {
        let timeout = Duration::seconds(settings.chat_heartbeat_timeout_secs);
        self.sessions.iter().any(|(seen, _)| now - *seen <= timeout)
    }
}

/// The state these facts mean at `now`.
pub fn state_at(facts: &Facts, settings: &Settings, now: DateTime<Utc>) -> PresenceState {
    if let Some(chosen) = facts.manual {
        return chosen;
    }
    let timeout = Duration::seconds(settings.chat_heartbeat_timeout_secs);
    let last_input = facts.sessions.iter().filter(|(seen, _)| now - *seen <= timeout).map(|(_, input)| *input).max();
    let Some(last_input) = last_input else {
        // No browser: the XMPP client's word, while it is fresh.
        return match facts.remote {
            Some((state, seen)) if now - seen <= timeout => state,
            _ => PresenceState::Offline,
        };
    };
    if facts.away_since.is_some_and(|since| last_input <= since) {
        return PresenceState::Away;
    }
    let idle = now - last_input;
    if idle < Duration::seconds(settings.chat_away_after_secs) {
        PresenceState::Online
    } else if idle < Duration::seconds(settings.chat_xa_after_secs) {
        PresenceState::Away
    } else {
        PresenceState::Xa
    }
}

/// The facts of these people (all of the desk when `None`), by user id.
pub async fn facts<C: ConnectionTrait>(db: &C, users: Option<&[i32]>) -> AppResult<HashMap<i32, Facts>> {
    let mut rows = chat_presence::Entity::find();
    let mut sessions = chat_presence_session::Entity::find();
    if let Some(ids) = users {
        rows = rows.filter(chat_presence::Column::UserId.is_in(ids.to_vec()));
        sessions = sessions.filter(chat_presence_session::Column::UserId.is_in(ids.to_vec()));
    }
    let mut out: HashMap<i32, Facts> = HashMap::new();
    for row in rows.all(db).await? {
        let facts = out.entry(row.user_id).or_default();
        facts.manual = row.manual_state;
        facts.away_since = row.away_since;
        facts.remote = row.remote_state.zip(row.remote_seen_at);
    }
    for session in sessions.all(db).await? {
        out.entry(session.user_id).or_default().sessions.push((session.last_seen_at, session.last_input_at));
    }
    Ok(out)
}

/// The state of each of these people now.
pub async fn states<C: ConnectionTrait>(
    db: &C,
    settings: &Settings,
    users: &[i32],
    now: DateTime<Utc>,
) -> AppResult<HashMap<i32, PresenceState>> {
    let facts = facts(db, Some(users)).await?;
    Ok(users
        .iter()
        .map(|id| (*id, facts.get(id).map_or(PresenceState::Offline, |f| state_at(f, settings, now))))
        .collect())
}

/// Whether a browser of this person's is open now (then chats are answered there).
pub async fn browser_open<C: ConnectionTrait>(db: &C, settings: &Settings, user_id: i32) -> AppResult<bool> {
    let facts = facts(db, Some(&[user_id])).await?.remove(&user_id).unwrap_or_default();
    Ok(facts.browser_open(settings, Utc::now()))
}

/// What this person's other client (XMPP) reports now: a state, or `None` when it went
/// away. It holds for the heartbeat timeout unless `refresh_remote` confirms it.
pub async fn report_remote<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    state: Option<PresenceState>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    chat_presence::Entity::insert(chat_presence::ActiveModel {
        user_id: Set(user_id),
        manual_state: Set(None),
        away_since: Set(None),
        updated_at: Set(now),
        remote_state: Set(state),
        remote_seen_at: Set(Some(now)),
    })
    .on_conflict(
        OnConflict::column(chat_presence::Column::UserId)
            .update_columns([
                chat_presence::Column::RemoteState,
                chat_presence::Column::RemoteSeenAt,
                chat_presence::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The other client's states of these people still hold (it is still connected).
pub async fn refresh_remote<C: ConnectionTrait>(db: &C, users: &[i32], now: DateTime<Utc>) -> AppResult<()> {
    chat_presence::Entity::update_many()
        .col_expr(chat_presence::Column::RemoteSeenAt, Some(now).into())
        .filter(chat_presence::Column::UserId.is_in(users.to_vec()))
        .filter(chat_presence::Column::RemoteState.is_not_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets what other clients reported (the connection they reported through is gone).
pub async fn forget_remote<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    chat_presence::Entity::update_many()
        .col_expr(chat_presence::Column::RemoteState, Option::<PresenceState>::None.into())
        .filter(chat_presence::Column::RemoteState.is_not_null())
        .exec(db)
        .await?;
    Ok(())
}

/// This agent's own state now.
pub async fn of<C: ConnectionTrait>(db: &C, settings: &Settings, actor: &Actor) -> AppResult<PresenceState> {
    desk_only(actor)?;
    let states = states(db, settings, &[actor.id], Utc::now()).await?;
    Ok(states.get(&actor.id).copied().unwrap_or(PresenceState::Offline))
}

fn desk_only(actor: &Actor) -> AppResult<()> {
    if actor.role.is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn session_id(text: &str) -> AppResult<String> {
    let text = text.trim();
    if text.is_empty() || text.len() > SESSION_MAX || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::invalid("session", "chat.session_invalid"));
    }
    Ok(text.to_string())
}

/// A tab or device reports in; `input`: its person typed or moved since the last report.
/// Returns the agent's state afterwards.
pub async fn heartbeat(app: &App, actor: &Actor, session: &str, input: bool) -> AppResult<PresenceState> {
    desk_only(actor)?;
    let id = session_id(session)?;
    let now = Utc::now();
    let txn = app.db.write().await?;
    let existing = chat_presence_session::Entity::find_by_id(id.clone()).one(&txn).await?;
    match existing {
        Some(row) if row.user_id != actor.id => return Err(AppError::invalid("session", "chat.session_invalid")),
        Some(row) => {
            let mut update = chat_presence_session::Entity::update_many()
                .col_expr(chat_presence_session::Column::LastSeenAt, now.into())
                .filter(chat_presence_session::Column::Id.eq(row.id));
            if input {
                update = update.col_expr(chat_presence_session::Column::LastInputAt, now.into());
            }
            update.exec(&txn).await?;
        }
        None => {
            // A new tab counts as input: someone just opened it.
            chat_presence_session::Entity::insert(chat_presence_session::ActiveModel {
                id: Set(id),
                user_id: Set(actor.id),
                last_seen_at: Set(now),
                last_input_at: Set(now),
                created_at: Set(now),
            })
            .exec(&txn)
            .await?;
        }
    }
    // Sessions gone for a day are forgotten; a heartbeat is as good a moment as any.
    chat_presence_session::Entity::delete_many()
        .filter(chat_presence_session::Column::UserId.eq(actor.id))
        .filter(chat_presence_session::Column::LastSeenAt.lt(now - Duration::days(1)))
        .exec(&txn)
        .await?;
    let facts = facts(&txn, Some(&[actor.id])).await?.remove(&actor.id).unwrap_or_default();
    txn.commit().await?;
    Ok(state_at(&facts, &app.settings, now))
}

/// A tab or device says goodbye (the page is closed).
pub async fn leave(app: &App, actor: &Actor, session: &str) -> AppResult<()> {
    desk_only(actor)?;
    let id = session_id(session)?;
    let txn = app.db.write().await?;
    chat_presence_session::Entity::delete_many()
        .filter(chat_presence_session::Column::Id.eq(id))
        .filter(chat_presence_session::Column::UserId.eq(actor.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The agent chooses a state; online means "from my activity" again.
pub async fn choose(app: &App, actor: &Actor, state: &str) -> AppResult<PresenceState> {
    desk_only(actor)?;
    let chosen = PresenceState::parse(state.trim()).ok_or_else(|| AppError::invalid("state", "chat.state_invalid"))?;
    let now = Utc::now();
    let manual = (chosen != PresenceState::Online).then_some(chosen);
    let txn = app.db.write().await?;
    chat_presence::Entity::insert(chat_presence::ActiveModel {
        user_id: Set(actor.id),
        manual_state: Set(manual),
        away_since: Set(None),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(chat_presence::Column::UserId)
            .update_columns([
                chat_presence::Column::ManualState,
                chat_presence::Column::AwaySince,
                chat_presence::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    if chosen == PresenceState::Online {
        // Choosing online is input in every open tab.
        chat_presence_session::Entity::update_many()
            .col_expr(chat_presence_session::Column::LastInputAt, now.into())
            .filter(chat_presence_session::Column::UserId.eq(actor.id))
            .exec(&txn)
            .await?;
    }
    let facts = facts(&txn, Some(&[actor.id])).await?.remove(&actor.id).unwrap_or_default();
    txn.commit().await?;
    Ok(state_at(&facts, &app.settings, now))
}

/// Sets these agents away, as the request they let wait asks (in the caller's transaction).
pub async fn set_away<C: ConnectionTrait>(db: &C, users: &[i32], now: DateTime<Utc>) -> AppResult<()> {
    for user_id in users {
        chat_presence::Entity::insert(chat_presence::ActiveModel {
            user_id: Set(*user_id),
            manual_state: Set(None),
            away_since: Set(Some(now)),
            updated_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(chat_presence::Column::UserId)
                .update_columns([chat_presence::Column::AwaySince, chat_presence::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Someone at the desk as the people list shows them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Person {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub state: PresenceState,
}

/// Everyone at the desk with their presence, the most available first.
pub async fn people<C: ConnectionTrait>(db: &C, settings: &Settings, now: DateTime<Utc>) -> AppResult<Vec<Person>> {
    let desk = user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Agent, Role::DeskLead]))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Name)
        .all(db)
        .await?;
    let facts = facts(db, None).await?;
    let mut people: Vec<Person> = desk
        .into_iter()
        .map(|u| Person {
            state: facts.get(&u.id).map_or(PresenceState::Offline, |f| state_at(f, settings, now)),
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role,
        })
        .collect();
    people.sort_by_key(|p| p.state);
    Ok(people)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::minutes(minutes)
    }

    #[test]
    fn idle_time_moves_online_to_away_to_extended_away() {
        let settings = Settings::default();
        let now = at(100);
        let session = |input_minutes_ago: i64| (now, now - Duration::minutes(input_minutes_ago));
        let with = |sessions| Facts { sessions, ..Default::default() };
        assert_eq!(state_at(&with(vec![session(0)]), &settings, now), PresenceState::Online);
        assert_eq!(state_at(&with(vec![session(6)]), &settings, now), PresenceState::Away);
        assert_eq!(state_at(&with(vec![session(31)]), &settings, now), PresenceState::Xa);
        // Two tabs are one agent: the one used last counts.
        assert_eq!(state_at(&with(vec![session(40), session(1)]), &settings, now), PresenceState::Online);
        // A tab not heard of within the heartbeat timeout counts for nothing.
        let gone = (now - Duration::seconds(61), now);
        assert_eq!(state_at(&with(vec![gone]), &settings, now), PresenceState::Offline);
        assert_eq!(state_at(&with(vec![gone, session(10)]), &settings, now), PresenceState::Away);
        assert_eq!(state_at(&Facts::default(), &settings, now), PresenceState::Offline);
    }

    #[test]
    fn an_xmpp_clients_state_counts_only_without_a_browser_and_while_fresh() {
        let settings = Settings::default();
        let now = at(100);
        let remote = |state, seconds_ago| Facts {
            remote: Some((state, now - Duration::seconds(seconds_ago))),
            ..Default::default()
        };
        assert_eq!(state_at(&remote(PresenceState::Dnd, 5), &settings, now), PresenceState::Dnd);
        assert_eq!(state_at(&remote(PresenceState::Online, 5), &settings, now), PresenceState::Online);
        assert_eq!(state_at(&remote(PresenceState::Online, 61), &settings, now), PresenceState::Offline, "stale");
        let with_browser =
            Facts { sessions: vec![(now, now - Duration::minutes(10))], ..remote(PresenceState::Online, 5) };
        assert_eq!(state_at(&with_browser, &settings, now), PresenceState::Away, "the browser's idle time counts");
        let chosen = Facts { manual: Some(PresenceState::Offline), ..remote(PresenceState::Online, 5) };
        assert_eq!(state_at(&chosen, &settings, now), PresenceState::Offline, "a chosen state sticks");
    }

    #[test]
    fn a_chosen_state_sticks_and_an_unanswered_request_sets_away_until_the_next_input() {
        let settings = Settings::default();
        let now = at(100);
        let active = vec![(now, now - Duration::minutes(1))];
        let chosen = Facts { manual: Some(PresenceState::Dnd), sessions: active.clone(), ..Default::default() };
        assert_eq!(state_at(&chosen, &settings, now), PresenceState::Dnd);
        let offline = Facts { manual: Some(PresenceState::Offline), ..Default::default() };
        assert_eq!(state_at(&offline, &settings, now), PresenceState::Offline);
        let set_away = Facts { away_since: Some(now - Duration::seconds(30)), sessions: active, ..Default::default() };
        assert_eq!(state_at(&set_away, &settings, now), PresenceState::Away);
        let came_back =
            Facts { away_since: Some(now - Duration::minutes(2)), sessions: vec![(now, now)], ..Default::default() };
        assert_eq!(state_at(&came_back, &settings, now), PresenceState::Online);
    }
}

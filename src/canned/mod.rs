//! Canned responses: the desk's text modules. The desk lead keeps them (create, edit,
//! delete, each audited); every agent reads them and inserts one into a reply by typing
//! `::` and its trigger (`static/canned.js`). Nobody outside the desk sees them.
pub mod placeholders;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set, SqlErr,
};
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::auth::Actor;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::validate::{self, Checks};
use entities::canned_response;

pub const TRIGGER_MAX: usize = 32;
pub const TITLE_MAX: usize = 120;
/// As long as a ticket's text may be: a canned response becomes one.
pub const BODY_MAX: usize = crate::tickets::TEXT_MAX;

/// What the desk lead's form sends.
#[derive(Debug, Clone, Default)]
pub struct CannedInput {
    pub trigger: String,
    pub title: String,
    pub body: String,
}

/// Reading is for the desk (and the command line); the rest of Staffel does not know the
/// desk's texts.
fn require_desk(by: By<'_>) -> AppResult<()> {
    match by {
        By::Cli | By::System => Ok(()),
        By::User(actor) if actor.role.is_desk() => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Every canned response, by trigger.
pub async fn list<C: ConnectionTrait>(db: &C, by: By<'_>) -> AppResult<Vec<canned_response::Model>> {
    require_desk(by)?;
    Ok(canned_response::Entity::find().order_by_asc(canned_response::Column::Trigger).all(db).await?)
}

/// Every canned response as a reply box inserts it: its placeholders filled for this agent
/// and, if one is given, the ticket (which the agent must be allowed to see).
pub async fn list_filled<C: ConnectionTrait>(
    db: &C,
    agent: &Actor,
    ticket: Option<i32>,
) -> AppResult<Vec<canned_response::Model>> {
    let list = list(db, By::User(agent)).await?;
    let values = placeholders::Values::for_agent(db, agent, ticket).await?;
    Ok(list
        .into_iter()
        .map(|mut c| {
            c.body = placeholders::fill(&c.body, &values);
            c
        })
        .collect())
}

pub async fn find<C: ConnectionTrait>(db: &C, by: By<'_>, id: i32) -> AppResult<canned_response::Model> {
    require_desk(by)?;
    canned_response::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn find_by_trigger<C: ConnectionTrait>(
    db: &C,
    by: By<'_>,
    trigger: &str,
) -> AppResult<Option<canned_response::Model>> {
    require_desk(by)?;
    if !validate::can_match_stored(trigger) {
        return Ok(None);
    }
    Ok(canned_response::Entity::find().filter(canned_response::Column::Trigger.eq(trigger)).one(db).await?)
}

/// A trigger as typed, cleaned: trimmed and lower-cased, then lower-case letters and
/// digits in groups joined by single dashes (`drucker-neu`), at most `TRIGGER_MAX`.
pub fn trigger(value: &str) -> AppResult<String> {
    let value = value.trim().to_ascii_lowercase();
    if value.is_empty() {
        return Err(AppError::invalid("trigger", "validation.required"));
    }
    if value.chars().count() > TRIGGER_MAX {
        return Err(AppError::invalid_with("trigger", "validation.too_long", TRIGGER_MAX));
    }
    let valid = value
        .split('-')
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    if !valid {
        return Err(AppError::invalid("trigger", "canned.trigger_format"));
    }
    Ok(value)
}

/// Every field checked at once, so the form comes back with all its errors.
fn checked(input: &CannedInput) -> AppResult<CannedInput> {
    let mut checks = Checks::default();
    let trigger = checks.take(trigger(&input.trigger));
    let title = checks.take(validate::text("title", &input.title, TITLE_MAX));
    let body = checks.take(validate::multiline("body", &input.body, BODY_MAX));
    checks.done()?;
    Ok(CannedInput { trigger, title, body })
}

fn taken(trigger: &str) -> AppError {
    AppError::invalid_with("trigger", "canned.trigger_taken", trigger)
}

/// Refuses a trigger another canned response has (`except` is the one being edited).
async fn ensure_free<C: ConnectionTrait>(db: &C, trigger: &str, except: Option<i32>) -> AppResult<()> {
    let mut same = canned_response::Entity::find().filter(canned_response::Column::Trigger.eq(trigger));
    if let Some(id) = except {
        same = same.filter(canned_response::Column::Id.ne(id));
    }
    match same.one(db).await? {
        Some(_) => Err(taken(trigger)),
        None => Ok(()),
    }
}

/// A write refused by the unique index (two leads saving the same trigger at once) is the
/// same clear refusal as the check before it.
fn unique(trigger: &str) -> impl FnOnce(sea_orm::DbErr) -> AppError + '_ {
    move |e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => taken(trigger),
        _ => e.into(),
    }
}

fn changed_by(by: By<'_>) -> (Option<i32>, String) {
    match by {
        By::User(actor) => (Some(actor.id), actor.name.clone()),
        By::Cli => (None, "cli".into()),
        By::System => (None, "Staffel".into()),
        By::Anonymous => (None, "anonymous".into()),
        By::Provider(label) => (None, label.to_string()),
    }
}

pub async fn create(db: &Db, by: By<'_>, input: &CannedInput) -> AppResult<canned_response::Model> {
    save(db, by, None, input).await
}

pub async fn update(db: &Db, by: By<'_>, id: i32, input: &CannedInput) -> AppResult<canned_response::Model> {
    save(db, by, Some(id), input).await
}

/// A new canned response (`id` None) or new text for one: the fields checked, the trigger
/// free, the row stamped with who changed it, and its audit record, in one transaction.
async fn save(db: &Db, by: By<'_>, id: Option<i32>, input: &CannedInput) -> AppResult<canned_response::Model> {
    by.require_desk_lead()?;
    let input = checked(input)?;
    let txn = db.write().await?;
    let current = match id {
        Some(id) => Some(canned_response::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    ensure_free(&txn, &input.trigger, id).await?;
    let now = Utc::now();
    let before = current.as_ref().map(|c| json!({ "trigger": c.trigger, "title": c.title }));
    let mut row = match current {
        Some(current) => current.into_active_model(),
        None => canned_response::ActiveModel { created_at: Set(now), ..Default::default() },
    };
    let (updated_by, updated_by_label) = changed_by(by);
    row.trigger = Set(input.trigger.clone());
    row.title = Set(input.title.clone());
    row.body = Set(input.body.clone());
    row.updated_at = Set(now);
    row.updated_by = Set(updated_by);
    row.updated_by_label = Set(updated_by_label);
    let saved = match before {
        Some(_) => row.update(&txn).await,
        None => row.insert(&txn).await,
    }
    .map_err(unique(&input.trigger))?;
    let (action, details) = match before {
        Some(before) => ("canned.update", json!({ "before": before, "trigger": saved.trigger, "title": saved.title })),
        None => ("canned.create", json!({ "trigger": saved.trigger, "title": saved.title })),
    };
    audit::record(&txn, by, action, Target::new("canned_response", saved.id), details).await?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn delete(db: &Db, by: By<'_>, id: i32) -> AppResult<canned_response::Model> {
    by.require_desk_lead()?;
    let txn = db.write().await?;
    let current = canned_response::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    canned_response::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        by,
        "canned.delete",
        Target::new("canned_response", id),
        json!({ "trigger": current.trigger, "title": current.title }),
    )
    .await?;
    txn.commit().await?;
    Ok(current)
}

//! Signing in (with throttling), changing one's own password and language.
use std::net::IpAddr;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::auth::{password, throttle, Actor};
use crate::config::Settings;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use entities::{session, user};

/// Checks an email and password. Every failure looks the same to the caller (no hint
/// whether the account exists) and counts against the account and the address.
pub async fn authenticate(
    db: &Db,
    settings: &Settings,
    email: &str,
    password_input: &str,
    address: Option<IpAddr>,
) -> AppResult<user::Model> {
    let keys = throttle::Keys::new(email, address);
    throttle::before_attempt(db, &keys, settings).await?;
    let found = if email.len() <= 254 { super::service::find_by_email(db.read(), email).await? } else { None };
    let stored = found.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| password::decoy_hash().to_string());
    let password_ok =
        password_input.len() <= password::MAX_LEN * 4 && password::verify(password_input.to_string(), stored).await;
    match found {
        Some(user) if password_ok && user.active => {
            if let Some(actor) = crate::auth::session::load_actor(db, user.id).await? {
                let txn = db.write().await?;
                throttle::record_success(&txn, &keys).await?;
                audit::record(&txn, By::User(&actor), "session.login", Target::new("user", user.id), json!({})).await?;
                txn.commit().await?;
                return Ok(user);
            }
            // The account or its school is deactivated: the same answer as a wrong password.
            throttle::record_failure(db, &keys, settings).await?;
            Err(AppError::invalid("password", "login.failed"))
        }
        _ => {
            throttle::record_failure(db, &keys, settings).await?;
            Err(AppError::invalid("password", "login.failed"))
        }
    }
}

pub async fn change_password(db: &Db, actor: &Actor, current: &str, new: &str, confirm: &str) -> AppResult<()> {
    let existing = user::Entity::find_by_id(actor.id).one(db.read()).await?.ok_or(AppError::NotFound)?;
    if !password::verify(current.to_string(), existing.password_hash.clone()).await {
        return Err(AppError::invalid("current", "account.wrong_password"));
    }
    password::validate("new", new)?;
    if new != confirm {
        return Err(AppError::invalid("confirm", "validation.password_mismatch"));
    }
    let hash = password::hash(new.to_string()).await?;
    let txn = db.write().await?;
    let mut active: user::ActiveModel = existing.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    super::reset::expire_links(&txn, actor.id).await?;
    audit::record(&txn, By::User(actor), "user.password_change", Target::new("user", actor.id), json!({})).await?;
    txn.commit().await?;
    Ok(())
}

/// After a password change or reset: ends everything that acts as this user without their
/// password, every session and every API token (one made by whoever knew the old password
/// must not outlive it).
pub async fn sign_out_everywhere<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<()> {
    session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(db).await?;
    super::api_tokens::revoke_all(db, user_id).await?;
    Ok(())
}

pub async fn set_language(db: &Db, actor: &Actor, lang: Lang) -> AppResult<()> {
    let txn = db.write().await?;
    let existing = user::Entity::find_by_id(actor.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let mut active: user::ActiveModel = existing.into();
    active.language = Set(lang.code().into());
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

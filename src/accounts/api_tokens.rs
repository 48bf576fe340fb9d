//! Personal API tokens: shown once, stored as a hash; listed (never with the token itself)
//! and revoked by their owner on the account page and by whoever has the shell, and all of
//! a user's revoked when their password changes or is reset.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::crypto;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::validate;
use entities::api_token;

/// Creates a token for the user with this email; returns the token itself, which exists
/// nowhere else afterwards.
pub async fn create(db: &Db, by: By<'_>, email: &str, name: &str) -> AppResult<String> {
    let allowed = match by {
        By::Cli | By::System => true,
        By::User(actor) => actor.email == email.trim().to_lowercase(),
        By::Anonymous | By::Provider(_) => false,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let email = validate::email("email", email)?;
    let name = validate::text("name", name, validate::NAME_MAX)?;
    let user = super::service::find_by_email(db.read(), &email)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::invalid_with("email", "validation.unknown_user", &email))?;
    let token = crypto::new_api_token();
    let txn = db.write().await?;
    let created = api_token::ActiveModel {
        user_id: Set(user.id),
        name: Set(name),
        token_hash: Set(crypto::hash(&token)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        by,
        "api_token.create",
        Target::new("api_token", created.id).in_school(user.school_id),
        json!({ "user": user.email }),
    )
    .await?;
    txn.commit().await?;
    Ok(token)
}

/// A user's tokens, oldest first.
pub async fn list_for<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<Vec<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_asc(api_token::Column::Id)
        .all(db)
        .await?)
}

/// The tokens of the user with this email (for `staffel token list`).
pub async fn list_by_email(db: &Db, email: &str) -> AppResult<Vec<api_token::Model>> {
    let email = validate::email("email", email)?;
    let user = super::service::find_by_email(db.read(), &email)
        .await?
        .ok_or_else(|| AppError::invalid_with("email", "validation.unknown_user", &email))?;
    list_for(db.read(), user.id).await
}

/// Revokes one token: a signed-in user only their own (another's is "not found"), the
/// command line any.
pub async fn revoke(db: &Db, by: By<'_>, id: i32) -> AppResult<()> {
    let owner = match by {
        By::Cli | By::System => None,
        By::User(actor) => Some(actor.id),
        By::Anonymous | By::Provider(_) => return Err(AppError::Forbidden),
    };
    let txn = db.write().await?;
    let mut query = api_token::Entity::find_by_id(id);
    if let Some(owner) = owner {
        query = query.filter(api_token::Column::UserId.eq(owner));
    }
    let token = query.one(&txn).await?.ok_or(AppError::NotFound)?;
    api_token::Entity::delete_by_id(token.id).exec(&txn).await?;
    let user = entities::user::Entity::find_by_id(token.user_id).one(&txn).await?;
    let school = user.as_ref().and_then(|u| u.school_id);
    let email = user.map(|u| u.email).unwrap_or_default();
    audit::record(
        &txn,
        by,
        "api_token.revoke",
        Target::new("api_token", token.id).in_school(school),
        json!({ "user": email, "name": token.name }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Revokes every token of a user, in the caller's transaction; how many there were.
pub async fn revoke_all<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<u64> {
    Ok(api_token::Entity::delete_many().filter(api_token::Column::UserId.eq(user_id)).exec(db).await?.rows_affected)
}

//! Personal API tokens: shown once, stored as a hash.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, Set};
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

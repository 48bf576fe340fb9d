//! Password reset by mail: a single-use link with a 256-bit token (stored as a hash) that
//! expires. Asking never reveals whether an address has an account.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::auth::password;
use crate::config::Settings;
use crate::crypto;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::mail::{self, Mailer, Outgoing};
use crate::validate;
use entities::{password_reset, user};

/// At most this many reset mails per account and hour: the form is public, and must not
/// become a way to flood someone's inbox.
pub const MAILS_PER_HOUR: u64 = 3;

/// How long asking for a reset link takes, whatever the address: recording a reset and
/// queueing its mail takes a few milliseconds more than finding no account, and that
/// difference alone would tell which addresses have one.
pub const ANSWER_AFTER: std::time::Duration = std::time::Duration::from_millis(200);

/// Records a reset and mails its link, if the address belongs to an active account (and
/// it has not had `MAILS_PER_HOUR` links in the last hour). Returns nothing either way, so
/// the page can say the same thing to everyone, and always after `ANSWER_AFTER`: the work
/// runs beside the request, and what it has not finished by then (a slow database under
/// load) goes on in the background instead of delaying the answer.
pub async fn request_reset(db: &Db, mailer: &Mailer, settings: &Settings, email: &str) -> AppResult<()> {
    let email = validate::email("email", email)?;
    let answer_at = tokio::time::Instant::now() + ANSWER_AFTER;
    let (db, mailer, settings) = (db.clone(), mailer.clone(), settings.clone());
    let work = tokio::spawn(async move {
        let result = record_reset(&db, &mailer, &settings, &email).await;
        if let Err(e) = &result {
            tracing::error!(target: "staffel::accounts", error = %e.chain(), "cannot record a password reset");
        }
        result
    });
    let outcome = tokio::time::timeout_at(answer_at, work).await;
    tokio::time::sleep_until(answer_at).await;
    match outcome {
        Ok(Ok(result)) => result,
        Ok(Err(panicked)) => Err(AppError::caused("password reset request", panicked)),
        // Still at work: it finishes (or logs why not) on its own.
        Err(_) => Ok(()),
    }
}

async fn record_reset(db: &Db, mailer: &Mailer, settings: &Settings, email: &str) -> AppResult<()> {
    let Some(found) = super::service::find_by_email(db.read(), email).await?.filter(|u| u.active) else {
        return Ok(());
    };
    let now = Utc::now();
    let recent = password_reset::Entity::find()
        .filter(password_reset::Column::UserId.eq(found.id))
        .filter(password_reset::Column::CreatedAt.gt(now - chrono::Duration::hours(1)))
        .count(db.read())
        .await?;
    if recent >= MAILS_PER_HOUR {
        tracing::warn!(target: "staffel::accounts", user = found.id, "password reset requests throttled");
        return Ok(());
    }
    let token = crypto::random_hex(32);
    let expires = now + chrono::Duration::minutes(settings.reset_link_minutes);
    let txn = db.write().await?;
    password_reset::ActiveModel {
        user_id: Set(found.id),
        token_hash: Set(crypto::hash(&token)),
        created_at: Set(now),
        expires_at: Set(expires),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let lang = Lang::parse(&found.language).unwrap_or_default();
    mail::enqueue(
        &txn,
        mailer,
        Outgoing {
            to_addr: &found.email,
            to_name: &found.name,
            lang,
            template: "password_reset",
            context: &json!({
                "link": mailer.link(&format!("/password/reset/{token}")),
                "minutes": settings.reset_link_minutes.to_string(),
            }),
            thread: None,
        },
    )
    .await?;
    audit::record(&txn, By::Anonymous, "user.password_reset_requested", Target::new("user", found.id), json!({}))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The reset a link stands for, if it is unused and unexpired.
pub async fn find_valid<C: ConnectionTrait>(db: &C, token: &str) -> AppResult<password_reset::Model> {
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::Gone);
    }
    let reset = password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(crypto::hash(token)))
        .one(db)
        .await?
        .ok_or(AppError::Gone)?;
    if reset.used_at.is_some() || reset.expires_at < Utc::now() {
        return Err(AppError::Gone);
    }
    Ok(reset)
}

pub async fn reset_password(db: &Db, token: &str, new: &str, confirm: &str) -> AppResult<user::Model> {
    let reset = find_valid(db.read(), token).await?;
    password::validate("new", new)?;
    if new != confirm {
        return Err(AppError::invalid("confirm", "validation.password_mismatch"));
    }
    let hash = password::hash(new.to_string()).await?;
    let txn = db.write().await?;
    // Mark the link used first, conditionally: of two submissions at once, one wins.
    let now = Utc::now();
    let claimed = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(password_reset::Column::Id.eq(reset.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::Gone);
    }
    // The account's other links (from earlier mails) die with the old password.
    expire_links(&txn, reset.user_id).await?;
    let found = user::Entity::find_by_id(reset.user_id).one(&txn).await?.ok_or(AppError::Gone)?;
    let mut active: user::ActiveModel = found.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    super::login::sign_out_everywhere(&txn, updated.id).await?;
    audit::record(&txn, By::Anonymous, "user.password_reset", Target::new("user", updated.id), json!({})).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Uses up every open reset link of an account: a new password makes them pointless, and
/// a stolen old mail must not set another one.
pub async fn expire_links<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<()> {
    password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(password_reset::Column::UserId.eq(user_id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

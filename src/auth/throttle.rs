//! Login throttling, kept in the database so every instance and restart shares it.
//! Failures are counted per account and per client address; after a few the answer slows
//! down, after more the key is locked for a while. Addresses get a much higher limit than
//! accounts because a whole school often shares one public address.
use std::time::Duration;

use chrono::Utc;
use sea_orm::{sea_query::OnConflict, ConnectionTrait, EntityTrait, Set};

use crate::config::Settings;
use crate::error::{AppError, AppResult};
use entities::login_attempt;

pub struct Keys {
    pub account: String,
    pub address: Option<String>,
}

impl Keys {
    pub fn new(email: &str, address: Option<std::net::IpAddr>) -> Keys {
        Keys { account: format!("account:{}", account_key(email)), address: address.map(|a| format!("address:{a}")) }
    }

    fn all(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.account).chain(self.address.iter())
    }
}

/// The account part of a throttle key as it can be stored: whatever was typed, lowercased,
/// without control characters (PostgreSQL refuses a NUL) and no longer than an address can
/// be (a longer one belongs to no account, and a huge key would not fit the index).
fn account_key(email: &str) -> String {
    email.trim().to_lowercase().replace(char::is_control, "").chars().take(crate::validate::EMAIL_MAX).collect()
}

/// Refuses while a key is locked, and otherwise waits longer the more recent failures the
/// account has: guessing gets slow long before it gets locked.
pub async fn before_attempt(db: &crate::db::Db, keys: &Keys, settings: &Settings) -> AppResult<()> {
    let db = db.read();
    let now = Utc::now();
    let mut account_failures = 0;
    for key in keys.all() {
        if let Some(row) = login_attempt::Entity::find_by_id(key.clone()).one(db).await? {
            if let Some(until) = row.locked_until.filter(|until| *until > now) {
                let minutes = ((until - now).num_seconds() + 59) / 60;
                return Err(AppError::TooManyAttempts { minutes: minutes.max(1) });
            }
            if *key == keys.account && !expired(&row, settings) {
                account_failures = row.failures;
            }
        }
    }
    if account_failures >= settings.login_slow_after && settings.login_delay_ms > 0 {
        let steps = (account_failures - settings.login_slow_after).min(4) as u32;
        tokio::time::sleep(Duration::from_millis(settings.login_delay_ms * 2u64.pow(steps))).await;
    }
    Ok(())
}

fn expired(row: &login_attempt::Model, settings: &Settings) -> bool {
    Utc::now() - row.last_failure_at > chrono::Duration::minutes(settings.login_lock_minutes)
}

/// Counts a failure, in its own write transaction.
pub async fn record_failure(db: &crate::db::Db, keys: &Keys, settings: &Settings) -> AppResult<()> {
    let txn = db.write().await?;
    count_failure(&txn, keys, settings).await?;
    txn.commit().await?;
    Ok(())
}

async fn count_failure<C: ConnectionTrait>(db: &C, keys: &Keys, settings: &Settings) -> AppResult<()> {
    let now = Utc::now();
    for key in keys.all() {
        let limit =
            if *key == keys.account { settings.login_lock_after } else { settings.login_lock_after_per_address };
        let existing = login_attempt::Entity::find_by_id(key.clone()).one(db).await?;
        let failures = match &existing {
            Some(row) if !expired(row, settings) => row.failures + 1,
            _ => 1,
        };
        let locked_until = (failures >= limit).then(|| now + chrono::Duration::minutes(settings.login_lock_minutes));
        let row = login_attempt::ActiveModel {
            key: Set(key.clone()),
            failures: Set(if locked_until.is_some() { 0 } else { failures }),
            last_failure_at: Set(now),
            locked_until: Set(locked_until),
        };
        // An upsert: two failing requests at once must not collide on the insert.
        login_attempt::Entity::insert(row)
            .on_conflict(
                OnConflict::column(login_attempt::Column::Key)
                    .update_columns([
                        login_attempt::Column::Failures,
                        login_attempt::Column::LastFailureAt,
                        login_attempt::Column::LockedUntil,
                    ])
                    .to_owned(),
            )
            .exec(db)
            .await?;
    }
    Ok(())
}

/// A successful login forgets the account's failures (not the address's: one good
/// password must not reset a guessing run against other accounts).
pub async fn record_success<C: ConnectionTrait>(db: &C, keys: &Keys) -> AppResult<()> {
    login_attempt::Entity::delete_by_id(keys.account.clone()).exec(db).await?;
    Ok(())
}

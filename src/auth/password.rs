//! Passwords: argon2id with the crate's recommended parameters, hashed and verified off
//! the async executor (a hash takes tens of milliseconds on purpose).
use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::error::{AppError, AppResult};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 200;

pub fn validate(field: &str, password: &str) -> AppResult<()> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(AppError::invalid_with(field, "validation.password_short", MIN_LEN));
    }
    if len > MAX_LEN {
        return Err(AppError::invalid_with(field, "validation.too_long", MAX_LEN));
    }
    Ok(())
}

pub fn hash_blocking(password: &str) -> AppResult<String> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(AppError::internal)
}

pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(AppError::internal)?
}

pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), stored.as_str()).is_ok())
        .await
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that a wrong email costs
/// as much time as a wrong password and timing does not reveal which accounts exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_blocking("staffel-decoy-password").unwrap_or_default())
}

//! Signed user assertions: an integration (the school platform, the LMS) that already knows
//! who its reader is hands Staffel a short-lived statement of it, so the reader need not sign
//! in to Staffel again. The statement is
//!
//! ```text
//! base64url(JSON {"origin","email","exp","nonce"}) "." base64url(HMAC-SHA256(secret, first part))
//! ```
//!
//! signed with the secret the operator configured for that origin (`STAFFEL_WIDGET_SECRETS`).
//! It is refused, logged and audited when it is unreadable, names an origin without a
//! secret, carries a wrong signature, has expired (or claims to live longer than
//! `STAFFEL_WIDGET_ASSERTION_MAX_SECS`), was used before, or names nobody who may sign in.
//! A nonce is good once: used nonces are rows (several instances share the database) until
//! their assertion would have expired anyway.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use entities::widget_nonce;

/// The longest assertion read at all: four short fields, encoded.
pub const ASSERTION_MAX: usize = 2048;
const NONCE_MIN: usize = 16;
const NONCE_MAX: usize = 128;

#[derive(Debug, Deserialize)]
struct Claims {
    origin: String,
    email: String,
    /// Seconds since 1970 (UTC) after which the assertion is void.
    exp: i64,
    nonce: String,
}

/// Why an assertion was refused: the catalogue key the reader is told, and what the log and
/// the audit record say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    UnknownOrigin,
    BadSignature,
    Expired,
    TooLongLived,
    Replayed,
    UnknownUser,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::Malformed => "widget.assertion_malformed",
            Refusal::UnknownOrigin => "widget.assertion_unknown_origin",
            Refusal::BadSignature => "widget.assertion_signature",
            Refusal::Expired => "widget.assertion_expired",
            Refusal::TooLongLived => "widget.assertion_too_long_lived",
            Refusal::Replayed => "widget.assertion_replayed",
            Refusal::UnknownUser => "widget.assertion_user",
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Refusal::Malformed => "malformed",
            Refusal::UnknownOrigin => "unknown origin",
            Refusal::BadSignature => "bad signature",
            Refusal::Expired => "expired",
            Refusal::TooLongLived => "lives too long",
            Refusal::Replayed => "replayed",
            Refusal::UnknownUser => "unknown or deactivated user",
        }
    }
}

/// An assertion for `claims`, signed with `secret`: what an integration computes (used by
/// the tests and the example; Staffel itself only verifies).
pub fn sign(secret: &str, origin: &str, email: &str, exp: i64, nonce: &str) -> String {
    let payload = json!({ "origin": origin, "email": email, "exp": exp, "nonce": nonce }).to_string();
    let encoded = URL_SAFE_NO_PAD.encode(payload);
    let mac = crate::crypto::hmac_sha256(secret.as_bytes(), encoded.as_bytes());
    format!("{encoded}.{}", URL_SAFE_NO_PAD.encode(mac))
}

/// The claims of an assertion whose signature and lifetime are right (nothing is written).
fn verified(settings: &Settings, assertion: &str, now: DateTime<Utc>) -> Result<Claims, (Refusal, Option<String>)> {
    let assertion = assertion.trim();
    if assertion.is_empty() || assertion.len() > ASSERTION_MAX {
        return Err((Refusal::Malformed, None));
    }
    let (encoded, signature) = assertion.split_once('.').ok_or((Refusal::Malformed, None))?;
    let payload = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| (Refusal::Malformed, None))?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| (Refusal::Malformed, None))?;
    let origin = crate::config::web_origin(&claims.origin).ok_or((Refusal::UnknownOrigin, None))?;
    let secret = settings
        .widget_secret(&origin)
        .filter(|_| settings.widget_origin_allowed(&origin))
        .ok_or((Refusal::UnknownOrigin, Some(origin.clone())))?;
    let expected = URL_SAFE_NO_PAD.encode(crate::crypto::hmac_sha256(secret.as_bytes(), encoded.as_bytes()));
    if !crate::crypto::same_secret(&expected, signature) {
        return Err((Refusal::BadSignature, Some(origin)));
    }
    // Only a signed nonce is looked at: its shape says nothing before that.
    let nonce_ok = (NONCE_MIN..=NONCE_MAX).contains(&claims.nonce.len())
        && claims.nonce.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if !nonce_ok {
        return Err((Refusal::Malformed, Some(origin)));
    }
    let now_secs = now.timestamp();
    if claims.exp <= now_secs {
        return Err((Refusal::Expired, Some(origin)));
    }
    if claims.exp > now_secs + settings.widget_assertion_max_secs {
        return Err((Refusal::TooLongLived, Some(origin)));
    }
    Ok(Claims { origin, ..claims })
}

/// The person an assertion names, once: its nonce is used up in the same transaction as
/// the audit record of the sign-in. A refusal is logged and audited (with the origin when
/// the signature showed which integration it is) and answered with its reason.
pub async fn redeem(db: &Db, settings: &Settings, assertion: &str, now: DateTime<Utc>) -> AppResult<Actor> {
    let claims = match verified(settings, assertion, now) {
        Ok(claims) => claims,
        Err((refusal, origin)) => return Err(refuse(db, refusal, origin.as_deref(), None).await),
    };
    let user = crate::accounts::service::find_by_email(db.read(), claims.email.trim()).await?;
    let actor = match user {
        Some(user) => crate::auth::session::load_actor(db, user.id).await?,
        None => None,
    };
    let Some(actor) = actor else {
        return Err(refuse(db, Refusal::UnknownUser, Some(&claims.origin), None).await);
    };
    let expires_at = DateTime::from_timestamp(claims.exp, 0).unwrap_or(now);
    let txn = db.write().await?;
    // Forgotten once their assertion is void: clearing them here keeps the table as small
    // as the assertions alive, without a job of its own.
    widget_nonce::Entity::delete_many().filter(widget_nonce::Column::ExpiresAt.lt(now)).exec(&txn).await?;
    let inserted = widget_nonce::Entity::insert(widget_nonce::ActiveModel {
        nonce: Set(claims.nonce.clone()),
        origin: Set(claims.origin.clone()),
        expires_at: Set(expires_at),
    })
    .on_conflict(OnConflict::column(widget_nonce::Column::Nonce).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        drop(txn);
        return Err(refuse(db, Refusal::Replayed, Some(&claims.origin), Some(actor.id)).await);
    }
    audit::record(
        &txn,
        By::User(&actor),
        "widget.assertion_accepted",
        Target::new("user", actor.id).in_school(actor.school_id),
        json!({ "origin": claims.origin }),
    )
    .await?;
    txn.commit().await?;
    Ok(actor)
}

/// Logs and audits a refused assertion; the error the reader is shown. A failure to write
/// the audit record is logged and answered as that failure.
async fn refuse(db: &Db, refusal: Refusal, origin: Option<&str>, user: Option<i32>) -> AppError {
    tracing::warn!(reason = refusal.reason(), origin = origin.unwrap_or("-"), "widget assertion refused");
    let detail = json!({ "reason": refusal.reason(), "origin": origin });
    let target = Target { kind: "widget_assertion", id: user, school_id: None };
    let recorded = async {
        let txn = db.write().await?;
        audit::record(&txn, By::Anonymous, "widget.assertion_refused", target, detail).await?;
        txn.commit().await?;
        Ok::<_, AppError>(())
    };
    match recorded.await {
        Ok(()) => AppError::invalid("assertion", refusal.key()),
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            widget_origins: "https://lms.example.org".into(),
            widget_secrets: format!("https://lms.example.org={}", "k".repeat(40)),
            ..Default::default()
        }
    }

    #[test]
    fn only_a_well_signed_living_assertion_is_verified() {
        let s = settings();
        let now = Utc::now();
        let exp = now.timestamp() + 60;
        let nonce = "n".repeat(20);
        let good = sign(&"k".repeat(40), "https://lms.example.org", "a@b.de", exp, &nonce);
        assert_eq!(verified(&s, &good, now).expect("verified").email, "a@b.de");
        let other_key = sign(&"x".repeat(40), "https://lms.example.org", "a@b.de", exp, &nonce);
        assert_eq!(verified(&s, &other_key, now).unwrap_err().0, Refusal::BadSignature);
        // Another email under the old signature.
        let (_, signature) = good.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(
            json!({ "origin": "https://lms.example.org", "email": "boss@b.de", "exp": exp, "nonce": nonce })
                .to_string(),
        );
        assert_eq!(verified(&s, &format!("{forged_payload}.{signature}"), now).unwrap_err().0, Refusal::BadSignature);
        let old = sign(&"k".repeat(40), "https://lms.example.org", "a@b.de", now.timestamp() - 1, &nonce);
        assert_eq!(verified(&s, &old, now).unwrap_err().0, Refusal::Expired);
        let long = sign(&"k".repeat(40), "https://lms.example.org", "a@b.de", now.timestamp() + 3600, &nonce);
        assert_eq!(verified(&s, &long, now).unwrap_err().0, Refusal::TooLongLived);
        let elsewhere = sign(&"k".repeat(40), "https://evil.example", "a@b.de", exp, &nonce);
        assert_eq!(verified(&s, &elsewhere, now).unwrap_err().0, Refusal::UnknownOrigin);
        let short_nonce = sign(&"k".repeat(40), "https://lms.example.org", "a@b.de", exp, "kurz");
        assert_eq!(verified(&s, &short_nonce, now).unwrap_err().0, Refusal::Malformed);
        for junk in ["", ".", "abc", "äöü.x", &"a".repeat(ASSERTION_MAX + 1)] {
            assert_eq!(verified(&s, junk, now).unwrap_err().0, Refusal::Malformed, "{junk}");
        }
    }
}

//! Provider links: one per contact and forward. A token is HMAC(server key, random salt);
//! the database keeps the salt and the token's SHA-256 hash only, so a leaked database does
//! not hand out working links, yet every later mail about the forward (the desk's answers,
//! reminders) carries the same link the contact already has.
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

use super::service::LINK_DAYS;
use crate::app::App;
use crate::config::Settings;
use crate::crypto;
use crate::db::WriteTxn;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::mail::{self, Outgoing};
use crate::tickets::number;
use entities::{attachment, forward, forward_link, provider_contact, ticket};

/// A contact's working link: its token and when it expires.
pub struct Link {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// The contact's live link to the forward, or a new one when they have none, or when its
/// token can no longer be computed (a link from before salts, or the server key changed).
pub async fn link_for(
    txn: &WriteTxn,
    settings: &Settings,
    fwd: &forward::Model,
    contact: &provider_contact::Model,
    now: DateTime<Utc>,
) -> AppResult<Link> {
    let live = forward_link::Entity::find()
        .filter(forward_link::Column::ForwardId.eq(fwd.id))
        .filter(forward_link::Column::ContactEmail.eq(contact.email.as_str()))
        .filter(forward_link::Column::RevokedAt.is_null())
        .filter(forward_link::Column::ExpiresAt.gt(now))
        .order_by_desc(forward_link::Column::Id)
        .all(txn)
        .await?;
    for link in live {
        let Some(salt) = link.token_salt.as_deref() else { continue };
        let token = crypto::derived_token(&settings.provider_link_key, salt);
        if crypto::hash(&token) == link.token_hash {
            return Ok(Link { token, expires_at: link.expires_at });
        }
    }
    let salt = crypto::random_hex(32);
    let token = crypto::derived_token(&settings.provider_link_key, &salt);
    let expires_at = now + chrono::Duration::days(LINK_DAYS);
    forward_link::ActiveModel {
        forward_id: Set(fwd.id),
        contact_email: Set(contact.email.clone()),
        contact_name: Set(contact.name.clone()),
        token_hash: Set(crypto::hash(&token)),
        token_salt: Set(Some(salt)),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(Link { token, expires_at })
}

/// What a mail to a contact says: `kind` picks subject and intro (forward_new,
/// forward_reply, forward_reminder); the files that go with it are named with their
/// download address under the contact's own link.
pub struct Letter<'a> {
    pub kind: &'a str,
    pub body: &'a str,
    pub files: &'a [attachment::Model],
}

/// Mails one contact about the forward, with their link.
pub async fn mail_contact(
    txn: &WriteTxn,
    app: &App,
    fwd: &forward::Model,
    t: &ticket::Model,
    contact: &provider_contact::Model,
    letter: &Letter<'_>,
) -> AppResult<()> {
    let now = Utc::now();
    let link = link_for(txn, &app.settings, fwd, contact, now).await?;
    // Whole days left, rounded up, so a fresh link says 30 and none says 0.
    let days_left = ((link.expires_at - now).num_hours() + 23) / 24;
    let thread = format!("forward-{}", fwd.id);
    let page = app.mailer.link(&format!("/provider/{}", link.token));
    let files: Vec<_> = letter
        .files
        .iter()
        .map(|a| json!({ "name": a.filename, "size": a.size, "url": format!("{page}/attachments/{}", a.id) }))
        .collect();
    mail::enqueue(
        txn,
        &app.mailer,
        Outgoing {
            to_addr: &contact.email,
            to_name: &contact.name,
            lang: Lang::De,
            template: "forward",
            context: &json!({
                "kind": letter.kind,
                "number": number(t.id),
                "title": t.title,
                "priority": fwd.priority,
                "body": letter.body,
                "files": files,
                "link": page,
                "days": days_left.to_string(),
                // The agreed answer time, in the desk's time zone, so nobody works it out.
                "due": fwd.due_at.with_timezone(&app.settings.tz()).format("%d.%m.%Y %H:%M").to_string(),
            }),
            thread: Some(&thread),
        },
    )
    .await?;
    Ok(())
}

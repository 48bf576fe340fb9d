//! An agent's XMPP address. Typed on the account page it is pending; a message from that
//! address with the code shown there confirms it, which proves that whoever reads the
//! address also holds the Staffel account (a mistyped address never receives a school's
//! chat). One wrong code ends the pending link, so a code cannot be guessed.
use std::str::FromStr;

use chrono::Utc;
use rand::Rng;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use xmpp_parsers::jid::BareJid;

use crate::app::App;
use crate::audit::{self, By, Target};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use entities::xmpp_link;

/// The longest address accepted (an address has room for more; nobody's is this long).
pub const JID_MAX: usize = 200;

/// An address as stored and compared: bare (no resource), lowercase.
pub fn normalised(text: &str) -> AppResult<String> {
    let text = text.trim();
    let invalid = || AppError::invalid("jid", "xmpp.jid_invalid");
    if text.is_empty() || text.len() > JID_MAX || text.chars().any(char::is_whitespace) {
        return Err(invalid());
    }
    // A full address (with the client's resource) names the same account.
    let bare = text.split_once('/').map_or(text, |(bare, _)| bare);
    let jid = BareJid::from_str(bare).map_err(|_| invalid())?;
    if jid.node().is_none() || !jid.domain().as_str().contains('.') && jid.domain().as_str() != "localhost" {
        return Err(invalid());
    }
    Ok(jid.to_string().to_lowercase())
}

/// The address this person linked, confirmed or pending.
pub async fn of<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<Option<xmpp_link::Model>> {
    Ok(xmpp_link::Entity::find_by_id(user_id).one(db).await?)
}

/// The confirmed link of an address, if there is one.
pub async fn confirmed_by_jid<C: ConnectionTrait>(db: &C, jid: &str) -> AppResult<Option<xmpp_link::Model>> {
    Ok(xmpp_link::Entity::find()
        .filter(xmpp_link::Column::Jid.eq(jid))
        .filter(xmpp_link::Column::ConfirmedAt.is_not_null())
        .one(db)
        .await?)
}

/// Every confirmed link.
pub async fn confirmed<C: ConnectionTrait>(db: &C) -> AppResult<Vec<xmpp_link::Model>> {
    Ok(xmpp_link::Entity::find().filter(xmpp_link::Column::ConfirmedAt.is_not_null()).all(db).await?)
}

/// An agent links an address (replacing an earlier one); pending until confirmed.
pub async fn link(app: &App, actor: &Actor, jid: &str) -> AppResult<xmpp_link::Model> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    if !app.settings.xmpp_enabled() {
        return Err(AppError::invalid("jid", "xmpp.unavailable"));
    }
    let jid = normalised(jid)?;
    if jid == normalised(&app.settings.xmpp_jid).unwrap_or_default() {
        return Err(AppError::invalid("jid", "xmpp.jid_invalid"));
    }
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let now = Utc::now();
    let txn = app.db.write().await?;
    let taken = xmpp_link::Entity::find()
        .filter(xmpp_link::Column::Jid.eq(jid.clone()))
        .filter(xmpp_link::Column::UserId.ne(actor.id))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::invalid("jid", "xmpp.jid_taken"));
    }
    xmpp_link::Entity::delete_by_id(actor.id).exec(&txn).await?;
    crate::chat::via::move_to_web(&txn, actor.id).await?;
    let row = xmpp_link::ActiveModel {
        user_id: Set(actor.id),
        jid: Set(jid.clone()),
        code: Set(Some(code)),
        confirmed_at: Set(None),
        created_at: Set(now),
    };
    let row = xmpp_link::Entity::insert(row).exec_with_returning(&txn).await?;
    audit::record(&txn, By::User(actor), "xmpp.link", Target::new("user", actor.id), json!({ "jid": jid })).await?;
    txn.commit().await?;
    Ok(row)
}

/// An agent removes their address: its chats go on in the browser.
pub async fn unlink(app: &App, actor: &Actor) -> AppResult<()> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let txn = app.db.write().await?;
    let removed = xmpp_link::Entity::delete_by_id(actor.id).exec(&txn).await?;
    if removed.rows_affected == 0 {
        return Ok(());
    }
    crate::chat::via::move_to_web(&txn, actor.id).await?;
    crate::chat::presence::report_remote(&txn, actor.id, None, Utc::now()).await?;
    audit::record(&txn, By::User(actor), "xmpp.unlink", Target::new("user", actor.id), json!({})).await?;
    txn.commit().await?;
    Ok(())
}

/// What a code sent from an address did.
#[derive(Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// The address is now this person's.
    Confirmed(i32),
    /// The code was wrong: the pending link is gone.
    Wrong,
    /// Nothing is pending for this address.
    NothingPending,
}

/// A message from `jid` (authenticated by its server) carries a code.
pub async fn confirm(app: &App, jid: &str, code: &str) -> AppResult<Confirmation> {
    let Ok(jid) = normalised(jid) else { return Ok(Confirmation::NothingPending) };
    let txn = app.db.write().await?;
    let pending = xmpp_link::Entity::find()
        .filter(xmpp_link::Column::Jid.eq(jid.clone()))
        .filter(xmpp_link::Column::ConfirmedAt.is_null())
        .one(&txn)
        .await?;
    let Some(pending) = pending else { return Ok(Confirmation::NothingPending) };
    let right = pending.code.as_deref().is_some_and(|expected| crate::crypto::same_secret(expected, code.trim()));
    let target = Target::new("user", pending.user_id);
    if !right {
        xmpp_link::Entity::delete_by_id(pending.user_id).exec(&txn).await?;
        audit::record(&txn, By::System, "xmpp.link_refused", target, json!({ "jid": jid })).await?;
        txn.commit().await?;
        return Ok(Confirmation::Wrong);
    }
    xmpp_link::Entity::update_many()
        .col_expr(xmpp_link::Column::ConfirmedAt, Some(Utc::now()).into())
        .col_expr(xmpp_link::Column::Code, Option::<String>::None.into())
        .filter(xmpp_link::Column::UserId.eq(pending.user_id))
        .exec(&txn)
        .await?;
    audit::record(&txn, By::System, "xmpp.link_confirmed", target, json!({ "jid": jid })).await?;
    txn.commit().await?;
    Ok(Confirmation::Confirmed(pending.user_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_stored_bare_and_lowercase_and_nonsense_is_refused() {
        assert_eq!(normalised(" Anna@Example.org ").unwrap(), "anna@example.org");
        assert_eq!(normalised("anna@example.org/Handy").unwrap(), "anna@example.org");
        assert_eq!(normalised("agent@localhost").unwrap(), "agent@localhost");
        for bad in ["", "anna", "@example.org", "anna@", "an na@example.org", "anna@example", "a@b@c.org"] {
            assert!(normalised(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(normalised(&format!("{}@example.org", "a".repeat(300))).is_err());
    }
}

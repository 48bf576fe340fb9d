//! Changes that carry files: a new ticket with attachments, a reply or note with files, a
//! provider's comment with files. Each is one transaction: the rows, their audit events,
//! the timeline event and the mails land together or not at all; the files written before
//! it are removed again when it does not commit (see `store::Staged`).
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::service::{self, Owner, Uploader};
use super::store::Staged;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::forwards::service::Access;
use crate::tickets::service::{self as tickets, apply_in, Change, Ctx, NewTicket, Who, TEXT_MAX};
use crate::tickets::status::Status;
use entities::{forward_link, ticket};

/// A message that may be empty when files carry it.
pub fn message(field: &str, body: &str, staged: &Staged) -> AppResult<String> {
    if body.trim().is_empty() && !staged.is_empty() {
        return Ok(String::new());
    }
    crate::validate::multiline(field, body, TEXT_MAX)
}

/// A school admin opens a ticket with attachments.
pub async fn open_ticket(ctx: &Ctx<'_>, actor: &Actor, input: &NewTicket, staged: Staged) -> AppResult<ticket::Model> {
    let checked = tickets::check_new(ctx, actor, input).await?;
    let (_turn, txn) = ctx.write_turn.begin(ctx.db).await?;
    let school_id = checked.school_id;
    let created = tickets::insert(&txn, ctx, actor, checked, None).await?;
    let owner = Owner { school_id, report_id: None, ticket_id: Some(created.id) };
    let rows = service::record(&txn, &staged, owner, Uploader::User(actor), false).await?;
    service::timeline_event(&txn, created.id, actor, &rows, json!({})).await?;
    txn.commit().await?;
    staged.keep();
    Ok(created)
}

/// What the reply form asks for: a reply (or the desk's internal note), or the desk's
/// question that puts the ticket on the school.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Comment { internal: bool },
    AskSchool,
}

/// A reply, note or question with files on a ticket this actor may see.
pub async fn reply(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: i32,
    body: &str,
    kind: Reply,
    expected_version: Option<i32>,
    staged: Staged,
) -> AppResult<ticket::Model> {
    let current = tickets::find(ctx.db, actor, id).await?;
    let mut change = match kind {
        Reply::Comment { internal } => {
            tickets::comment_change(actor, &current, message("body", body, &staged)?, internal)?
        }
        Reply::AskSchool => {
            if !actor.role.is_desk() {
                return Err(AppError::Forbidden);
            }
            // A question needs words; files alone do not ask anything.
            let mut change = Change::new("ask_school");
            change.body = crate::validate::multiline("body", body, TEXT_MAX)?;
            change.status = Some(Status::WaitingOnSchool);
            change.school_mail = Some("ticket_question");
            change
        }
    };
    let (_turn, txn) = ctx.write_turn.begin(ctx.db).await?;
    let owner = Owner { school_id: current.school_id, report_id: None, ticket_id: Some(current.id) };
    let rows = service::record(&txn, &staged, owner, Uploader::User(actor), change.internal).await?;
    change.data["attachments"] = service::refs(&rows);
    let updated = apply_in(&txn, ctx, Who::User(actor), current, expected_version, change).await?;
    txn.commit().await?;
    staged.keep();
    Ok(updated)
}

/// A provider comments with files through their link: on the (internal) timeline, mailed
/// to the desk, visible to the provider's own link afterwards.
pub async fn provider_comment(ctx: &Ctx<'_>, access: &Access, body: &str, staged: Staged) -> AppResult<()> {
    if access.forward.status != "active" {
        return Err(AppError::conflict("forwards.not_active"));
    }
    let mut change = Change::new("provider_comment");
    change.internal = true;
    change.body = message("body", body, &staged)?;
    change.desk_mail = true;
    let label = access.label();
    let (_turn, txn) = ctx.write_turn.begin(ctx.db).await?;
    crate::forwards::service::still_active(&txn, access.forward.id).await?;
    forward_link::Entity::update_many()
        .col_expr(forward_link::Column::LastUsedAt, Expr::value(Some(Utc::now())))
        .filter(forward_link::Column::Id.eq(access.link.id))
        .exec(&txn)
        .await?;
    let current = ticket::Entity::find_by_id(access.ticket.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let owner = Owner { school_id: current.school_id, report_id: None, ticket_id: Some(current.id) };
    let uploader = Uploader::Provider { forward_id: access.forward.id, label: &label };
    let rows = service::record(&txn, &staged, owner, uploader, true).await?;
    change.data = json!({ "forward": access.forward.id, "attachments": service::refs(&rows) });
    apply_in(&txn, ctx, Who::Provider(&label), current, None, change).await?;
    txn.commit().await?;
    staged.keep();
    Ok(())
}

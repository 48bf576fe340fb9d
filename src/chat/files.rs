//! Files and screenshots sent in a chat. The attachment rules of the ladder apply (types
//! sniffed, sizes capped, written before the transaction and removed again if it fails);
//! each file is one line of the chat, and stays with the chat until the chat becomes a
//! ticket (then the ticket has it) or is deleted.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::messages::{append, publish};
use super::view::{self, MessageView};
use super::{find, Participation};
use crate::app::App;
use crate::attachments::service::{self as attachments, Owner, Uploader};
use crate::attachments::store::Staged;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use entities::{attachment, chat, chat_message, ChatKind, ChatStatus, MessageKind};

/// Sends the staged files into the chat, one line each (the file's name as its text).
pub async fn send(app: &App, actor: &Actor, chat_id: i32, staged: Staged) -> AppResult<Vec<MessageView>> {
    let current = writable(app, actor, chat_id).await?;
    let school_id = match (current.kind, current.school_id) {
        (ChatKind::Request, Some(id)) => id,
        // Files belong to a school; agents chatting among themselves send links instead.
        _ => return Err(AppError::invalid("files", "chat.files_requests_only")),
    };
    if staged.is_empty() {
        return Err(AppError::invalid("files", "attachments.none"));
    }
    if !app.live.allow(actor.id, app.settings.chat_messages_per_minute) {
        return Err(AppError::TooManyAttempts { minutes: 1 });
    }
    let txn = app.db.write().await?;
    let owner = Owner { school_id, report_id: None, ticket_id: None };
    let rows = attachments::record(&txn, &staged, owner, Uploader::User(actor), false).await?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in &rows {
        attachment::Entity::update_many()
            .col_expr(attachment::Column::ChatId, Expr::value(Some(chat_id)))
            .filter(attachment::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        let line = append(&txn, chat_id, Some(actor), MessageKind::File, &row.filename, None).await?;
        chat_message::Entity::update_many()
            .col_expr(chat_message::Column::AttachmentId, Expr::value(Some(row.id)))
            .filter(chat_message::Column::Id.eq(line.id))
            .exec(&txn)
            .await?;
        lines.push(chat_message::Model { attachment_id: Some(row.id), ..line });
    }
    txn.commit().await?;
    staged.keep();
    publish(app, chat_id, &lines);
    Ok(lines.into_iter().map(view::message).collect())
}

/// A file of this chat, for someone who may read the chat.
pub async fn find_file(app: &App, actor: &Actor, chat_id: i32, file_id: i32) -> AppResult<attachment::Model> {
    find(app.db.read(), actor, chat_id).await?;
    attachment::Entity::find_by_id(file_id)
        .filter(attachment::Column::ChatId.eq(chat_id))
        .one(app.db.read())
        .await?
        .ok_or(AppError::NotFound)
}

async fn writable(app: &App, actor: &Actor, chat_id: i32) -> AppResult<chat::Model> {
    let (current, participation) = find(app.db.read(), actor, chat_id).await?;
    if participation != Participation::Active {
        return Err(AppError::Forbidden);
    }
    if current.status == ChatStatus::Closed {
        return Err(AppError::conflict("chat.closed"));
    }
    // Files come from the pages; a chat taken on XMPP is answered there.
    super::Via::Web.check(actor, &current)?;
    Ok(current)
}

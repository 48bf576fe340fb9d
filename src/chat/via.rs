//! Where the agent who took a chat answers it: in the browser (the pages, the API) or from
//! their XMPP client. One chat is answered from one of them, never from both: the other is
//! refused with a clear message until the chat ends or moves back to the browser.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::app::App;
use crate::audit::{self, By, Target};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use entities::{chat, ChatStatus};

/// Where an agent answers a chat: in the browser (the pages, the API) or from their XMPP
/// client. The agent who took a chat answers it where they took it, never from both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Web,
    Xmpp,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Web => "web",
            Via::Xmpp => "xmpp",
        }
    }

    /// Refuses an answer from this medium by the agent who took the chat elsewhere.
    pub fn check(self, actor: &Actor, current: &chat::Model) -> AppResult<()> {
        let taken_elsewhere = current.accepted_by == Some(actor.id) && current.answered_via != self.as_str();
        if taken_elsewhere && current.status == ChatStatus::Active {
            return Err(AppError::conflict(match self {
                Via::Web => "chat.answered_on_xmpp",
                Via::Xmpp => "chat.answered_on_web",
            }));
        }
        Ok(())
    }
}

/// The running chats this agent answers from XMPP, oldest first.
pub async fn xmpp_chats<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<Vec<chat::Model>> {
    Ok(chat::Entity::find()
        .filter(chat::Column::AcceptedBy.eq(user_id))
        .filter(chat::Column::Status.eq(ChatStatus::Active))
        .filter(chat::Column::AnsweredVia.eq(Via::Xmpp.as_str()))
        .order_by_asc(chat::Column::Id)
        .all(db)
        .await?)
}

/// Every running chat that was answered from XMPP, oldest first (to follow them again).
pub async fn all_xmpp_chats<C: ConnectionTrait>(db: &C) -> AppResult<Vec<chat::Model>> {
    Ok(chat::Entity::find()
        .filter(chat::Column::Status.eq(ChatStatus::Active))
        .filter(chat::Column::AnsweredVia.eq(Via::Xmpp.as_str()))
        .order_by_asc(chat::Column::Id)
        .all(db)
        .await?)
}

/// This agent's XMPP chats are answered in the browser from now on (they unlinked their
/// address, or asked to move them), in the caller's transaction. Returns how many moved.
pub async fn move_to_web<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<u64> {
    let moved = chat::Entity::update_many()
        .col_expr(chat::Column::AnsweredVia, Expr::value(Via::Web.as_str()))
        .filter(chat::Column::AcceptedBy.eq(user_id))
        .filter(chat::Column::Status.eq(ChatStatus::Active))
        .filter(chat::Column::AnsweredVia.eq(Via::Xmpp.as_str()))
        .exec(db)
        .await?;
    Ok(moved.rows_affected)
}

/// The agent goes on with one of their XMPP chats in the browser.
pub async fn move_one_to_web(app: &App, actor: &Actor, chat_id: i32) -> AppResult<()> {
    let txn = app.db.write().await?;
    let moved = chat::Entity::update_many()
        .col_expr(chat::Column::AnsweredVia, Expr::value(Via::Web.as_str()))
        .filter(chat::Column::Id.eq(chat_id))
        .filter(chat::Column::AcceptedBy.eq(actor.id))
        .filter(chat::Column::Status.eq(ChatStatus::Active))
        .filter(chat::Column::AnsweredVia.eq(Via::Xmpp.as_str()))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::conflict("chat.not_active"));
    }
    let target = Target::new("chat", chat_id);
    audit::record(&txn, By::User(actor), "chat.answer_in_browser", target, serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(())
}

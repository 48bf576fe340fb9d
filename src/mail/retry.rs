//! Mail an operator looks after: how much waits and for how long, and sending again what
//! was given up (or is waiting for its next attempt) at once, with a fresh series of
//! attempts.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use crate::audit::{self, By, Target};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use entities::mail_outbox::{self, Column};
use entities::MailStatus;

/// Pending this long, a mail counts as long-pending in `/metrics`.
pub const LONG_PENDING_SECS: i64 = 60 * 60;

/// The outbox as `/metrics` shows it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OutboxHealth {
    pub pending: u64,
    /// Pending for more than `LONG_PENDING_SECS` since created (or sent again).
    pub long_pending: u64,
    /// Given up after `mail_give_up_days`; waiting for an operator.
    pub failed: u64,
    /// Age of the oldest pending mail, in seconds (0: none).
    pub oldest_pending_secs: i64,
}

pub async fn health(db: &Db, now: DateTime<Utc>) -> Result<OutboxHealth, sea_orm::DbErr> {
    let count = |status: MailStatus| mail_outbox::Entity::find().filter(Column::Status.eq(status));
    let pending = count(MailStatus::Pending).count(db.read()).await?;
    let failed = count(MailStatus::Failed).count(db.read()).await?;
    let long_ago = now - chrono::Duration::seconds(LONG_PENDING_SECS);
    // A mail sent again counts from then; its first creation is long past.
    let long_pending =
        count(MailStatus::Pending)
            .filter(sea_orm::Condition::any().add(Column::RetryingSince.lt(long_ago)).add(
                sea_orm::Condition::all().add(Column::RetryingSince.is_null()).add(Column::CreatedAt.lt(long_ago)),
            ))
            .count(db.read())
            .await?;
    let oldest: Option<DateTime<Utc>> = count(MailStatus::Pending)
        .select_only()
        .column(Column::CreatedAt)
        .order_by_asc(Column::CreatedAt)
        .into_tuple()
        .one(db.read())
        .await?;
    let oldest_pending_secs = oldest.map(|t| (now - t).num_seconds().max(0)).unwrap_or(0);
    Ok(OutboxHealth { pending, long_pending, failed, oldest_pending_secs })
}

/// Which mail to send again.
#[derive(Debug, Clone, Copy)]
pub enum Again {
    /// One mail by its outbox id: a failed one, or a pending one now instead of later.
    One(i32),
    /// Every mail that was given up.
    AllFailed,
}

/// Makes the mail due now with a fresh series of attempts (given up again only
/// `mail_give_up_days` from now), in one transaction with its audit record. Returns how
/// many mails; a mail that was sent already, or no mail of that id, is refused.
pub async fn send_again(db: &Db, by: By<'_>, which: Again) -> AppResult<u64> {
    let now = Utc::now();
    let txn = db.write().await?;
    let rows = match which {
        Again::One(id) => {
            let row = mail_outbox::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
            if row.status == MailStatus::Sent {
                return Err(AppError::Conflict { message: "mail.already_sent", arg: Some(id.to_string()) });
            }
            vec![row.id]
        }
        Again::AllFailed => {
            mail_outbox::Entity::find()
                .select_only()
                .column(Column::Id)
                .filter(Column::Status.eq(MailStatus::Failed))
                .into_tuple()
                .all(&txn)
                .await?
        }
    };
    if rows.is_empty() {
        return Ok(0);
    }
    let due = mail_outbox::Entity::update_many()
        .col_expr(Column::Status, Expr::value(MailStatus::Pending))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::NextAttemptAt, Expr::value(now))
        .col_expr(Column::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(Column::RetryingSince, Expr::value(Some(now)))
        .filter(Column::Id.is_in(rows))
        // A mail delivered meanwhile stays as it is, and one a worker is delivering right
        // now is left to it: releasing its claim could send it twice.
        .filter(Column::Status.ne(MailStatus::Sent))
        .filter(sea_orm::Condition::any().add(Column::ClaimedUntil.is_null()).add(Column::ClaimedUntil.lt(now)))
        .exec_with_returning(&txn)
        .await?;
    for mail in &due {
        audit::record(&txn, by, "mail.send_again", Target::new("mail_outbox", mail.id), json!({ "to": mail.to_addr }))
            .await?;
    }
    txn.commit().await?;
    Ok(due.len() as u64)
}

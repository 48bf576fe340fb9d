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
    let long_pending = count(MailStatus::Pending).filter(waiting_long(now)).count(db.read()).await?;
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

/// Pending mail waiting for more than `LONG_PENDING_SECS`. A mail sent again counts from
/// then; its first creation is long past.
fn waiting_long(now: DateTime<Utc>) -> sea_orm::Condition {
    let long_ago = now - chrono::Duration::seconds(LONG_PENDING_SECS);
    sea_orm::Condition::any()
        .add(Column::RetryingSince.lt(long_ago))
        .add(sea_orm::Condition::all().add(Column::RetryingSince.is_null()).add(Column::CreatedAt.lt(long_ago)))
}

/// A mail that needs an operator's eye: given up, or waiting for more than an hour.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stuck {
    pub id: i32,
    pub to_addr: String,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: i32,
    /// Since when it has been trying: its creation, or when it was last sent again.
    pub trying_since: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// Seconds since `trying_since`.
    pub age_secs: i64,
}

/// The most mails the operators' page lists; `/metrics` counts them all.
pub const STUCK_LISTED: u64 = 500;

/// Failed mail and mail pending for more than an hour, failed first, oldest first.
pub async fn stuck(db: &Db, now: DateTime<Utc>) -> Result<Vec<Stuck>, sea_orm::DbErr> {
    let rows = mail_outbox::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(Column::Status.eq(MailStatus::Failed))
                .add(sea_orm::Condition::all().add(Column::Status.eq(MailStatus::Pending)).add(waiting_long(now))),
        )
        // "failed" sorts before "pending": given up first, then the oldest.
        .order_by_asc(Column::Status)
        .order_by_asc(Column::CreatedAt)
        .limit(STUCK_LISTED)
        .all(db.read())
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let trying_since = row.retrying_since.unwrap_or(row.created_at);
            Stuck {
                id: row.id,
                to_addr: row.to_addr,
                subject: row.subject,
                status: row.status,
                attempts: row.attempts,
                trying_since,
                next_attempt_at: row.next_attempt_at,
                last_error: row.last_error,
                age_secs: (now - trying_since).num_seconds().max(0),
            }
        })
        .collect())
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

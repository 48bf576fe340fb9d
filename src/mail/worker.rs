//! Delivers the outbox. Each pass claims a batch of due rows in one conditional update (so
//! several instances never deliver the same row at once) and sends them one by one. Each
//! mail is recorded as sent the moment the server accepted it: a process killed mid-batch
//! sends again at most the one mail that was in flight, with the Message-ID stored on its
//! row, so a receiver can recognise the copy. A failure schedules a retry with exponential
//! backoff (at most an hour), for days (`mail_give_up_days`); a mail given up stays in the
//! outbox as failed, shown in `/metrics`, until an operator sends it again (`retry`). A
//! process killed after claiming loses nothing: the claim expires and another pass
//! delivers the rows.
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::{DeliveryError, Transport};
use crate::config::Settings;
use crate::db::Db;
use crate::metrics::Metrics;
use entities::mail_outbox::{self, Column};
use entities::MailStatus;

/// How long a claim protects a row being delivered, at least: always long enough for one
/// send to run out its deadline (`claim_secs`).
const CLAIM_SECS: i64 = 120;
const BATCH: u64 = 50;
/// The longest wait between two attempts: once the server is back, mail goes out within
/// the hour.
const MAX_BACKOFF_SECS: i64 = 3600;

pub struct Worker {
    pub db: Db,
    pub transport: Transport,
    pub settings: Arc<Settings>,
    pub metrics: Option<Arc<Metrics>>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
}

impl Worker {
    /// One pass over the mail that is due now.
    pub async fn deliver_due(&self) -> Result<Pass, sea_orm::DbErr> {
        let claimed = self.claim_due().await?;
        let mut pass = Pass::default();
        let deadline = Duration::from_secs(self.settings.mail_send_timeout_secs.max(1));
        for mail in claimed {
            // The claim must outlast the send: once it lapses another worker may take the
            // row and send it too. What is left of the batch waits for its claim to lapse
            // and goes out in a later pass.
            let claim_left = mail.claimed_until.map(|until| until - Utc::now()).unwrap_or_default();
            if claim_left.to_std().unwrap_or_default() < deadline {
                break;
            }
            match self.transport.send_within(deadline, &self.settings.mail_from, &mail).await {
                Ok(()) => {
                    self.record_sent(mail.id).await?;
                    pass.sent += 1;
                    tracing::info!(target: "staffel::mail", id = mail.id, to = %mail.to_addr, "mail delivered");
                }
                Err(error) => {
                    self.record_failure(&mail, &error).await?;
                    pass.failed += 1;
                }
            }
        }
        Ok(pass)
    }

    /// One statement per accepted mail: a write more than marking the batch at its end, but
    /// what the server accepted is never forgotten by a process that dies after it.
    async fn record_sent(&self, id: i32) -> Result<(), sea_orm::DbErr> {
        let txn = self.db.write().await?;
        mail_outbox::Entity::update_many()
            .col_expr(Column::Status, Expr::value(MailStatus::Sent))
            .col_expr(Column::SentAt, Expr::value(Utc::now()))
            .col_expr(Column::ClaimedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
            .col_expr(Column::LastError, Expr::value(Option::<String>::None))
            .filter(Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        if let Some(m) = &self.metrics {
            m.mails_sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }

    /// Schedules the next attempt (or gives up) and keeps the error on the row.
    async fn record_failure(&self, mail: &mail_outbox::Model, error: &DeliveryError) -> Result<(), sea_orm::DbErr> {
        // The claim counted this attempt already.
        let attempts = mail.attempts;
        let now = Utc::now();
        let trying_since = mail.retrying_since.unwrap_or(mail.created_at);
        let give_up = now - trying_since >= chrono::Duration::days(self.settings.mail_give_up_days);
        let backoff =
            self.settings.mail_retry_base_secs.saturating_mul(1 << attempts.clamp(0, 12)).min(MAX_BACKOFF_SECS);
        let txn = self.db.write().await?;
        mail_outbox::Entity::update_many()
            .col_expr(Column::Status, Expr::value(if give_up { MailStatus::Failed } else { MailStatus::Pending }))
            .col_expr(Column::NextAttemptAt, Expr::value(now + chrono::Duration::seconds(backoff)))
            .col_expr(Column::ClaimedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
            .col_expr(Column::LastError, Expr::value(Some(error.chain().chars().take(500).collect::<String>())))
            .filter(Column::Id.eq(mail.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        if let Some(m) = &self.metrics {
            m.mail_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        tracing::warn!(target: "staffel::mail", id = mail.id, attempts, error = %error.chain(), give_up, "mail delivery failed");
        Ok(())
    }

    /// A claim lasts for a few sends, and for a whole one however long its deadline.
    fn claim_secs(&self) -> i64 {
        let deadline = self.settings.mail_send_timeout_secs.min(i64::MAX as u64 / 2) as i64;
        CLAIM_SECS.max(deadline.saturating_mul(2))
    }

    /// Takes up to a batch of due rows for this worker and counts the attempt; rows another
    /// worker claimed first fail the repeated conditions and are left out.
    async fn claim_due(&self) -> Result<Vec<mail_outbox::Model>, sea_orm::DbErr> {
        let now = Utc::now();
        let due = || {
            Condition::all()
                .add(Column::Status.eq(MailStatus::Pending))
                .add(Column::NextAttemptAt.lte(now))
                .add(Condition::any().add(Column::ClaimedUntil.is_null()).add(Column::ClaimedUntil.lt(now)))
        };
        let batch = mail_outbox::Entity::find()
            .select_only()
            .column(Column::Id)
            .filter(due())
            .order_by_asc(Column::Id)
            .limit(BATCH)
            .into_query();
        let txn = self.db.write().await?;
        let mut claimed = mail_outbox::Entity::update_many()
            .col_expr(Column::ClaimedUntil, Expr::value(now + chrono::Duration::seconds(self.claim_secs())))
            .col_expr(Column::Attempts, sea_orm::sea_query::ExprTrait::add(Expr::col(Column::Attempts), 1))
            .filter(Column::Id.in_subquery(batch))
            .filter(due())
            .exec_with_returning(&txn)
            .await?;
        txn.commit().await?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    /// Runs passes until `shutdown` fires.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let interval = Duration::from_millis(self.settings.mail_poll_ms.max(50));
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::error!(target: "staffel::mail", error = %e, "outbox pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => break,
            }
        }
    }
}

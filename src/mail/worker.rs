//! Delivers the outbox. Each pass claims due rows one by one (a claim is a conditional
//! update, so several instances never deliver the same row at once), sends, and marks the
//! row sent; a failure schedules a retry with exponential backoff. A process killed after
//! claiming loses nothing: the claim expires and another pass delivers the row.
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Transport;
use crate::config::Settings;
use crate::web::metrics::Metrics;
use entities::mail_outbox::{self, Column};

/// How long a claim protects a row being delivered.
const CLAIM_SECS: i64 = 120;
const BATCH: u64 = 50;

pub struct Worker {
    pub db: DatabaseConnection,
    pub transport: Transport,
    pub settings: Settings,
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
        let now = Utc::now();
        let due = mail_outbox::Entity::find()
            .filter(Column::Status.eq("pending"))
            .filter(Column::NextAttemptAt.lte(now))
            .filter(Condition::any().add(Column::ClaimedUntil.is_null()).add(Column::ClaimedUntil.lt(now)))
            .order_by_asc(Column::Id)
            .limit(BATCH)
            .all(&self.db)
            .await?;
        let mut pass = Pass::default();
        for mail in due {
            if !self.claim(&mail).await? {
                continue;
            }
            match self.transport.send(&self.settings.mail_from, &mail).await {
                Ok(()) => {
                    mail_outbox::Entity::update_many()
                        .col_expr(Column::Status, Expr::value("sent"))
                        .col_expr(Column::SentAt, Expr::value(Utc::now()))
                        .col_expr(Column::ClaimedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
                        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
                        .filter(Column::Id.eq(mail.id))
                        .exec(&self.db)
                        .await?;
                    pass.sent += 1;
                    if let Some(m) = &self.metrics {
                        m.mails_sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    tracing::info!(target: "staffel::mail", id = mail.id, to = %mail.to_addr, "mail delivered");
                }
                Err(error) => {
                    let attempts = mail.attempts + 1;
                    let give_up = attempts >= self.settings.mail_max_attempts;
                    let backoff = self.settings.mail_retry_base_secs.saturating_mul(1 << attempts.min(12)).min(3600);
                    mail_outbox::Entity::update_many()
                        .col_expr(Column::Status, Expr::value(if give_up { "failed" } else { "pending" }))
                        .col_expr(Column::NextAttemptAt, Expr::value(Utc::now() + chrono::Duration::seconds(backoff)))
                        .col_expr(Column::ClaimedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
                        .col_expr(Column::LastError, Expr::value(Some(error.chars().take(500).collect::<String>())))
                        .filter(Column::Id.eq(mail.id))
                        .exec(&self.db)
                        .await?;
                    pass.failed += 1;
                    if let Some(m) = &self.metrics {
                        m.mail_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    tracing::warn!(target: "staffel::mail", id = mail.id, attempts, %error, give_up, "mail delivery failed");
                }
            }
        }
        Ok(pass)
    }

    /// Takes a row for this worker; false if another worker was quicker.
    async fn claim(&self, mail: &mail_outbox::Model) -> Result<bool, sea_orm::DbErr> {
        let now = Utc::now();
        let result = mail_outbox::Entity::update_many()
            .col_expr(Column::ClaimedUntil, Expr::value(now + chrono::Duration::seconds(CLAIM_SECS)))
            .col_expr(Column::Attempts, sea_orm::sea_query::ExprTrait::add(Expr::col(Column::Attempts), 1))
            .filter(Column::Id.eq(mail.id))
            .filter(Column::Status.eq("pending"))
            .filter(Column::Attempts.eq(mail.attempts))
            .filter(Condition::any().add(Column::ClaimedUntil.is_null()).add(Column::ClaimedUntil.lt(now)))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
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

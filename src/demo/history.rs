//! Moving the demo's story back in time. The service functions write "now"; a desk that
//! opened the demo a minute ago would show every ticket as just made. Each ticket's first
//! event is moved to when the story says it happened, the later ones spread over its life
//! (the last at a sixth of its age before now), and every other time of the ticket (due
//! times, answers, its forwards and audit records) moves with the event it belongs to.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use entities::{audit_event, chat, chat_message, forward, report, ticket, ticket_event};

/// Where a time written during the story lands: the moved time of the last event written
/// at or before it, plus how long after that event it was written.
struct Shift {
    /// (written at, moved to), in the order written.
    marks: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    start: Duration,
}

impl Shift {
    fn at(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        match self.marks.iter().rev().find(|(written, _)| *written <= t) {
            Some((written, moved)) => *moved + (t - *written),
            None => t + self.start,
        }
    }

    fn opt(&self, t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        t.map(|t| self.at(t))
    }
}

pub async fn backdate_ticket(db: &Db, ticket_id: i32, age: Duration) -> AppResult<()> {
    let txn = db.write().await?;
    let t = ticket::Entity::find_by_id(ticket_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let events = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(ticket_id))
        .order_by_asc(ticket_event::Column::Id)
        .all(&txn)
        .await?;
    let now = Utc::now();
    let begin = now - age;
    let span = age - age / 6;
    let last = events.len().saturating_sub(1).max(1) as i32;
    let marks: Vec<_> =
        events.iter().enumerate().map(|(k, e)| (e.created_at, begin + span * k as i32 / last)).collect();
    let shift = Shift { marks, start: begin - t.created_at };
    for (e, (_, moved)) in events.iter().zip(&shift.marks) {
        ticket_event::Entity::update_many()
            .col_expr(ticket_event::Column::CreatedAt, Expr::value(*moved))
            .filter(ticket_event::Column::Id.eq(e.id))
            .exec(&txn)
            .await?;
    }
    let by_start = |d: Option<DateTime<Utc>>| d.map(|d| d + shift.start);
    ticket::Entity::update_many()
        .col_expr(ticket::Column::CreatedAt, Expr::value(begin))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(shift.at(t.updated_at)))
        .col_expr(ticket::Column::FirstResponseDue, Expr::value(by_start(t.first_response_due)))
        .col_expr(ticket::Column::ResolutionDue, Expr::value(by_start(t.resolution_due)))
        .col_expr(ticket::Column::FirstResponseAt, Expr::value(shift.opt(t.first_response_at)))
        .col_expr(ticket::Column::ResolvedAt, Expr::value(shift.opt(t.resolved_at)))
        .col_expr(ticket::Column::ClosedAt, Expr::value(shift.opt(t.closed_at)))
        .col_expr(ticket::Column::OutsideNewsAt, Expr::value(shift.opt(t.outside_news_at)))
        .col_expr(ticket::Column::SlaCheckAt, Expr::value(by_start(t.sla_check_at)))
        .filter(ticket::Column::Id.eq(ticket_id))
        .exec(&txn)
        .await?;
    // Moved past the kernel, so counted here: the report shows the days the story tells.
    let moved = ticket::Entity::find_by_id(ticket_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    crate::tickets::tally::shift(&txn, Some(&t), &moved).await?;
    for f in forward::Entity::find().filter(forward::Column::TicketId.eq(ticket_id)).all(&txn).await? {
        let created = shift.at(f.created_at);
        forward::Entity::update_many()
            .col_expr(forward::Column::CreatedAt, Expr::value(created))
            .col_expr(forward::Column::DueAt, Expr::value(created + (f.due_at - f.created_at)))
            .col_expr(forward::Column::AcknowledgedAt, Expr::value(shift.opt(f.acknowledged_at)))
            .col_expr(forward::Column::EndedAt, Expr::value(shift.opt(f.ended_at)))
            .filter(forward::Column::Id.eq(f.id))
            .exec(&txn)
            .await?;
    }
    let audits = audit_event::Entity::find()
        .filter(audit_event::Column::TargetType.eq("ticket"))
        .filter(audit_event::Column::TargetId.eq(ticket_id))
        .all(&txn)
        .await?;
    for a in audits {
        audit_event::Entity::update_many()
            .col_expr(audit_event::Column::CreatedAt, Expr::value(shift.at(a.created_at)))
            .filter(audit_event::Column::Id.eq(a.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A report filed `age` ago and handled a little later.
pub async fn backdate_report(db: &Db, report_id: i32, age: Duration) -> AppResult<()> {
    let txn = db.write().await?;
    let filed = Utc::now() - age;
    report::Entity::update_many()
        .col_expr(report::Column::CreatedAt, Expr::value(filed))
        .col_expr(report::Column::UpdatedAt, Expr::value(filed + age / 8))
        .filter(report::Column::Id.eq(report_id))
        .exec(&txn)
        .await?;
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::CreatedAt, Expr::value(filed))
        .filter(audit_event::Column::TargetType.eq("report"))
        .filter(audit_event::Column::TargetId.eq(report_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// A chat that began `age` ago, a line a minute.
pub async fn backdate_chat(db: &Db, chat_id: i32, age: Duration) -> AppResult<()> {
    let txn = db.write().await?;
    let begin = Utc::now() - age;
    let lines = chat_message::Entity::find()
        .filter(chat_message::Column::ChatId.eq(chat_id))
        .order_by_asc(chat_message::Column::Seq)
        .all(&txn)
        .await?;
    let minute = |k: usize| begin + Duration::minutes(k as i64);
    for (k, line) in lines.iter().enumerate() {
        chat_message::Entity::update_many()
            .col_expr(chat_message::Column::CreatedAt, Expr::value(minute(k)))
            .filter(chat_message::Column::Id.eq(line.id))
            .exec(&txn)
            .await?;
    }
    let end = minute(lines.len().saturating_sub(1));
    chat::Entity::update_many()
        .col_expr(chat::Column::CreatedAt, Expr::value(begin))
        .col_expr(chat::Column::OfferedAt, Expr::value(begin))
        .col_expr(chat::Column::AcceptedAt, Expr::value(Some(minute(1))))
        .col_expr(chat::Column::ClosedAt, Expr::value(Some(end)))
        .col_expr(chat::Column::UpdatedAt, Expr::value(end))
        .filter(chat::Column::Id.eq(chat_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

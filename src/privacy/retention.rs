//! Retention (SPEC §9): what Staffel keeps about people only as long as it is needed.
//!
//! - A ticket closed more than `ticket_retention_months` ago is anonymised: its title,
//!   description, solution, the bodies of its timeline, the forwards' messages and every
//!   name and address on them (timeline authors, audit entries) are replaced by
//!   `privacy::MARK`, its files are removed (rows and bytes). What counts stays: the number,
//!   school, service, priority, status, level, assignee, every timestamp and SLA figure, so
//!   reports and statistics come out the same. The ticket is marked (`anonymised_at`) and
//!   never touched again.
//! - The report a ticket was escalated from goes with the ticket; a report answered at
//!   the school (never escalated) goes the same time after its last change. Reports still
//!   waiting for an answer are left alone.
//! - Chats closed more than `chat_retention_days` ago are deleted (`chat::upkeep`).
//! - Sent or given-up mail older than the ticket period is deleted from the outbox (it
//!   holds addresses and the texts of the tickets).
//! - View records (`audit::views`) older than the ticket period are deleted.
//! - Every other audit entry older than the ticket period keeps what was done, to what,
//!   when and by which account id, and loses the name it was written with and its details
//!   (which may quote people, addresses and texts): `actor_label` becomes `privacy::MARK`,
//!   `detail` `{}`.
//!
//! One transaction per ticket and per report, each with an audit entry; files are removed
//! from disk only after their rows are gone with a committed transaction.
use chrono::{DateTime, Months, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;

use super::{scrub_json_text, MARK};
use crate::audit::{self, views::VIEWED, By, Target};
use crate::config::Settings;
use crate::db::{Db, WriteTxn};
use crate::error::AppResult;
use crate::tickets::number;
use entities::{
    attachment, attachment_share, audit_event, forward, mail_outbox, report, ticket, ticket_event, MailStatus,
    ReportStatus, TicketStatus,
};

/// What a run changes (or, dry, would change).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Plan {
    /// Tickets closed before this are anonymised; mail and view records before it deleted.
    pub cutoff: DateTime<Utc>,
    /// Chats closed before this are deleted.
    pub chat_cutoff: DateTime<Utc>,
    /// The tickets' numbers (`T-000123`).
    pub tickets: Vec<String>,
    /// Report ids: those of the tickets and those answered at the school.
    pub reports: Vec<i32>,
    pub attachments: usize,
    pub chats: usize,
    pub mails: usize,
    pub views: usize,
    /// Older audit entries (other than views) whose names and details are removed.
    pub audit: usize,
}

impl Plan {
    /// The lines `staffel retention run` prints: the same for a dry run and a real one.
    pub fn lines(&self) -> Vec<String> {
        let list = |items: &[String]| if items.is_empty() { String::new() } else { format!(" ({})", items.join(", ")) };
        let reports: Vec<String> = self.reports.iter().map(|id| format!("#{id}")).collect();
        vec![
            format!(
                "tickets closed before {}: anonymised: {}{}",
                day(self.cutoff),
                self.tickets.len(),
                list(&self.tickets)
            ),
            format!("reports anonymised: {}{}", self.reports.len(), list(&reports)),
            format!("attachments removed: {}", self.attachments),
            format!("chats closed before {}: deleted: {}", day(self.chat_cutoff), self.chats),
            format!("mails deleted from the outbox: {}", self.mails),
            format!("view records deleted: {}", self.views),
            format!("older audit entries stripped of names and details: {}", self.audit),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
            && self.reports.is_empty()
            && self.chats == 0
            && self.mails == 0
            && self.views == 0
            && self.audit == 0
    }
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// `now` less the ticket retention period.
pub fn cutoff(settings: &Settings, now: DateTime<Utc>) -> DateTime<Utc> {
    let months = Months::new(settings.ticket_retention_months.clamp(1, 1200) as u32);
    now.checked_sub_months(months).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

async fn due_tickets(db: &Db, cutoff: DateTime<Utc>) -> AppResult<Vec<ticket::Model>> {
    Ok(ticket::Entity::find()
        .filter(ticket::Column::Status.eq(TicketStatus::Closed))
        .filter(ticket::Column::ClosedAt.lt(cutoff))
        .filter(ticket::Column::AnonymisedAt.is_null())
        .order_by_asc(ticket::Column::Id)
        .all(db.read())
        .await?)
}

/// Reports answered at the school (no ticket) whose last change is older than the cutoff.
async fn due_reports(db: &Db, cutoff: DateTime<Utc>) -> AppResult<Vec<report::Model>> {
    Ok(report::Entity::find()
        .filter(report::Column::Status.eq(ReportStatus::Answered))
        .filter(report::Column::UpdatedAt.lt(cutoff))
        .filter(report::Column::AnonymisedAt.is_null())
        .order_by_asc(report::Column::Id)
        .all(db.read())
        .await?)
}

fn files_of(tickets: &[i32], reports: &[i32]) -> Condition {
    Condition::any()
        .add(attachment::Column::TicketId.is_in(tickets.iter().copied()))
        .add(attachment::Column::ReportId.is_in(reports.iter().copied()))
}

fn old_mail(cutoff: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(mail_outbox::Column::Status.ne(MailStatus::Pending))
        .add(mail_outbox::Column::CreatedAt.lt(cutoff))
}

fn old_views(cutoff: DateTime<Utc>) -> Condition {
    Condition::all().add(audit_event::Column::Action.eq(VIEWED)).add(audit_event::Column::CreatedAt.lt(cutoff))
}

/// Audit entries other than views from before the cutoff that still carry a name or details.
fn old_audit(cutoff: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(audit_event::Column::Action.ne(VIEWED))
        .add(audit_event::Column::CreatedAt.lt(cutoff))
        .add(Condition::any().add(audit_event::Column::ActorLabel.ne(MARK)).add(audit_event::Column::Detail.ne("{}")))
}

/// What a run at `now` would change, changing nothing.
pub async fn plan(db: &Db, settings: &Settings, now: DateTime<Utc>) -> AppResult<Plan> {
    let cutoff = cutoff(settings, now);
    let tickets = due_tickets(db, cutoff).await?;
    let standalone = due_reports(db, cutoff).await?;
    let ticket_ids: Vec<i32> = tickets.iter().map(|t| t.id).collect();
    let mut reports: Vec<i32> = linked_reports(db, &tickets).await?;
    reports.extend(standalone.iter().map(|r| r.id));
    reports.sort_unstable();
    reports.dedup();
    let attachments = if ticket_ids.is_empty() && reports.is_empty() {
        0
    } else {
        attachment::Entity::find().filter(files_of(&ticket_ids, &reports)).count(db.read()).await? as usize
    };
    Ok(Plan {
        cutoff,
        chat_cutoff: now - chrono::Duration::days(settings.chat_retention_days),
        tickets: ticket_ids.iter().map(|id| number(*id)).collect(),
        reports,
        attachments,
        chats: crate::chat::upkeep::expired(db.read(), settings, now).await?.len(),
        mails: mail_outbox::Entity::find().filter(old_mail(cutoff)).count(db.read()).await? as usize,
        views: audit_event::Entity::find().filter(old_views(cutoff)).count(db.read()).await? as usize,
        audit: audit_event::Entity::find().filter(old_audit(cutoff)).count(db.read()).await? as usize,
    })
}

/// The reports the tickets were escalated from (still holding their text).
async fn linked_reports(db: &Db, tickets: &[ticket::Model]) -> AppResult<Vec<i32>> {
    let ids: Vec<i32> = tickets.iter().filter_map(|t| t.report_id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(report::Entity::find()
        .filter(report::Column::Id.is_in(ids))
        .filter(report::Column::AnonymisedAt.is_null())
        .all(db.read())
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// One run: everything `plan` lists, changed. Returns what was changed (a run that races
/// another one changes what is left, never anything twice).
pub async fn run(db: &Db, settings: &Settings, by: By<'_>, now: DateTime<Utc>) -> AppResult<Plan> {
    let cutoff = cutoff(settings, now);
    let mut done =
        Plan { cutoff, chat_cutoff: now - chrono::Duration::days(settings.chat_retention_days), ..Default::default() };
    for t in due_tickets(db, cutoff).await? {
        if let Some((reports, files)) = anonymise_ticket(db, by, t.id, now).await? {
            done.tickets.push(number(t.id));
            done.reports.extend(reports);
            done.attachments += files.len();
            remove_files(settings, &files);
        }
    }
    for r in due_reports(db, cutoff).await? {
        if let Some(files) = anonymise_report_alone(db, by, r.id, now).await? {
            done.reports.push(r.id);
            done.attachments += files.len();
            remove_files(settings, &files);
        }
    }
    done.reports.sort_unstable();
    done.chats = crate::chat::upkeep::delete_expired_in(db, settings, now).await?;
    let txn = db.write().await?;
    done.mails = mail_outbox::Entity::delete_many().filter(old_mail(cutoff)).exec(&txn).await?.rows_affected as usize;
    done.views = audit_event::Entity::delete_many().filter(old_views(cutoff)).exec(&txn).await?.rows_affected as usize;
    done.audit = audit_event::Entity::update_many()
        .col_expr(audit_event::Column::ActorLabel, Expr::value(MARK))
        .col_expr(audit_event::Column::Detail, Expr::value("{}"))
        .filter(old_audit(cutoff))
        .exec(&txn)
        .await?
        .rows_affected as usize;
    if done.mails + done.views + done.audit > 0 {
        audit::record(
            &txn,
            by,
            "retention.delete",
            Target { kind: "audit", id: None, school_id: None },
            json!({ "mails": done.mails, "views": done.views, "audit": done.audit, "before": cutoff }),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(done)
}

fn remove_files(settings: &Settings, files: &[attachment::Model]) {
    for file in files {
        if let Some(path) = crate::attachments::store::path_of(settings, &file.storage_key) {
            if let Err(e) = std::fs::remove_file(&path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(error = %e, file = %path.display(), "removing an anonymised ticket's file failed");
                }
            }
        }
    }
}

/// Anonymises one ticket (and the report it came from) in one transaction. `None` when it
/// was anonymised meanwhile (or is gone). Returns the reports anonymised with it and the
/// files whose rows are gone (for their bytes to be removed).
async fn anonymise_ticket(
    db: &Db,
    by: By<'_>,
    id: i32,
    now: DateTime<Utc>,
) -> AppResult<Option<(Vec<i32>, Vec<attachment::Model>)>> {
    let txn = db.write().await?;
    // The claim: the first statement marks the ticket, if it still is a closed ticket that
    // nobody anonymised. Another run (another instance, the CLI beside the server) that got
    // there first leaves nothing to claim; on PostgreSQL the row lock makes the second wait
    // and then find the mark.
    let claimed = ticket::Entity::update_many()
        .col_expr(ticket::Column::AnonymisedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::AnonymisedAt.is_null())
        .filter(ticket::Column::Status.eq(TicketStatus::Closed))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let Some(t) = ticket::Entity::find_by_id(id).one(&txn).await? else { return Ok(None) };
    let mut reports = Vec::new();
    if let Some(report_id) = t.report_id {
        if let Some(r) = report::Entity::find_by_id(report_id).one(&txn).await? {
            if r.anonymised_at.is_none() {
                anonymise_report_row(&txn, r, now).await?;
                reports.push(report_id);
            }
        }
    }
    let files = remove_file_rows(&txn, &[t.id], &reports).await?;
    let school_id = t.school_id;
    let mut active: ticket::ActiveModel = t.clone().into();
    active.title = Set(MARK.to_string());
    active.description = Set(MARK.to_string());
    active.solution = Set(t.solution.as_ref().map(|_| MARK.to_string()));
    active.anonymised_at = Set(Some(now));
    active.version = Set(t.version + 1);
    active.update(&txn).await?;
    for event in ticket_event::Entity::find().filter(ticket_event::Column::TicketId.eq(t.id)).all(&txn).await? {
        let body = if event.body.is_empty() { String::new() } else { MARK.to_string() };
        let data = scrub_json_text(&event.data);
        let mut active: ticket_event::ActiveModel = event.into();
        active.body = Set(body);
        active.data = Set(data);
        active.actor_id = Set(None);
        active.actor_label = Set(MARK.to_string());
        active.update(&txn).await?;
    }
    forward::Entity::update_many()
        .col_expr(forward::Column::Message, Expr::value(MARK))
        .filter(forward::Column::TicketId.eq(t.id))
        .exec(&txn)
        .await?;
    anonymise_audit(&txn, "ticket", &[t.id]).await?;
    anonymise_audit(&txn, "report", &reports).await?;
    audit::record(
        &txn,
        by,
        "ticket.anonymise",
        Target::new("ticket", t.id).in_school(Some(school_id)),
        json!({ "reports": reports, "files": files.len() }),
    )
    .await?;
    txn.commit().await?;
    Ok(Some((reports, files)))
}

async fn anonymise_report_alone(
    db: &Db,
    by: By<'_>,
    id: i32,
    now: DateTime<Utc>,
) -> AppResult<Option<Vec<attachment::Model>>> {
    let txn = db.write().await?;
    // The claim, as for a ticket: only a report that nobody anonymised meanwhile.
    let claimed = report::Entity::update_many()
        .col_expr(report::Column::AnonymisedAt, Expr::value(now))
        .filter(report::Column::Id.eq(id))
        .filter(report::Column::AnonymisedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let Some(r) = report::Entity::find_by_id(id).one(&txn).await? else { return Ok(None) };
    let school_id = r.school_id;
    anonymise_report_row(&txn, r, now).await?;
    let files = remove_file_rows(&txn, &[], &[id]).await?;
    anonymise_audit(&txn, "report", &[id]).await?;
    audit::record(
        &txn,
        by,
        "report.anonymise",
        Target::new("report", id).in_school(Some(school_id)),
        json!({ "files": files.len() }),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(files))
}

async fn anonymise_report_row(txn: &WriteTxn, r: report::Model, now: DateTime<Utc>) -> AppResult<()> {
    let answer = r.answer.as_ref().map(|_| MARK.to_string());
    let version = r.version + 1;
    let mut active: report::ActiveModel = r.into();
    active.affected = Set(MARK.to_string());
    active.since = Set(MARK.to_string());
    active.how_many = Set(MARK.to_string());
    active.description = Set(MARK.to_string());
    active.answer = Set(answer);
    active.anonymised_at = Set(Some(now));
    active.version = Set(version);
    active.update(txn).await?;
    Ok(())
}

/// Deletes the file rows of these tickets and reports (and what the providers were shown
/// of them); returns them, for their bytes to be removed after the commit.
async fn remove_file_rows(txn: &WriteTxn, tickets: &[i32], reports: &[i32]) -> AppResult<Vec<attachment::Model>> {
    if tickets.is_empty() && reports.is_empty() {
        return Ok(Vec::new());
    }
    let files = attachment::Entity::find().filter(files_of(tickets, reports)).all(txn).await?;
    if files.is_empty() {
        return Ok(files);
    }
    let ids: Vec<i32> = files.iter().map(|f| f.id).collect();
    attachment_share::Entity::delete_many()
        .filter(attachment_share::Column::AttachmentId.is_in(ids.clone()))
        .exec(txn)
        .await?;
    // A chat message that showed the file keeps its place in the chat, without it.
    entities::chat_message::Entity::update_many()
        .col_expr(entities::chat_message::Column::AttachmentId, Expr::value(Option::<i32>::None))
        .filter(entities::chat_message::Column::AttachmentId.is_in(ids.clone()))
        .exec(txn)
        .await?;
    attachment::Entity::delete_many().filter(attachment::Column::Id.is_in(ids)).exec(txn).await?;
    Ok(files)
}

/// The audit entries about these objects keep what happened and when, not who or what
/// was written (view records excepted: they are deleted after their own period).
async fn anonymise_audit(txn: &WriteTxn, kind: &str, ids: &[i32]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::ActorId, Expr::value(Option::<i32>::None))
        .col_expr(audit_event::Column::ActorLabel, Expr::value(MARK))
        .col_expr(audit_event::Column::Detail, Expr::value("{}"))
        .filter(audit_event::Column::TargetType.eq(kind))
        .filter(audit_event::Column::TargetId.is_in(ids.iter().copied()))
        // The view log keeps who opened what for its own period (deleted then as a whole).
        .filter(audit_event::Column::Action.ne(VIEWED))
        .exec(txn)
        .await?;
    Ok(())
}

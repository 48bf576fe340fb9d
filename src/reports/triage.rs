//! The school admin's two paths with a teacher's report: solve it at first level (answer
//! the teacher; the report is done) or escalate it (the first-level questions answered, a
//! ticket for the service desk that links back to the report). Each is one transaction
//! with its audit event and its mail.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;

use super::service::{find, to_teacher};
use crate::app::App;
use crate::attachments::service::{self as attachments, Owner, Uploader};
use crate::attachments::store::Staged;
use crate::audit::{self, By, Target};
use crate::auth::{Actor, Role};
use crate::db::WriteTxn;
use crate::error::{AppError, AppResult};
use crate::tickets::{self, number, NewTicket, FAULT_TYPES, TRIAGE_SCOPES};
use crate::validate;
use entities::{report, ticket, user, ReportStatus};

/// The first-level questions: how far the problem reaches, hardware or software, which
/// service.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    pub scope: String,
    pub fault_type: String,
    pub service: String,
}

/// The first-level solution: the answer for the teacher, the service it concerned if the
/// school admin names one (the FAQ draft made from it takes it), and the report's version
/// the school admin saw. The scope and fault type may be recorded too.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub triage: Triage,
    pub answer: String,
    pub version: Option<i32>,
}

/// The ticket an escalation opens: the first-level questions (all required), its title
/// (the report's "affected" when blank), the priority the school admin suggests, the
/// description for the desk (the form offers the teacher's; a post without the field
/// passes the teacher's on, a blank one is refused), and the version they saw.
#[derive(Debug, Clone, Default)]
pub struct Escalation {
    pub triage: Triage,
    pub title: String,
    pub priority: String,
    pub description: Option<String>,
    pub version: Option<i32>,
}

struct CheckedTriage {
    scope: Option<String>,
    fault_type: Option<String>,
    service_id: Option<i32>,
    service_slug: Option<String>,
}

fn choice(field: &str, value: &str, allowed: &[&str]) -> AppResult<Option<String>> {
    match value.trim() {
        "" => Ok(None),
        v if allowed.contains(&v) => Ok(Some(v.to_string())),
        _ => Err(AppError::invalid(field, "tickets.choice_invalid")),
    }
}

/// The answers as given, each checked; blank ones are none.
async fn check_triage<C: ConnectionTrait>(db: &C, triage: &Triage) -> AppResult<CheckedTriage> {
    let scope = choice("triage_scope", &triage.scope, &TRIAGE_SCOPES)?;
    let fault_type = choice("triage_fault_type", &triage.fault_type, &FAULT_TYPES)?;
    let service = crate::catalogue::services::from_input(db, "service", &triage.service, true).await?;
    let (service_id, service_slug) = service.map(|s| (s.id, s.slug)).unzip();
    Ok(CheckedTriage { scope, fault_type, service_id, service_slug })
}

/// Escalating needs every answer: a ticket without a service reaches the desk with no
/// provider to suggest, and one without the scope makes the desk ask again. "Could not be
/// narrowed down", "unclear" and "Other" are answers too.
async fn check_complete_triage<C: ConnectionTrait>(db: &C, triage: &Triage) -> AppResult<CheckedTriage> {
    if choice("triage_scope", &triage.scope, &TRIAGE_SCOPES)?.is_none() {
        return Err(AppError::invalid("triage_scope", "reports.scope_required"));
    }
    if choice("triage_fault_type", &triage.fault_type, &FAULT_TYPES)?.is_none() {
        return Err(AppError::invalid("triage_fault_type", "reports.fault_type_required"));
    }
    let checked = check_triage(db, triage).await?;
    if checked.service_id.is_none() {
        return Err(AppError::invalid("service", "reports.service_required"));
    }
    Ok(checked)
}

/// A report somebody handled already says so first, whatever else the form got wrong: its
/// paths are gone. (`claim` checks again in the transaction.)
fn still_new(report: report::Model) -> AppResult<report::Model> {
    if report.status == ReportStatus::New {
        Ok(report)
    } else {
        Err(AppError::conflict("reports.already_handled"))
    }
}

/// Marks the report handled, if nobody handled it meanwhile.
async fn claim(
    txn: &WriteTxn,
    current: &report::Model,
    expected: Option<i32>,
    status: ReportStatus,
    columns: Vec<(report::Column, Expr)>,
) -> AppResult<()> {
    let version = expected.unwrap_or(current.version);
    if version != current.version || current.status != ReportStatus::New {
        return Err(AppError::conflict("reports.already_handled"));
    }
    let mut update = report::Entity::update_many()
        .col_expr(report::Column::Status, Expr::value(status))
        .col_expr(report::Column::Version, Expr::value(version + 1))
        .col_expr(report::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(report::Column::Id.eq(current.id))
        .filter(report::Column::Version.eq(version));
    for (column, value) in columns {
        update = update.col_expr(column, value);
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Err(AppError::conflict("reports.already_handled"));
    }
    Ok(())
}

/// Solved at first level: the teacher gets the answer and the files that go with it (on
/// the report, where the teacher sees them).
pub async fn answer(app: &App, actor: &Actor, id: i32, input: &Answer, staged: Staged) -> AppResult<report::Model> {
    if actor.role != Role::SchoolAdmin {
        return Err(AppError::Forbidden);
    }
    let current = still_new(find(app.db.read(), actor, id).await?)?;
    let answer = validate::multiline("answer", &input.answer, tickets::TEXT_MAX)?;
    let checked = check_triage(app.db.read(), &input.triage).await?;
    let txn = app.db.write().await?;
    claim(
        &txn,
        &current,
        input.version,
        ReportStatus::Answered,
        vec![
            (report::Column::Answer, Expr::value(Some(answer.clone()))),
            (report::Column::AnsweredBy, Expr::value(Some(actor.id))),
            (report::Column::TriageScope, Expr::value(checked.scope)),
            (report::Column::TriageFaultType, Expr::value(checked.fault_type)),
            (report::Column::ServiceId, Expr::value(checked.service_id)),
        ],
    )
    .await?;
    let updated = report::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    audit::record(
        &txn,
        By::User(actor),
        "report.answer",
        Target::new("report", id).in_school(Some(updated.school_id)),
        json!({}),
    )
    .await?;
    let owner = Owner { school_id: updated.school_id, report_id: Some(id), ticket_id: None };
    let files = attachments::record(&txn, &staged, owner, Uploader::User(actor), false).await?;
    to_teacher(&txn, &app.mailer, &updated, "report_answered", &answer, &files).await?;
    txn.commit().await?;
    staged.keep();
    Ok(updated)
}

/// Handed up: a ticket that carries the report's text as the school admin passes it on,
/// its triage and files, and the files the admin adds for the desk. The ticket and the
/// report point at each other (`tickets.report_id`, `reports.ticket_id`).
pub async fn escalate(
    app: &App,
    actor: &Actor,
    id: i32,
    input: &Escalation,
    staged: Staged,
) -> AppResult<ticket::Model> {
    if actor.role != Role::SchoolAdmin {
        return Err(AppError::Forbidden);
    }
    let current = still_new(find(app.db.read(), actor, id).await?)?;
    let checked = check_complete_triage(app.db.read(), &input.triage).await?;
    // The description is what the school admin hands up, without who reported it: a
    // forward may share the description with a provider, and a teacher's name reaches a
    // provider only when the desk chooses to write it. The report's own fields (since
    // when, how many) stay fields of the report, which the ticket's pages show beside it
    // (`origin_of`); the desk sees the reporter through the report (`reporter_of`).
    let title = input.title.trim();
    let new_ticket = NewTicket {
        title: if title.is_empty() { current.affected.clone() } else { input.title.clone() },
        description: input.description.clone().unwrap_or_else(|| current.description.clone()),
        service: checked.service_slug.clone().unwrap_or_default(),
        priority: input.priority.clone(),
        triage_scope: checked.scope.clone().unwrap_or_default(),
        triage_fault_type: checked.fault_type.clone().unwrap_or_default(),
    };
    // The report's files and the ones added now are carried over below, not as the new
    // ticket's own.
    let checked_ticket = tickets::opening::check_new(app, actor, &new_ticket, Staged::none()).await?;
    let txn = app.db.write().await?;
    // Claim the report first: a report handled meanwhile is refused before a ticket exists.
    claim(
        &txn,
        &current,
        input.version,
        ReportStatus::Escalated,
        vec![
            (report::Column::AnsweredBy, Expr::value(Some(actor.id))),
            (report::Column::TriageScope, Expr::value(checked.scope)),
            (report::Column::TriageFaultType, Expr::value(checked.fault_type)),
            (report::Column::ServiceId, Expr::value(checked.service_id)),
        ],
    )
    .await?;
    let created = tickets::opening::insert(&txn, app, actor, &checked_ticket, Some(current.id)).await?;
    attachments::carry_to_ticket(&txn, actor, current.id, created.id, current.school_id, &staged).await?;
    report::Entity::update_many()
        .col_expr(report::Column::TicketId, Expr::value(Some(created.id)))
        .filter(report::Column::Id.eq(current.id))
        .exec(&txn)
        .await?;
    let updated = report::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    audit::record(
        &txn,
        By::User(actor),
        "report.escalate",
        Target::new("report", id).in_school(Some(updated.school_id)),
        json!({ "ticket": number(created.id) }),
    )
    .await?;
    to_teacher(&txn, &app.mailer, &updated, "report_escalated", &number(created.id), &[]).await?;
    txn.commit().await?;
    tickets::tell_queues(&app.live);
    staged.keep();
    Ok(created)
}

/// What the report a ticket was escalated from says about the problem, shown as fields
/// beside the ticket's description (never written into it). No author: see `reporter_of`.
#[derive(Debug, Clone, Serialize)]
pub struct ReportFacts {
    pub id: i32,
    pub affected: String,
    pub since: String,
    pub how_many: String,
}

pub async fn origin_of<C: ConnectionTrait>(db: &C, ticket: &ticket::Model) -> AppResult<Option<ReportFacts>> {
    let Some(report_id) = ticket.report_id else { return Ok(None) };
    let found = report::Entity::find_by_id(report_id).one(db).await?;
    Ok(found.filter(|r| r.school_id == ticket.school_id).map(|r| ReportFacts {
        id: r.id,
        affected: r.affected,
        since: r.since,
        how_many: r.how_many,
    }))
}

/// The name of the teacher whose report a ticket was escalated from, for the desk's page
/// and the school's.
pub async fn reporter_of<C: ConnectionTrait>(db: &C, ticket: &ticket::Model) -> AppResult<Option<String>> {
    let Some(report_id) = ticket.report_id else { return Ok(None) };
    let Some(report) = report::Entity::find_by_id(report_id).one(db).await? else { return Ok(None) };
    Ok(user::Entity::find_by_id(report.teacher_id).one(db).await?.map(|u| u.name))
}

/// Called (by the ladder) in the transaction that resolves a ticket: the teacher whose
/// report started it gets the solution.
pub async fn ticket_resolved(txn: &WriteTxn, mailer: &crate::mail::Mailer, ticket: &ticket::Model) -> AppResult<()> {
    let Some(report_id) = ticket.report_id else { return Ok(()) };
    if let Some(report) = report::Entity::find_by_id(report_id).one(txn).await? {
        to_teacher(txn, mailer, &report, "report_solved", ticket.solution.as_deref().unwrap_or(""), &[]).await?;
    }
    Ok(())
}

//! Reports: filed by a teacher, seen by that teacher and their school's admins only,
//! answered or escalated by a school admin, and told when the escalated ticket is solved.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use serde_json::json;

use crate::app::App;
use crate::attachments::service::{self as attachments, Owner, Uploader};
use crate::attachments::store::Staged;
use crate::audit::{self, By, Target};
use crate::auth::{Actor, Role};
use crate::db::WriteTxn;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::mail::{self, Mailer, Outgoing};
use crate::tickets::{self, number, NewTicket, FAULT_TYPES, TRIAGE_SCOPES};
use crate::validate;
use entities::{attachment, report, ticket, user, ReportStatus, TicketStatus};

pub const FIELD_MAX: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct NewReport {
    pub affected: String,
    pub since: String,
    pub how_many: String,
    pub description: String,
}

#[derive(Debug, Clone, Default)]
pub struct Triage {
    pub scope: String,
    pub fault_type: String,
    pub service: String,
}

/// The first-level solution: the triage, the answer for the teacher, and the report's
/// version the school admin saw.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub triage: Triage,
    pub answer: String,
    pub version: Option<i32>,
}

/// The ticket an escalation opens: the triage, its title (the report's "affected" when
/// blank), the priority the school admin suggests, and the report's version they saw.
#[derive(Debug, Clone, Default)]
pub struct Escalation {
    pub triage: Triage,
    pub title: String,
    pub priority: String,
    pub version: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct ReportView {
    pub id: i32,
    pub affected: String,
    pub since: String,
    pub how_many: String,
    pub description: String,
    pub status: ReportStatus,
    pub triage_scope: Option<String>,
    pub triage_fault_type: Option<String>,
    pub answer: Option<String>,
    pub teacher: String,
    pub ticket: Option<TicketRef>,
    pub version: i32,
    pub created_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct TicketRef {
    pub number: String,
    pub status: TicketStatus,
    pub solution: Option<String>,
}

fn multiline(field: &str, value: &str, max: usize) -> AppResult<String> {
    validate::multiline(field, value, max)
}

async fn to_teacher(
    txn: &WriteTxn,
    mailer: &Mailer,
    report: &report::Model,
    kind: &str,
    body: &str,
    files: &[attachment::Model],
) -> AppResult<()> {
    if let Some(teacher) = user::Entity::find_by_id(report.teacher_id).one(txn).await? {
        let path = format!("/reports/{}", report.id);
        send(txn, mailer, &teacher, report, Letter { kind, body, files }, &path).await?;
    }
    Ok(())
}

/// What a report's mail says: which kind, the message, and the files that came with it
/// (named in the mail; the reader downloads them from the report's page, signed in).
struct Letter<'a> {
    kind: &'a str,
    body: &'a str,
    files: &'a [attachment::Model],
}

async fn send(
    txn: &WriteTxn,
    mailer: &Mailer,
    to: &user::Model,
    report: &report::Model,
    letter: Letter<'_>,
    path: &str,
) -> AppResult<()> {
    if !to.active {
        return Ok(());
    }
    let Letter { kind, body, files } = letter;
    let files: Vec<_> = files.iter().map(|f| json!({ "name": f.filename, "size": f.size })).collect();
    let thread = format!("report-{}", report.id);
    mail::enqueue(
        txn,
        mailer,
        Outgoing {
            to_addr: &to.email,
            to_name: &to.name,
            lang: Lang::parse(&to.language).unwrap_or_default(),
            template: "report",
            context: &json!({
                "kind": kind,
                "affected": report.affected,
                "body": body,
                "files": files,
                "link": mailer.link(path),
            }),
            thread: Some(&thread),
        },
    )
    .await?;
    Ok(())
}

/// A teacher reports a problem, with its screenshot or other files (possibly none); the
/// school's admins are told.
pub async fn file(app: &App, actor: &Actor, input: &NewReport, staged: Staged) -> AppResult<report::Model> {
    let school_id = match (actor.role, actor.school_id) {
        (Role::Teacher, Some(id)) => id,
        _ => return Err(AppError::Forbidden),
    };
    let affected = validate::text("affected", &input.affected, FIELD_MAX)?;
    let since = validate::text("since", &input.since, FIELD_MAX)?;
    let how_many = validate::text("how_many", &input.how_many, FIELD_MAX)?;
    let description = multiline("description", &input.description, tickets::TEXT_MAX)?;
    let now = Utc::now();
    let txn = app.db.write().await?;
    let created = report::ActiveModel {
        school_id: Set(school_id),
        teacher_id: Set(actor.id),
        affected: Set(affected),
        since: Set(since),
        how_many: Set(how_many),
        description: Set(description),
        status: Set(ReportStatus::New),
        triage_scope: Set(None),
        triage_fault_type: Set(None),
        service_id: Set(None),
        answer: Set(None),
        answered_by: Set(None),
        ticket_id: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        By::User(actor),
        "report.file",
        Target::new("report", created.id).in_school(Some(school_id)),
        json!({}),
    )
    .await?;
    let owner = Owner { school_id, report_id: Some(created.id), ticket_id: None };
    let files = attachments::record(&txn, &staged, owner, Uploader::User(actor), false).await?;
    let admins = user::Entity::find()
        .filter(user::Column::SchoolId.eq(school_id))
        .filter(user::Column::Role.eq(Role::SchoolAdmin))
        .filter(user::Column::Active.eq(true))
        .all(&txn)
        .await?;
    for admin in admins {
        send(
            &txn,
            &app.mailer,
            &admin,
            &created,
            Letter { kind: "report_new", body: &created.description, files: &files },
            &format!("/helpdesk/reports/{}", created.id),
        )
        .await?;
    }
    txn.commit().await?;
    staged.keep();
    Ok(created)
}

/// The report if this actor may see it: its teacher and the school's admins; nobody else
/// learns it exists.
pub async fn find<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32) -> AppResult<report::Model> {
    let found = report::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let visible = match actor.role {
        Role::Teacher => found.teacher_id == actor.id,
        Role::SchoolAdmin => actor.school_id == Some(found.school_id),
        _ => false,
    };
    if visible {
        Ok(found)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn view<C: ConnectionTrait>(db: &C, r: report::Model) -> AppResult<ReportView> {
    let teacher = user::Entity::find_by_id(r.teacher_id).one(db).await?.map(|u| u.name).unwrap_or_default();
    let ticket = match r.ticket_id {
        Some(id) => ticket::Entity::find_by_id(id).one(db).await?.map(|t| TicketRef {
            number: number(t.id),
            status: t.status,
            solution: t.solution,
        }),
        None => None,
    };
    Ok(ReportView {
        id: r.id,
        affected: r.affected,
        since: r.since,
        how_many: r.how_many,
        description: r.description,
        status: r.status,
        triage_scope: r.triage_scope,
        triage_fault_type: r.triage_fault_type,
        answer: r.answer,
        teacher,
        ticket,
        version: r.version,
        created_at: r.created_at,
    })
}

async fn views<C: ConnectionTrait>(db: &C, rows: Vec<report::Model>) -> AppResult<Vec<ReportView>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(db, r).await?);
    }
    Ok(out)
}

/// A teacher's own reports, newest first.
pub async fn mine(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<ReportView>> {
    if actor.role != Role::Teacher {
        return Err(AppError::Forbidden);
    }
    let rows = report::Entity::find()
        .filter(report::Column::TeacherId.eq(actor.id))
        .order_by_desc(report::Column::UpdatedAt)
        .limit(100)
        .all(db)
        .await?;
    views(db, rows).await
}

/// The school admins' inbox: the school's reports that wait for them.
pub async fn inbox(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<ReportView>> {
    let Some(school_id) = actor.school_id.filter(|_| actor.role == Role::SchoolAdmin) else {
        return Err(AppError::Forbidden);
    };
    let rows = report::Entity::find()
        .filter(report::Column::SchoolId.eq(school_id))
        .filter(report::Column::Status.eq(ReportStatus::New))
        .order_by_asc(report::Column::CreatedAt)
        .limit(100)
        .all(db)
        .await?;
    views(db, rows).await
}

struct CheckedTriage {
    scope: Option<String>,
    fault_type: Option<String>,
    service_id: Option<i32>,
    service_slug: String,
}

async fn check_triage<C: ConnectionTrait>(db: &C, triage: &Triage) -> AppResult<CheckedTriage> {
    let choice = |field: &str, value: &str, allowed: &[&str]| -> AppResult<Option<String>> {
        match value.trim() {
            "" => Ok(None),
            v if allowed.contains(&v) => Ok(Some(v.to_string())),
            _ => Err(AppError::invalid(field, "tickets.choice_invalid")),
        }
    };
    let service_id = crate::catalogue::services::from_input(db, "service", &triage.service, true).await?.map(|s| s.id);
    Ok(CheckedTriage {
        scope: choice("triage_scope", &triage.scope, &TRIAGE_SCOPES)?,
        fault_type: choice("triage_fault_type", &triage.fault_type, &FAULT_TYPES)?,
        service_id,
        service_slug: triage.service.trim().to_string(),
    })
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

/// The school admin solves it at first level: triage recorded, the teacher gets the answer
/// and the files that go with it (on the report, where the teacher sees them).
pub async fn answer(app: &App, actor: &Actor, id: i32, input: &Answer, staged: Staged) -> AppResult<report::Model> {
    if actor.role != Role::SchoolAdmin {
        return Err(AppError::Forbidden);
    }
    let current = find(app.db.read(), actor, id).await?;
    let checked = check_triage(app.db.read(), &input.triage).await?;
    let answer = multiline("answer", &input.answer, tickets::TEXT_MAX)?;
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

/// The name of the teacher whose report a ticket was escalated from, for the desk's page.
pub async fn reporter_of<C: ConnectionTrait>(db: &C, ticket: &ticket::Model) -> AppResult<Option<String>> {
    let Some(report_id) = ticket.report_id else { return Ok(None) };
    let Some(report) = report::Entity::find_by_id(report_id).one(db).await? else { return Ok(None) };
    Ok(user::Entity::find_by_id(report.teacher_id).one(db).await?.map(|u| u.name))
}

/// The school admin hands it up: a ticket that carries the report, its triage and files,
/// and the files the admin adds for the desk.
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
    let current = find(app.db.read(), actor, id).await?;
    let checked = check_triage(app.db.read(), &input.triage).await?;
    // The ticket's description carries the report as the teacher wrote it, but not who
    // wrote it: a forward may share the description with a provider, and a teacher's name
    // reaches a provider only when the desk chooses to write it. The desk sees the reporter
    // through the report (`reporter_of`).
    let description = format!(
        "{}\n\n---\n{}: {}\n{}: {}\n{}: {}",
        current.description,
        crate::i18n::tr(Lang::De, "reports.field_affected"),
        current.affected,
        crate::i18n::tr(Lang::De, "reports.field_since"),
        current.since,
        crate::i18n::tr(Lang::De, "reports.field_how_many"),
        current.how_many,
    );
    let title = input.title.trim();
    let new_ticket = NewTicket {
        title: if title.is_empty() { current.affected.clone() } else { input.title.clone() },
        description,
        service: checked.service_slug.clone(),
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

/// Called (by the ladder) in the transaction that resolves a ticket: the teacher whose
/// report started it gets the solution.
pub async fn ticket_resolved(txn: &WriteTxn, mailer: &Mailer, ticket: &ticket::Model) -> AppResult<()> {
    let Some(report_id) = ticket.report_id else { return Ok(()) };
    if let Some(report) = report::Entity::find_by_id(report_id).one(txn).await? {
        to_teacher(txn, mailer, &report, "report_solved", ticket.solution.as_deref().unwrap_or(""), &[]).await?;
    }
    Ok(())
}

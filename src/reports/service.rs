//! Reports: filed by a teacher, seen by that teacher and their school's admins only,
//! answered or escalated by a school admin, and told when the escalated ticket is solved.
use chrono::Utc;
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
use crate::tickets::{self, number};
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

pub use super::triage::{
    answer, escalate, origin_of, reporter_of, ticket_resolved, Answer, Escalation, ReportFacts, Triage,
};

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
    /// The service named at triage (its slug).
    pub service: Option<String>,
    pub answer: Option<String>,
    pub teacher: String,
    pub ticket: Option<TicketRef>,
    pub version: i32,
    pub created_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct TicketRef {
    pub number: String,
    pub title: String,
    pub status: TicketStatus,
    pub solution: Option<String>,
}

fn multiline(field: &str, value: &str, max: usize) -> AppResult<String> {
    validate::multiline(field, value, max)
}

pub(super) async fn to_teacher(
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
    let mut checks = validate::Checks::default();
    let affected = checks.take(validate::text("affected", &input.affected, FIELD_MAX));
    let since = checks.take(validate::text("since", &input.since, FIELD_MAX));
    let how_many = checks.take(validate::text("how_many", &input.how_many, FIELD_MAX));
    let description = checks.take(multiline("description", &input.description, tickets::TEXT_MAX));
    checks.done()?;
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
            title: t.title,
            status: t.status,
            solution: t.solution,
        }),
        None => None,
    };
    let service = match r.service_id {
        Some(id) => entities::service::Entity::find_by_id(id).one(db).await?.map(|s| s.slug),
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
        service,
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

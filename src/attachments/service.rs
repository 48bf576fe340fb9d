//! Attachments in the database: recording staged files with their audit events, and
//! finding them within the actor's scope — in the query, in one place. A school
//! admin sees their school's files except the desk's internal ones, a teacher the files of
//! their own reports, the desk every ticket's files, a provider only what its forward was
//! given or uploaded itself. Anything else is "not found".
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::{json, Value};

use super::store::Staged;
use crate::audit::{self, By, Target};
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use entities::{attachment, attachment_share, report, ticket_event, EventKind};

/// Who uploads: a signed-in user, or a provider's contact through their forward's link.
#[derive(Clone, Copy)]
pub enum Uploader<'a> {
    User(&'a Actor),
    Provider { forward_id: i32, label: &'a str },
}

/// What the files belong to.
#[derive(Clone, Copy)]
pub struct Owner {
    pub school_id: i32,
    pub report_id: Option<i32>,
    pub ticket_id: Option<i32>,
}

/// An attachment as pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    pub id: i32,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    pub internal: bool,
    pub uploader: String,
    pub from_report: bool,
    pub from_provider: bool,
    pub created_at: DateTime<Utc>,
}

pub fn view(a: attachment::Model) -> AttachmentView {
    AttachmentView {
        id: a.id,
        name: a.filename,
        size: a.size,
        content_type: a.content_type,
        internal: a.internal,
        uploader: a.uploader_label,
        from_report: a.report_id.is_some(),
        from_provider: a.forward_id.is_some(),
        created_at: a.created_at,
    }
}

/// What a timeline event says about its files.
pub fn refs(rows: &[attachment::Model]) -> Value {
    Value::Array(
        rows.iter()
            .map(|a| json!({ "id": a.id, "name": a.filename, "size": a.size, "type": a.content_type }))
            .collect(),
    )
}

/// Records staged files, each with its audit event, in the caller's transaction.
pub async fn record(
    txn: &DatabaseTransaction,
    staged: &Staged,
    owner: Owner,
    uploader: Uploader<'_>,
    internal: bool,
) -> AppResult<Vec<attachment::Model>> {
    let (uploaded_by, forward_id, label, by) = match uploader {
        Uploader::User(actor) => (Some(actor.id), None, actor.name.clone(), By::User(actor)),
        Uploader::Provider { forward_id, label } => (None, Some(forward_id), label.to_string(), By::Provider(label)),
    };
    let mut rows = Vec::with_capacity(staged.files.len());
    for file in &staged.files {
        let row = attachment::ActiveModel {
            storage_key: Set(file.storage_key.clone()),
            filename: Set(file.filename.clone()),
            content_type: Set(file.content_type.clone()),
            size: Set(file.size),
            sha256: Set(file.sha256.clone()),
            school_id: Set(owner.school_id),
            report_id: Set(owner.report_id),
            ticket_id: Set(owner.ticket_id),
            internal: Set(internal),
            uploaded_by: Set(uploaded_by),
            forward_id: Set(forward_id),
            uploader_label: Set(label.clone()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        audit::record(
            txn,
            by,
            "attachment.upload",
            Target::new("attachment", row.id).in_school(Some(owner.school_id)),
            json!({
                "name": row.filename, "size": row.size, "type": row.content_type, "sha256": row.sha256,
                "ticket": row.ticket_id, "report": row.report_id, "internal": internal,
            }),
        )
        .await?;
        rows.push(row);
    }
    Ok(rows)
}

/// A timeline entry for files that arrived without a message of their own (with a new
/// ticket, or carried over from a report).
pub async fn timeline_event(
    txn: &DatabaseTransaction,
    ticket_id: i32,
    actor: &Actor,
    rows: &[attachment::Model],
    data: Value,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut data = data;
    data["attachments"] = refs(rows);
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        kind: Set(EventKind::Attachments),
        actor_id: Set(Some(actor.id)),
        actor_label: Set(actor.name.clone()),
        body: Set(String::new()),
        internal: Set(false),
        data: Set(data.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The files this user may download; None: none at all.
fn visible_to(actor: &Actor) -> Option<Condition> {
    match (actor.role, actor.school_id) {
        (Role::Agent | Role::DeskLead, _) => Some(Condition::all().add(attachment::Column::TicketId.is_not_null())),
        (Role::SchoolAdmin, Some(school)) => Some(
            Condition::all().add(attachment::Column::SchoolId.eq(school)).add(attachment::Column::Internal.eq(false)),
        ),
        (Role::Teacher, Some(school)) => Some(
            Condition::all()
                .add(attachment::Column::SchoolId.eq(school))
                .add(attachment::Column::Internal.eq(false))
                .add(
                    attachment::Column::ReportId.in_subquery(
                        Query::select()
                            .column(report::Column::Id)
                            .from(report::Entity)
                            .and_where(report::Column::TeacherId.eq(actor.id))
                            .to_owned(),
                    ),
                ),
        ),
        _ => None,
    }
}

/// One attachment, if this user may download it.
pub async fn find_for_user<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32) -> AppResult<attachment::Model> {
    let scope = visible_to(actor).ok_or(AppError::NotFound)?;
    attachment::Entity::find_by_id(id).filter(scope).one(db).await?.ok_or(AppError::NotFound)
}

/// A ticket's files as this user may see them (the caller has checked the ticket itself).
pub async fn for_ticket<C: ConnectionTrait>(db: &C, actor: &Actor, ticket_id: i32) -> AppResult<Vec<AttachmentView>> {
    let Some(scope) = visible_to(actor) else { return Ok(Vec::new()) };
    // A teacher's report files on the ticket are the school's to see, not a teacher's scope.
    Ok(attachment::Entity::find()
        .filter(attachment::Column::TicketId.eq(ticket_id))
        .filter(scope)
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// A report's files as this user may see them.
pub async fn for_report<C: ConnectionTrait>(db: &C, actor: &Actor, report_id: i32) -> AppResult<Vec<AttachmentView>> {
    let Some(scope) = visible_to(actor) else { return Ok(Vec::new()) };
    Ok(attachment::Entity::find()
        .filter(attachment::Column::ReportId.eq(report_id))
        .filter(scope)
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// What a provider's link reaches: one forward of one ticket.
#[derive(Clone, Copy)]
pub struct ProviderScope {
    pub ticket_id: i32,
    pub forward_id: i32,
}

/// What a provider's link may see: the files the desk shared with its forward, and the
/// ones the provider uploaded through it.
fn shared_with(scope: ProviderScope) -> Condition {
    Condition::all().add(attachment::Column::TicketId.eq(scope.ticket_id)).add(
        Condition::any().add(attachment::Column::ForwardId.eq(scope.forward_id)).add(
            attachment::Column::Id.in_subquery(
                Query::select()
                    .column(attachment_share::Column::AttachmentId)
                    .from(attachment_share::Entity)
                    .and_where(attachment_share::Column::ForwardId.eq(scope.forward_id))
                    .to_owned(),
            ),
        ),
    )
}

pub async fn find_for_provider<C: ConnectionTrait>(
    db: &C,
    scope: ProviderScope,
    id: i32,
) -> AppResult<attachment::Model> {
    attachment::Entity::find_by_id(id).filter(shared_with(scope)).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn for_provider<C: ConnectionTrait>(db: &C, scope: ProviderScope) -> AppResult<Vec<AttachmentView>> {
    Ok(attachment::Entity::find()
        .filter(shared_with(scope))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        // The desk's files for a provider are kept from the school (internal); to the
        // provider they are simply what was shared, not "internal".
        .map(|a| AttachmentView { internal: false, ..view(a) })
        .collect())
}

/// The files the desk may share with a provider: the ticket's public ones (internal notes'
/// files and other providers' uploads stay with the desk).
pub async fn shareable<C: ConnectionTrait>(db: &C, ticket_id: i32) -> AppResult<Vec<i32>> {
    Ok(attachment::Entity::find()
        .filter(attachment::Column::TicketId.eq(ticket_id))
        .filter(attachment::Column::Internal.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect())
}

/// Records which files a new forward shares, in the forward's transaction.
pub async fn share(txn: &DatabaseTransaction, forward_id: i32, ids: &[i32]) -> AppResult<()> {
    let mut unique: Vec<i32> = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for id in unique {
        attachment_share::ActiveModel { forward_id: Set(forward_id), attachment_id: Set(id) }.insert(txn).await?;
    }
    Ok(())
}

/// Escalation: the report's files go with the ticket (they stay the report's too, so the
/// teacher keeps seeing them), and the files the school admin adds while escalating are
/// recorded for the ticket alone; one timeline entry lists them all. In the escalation's
/// transaction.
pub async fn carry_to_ticket(
    txn: &DatabaseTransaction,
    actor: &Actor,
    report_id: i32,
    ticket_id: i32,
    school_id: i32,
    added: &Staged,
) -> AppResult<()> {
    let carried = attachment::Entity::find()
        .filter(attachment::Column::ReportId.eq(report_id))
        .filter(attachment::Column::SchoolId.eq(school_id))
        .order_by_asc(attachment::Column::Id)
        .all(txn)
        .await?;
    if !carried.is_empty() {
        attachment::Entity::update_many()
            .col_expr(attachment::Column::TicketId, Expr::value(Some(ticket_id)))
            .filter(attachment::Column::ReportId.eq(report_id))
            .filter(attachment::Column::SchoolId.eq(school_id))
            .exec(txn)
            .await?;
        audit::record(
            txn,
            By::User(actor),
            "attachment.carry",
            Target::new("ticket", ticket_id).in_school(Some(school_id)),
            json!({ "report": report_id, "attachments": carried.iter().map(|a| a.id).collect::<Vec<_>>() }),
        )
        .await?;
    }
    let owner = Owner { school_id, report_id: None, ticket_id: Some(ticket_id) };
    let added = record(txn, added, owner, Uploader::User(actor), false).await?;
    timeline_event(txn, ticket_id, actor, &[carried, added].concat(), json!({ "report": report_id })).await
}

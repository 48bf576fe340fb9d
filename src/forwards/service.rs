//! Forwards: the desk hands a ticket to a provider with a priority, a message and what to
//! share; each contact gets their own link (a 256-bit token, stored as a hash, expiring,
//! revoked on recall and at close). The provider acknowledges, comments and resolves
//! through it; every action is on the timeline and mailed to the desk.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;

use super::links::{self, Letter};
use crate::attachments::service::{self as attachments, Owner, Uploader};
use crate::attachments::store::Staged;
use crate::auth::{tokens, Actor};
use crate::error::{AppError, AppResult};
use crate::tickets::service::{self as tickets, apply_in, Change, Ctx, Who, TEXT_MAX};
use crate::tickets::status::{number, Priority, Status};
use entities::{forward, forward_link, provider, provider_contact, provider_service, ticket, ticket_event};

pub const LINK_DAYS: i64 = 30;

#[derive(Debug, Clone, Default)]
pub struct ForwardInput {
    pub provider: String,
    pub priority: String,
    pub message: String,
    pub share_description: bool,
    /// Public timeline entries to share (ids); nothing else of the school is shared.
    pub shared_events: Vec<i32>,
    /// The ticket's (public) files the provider may download.
    pub shared_attachments: Vec<i32>,
}

fn text(field: &str, value: &str) -> AppResult<String> {
    crate::validate::multiline(field, value, TEXT_MAX)
}

#[derive(Debug, Serialize)]
pub struct ProviderChoice {
    pub slug: String,
    pub name: String,
    pub covers_service: bool,
    pub response_hours: i32,
}

/// Active providers with contacts, the ones covering the ticket's service first.
pub async fn choices<C: ConnectionTrait>(db: &C, t: &ticket::Model) -> AppResult<Vec<ProviderChoice>> {
    let covering: Vec<i32> = match t.service_id {
        Some(service_id) => provider_service::Entity::find()
            .filter(provider_service::Column::ServiceId.eq(service_id))
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.provider_id)
            .collect(),
        None => Vec::new(),
    };
    let mut list: Vec<ProviderChoice> = provider::Entity::find()
        .filter(provider::Column::Active.eq(true))
        .order_by_asc(provider::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|p| ProviderChoice {
            covers_service: covering.contains(&p.id),
            slug: p.slug,
            name: p.name,
            response_hours: p.response_hours,
        })
        .collect();
    list.sort_by_key(|p| !p.covers_service);
    Ok(list)
}

/// Hands the ticket to a provider. One active forward per provider at a time.
pub async fn forward(
    ctx: &Ctx<'_>,
    actor: &Actor,
    ticket_id: i32,
    input: &ForwardInput,
    expected_version: Option<i32>,
) -> AppResult<forward::Model> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let current = tickets::find(ctx.db, actor, ticket_id).await?;
    let found = crate::catalogue::providers::find_by_slug(ctx.db, input.provider.trim())
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| {
            AppError::invalid_with(
                "provider",
                "forwards.unknown_provider",
                crate::validate::shown(input.provider.trim()),
            )
        })?;
    let contacts =
        provider_contact::Entity::find().filter(provider_contact::Column::ProviderId.eq(found.id)).all(ctx.db).await?;
    if contacts.is_empty() {
        return Err(AppError::invalid("provider", "validation.contact_required"));
    }
    let priority =
        Priority::parse(&input.priority).ok_or_else(|| AppError::invalid("priority", "desk.priority_invalid"))?;
    let message = text("message", &input.message)?;
    let public_events: Vec<i32> = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(ticket_id))
        .filter(ticket_event::Column::Internal.eq(false))
        .all(ctx.db)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    if input.shared_events.iter().any(|id| !public_events.contains(id)) {
        return Err(AppError::invalid("shared_events", "forwards.share_invalid"));
    }
    let shareable = crate::attachments::service::shareable(ctx.db, ticket_id).await?;
    if input.shared_attachments.iter().any(|id| !shareable.contains(id)) {
        return Err(AppError::invalid("shared_attachments", "forwards.share_invalid"));
    }
    let active = forward::Entity::find()
        .filter(forward::Column::TicketId.eq(ticket_id))
        .filter(forward::Column::ProviderId.eq(found.id))
        .filter(forward::Column::Status.eq("active"))
        .one(ctx.db)
        .await?;
    if active.is_some() {
        return Err(AppError::conflict("forwards.already_active"));
    }
    let calendar = crate::desk::service::calendar(ctx.db, ctx.settings.tz()).await?;
    let now = Utc::now();
    let (_turn, txn) = ctx.write_turn.begin(ctx.db).await?;
    let fwd = forward::ActiveModel {
        ticket_id: Set(ticket_id),
        provider_id: Set(found.id),
        priority: Set(priority.as_str().into()),
        message: Set(message.clone()),
        status: Set("active".into()),
        provider_reference: Set(None),
        shared_events: Set(json!(input.shared_events).to_string()),
        share_description: Set(input.share_description),
        created_by: Set(actor.id),
        due_at: Set(calendar.add_business_minutes(now, found.response_hours as i64 * 60)),
        acknowledged_at: Set(None),
        reminded_at: Set(None),
        ended_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::attachments::service::share(&txn, fwd.id, &input.shared_attachments).await?;
    let mut change = Change::new("forward");
    change.status = Some(Status::AtProvider);
    change.data = json!({ "provider": found.name, "priority": priority.as_str() });
    change.columns.push((ticket::Column::Level, Expr::value(3i16)));
    change.columns.push((ticket::Column::ProviderId, Expr::value(Some(found.id))));
    if current.assignee_id.is_none() {
        change.columns.push((ticket::Column::AssigneeId, Expr::value(Some(actor.id))));
    }
    let updated = apply_in(&txn, ctx, Who::User(actor), current, expected_version, change).await?;
    let letter = Letter { kind: "forward_new", body: &message, files: &[] };
    for contact in &contacts {
        links::mail_contact(&txn, ctx, &fwd, &updated, contact, &letter).await?;
    }
    txn.commit().await?;
    Ok(fwd)
}

/// Ends a forward's links (recall, close).
async fn revoke_links<C: ConnectionTrait>(db: &C, forward_id: i32) -> AppResult<()> {
    forward_link::Entity::update_many()
        .col_expr(forward_link::Column::RevokedAt, Expr::value(Some(Utc::now())))
        .filter(forward_link::Column::ForwardId.eq(forward_id))
        .filter(forward_link::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every forward of a ticket (it was closed): every link stops working at once,
/// including those of forwards the provider already solved.
pub async fn end_all(txn: &DatabaseTransaction, ticket_id: i32, status: &str) -> AppResult<()> {
    let all = forward::Entity::find().filter(forward::Column::TicketId.eq(ticket_id)).all(txn).await?;
    for f in all {
        revoke_links(txn, f.id).await?;
        if f.ended_at.is_none() {
            forward::Entity::update_many()
                .col_expr(forward::Column::Status, Expr::value(status))
                .col_expr(forward::Column::EndedAt, Expr::value(Some(Utc::now())))
                .filter(forward::Column::Id.eq(f.id))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// The desk takes a forward back: its links are revoked; with no other provider working
/// it, the ticket returns to the desk.
pub async fn recall(
    ctx: &Ctx<'_>,
    actor: &Actor,
    ticket_id: i32,
    forward_id: i32,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let current = tickets::find(ctx.db, actor, ticket_id).await?;
    let fwd = forward::Entity::find_by_id(forward_id)
        .one(ctx.db)
        .await?
        .filter(|f| f.ticket_id == ticket_id)
        .ok_or(AppError::NotFound)?;
    if fwd.status != "active" {
        return Err(AppError::conflict("forwards.not_active"));
    }
    let (_turn, txn) = ctx.write_turn.begin(ctx.db).await?;
    revoke_links(&txn, fwd.id).await?;
    forward::Entity::update_many()
        .col_expr(forward::Column::Status, Expr::value("recalled"))
        .col_expr(forward::Column::EndedAt, Expr::value(Some(Utc::now())))
        .filter(forward::Column::Id.eq(fwd.id))
        .exec(&txn)
        .await?;
    let others = forward::Entity::find()
        .filter(forward::Column::TicketId.eq(ticket_id))
        .filter(forward::Column::Status.eq("active"))
        .all(&txn)
        .await?;
    let mut change = Change::new("recall");
    change.internal = true;
    change.data = json!({ "forward": fwd.id });
    if others.is_empty() && current.status == Status::AtProvider.as_str() {
        change.status = Some(Status::Open);
        change.columns.push((ticket::Column::Level, Expr::value(2i16)));
        change.columns.push((ticket::Column::ProviderId, Expr::value(Option::<i32>::None)));
    }
    let updated = apply_in(&txn, ctx, Who::User(actor), current, expected_version, change).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The desk answers the provider, with files if any: on the (internal) timeline and by
/// mail to each contact, with the link that contact already has. The files are shared with
/// this forward, so its link lists and serves them, and the mail names them.
pub async fn reply(
    ctx: &Ctx<'_>,
    actor: &Actor,
    ticket_id: i32,
    forward_id: i32,
    body: &str,
    staged: Staged,
) -> AppResult<ticket::Model> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let current = tickets::find(ctx.db, actor, ticket_id).await?;
    let fwd = forward::Entity::find_by_id(forward_id)
        .one(ctx.db)
        .await?
        .filter(|f| f.ticket_id == ticket_id)
        .ok_or(AppError::NotFound)?;
    if fwd.status != "active" {
        return Err(AppError::conflict("forwards.not_active"));
    }
    let body = crate::attachments::flows::message("body", body, &staged)?;
    let contacts = provider_contact::Entity::find()
        .filter(provider_contact::Column::ProviderId.eq(fwd.provider_id))
        .all(ctx.db)
        .await?;
    let (_turn, txn) = ctx.write_turn.begin(ctx.db).await?;
    still_active(&txn, fwd.id).await?;
    let owner = Owner { school_id: current.school_id, report_id: None, ticket_id: Some(current.id) };
    // Internal like the answer itself: the conversation with the provider is the desk's.
    let rows = attachments::record(&txn, &staged, owner, Uploader::User(actor), true).await?;
    attachments::share(&txn, fwd.id, &rows.iter().map(|a| a.id).collect::<Vec<_>>()).await?;
    let mut change = Change::new("provider_reply");
    change.internal = true;
    change.body = body.clone();
    change.data = json!({ "forward": fwd.id, "attachments": attachments::refs(&rows) });
    let updated = apply_in(&txn, ctx, Who::User(actor), current, None, change).await?;
    let letter = Letter { kind: "forward_reply", body: &body, files: &rows };
    for contact in &contacts {
        links::mail_contact(&txn, ctx, &fwd, &updated, contact, &letter).await?;
    }
    txn.commit().await?;
    staged.keep();
    Ok(updated)
}

/// Fails with a conflict unless the forward is still active, read in the caller's
/// transaction: a recall in between wins over what the transaction was about to say.
pub async fn still_active(txn: &DatabaseTransaction, forward_id: i32) -> AppResult<()> {
    forward::Entity::find_by_id(forward_id)
        .filter(forward::Column::Status.eq("active"))
        .one(txn)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::conflict("forwards.not_active"))
}

/// What a provider's link opens: the link, its forward and ticket; 404 for a token that
/// never existed, 410 for one that expired or was revoked.
pub struct Access {
    pub link: forward_link::Model,
    pub forward: forward::Model,
    pub ticket: ticket::Model,
    pub provider: provider::Model,
}

impl Access {
    pub fn label(&self) -> String {
        format!("{} ({})", self.provider.name, self.link.contact_email)
    }
}

pub async fn open<C: ConnectionTrait>(db: &C, token: &str) -> AppResult<Access> {
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let link = forward_link::Entity::find()
        .filter(forward_link::Column::TokenHash.eq(tokens::hash(token)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if link.revoked_at.is_some() || link.expires_at < Utc::now() {
        return Err(AppError::Gone);
    }
    let forward = forward::Entity::find_by_id(link.forward_id).one(db).await?.ok_or(AppError::NotFound)?;
    let ticket = ticket::Entity::find_by_id(forward.ticket_id).one(db).await?.ok_or(AppError::NotFound)?;
    let provider = provider::Entity::find_by_id(forward.provider_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(Access { link, forward, ticket, provider })
}

#[derive(Debug, Serialize)]
pub struct SharedEvent {
    pub kind: String,
    pub actor: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Exactly what the provider may see of the ticket: what the desk chose to share plus the
/// conversation with the provider. No other school data, no other ticket.
#[derive(Debug, Serialize)]
pub struct SharedTicket {
    pub number: String,
    pub title: String,
    pub description: Option<String>,
    pub priority: String,
    pub message: String,
    pub status: String,
    pub forward_status: String,
    pub reference: Option<String>,
    pub provider: String,
    pub due_at: DateTime<Utc>,
    pub solution: Option<String>,
    pub events: Vec<SharedEvent>,
    /// The files shared with this forward and the ones the provider uploaded.
    pub attachments: Vec<crate::attachments::service::AttachmentView>,
}

const PROVIDER_KINDS: [&str; 4] = ["provider_ack", "provider_comment", "provider_resolved", "provider_reply"];

pub async fn shared<C: ConnectionTrait>(db: &C, access: &Access) -> AppResult<SharedTicket> {
    let chosen: Vec<i32> = serde_json::from_str(&access.forward.shared_events).unwrap_or_default();
    let events = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(access.ticket.id))
        .order_by_asc(ticket_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|e| {
            let own_forward = serde_json::from_str::<serde_json::Value>(&e.data)
                .ok()
                .and_then(|d| d["forward"].as_i64())
                .is_some_and(|f| f == access.forward.id as i64);
            (chosen.contains(&e.id) && !e.internal) || (PROVIDER_KINDS.contains(&e.kind.as_str()) && own_forward)
        })
        .map(|e| SharedEvent { kind: e.kind, actor: e.actor_label, body: e.body, created_at: e.created_at })
        .collect();
    Ok(SharedTicket {
        number: number(access.ticket.id),
        title: access.ticket.title.clone(),
        description: access.forward.share_description.then(|| access.ticket.description.clone()),
        priority: access.forward.priority.clone(),
        message: access.forward.message.clone(),
        status: access.ticket.status.clone(),
        forward_status: access.forward.status.clone(),
        reference: access.forward.provider_reference.clone(),
        provider: access.provider.name.clone(),
        due_at: access.forward.due_at,
        solution: (access.forward.status == "solved").then(|| access.ticket.solution.clone()).flatten(),
        events,
        attachments: crate::attachments::service::for_provider(db, access).await?,
    })
}

async fn provider_change(
    ctx: &Ctx<'_>,
    access: Access,
    change: Change,
    forward_columns: Vec<(forward::Column, Expr)>,
) -> AppResult<Access> {
    if access.forward.status != "active" {
        return Err(AppError::conflict("forwards.not_active"));
    }
    let (_turn, txn) = ctx.write_turn.begin(ctx.db).await?;
    let label = access.label();
    if !forward_columns.is_empty() {
        // Conditional on the forward still being active: a recall in between wins.
        let mut update = forward::Entity::update_many()
            .filter(forward::Column::Id.eq(access.forward.id))
            .filter(forward::Column::Status.eq("active"));
        for (column, value) in forward_columns {
            update = update.col_expr(column, value);
        }
        if update.exec(&txn).await?.rows_affected != 1 {
            return Err(AppError::conflict("forwards.not_active"));
        }
    }
    forward_link::Entity::update_many()
        .col_expr(forward_link::Column::LastUsedAt, Expr::value(Some(Utc::now())))
        .filter(forward_link::Column::Id.eq(access.link.id))
        .exec(&txn)
        .await?;
    let ticket = ticket::Entity::find_by_id(access.ticket.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    apply_in(&txn, ctx, Who::Provider(&label), ticket, None, change).await?;
    txn.commit().await?;
    open_by_link(ctx, access.link).await
}

async fn open_by_link(ctx: &Ctx<'_>, link: forward_link::Model) -> AppResult<Access> {
    let forward = forward::Entity::find_by_id(link.forward_id).one(ctx.db).await?.ok_or(AppError::NotFound)?;
    let ticket = ticket::Entity::find_by_id(forward.ticket_id).one(ctx.db).await?.ok_or(AppError::NotFound)?;
    let provider = provider::Entity::find_by_id(forward.provider_id).one(ctx.db).await?.ok_or(AppError::NotFound)?;
    Ok(Access { link, forward, ticket, provider })
}

/// The provider confirms they work on it, with their own ticket reference.
pub async fn acknowledge(ctx: &Ctx<'_>, access: Access, reference: &str) -> AppResult<Access> {
    let reference = crate::validate::text("reference", reference, 120)?;
    let mut change = Change::new("provider_ack");
    change.internal = true;
    change.body = reference.clone();
    change.desk_mail = true;
    change.data = json!({ "forward": access.forward.id, "reference": reference });
    let columns = vec![
        (forward::Column::ProviderReference, Expr::value(Some(reference))),
        (forward::Column::AcknowledgedAt, Expr::value(Some(Utc::now()))),
    ];
    provider_change(ctx, access, change, columns).await
}

/// The provider comments or asks back.
pub async fn comment(ctx: &Ctx<'_>, access: Access, body: &str) -> AppResult<Access> {
    let mut change = Change::new("provider_comment");
    change.internal = true;
    change.body = text("body", body)?;
    change.desk_mail = true;
    change.data = json!({ "forward": access.forward.id });
    provider_change(ctx, access, change, Vec::new()).await
}

/// The provider marks the problem solved: the ticket returns to the desk as resolved, for
/// the desk to verify and close (which tells the school).
pub async fn resolve(ctx: &Ctx<'_>, access: Access, solution: &str) -> AppResult<Access> {
    let solution = text("solution", solution)?;
    let mut change = Change::new("provider_resolved");
    change.internal = true;
    change.body = solution.clone();
    change.desk_mail = true;
    change.status = Some(Status::Resolved);
    change.data = json!({ "forward": access.forward.id });
    change.columns.push((ticket::Column::Solution, Expr::value(Some(solution))));
    change.columns.push((ticket::Column::ResolvedAt, Expr::value(Some(Utc::now()))));
    change.columns.push((ticket::Column::Level, Expr::value(2i16)));
    let columns = vec![
        (forward::Column::Status, Expr::value("solved")),
        (forward::Column::EndedAt, Expr::value(Some(Utc::now()))),
    ];
    provider_change(ctx, access, change, columns).await
}

#[derive(Debug, Serialize)]
pub struct ForwardView {
    pub id: i32,
    pub provider: String,
    pub priority: String,
    pub message: String,
    pub status: String,
    pub reference: Option<String>,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// The forwards of a ticket, for the desk's ticket page.
pub async fn for_ticket<C: ConnectionTrait>(db: &C, ticket_id: i32) -> AppResult<Vec<ForwardView>> {
    let providers: std::collections::HashMap<i32, String> =
        provider::Entity::find().all(db).await?.into_iter().map(|p| (p.id, p.name)).collect();
    Ok(forward::Entity::find()
        .filter(forward::Column::TicketId.eq(ticket_id))
        .order_by_desc(forward::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|f| ForwardView {
            id: f.id,
            provider: providers.get(&f.provider_id).cloned().unwrap_or_default(),
            priority: f.priority,
            message: f.message,
            status: f.status,
            reference: f.provider_reference,
            due_at: f.due_at,
            created_at: f.created_at,
        })
        .collect())
}

//! Forwards: the desk hands a ticket to a provider with a priority, a message and what to
//! share; each contact gets their own link (a 256-bit token, stored as a hash, expiring,
//! revoked on recall and at close). The provider acknowledges, comments and resolves
//! through it; every action is on the timeline and mailed to the desk.
//!
//! Each action is checked first (`prepare_…`, reads only) and then written in the caller's
//! transaction (`write`), which returns the ticket change for the caller (the ladder) to
//! carry out what follows and commit.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;

use super::links::{self, Letter};
use crate::app::App;
use crate::attachments::service::{self as attachments, ProviderScope};
use crate::attachments::store::Staged;
use crate::auth::Actor;
use crate::crypto;
use crate::db::WriteTxn;
use crate::error::{AppError, AppResult};
use crate::tickets::{self, number, Applied, Change, Priority, Status, Who, TEXT_MAX};
use entities::{forward, forward_link, provider, provider_contact, provider_service, ticket, ticket_event};
use entities::{EventKind, ForwardStatus};

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

fn desk_only(actor: &Actor) -> AppResult<()> {
    if actor.role.is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
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

/// A forward that passed its checks, ready to be written.
pub struct Forwarding {
    current: ticket::Model,
    provider: provider::Model,
    contacts: Vec<provider_contact::Model>,
    priority: Priority,
    message: String,
    input: ForwardInput,
    due_at: DateTime<Utc>,
}

/// Checks handing the ticket to a provider. One active forward per provider at a time.
pub async fn prepare_forward(app: &App, actor: &Actor, ticket_id: i32, input: &ForwardInput) -> AppResult<Forwarding> {
    desk_only(actor)?;
    let db = app.db.read();
    let current = tickets::find(db, actor, ticket_id).await?;
    let found = crate::catalogue::providers::find_by_slug(db, input.provider.trim())
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
        provider_contact::Entity::find().filter(provider_contact::Column::ProviderId.eq(found.id)).all(db).await?;
    if contacts.is_empty() {
        return Err(AppError::invalid("provider", "validation.contact_required"));
    }
    let priority =
        Priority::from_input(&input.priority).ok_or_else(|| AppError::invalid("priority", "desk.priority_invalid"))?;
    let message = text("message", &input.message)?;
    let public_events: Vec<i32> = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(ticket_id))
        .filter(ticket_event::Column::Internal.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    if input.shared_events.iter().any(|id| !public_events.contains(id)) {
        return Err(AppError::invalid("shared_events", "forwards.share_invalid"));
    }
    let shareable = attachments::shareable(db, ticket_id).await?;
    if input.shared_attachments.iter().any(|id| !shareable.contains(id)) {
        return Err(AppError::invalid("shared_attachments", "forwards.share_invalid"));
    }
    let active = forward::Entity::find()
        .filter(forward::Column::TicketId.eq(ticket_id))
        .filter(forward::Column::ProviderId.eq(found.id))
        .filter(forward::Column::Status.eq(ForwardStatus::Active))
        .one(db)
        .await?;
    if active.is_some() {
        return Err(AppError::conflict("forwards.already_active"));
    }
    let calendar = crate::sla::settings::calendar(db, app.settings.tz()).await?;
    let due_at = calendar.add_business_minutes(Utc::now(), found.response_hours as i64 * 60);
    Ok(Forwarding { current, provider: found, contacts, priority, message, input: input.clone(), due_at })
}

impl Forwarding {
    /// Writes the forward, its shares, the ticket's change and a mail with a link to each
    /// contact.
    pub async fn write(
        self,
        txn: &WriteTxn,
        app: &App,
        actor: &Actor,
        expected_version: Option<i32>,
    ) -> AppResult<(forward::Model, Applied)> {
        let Forwarding { current, provider, contacts, priority, message, input, due_at } = self;
        let fwd = forward::ActiveModel {
            ticket_id: Set(current.id),
            provider_id: Set(provider.id),
            priority: Set(priority),
            message: Set(message.clone()),
            status: Set(ForwardStatus::Active),
            provider_reference: Set(None),
            shared_events: Set(json!(input.shared_events).to_string()),
            share_description: Set(input.share_description),
            created_by: Set(actor.id),
            due_at: Set(due_at),
            acknowledged_at: Set(None),
            reminded_at: Set(None),
            ended_at: Set(None),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        attachments::share(txn, fwd.id, &input.shared_attachments).await?;
        let mut change = Change::new(EventKind::Forward);
        change.status = Some(Status::AtProvider);
        change.data = json!({ "provider": provider.name, "priority": priority });
        change.columns.push((ticket::Column::Level, Expr::value(3i16)));
        change.columns.push((ticket::Column::ProviderId, Expr::value(Some(provider.id))));
        change.takes = true;
        let applied = tickets::apply(txn, Who::User(actor), current, expected_version, change).await?;
        let letter = Letter { kind: "forward_new", body: &message, files: &[] };
        for contact in &contacts {
            links::mail_contact(txn, app, &fwd, &applied.ticket, contact, &letter).await?;
        }
        Ok((fwd, applied))
    }
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
pub async fn end_all(txn: &WriteTxn, ticket_id: i32, status: ForwardStatus) -> AppResult<()> {
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

/// The ticket and one of its active forwards, checked for the desk.
pub struct OnForward {
    current: ticket::Model,
    fwd: forward::Model,
}

/// Checks that the desk may act on this forward of this ticket (recall, answer).
pub async fn prepare_on_forward(app: &App, actor: &Actor, ticket_id: i32, forward_id: i32) -> AppResult<OnForward> {
    desk_only(actor)?;
    let current = tickets::find(app.db.read(), actor, ticket_id).await?;
    let fwd = forward::Entity::find_by_id(forward_id)
        .one(app.db.read())
        .await?
        .filter(|f| f.ticket_id == ticket_id)
        .ok_or(AppError::NotFound)?;
    if fwd.status != ForwardStatus::Active {
        return Err(AppError::conflict("forwards.not_active"));
    }
    Ok(OnForward { current, fwd })
}

impl OnForward {
    /// The desk takes the forward back: its links are revoked; with no other provider
    /// working it, the ticket returns to the desk.
    pub async fn recall(self, txn: &WriteTxn, actor: &Actor, expected_version: Option<i32>) -> AppResult<Applied> {
        let OnForward { current, fwd } = self;
        revoke_links(txn, fwd.id).await?;
        forward::Entity::update_many()
            .col_expr(forward::Column::Status, Expr::value(ForwardStatus::Recalled))
            .col_expr(forward::Column::EndedAt, Expr::value(Some(Utc::now())))
            .filter(forward::Column::Id.eq(fwd.id))
            .exec(txn)
            .await?;
        let others = forward::Entity::find()
            .filter(forward::Column::TicketId.eq(current.id))
            .filter(forward::Column::Status.eq(ForwardStatus::Active))
            .all(txn)
            .await?;
        let mut change = Change::new(EventKind::Recall);
        change.internal = true;
        change.data = json!({ "forward": fwd.id });
        if others.is_empty() && current.status == Status::AtProvider {
            change.status = Some(Status::Open);
            change.columns.push((ticket::Column::Level, Expr::value(2i16)));
            change.columns.push((ticket::Column::ProviderId, Expr::value(Option::<i32>::None)));
        }
        tickets::apply(txn, Who::User(actor), current, expected_version, change).await
    }

    /// The desk answers the provider, with files if any: on the (internal) timeline and by
    /// mail to each contact, with the link that contact already has. The files are shared
    /// with this forward, so its link lists and serves them, and the mail names them.
    pub async fn answer(
        self,
        txn: &WriteTxn,
        app: &App,
        actor: &Actor,
        body: &str,
        files: Staged,
    ) -> AppResult<Applied> {
        let OnForward { current, fwd } = self;
        let body = files.message("body", body, TEXT_MAX)?;
        still_active(txn, fwd.id).await?;
        let contacts = provider_contact::Entity::find()
            .filter(provider_contact::Column::ProviderId.eq(fwd.provider_id))
            .all(txn)
            .await?;
        // Internal like the answer itself: the conversation with the provider is the desk's.
        let mut change = Change::new(EventKind::ProviderReply).with_files(files);
        change.internal = true;
        change.takes = true;
        change.body = body.clone();
        change.data = json!({ "forward": fwd.id });
        let applied = tickets::apply(txn, Who::User(actor), current, None, change).await?;
        attachments::share(txn, fwd.id, &applied.files.iter().map(|a| a.id).collect::<Vec<_>>()).await?;
        let letter = Letter { kind: "forward_reply", body: &body, files: &applied.files };
        for contact in &contacts {
            links::mail_contact(txn, app, &fwd, &applied.ticket, contact, &letter).await?;
        }
        Ok(applied)
    }
}

/// Fails with a conflict unless the forward is still active, read in the caller's
/// transaction: a recall in between wins over what the transaction was about to say.
pub async fn still_active(txn: &WriteTxn, forward_id: i32) -> AppResult<()> {
    forward::Entity::find_by_id(forward_id)
        .filter(forward::Column::Status.eq(ForwardStatus::Active))
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

    /// What the link may see of the ticket's files.
    pub fn scope(&self) -> ProviderScope {
        ProviderScope { ticket_id: self.ticket.id, forward_id: self.forward.id }
    }
}

pub async fn open<C: ConnectionTrait>(db: &C, token: &str) -> AppResult<Access> {
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let link = forward_link::Entity::find()
        .filter(forward_link::Column::TokenHash.eq(crypto::hash(token)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if link.revoked_at.is_some() || link.expires_at < Utc::now() {
        return Err(AppError::Gone);
    }
    open_by_link(db, link).await
}

async fn open_by_link<C: ConnectionTrait>(db: &C, link: forward_link::Model) -> AppResult<Access> {
    let forward = forward::Entity::find_by_id(link.forward_id).one(db).await?.ok_or(AppError::NotFound)?;
    let ticket = ticket::Entity::find_by_id(forward.ticket_id).one(db).await?.ok_or(AppError::NotFound)?;
    let provider = provider::Entity::find_by_id(forward.provider_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(Access { link, forward, ticket, provider })
}

/// The same link read again (after a change it made).
pub async fn reopen<C: ConnectionTrait>(db: &C, access: Access) -> AppResult<Access> {
    open_by_link(db, access.link).await
}

#[derive(Debug, Serialize)]
pub struct SharedEvent {
    pub kind: EventKind,
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
    /// The fields of the report the ticket came from, shared with the description (never
    /// who reported it).
    pub origin: Option<SharedOrigin>,
    pub priority: Priority,
    pub message: String,
    pub status: Status,
    pub forward_status: ForwardStatus,
    pub reference: Option<String>,
    pub provider: String,
    pub due_at: DateTime<Utc>,
    pub solution: Option<String>,
    pub events: Vec<SharedEvent>,
    /// The files shared with this forward and the ones the provider uploaded.
    pub attachments: Vec<attachments::AttachmentView>,
}

/// What the teacher's report said about the problem, without the report's id or author.
#[derive(Debug, Serialize)]
pub struct SharedOrigin {
    pub affected: String,
    pub since: String,
    pub how_many: String,
}

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
            (chosen.contains(&e.id) && !e.internal) || (e.kind.is_provider_conversation() && own_forward)
        })
        .map(|e| SharedEvent { kind: e.kind, actor: e.actor_label, body: e.body, created_at: e.created_at })
        .collect();
    Ok(SharedTicket {
        number: number(access.ticket.id),
        title: access.ticket.title.clone(),
        description: access.forward.share_description.then(|| access.ticket.description.clone()),
        origin: match access.forward.share_description {
            true => crate::reports::service::origin_of(db, &access.ticket).await?.map(|r| SharedOrigin {
                affected: r.affected,
                since: r.since,
                how_many: r.how_many,
            }),
            false => None,
        },
        priority: access.forward.priority,
        message: access.forward.message.clone(),
        status: access.ticket.status,
        forward_status: access.forward.status,
        reference: access.forward.provider_reference.clone(),
        provider: access.provider.name.clone(),
        due_at: access.forward.due_at,
        solution: (access.forward.status == ForwardStatus::Solved).then(|| access.ticket.solution.clone()).flatten(),
        events,
        attachments: attachments::for_provider(db, access.scope()).await?,
    })
}

/// What a provider does through their link: the ticket's change and what it sets on the
/// forward.
pub struct ProviderAction {
    change: Change,
    forward_columns: Vec<(forward::Column, Expr)>,
}

/// The provider confirms they work on it, with their own ticket reference.
pub fn acknowledge(access: &Access, reference: &str) -> AppResult<ProviderAction> {
    let reference = crate::validate::text("reference", reference, 120)?;
    let mut change = Change::new(EventKind::ProviderAck);
    change.internal = true;
    change.body = reference.clone();
    change.desk_mail = true;
    change.data = json!({ "forward": access.forward.id, "reference": reference });
    let forward_columns = vec![
        (forward::Column::ProviderReference, Expr::value(Some(reference))),
        (forward::Column::AcknowledgedAt, Expr::value(Some(Utc::now()))),
    ];
    Ok(ProviderAction { change, forward_columns })
}

/// The provider comments or asks back, with files if any: on the (internal) timeline,
/// mailed to the desk, visible to the provider's own link afterwards.
pub fn comment(access: &Access, body: &str, files: Staged) -> AppResult<ProviderAction> {
    let mut change = Change::new(EventKind::ProviderComment);
    change.internal = true;
    change.body = files.message("body", body, TEXT_MAX)?;
    change.desk_mail = true;
    change.data = json!({ "forward": access.forward.id });
    Ok(ProviderAction { change: change.with_files(files), forward_columns: Vec::new() })
}

/// The provider marks the problem solved: the ticket returns to the desk as resolved, for
/// the desk to verify and close (which tells the school).
pub fn resolve(access: &Access, solution: &str) -> AppResult<ProviderAction> {
    let solution = text("solution", solution)?;
    let mut change = Change::new(EventKind::ProviderResolved);
    change.internal = true;
    change.body = solution.clone();
    change.desk_mail = true;
    change.status = Some(Status::Resolved);
    change.data = json!({ "forward": access.forward.id });
    change.columns.push((ticket::Column::ToVerify, Expr::value(true)));
    change.columns.push((ticket::Column::Solution, Expr::value(Some(solution))));
    change.columns.push((ticket::Column::ResolvedAt, Expr::value(Some(Utc::now()))));
    change.columns.push((ticket::Column::Level, Expr::value(2i16)));
    let forward_columns = vec![
        (forward::Column::Status, Expr::value(ForwardStatus::Solved)),
        (forward::Column::EndedAt, Expr::value(Some(Utc::now()))),
    ];
    Ok(ProviderAction { change, forward_columns })
}

impl ProviderAction {
    /// Writes the action in the caller's transaction, if the forward is still active (a
    /// recall in between wins).
    pub async fn write(self, txn: &WriteTxn, access: &Access) -> AppResult<Applied> {
        if access.forward.status != ForwardStatus::Active {
            return Err(AppError::conflict("forwards.not_active"));
        }
        let ProviderAction { change, forward_columns } = self;
        // Conditional on the forward still being active: a recall in between wins.
        let mut update = forward::Entity::update_many()
            .filter(forward::Column::Id.eq(access.forward.id))
            .filter(forward::Column::Status.eq(ForwardStatus::Active));
        let touches_forward = !forward_columns.is_empty();
        for (column, value) in forward_columns {
            update = update.col_expr(column, value);
        }
        if touches_forward {
            if update.exec(txn).await?.rows_affected != 1 {
                return Err(AppError::conflict("forwards.not_active"));
            }
        } else {
            still_active(txn, access.forward.id).await?;
        }
        forward_link::Entity::update_many()
            .col_expr(forward_link::Column::LastUsedAt, Expr::value(Some(Utc::now())))
            .filter(forward_link::Column::Id.eq(access.link.id))
            .exec(txn)
            .await?;
        let current = ticket::Entity::find_by_id(access.ticket.id).one(txn).await?.ok_or(AppError::NotFound)?;
        let label = access.label();
        let who = Who::Provider { label: &label, forward_id: access.forward.id };
        tickets::apply(txn, who, current, None, change).await
    }
}

#[derive(Debug, Serialize)]
pub struct ForwardView {
    pub id: i32,
    pub provider: String,
    pub priority: Priority,
    pub message: String,
    pub status: ForwardStatus,
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

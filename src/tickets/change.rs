//! Applying a change to a ticket: if the ticket is still at the version the changer saw
//! and the status machine allows it, the row, its timeline event, its audit record and its
//! files are written in the caller's transaction, and the caller is told what must follow.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use super::status::Status;
use crate::attachments::service::{self as attachments, Owner, Uploader};
use crate::attachments::store::Staged;
use crate::audit::{self, By, Target};
use crate::auth::Actor;
use crate::db::WriteTxn;
use crate::error::{AppError, AppResult};
use entities::{attachment, ticket, ticket_event, EventKind};

/// Who changes a ticket: a signed-in user, or a provider's contact through their link.
#[derive(Clone, Copy)]
pub enum Who<'a> {
    User(&'a Actor),
    Provider { label: &'a str, forward_id: i32 },
}

impl<'a> Who<'a> {
    pub fn id(&self) -> Option<i32> {
        match self {
            Who::User(actor) => Some(actor.id),
            Who::Provider { .. } => None,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Who::User(actor) => actor.name.clone(),
            Who::Provider { label, .. } => label.to_string(),
        }
    }

    pub fn is_desk(&self) -> bool {
        matches!(self, Who::User(actor) if actor.role.is_desk())
    }

    pub fn by(&self) -> By<'a> {
        match *self {
            Who::User(actor) => By::User(actor),
            Who::Provider { label, .. } => By::Provider(label),
        }
    }

    fn uploader(&self) -> Uploader<'a> {
        match *self {
            Who::User(actor) => Uploader::User(actor),
            Who::Provider { label, forward_id } => Uploader::Provider { forward_id, label },
        }
    }
}

/// Who at the desk hears of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeskNews {
    /// The school wrote: the agent working the ticket.
    FromSchool,
    /// The provider wrote: that agent or, while nobody has taken the ticket, the desk.
    FromProvider,
}

/// What must follow a change beyond its own rows: carried out by the caller (the ladder)
/// in the same transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUps {
    /// The school admin who opened the ticket gets this mail (`mail.ticket.<kind>`).
    pub mail_school: Option<&'static str>,
    /// The desk hears of it.
    pub mail_desk: Option<DeskNews>,
    /// The teacher whose report started the ticket gets the solution.
    pub tell_reporter: bool,
    /// The ticket was closed: every provider link stops working.
    pub end_forwards: bool,
}

/// One change: what it does to the ticket row, what its timeline event and audit record
/// say, the files that go with it (possibly none), and what the school and desk hear.
pub struct Change {
    pub kind: EventKind,
    pub body: String,
    pub internal: bool,
    pub data: Value,
    pub status: Option<Status>,
    /// The only statuses the change may start from, when the status machine's transitions
    /// are wider than the action: a reopen leads to `open` as a recall does, but only a
    /// resolved or closed ticket can be reopened.
    pub only_from: Option<&'static [Status]>,
    pub columns: Vec<(ticket::Column, Expr)>,
    pub files: Staged,
    /// Which mail the school gets, if any.
    pub school_mail: Option<&'static str>,
    /// Whether the desk hears of it.
    pub desk_mail: bool,
    /// Whether the teacher whose report started the ticket gets the solution.
    pub tell_reporter: bool,
    /// Whether the agent doing this takes the ticket when nobody has it: whoever answers
    /// the school, asks it, resolves or forwards is the one working it.
    pub takes: bool,
}

impl Change {
    pub fn new(kind: EventKind) -> Change {
        Change {
            kind,
            body: String::new(),
            internal: false,
            data: json!({}),
            status: None,
            only_from: None,
            columns: Vec::new(),
            files: Staged::none(),
            school_mail: None,
            desk_mail: false,
            tell_reporter: false,
            takes: false,
        }
    }

    pub fn with_files(mut self, files: Staged) -> Change {
        self.files = files;
        self
    }
}

/// A change that was written (not yet committed): the ticket after it, its timeline event,
/// the files it recorded, and what must follow.
pub struct Applied {
    pub ticket: ticket::Model,
    pub event: ticket_event::Model,
    pub files: Vec<attachment::Model>,
    pub follow: FollowUps,
    /// The files on disk, to keep once the transaction committed (`keep_files`).
    staged: Staged,
}

impl Applied {
    /// The transaction committed: the change's files stay.
    pub fn keep_files(self) -> ticket::Model {
        self.staged.keep();
        self.ticket
    }
}

/// A timeline event, not yet written (new tickets write theirs together, see `opening`).
pub(crate) fn event_row(
    ticket_id: i32,
    who: Who<'_>,
    kind: EventKind,
    body: &str,
    internal: bool,
    data: Value,
) -> ticket_event::ActiveModel {
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        kind: Set(kind),
        actor_id: Set(who.id()),
        actor_label: Set(who.label()),
        body: Set(body.into()),
        internal: Set(internal),
        data: Set(data.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

/// Applies a change in the caller's transaction, if the ticket is still at
/// `expected_version` (the loaded one when the caller names none) and the status machine
/// allows it.
pub async fn apply(
    txn: &WriteTxn,
    who: Who<'_>,
    current: ticket::Model,
    expected_version: Option<i32>,
    change: Change,
) -> AppResult<Applied> {
    let version = expected_version.unwrap_or(current.version);
    if version != current.version {
        return Err(AppError::conflict("tickets.stale"));
    }
    let from = current.status;
    let allowed_from = change.only_from.is_none_or(|statuses| statuses.contains(&from));
    if let Some(to) = change.status {
        if !allowed_from || (to != from && !from.can_become(to)) {
            return Err(AppError::Conflict { message: "tickets.invalid_transition", arg: Some(from.to_string()) });
        }
    }
    let now = Utc::now();
    let mut update = ticket::Entity::update_many()
        .col_expr(ticket::Column::Version, Expr::value(version + 1))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(current.id))
        .filter(ticket::Column::Version.eq(version));
    if let Some(to) = change.status {
        update = update.col_expr(ticket::Column::Status, Expr::value(to));
    }
    for (column, value) in change.columns {
        update = update.col_expr(column, value);
    }
    let mut data = change.data;
    if let (Who::User(actor), true, None) = (who, change.takes && who.is_desk(), current.assignee_id) {
        update = update.col_expr(ticket::Column::AssigneeId, Expr::value(Some(actor.id)));
        data["assignee"] = json!(actor.id);
    }
    // The desk hears of what the school or a provider wrote: news, unread for every agent
    // who has not opened the ticket since.
    if change.desk_mail {
        update = update.col_expr(ticket::Column::OutsideNewsAt, Expr::value(Some(now)));
    }
    // The desk's first public word to the school is the first response of the SLA.
    if who.is_desk() && !change.internal && current.first_response_at.is_none() && change.school_mail.is_some() {
        update = update.col_expr(ticket::Column::FirstResponseAt, Expr::value(now));
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Err(AppError::conflict("tickets.stale"));
    }
    let updated = ticket::Entity::find_by_id(current.id).one(txn).await?.ok_or(AppError::NotFound)?;
    super::tally::shift(txn, Some(&current), &updated).await?;
    let owner = Owner { school_id: updated.school_id, report_id: None, ticket_id: Some(updated.id) };
    let files = attachments::record(txn, &change.files, owner, who.uploader(), change.internal).await?;
    if let Some(to) = change.status {
        data["from"] = json!(from);
        data["to"] = json!(to);
    }
    if !files.is_empty() {
        data["attachments"] = attachments::refs(&files);
    }
    let event =
        event_row(updated.id, who, change.kind, &change.body, change.internal, data.clone()).insert(txn).await?;
    audit::record(
        txn,
        who.by(),
        &format!("ticket.{}", change.kind),
        Target::new("ticket", updated.id).in_school(Some(updated.school_id)),
        data,
    )
    .await?;
    let follow = FollowUps {
        mail_school: change.school_mail,
        mail_desk: change.desk_mail.then_some(match who {
            Who::Provider { .. } => DeskNews::FromProvider,
            Who::User(_) => DeskNews::FromSchool,
        }),
        tell_reporter: change.tell_reporter,
        end_forwards: change.status == Some(Status::Closed),
    };
    Ok(Applied { ticket: updated, event, files, follow, staged: change.files })
}

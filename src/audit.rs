//! The audit log: who did what to which object. Written by service functions inside the
//! transaction of the change itself, so a change never lands without its record.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;

use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use entities::audit_event;

pub mod views;

/// Who made a change.
#[derive(Clone, Copy)]
pub enum By<'a> {
    User(&'a Actor),
    /// A command-line run (`staffel user add`, ...): whoever has the server's shell.
    Cli,
    /// Staffel itself (background jobs, first start).
    System,
    /// Someone who is not signed in, e.g. a password-reset request.
    Anonymous,
    /// An external provider's contact, acting through their emailed link.
    Provider(&'a str),
}

impl By<'_> {
    /// Platform administration is for operators, and for whoever runs the command line.
    pub fn require_operator(self) -> AppResult<()> {
        self.require(Role::Operator)
    }

    /// The desk's configuration is for desk leads, and for whoever runs the command line.
    pub fn require_desk_lead(self) -> AppResult<()> {
        self.require(Role::DeskLead)
    }

    fn require(self, role: Role) -> AppResult<()> {
        match self {
            By::Cli | By::System => Ok(()),
            By::User(actor) if actor.role == role => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }
}

pub struct Target<'a> {
    pub kind: &'a str,
    pub id: Option<i32>,
    pub school_id: Option<i32>,
}

impl<'a> Target<'a> {
    pub fn new(kind: &'a str, id: i32) -> Target<'a> {
        Target { kind, id: Some(id), school_id: None }
    }

    pub fn in_school(mut self, school_id: Option<i32>) -> Target<'a> {
        self.school_id = school_id;
        self
    }
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    by: By<'_>,
    action: &str,
    target: Target<'_>,
    detail: Value,
) -> AppResult<()> {
    row(by, action, target, detail).insert(db).await?;
    Ok(())
}

/// The record, not yet written: for callers that write several in one statement.
pub fn row(by: By<'_>, action: &str, target: Target<'_>, detail: Value) -> audit_event::ActiveModel {
    let (actor_id, actor_label) = match by {
        By::User(actor) => (Some(actor.id), actor.label()),
        By::Cli => (None, "cli".to_string()),
        By::System => (None, "system".to_string()),
        By::Anonymous => (None, "anonymous".to_string()),
        By::Provider(label) => (None, format!("provider: {label}")),
    };
    audit_event::ActiveModel {
        actor_id: Set(actor_id),
        actor_label: Set(actor_label),
        action: Set(action.to_string()),
        target_type: Set(target.kind.to_string()),
        target_id: Set(target.id),
        school_id: Set(target.school_id),
        detail: Set(detail.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

//! Who opened what: the desk and school admins opening a ticket, a report or a file are
//! recorded in the audit log (action `viewed`, SPEC §9).
//!
//! Opening a page is a read, and the desk opens many. Writing a row on every GET would put
//! a write — on SQLite one that waits for the single writer — on the hot path of every
//! ticket page, so views are collected in memory here and written in batches by
//! `flush` (every few seconds by a job, at shutdown, and before the view log is shown or
//! exported). The buffer is bounded: a flood of page views cannot fill memory; what does
//! not fit is dropped and counted (`dropped`), which is logged at the next flush.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use serde_json::json;

use crate::auth::Actor;
use crate::db::Db;
use crate::error::AppResult;
use entities::audit_event;

/// The audit action of a view record.
pub const VIEWED: &str = "viewed";

/// At most this many views wait for the next flush.
pub const MAX_PENDING: usize = 20_000;

/// Rows per INSERT: eight values each, well below SQLite's limit of bound parameters.
const PER_STATEMENT: usize = 500;

/// One view, not yet written.
#[derive(Debug, Clone)]
pub struct View {
    pub actor_id: i32,
    pub actor_label: String,
    /// `ticket`, `report` or `chat`: the case that was opened.
    pub kind: &'static str,
    pub id: i32,
    pub school_id: Option<i32>,
    /// How: `desk`, `school`, `api`, and for a file its id.
    pub via: &'static str,
    pub attachment: Option<i32>,
    pub at: DateTime<Utc>,
}

#[derive(Default)]
pub struct ViewLog {
    pending: Mutex<Vec<View>>,
    dropped: AtomicU64,
}

impl ViewLog {
    /// Notes that `actor` opened the case `kind`/`id`. Only views by the desk and by school
    /// admins are recorded (teachers reading their own reports are not "who saw what").
    pub fn record(&self, actor: &Actor, kind: &'static str, id: i32, school_id: Option<i32>, via: &'static str) {
        self.push(actor, kind, id, school_id, via, None)
    }

    /// Notes that `actor` downloaded the file `attachment` of the case `kind`/`id`.
    pub fn record_file(&self, actor: &Actor, kind: &'static str, id: i32, school_id: Option<i32>, attachment: i32) {
        self.push(actor, kind, id, school_id, "file", Some(attachment))
    }

    /// Notes a download of this file, under the case it belongs to.
    pub fn record_download(&self, actor: &Actor, file: &entities::attachment::Model) {
        let case = match (file.ticket_id, file.report_id, file.chat_id) {
            (Some(ticket), _, _) => Some(("ticket", ticket)),
            (None, Some(report), _) => Some(("report", report)),
            (None, None, Some(chat)) => Some(("chat", chat)),
            _ => None,
        };
        if let Some((kind, id)) = case {
            self.record_file(actor, kind, id, Some(file.school_id), file.id);
        }
    }

    fn push(
        &self,
        actor: &Actor,
        kind: &'static str,
        id: i32,
        school_id: Option<i32>,
        via: &'static str,
        attachment: Option<i32>,
    ) {
        if !(actor.role.is_desk() || actor.role == crate::auth::Role::SchoolAdmin) {
            return;
        }
        let Ok(mut pending) = self.pending.lock() else { return };
        if pending.len() >= MAX_PENDING {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        pending.push(View {
            actor_id: actor.id,
            actor_label: actor.label(),
            kind,
            id,
            school_id,
            via,
            attachment,
            at: Utc::now(),
        });
    }

    /// Everything recorded so far, leaving the buffer empty.
    pub fn take(&self) -> Vec<View> {
        self.pending.lock().map(|mut p| std::mem::take(&mut *p)).unwrap_or_default()
    }

    /// Puts back what a failed flush took (in front of what came meanwhile, within the bound).
    pub fn put_back(&self, mut taken: Vec<View>) {
        let Ok(mut pending) = self.pending.lock() else { return };
        taken.append(&mut pending);
        taken.truncate(MAX_PENDING);
        *pending = taken;
    }

    pub fn pending(&self) -> usize {
        self.pending.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// Views dropped because the buffer was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

fn row(view: &View) -> audit_event::ActiveModel {
    let mut detail = json!({ "via": view.via });
    if let Some(file) = view.attachment {
        detail["attachment"] = json!(file);
    }
    let mut row = super::row(
        super::By::System,
        VIEWED,
        super::Target { kind: view.kind, id: Some(view.id), school_id: view.school_id },
        detail,
    );
    row.actor_id = sea_orm::Set(Some(view.actor_id));
    row.actor_label = sea_orm::Set(view.actor_label.clone());
    row.created_at = sea_orm::Set(view.at);
    row
}

/// Writes the views recorded so far, in one transaction; on failure they are kept for the
/// next try. Returns how many were written.
pub async fn flush(db: &Db, log: &ViewLog) -> AppResult<usize> {
    let taken = log.take();
    if taken.is_empty() {
        return Ok(0);
    }
    match write(db, &taken).await {
        Ok(()) => Ok(taken.len()),
        Err(e) => {
            log.put_back(taken);
            Err(e)
        }
    }
}

async fn write(db: &Db, views: &[View]) -> AppResult<()> {
    let txn = db.write().await?;
    for chunk in views.chunks(PER_STATEMENT) {
        audit_event::Entity::insert_many(chunk.iter().map(row)).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

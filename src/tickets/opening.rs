//! Opening tickets: a school admin's new ticket is checked, then written with its first
//! timeline event, its audit event and the opener's mail, in one transaction.
//!
//! New tickets are written in groups (group commit). Every statement costs a round trip to
//! the database, and on SQLite only one writer runs at a time, so one ticket per
//! transaction capped creation at about 550/s: seven round trips each, one after another.
//! Requests that arrive while a group is being written wait in `Intake`; whoever writes
//! next writes all of them with one multi-row INSERT per table. Each ticket still lands
//! with its event, audit record and mail or not at all; a group that fails is written
//! again ticket by ticket, so one bad ticket fails alone.
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use sea_orm::{EntityTrait, Set};
use serde_json::json;
use tokio::sync::oneshot;

use super::change::{event_row, Who};
use super::sla::SlaClock;
use super::status::{Priority, Status};
use super::{mails, Env, FAULT_TYPES, TEXT_MAX, TITLE_MAX, TRIAGE_SCOPES};
use crate::attachments::service::{self as attachments, Owner, Uploader};
use crate::attachments::store::Staged;
use crate::audit::{self, By, Target};
use crate::auth::{Actor, Role};
use crate::db::WriteTxn;
use crate::error::{AppError, AppResult};
use crate::validate;
use entities::{audit_event, mail_outbox, ticket, ticket_event, EventKind};

#[derive(Debug, Clone, Default)]
pub struct NewTicket {
    pub title: String,
    pub description: String,
    pub service: String,
    pub priority: String,
    pub triage_scope: String,
    pub triage_fault_type: String,
}

fn optional_choice(field: &str, value: &str, allowed: &[&str]) -> AppResult<Option<String>> {
    match value.trim() {
        "" => Ok(None),
        v if allowed.contains(&v) => Ok(Some(v.to_string())),
        _ => Err(AppError::invalid(field, "tickets.choice_invalid")),
    }
}

/// A new ticket's input, checked, with the files that go with it.
pub struct CheckedTicket {
    pub school_id: i32,
    pub title: String,
    pub description: String,
    pub service_id: Option<i32>,
    pub service_slug: Option<String>,
    pub priority: Priority,
    pub triage_scope: Option<String>,
    pub triage_fault_type: Option<String>,
    /// Read here, before the ticket's transaction: on SQLite a transaction that reads before
    /// it writes fails at once ("database is locked") when another writer committed in
    /// between, where one that starts with its write waits its turn.
    pub sla: SlaClock,
    pub files: Staged,
}

/// Checks a new ticket: only school admins open tickets, for their own school.
pub async fn check_new(env: &impl Env, actor: &Actor, input: &NewTicket, files: Staged) -> AppResult<CheckedTicket> {
    let school_id = match (actor.role, actor.school_id) {
        (Role::SchoolAdmin, Some(id)) => id,
        _ => return Err(AppError::Forbidden),
    };
    let mut checks = validate::Checks::default();
    let title = checks.take(validate::multiline("title", &input.title, TITLE_MAX).and_then(|title| {
        if title.contains('\n') {
            return Err(AppError::invalid("title", "validation.control_chars"));
        }
        Ok(title)
    }));
    let description = checks.take(validate::multiline("description", &input.description, TEXT_MAX));
    let service =
        checks.take(crate::catalogue::services::from_input(env.db().read(), "service", &input.service, true).await);
    let (service_id, service_slug) = service.map(|s| (s.id, s.slug)).unzip();
    let priority = checks.take(match input.priority.trim() {
        "" => Ok(Some(Priority::P3)),
        p => Priority::from_input(p).map(Some).ok_or_else(|| AppError::invalid("priority", "desk.priority_invalid")),
    });
    let triage_scope = checks.take(optional_choice("triage_scope", &input.triage_scope, &TRIAGE_SCOPES));
    let triage_fault_type = checks.take(optional_choice("triage_fault_type", &input.triage_fault_type, &FAULT_TYPES));
    checks.done()?;
    let priority = priority.unwrap_or(Priority::P3);
    Ok(CheckedTicket {
        school_id,
        title,
        description,
        service_id,
        service_slug,
        priority,
        triage_scope,
        triage_fault_type,
        sla: SlaClock::load(env, priority).await?,
        files,
    })
}

/// A ticket just opened, with what its first answer shows (no need to read it back).
pub struct Opened {
    pub ticket: ticket::Model,
    pub first_event: ticket_event::Model,
    pub service_slug: Option<String>,
}

/// A school admin opens a ticket for their school, with its files (possibly none).
pub async fn open(env: &impl Env, actor: &Actor, input: &NewTicket, files: Staged) -> AppResult<Opened> {
    let checked = check_new(env, actor, input, files).await?;
    let opened = env.intake().open(env, actor, checked).await?;
    super::tell_queues(env.live());
    Ok(opened)
}

/// Inserts a checked ticket with its first event, audit event, files and mail, in the
/// caller's transaction (escalating a report adds its own changes to it). The caller keeps
/// the files once its transaction committed.
pub async fn insert(
    txn: &WriteTxn,
    env: &impl Env,
    actor: &Actor,
    checked: &CheckedTicket,
    report_id: Option<i32>,
) -> AppResult<ticket::Model> {
    let row = NewRow { actor, checked, report_id };
    let opened = insert_all(txn, env, std::slice::from_ref(&row)).await?;
    Ok(only(opened)?.ticket)
}

/// One ticket to write.
struct NewRow<'a> {
    actor: &'a Actor,
    checked: &'a CheckedTicket,
    report_id: Option<i32>,
}

fn ticket_row(row: &NewRow<'_>, now: DateTime<Utc>) -> ticket::ActiveModel {
    let checked = row.checked;
    let (first_due, resolution_due) = checked.sla.due_times(now);
    ticket::ActiveModel {
        school_id: Set(checked.school_id),
        service_id: Set(checked.service_id),
        title: Set(checked.title.clone()),
        description: Set(checked.description.clone()),
        status: Set(Status::New),
        priority: Set(checked.priority),
        level: Set(2),
        triage_scope: Set(checked.triage_scope.clone()),
        triage_fault_type: Set(checked.triage_fault_type.clone()),
        created_by: Set(row.actor.id),
        assignee_id: Set(None),
        provider_id: Set(None),
        solution: Set(None),
        first_response_due: Set(first_due),
        resolution_due: Set(resolution_due),
        first_response_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        report_id: Set(row.report_id),
        // The reminder job looks at a new ticket on its next run.
        sla_check_at: Set(Some(now)),
        ..Default::default()
    }
}

/// Writes the tickets with their first events, audit events and mails: four statements,
/// however many tickets (and, for tickets opened with files, the files and a timeline
/// entry listing them).
async fn insert_all(txn: &WriteTxn, env: &impl Env, rows: &[NewRow<'_>]) -> AppResult<Vec<Opened>> {
    let now = Utc::now();
    let mut tickets =
        ticket::Entity::insert_many(rows.iter().map(|row| ticket_row(row, now))).exec_with_returning(txn).await?;
    // RETURNING promises no order, but ids are handed out in the order the rows were
    // listed. Checked, not trusted: a mismatch fails the group, which is then written
    // ticket by ticket.
    tickets.sort_by_key(|t| t.id);
    let in_order = tickets.len() == rows.len()
        && tickets.iter().zip(rows).all(|(t, row)| t.created_by == row.actor.id && t.title == row.checked.title);
    if !in_order {
        return Err(AppError::internal("new tickets came back in an unexpected order"));
    }
    super::tally::opened(txn, &tickets).await?;
    let detail = |t: &ticket::Model, row: &NewRow<'_>| json!({ "priority": t.priority, "report": row.report_id });
    let events = tickets
        .iter()
        .zip(rows)
        .map(|(t, row)| event_row(t.id, Who::User(row.actor), EventKind::Created, "", false, detail(t, row)));
    let mut events = ticket_event::Entity::insert_many(events).exec_with_returning(txn).await?;
    events.sort_by_key(|e| e.ticket_id);
    if events.len() != tickets.len() || events.iter().zip(&tickets).any(|(e, t)| e.ticket_id != t.id) {
        return Err(AppError::internal("new tickets' first events came back incomplete"));
    }
    let audits: Vec<audit_event::ActiveModel> = tickets
        .iter()
        .zip(rows)
        .map(|(t, row)| {
            let target = Target::new("ticket", t.id).in_school(Some(t.school_id));
            audit::row(By::User(row.actor), "ticket.open", target, detail(t, row))
        })
        .collect();
    audit_event::Entity::insert_many(audits).exec_without_returning(txn).await?;
    let mails = tickets
        .iter()
        .zip(rows)
        .map(|(t, row)| mails::compose_for_opener(env.mailer(), row.actor, t, "ticket_opened"))
        .collect::<AppResult<Vec<mail_outbox::ActiveModel>>>()?;
    mail_outbox::Entity::insert_many(mails).exec_without_returning(txn).await?;
    for (t, row) in tickets.iter().zip(rows).filter(|(_, row)| !row.checked.files.is_empty()) {
        let owner = Owner { school_id: t.school_id, report_id: None, ticket_id: Some(t.id) };
        let files = attachments::record(txn, &row.checked.files, owner, Uploader::User(row.actor), false).await?;
        attachments::timeline_event(txn, t.id, row.actor, &files, json!({})).await?;
    }
    Ok(tickets
        .into_iter()
        .zip(events)
        .zip(rows)
        .map(|((ticket, first_event), row)| Opened {
            ticket,
            first_event,
            service_slug: row.checked.service_slug.clone(),
        })
        .collect())
}

/// Where new tickets wait for the next group to be written. Managed state, one per process.
/// Only on SQLite: PostgreSQL runs many writing transactions at once and commits them
/// together itself, so there each ticket is written at once in its own transaction
/// (`bench tickets` on PostgreSQL: 1,193 tickets/s this way, 467/s when grouped here).
pub struct Intake {
    waiting: std::sync::Mutex<Vec<Waiting>>,
    /// Held by whoever writes a group; the others queue here meanwhile. None: no grouping.
    writer: Option<tokio::sync::Mutex<()>>,
    arrived: AtomicU64,
    groups: AtomicU64,
}

/// How the intake has grouped so far (for `/metrics` and the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntakeCounts {
    /// Tickets handed to the intake.
    pub arrived: u64,
    /// Transactions it wrote them in (a failed group's one-by-one retries included).
    pub groups: u64,
}

struct Waiting {
    actor: Actor,
    checked: CheckedTicket,
    answer: oneshot::Sender<AppResult<Opened>>,
}

/// A group's size is bounded so that one multi-row INSERT stays well below SQLite's limit
/// of bound parameters (tickets have 25 columns) and one request never writes for long.
const GROUP_MAX: usize = 64;

impl Intake {
    async fn open(&self, env: &impl Env, actor: &Actor, checked: CheckedTicket) -> AppResult<Opened> {
        let Some(writer) = &self.writer else {
            return self.write_alone(env, actor, checked).await;
        };
        let (answer, mut answered) = oneshot::channel();
        self.lock_waiting().push(Waiting { actor: actor.clone(), checked, answer });
        self.arrived.fetch_add(1, Ordering::Relaxed);
        loop {
            let _writing = writer.lock().await;
            // Whoever wrote before may have written this ticket too; every group is answered
            // before its writer lets go.
            match answered.try_recv() {
                Ok(result) => return result,
                Err(oneshot::error::TryRecvError::Closed) => {
                    return Err(AppError::internal("the ticket's group was interrupted"))
                }
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            let group: Vec<Waiting> = {
                let mut waiting = self.lock_waiting();
                let take = waiting.len().min(GROUP_MAX);
                waiting.drain(..take).collect()
            };
            write_group(env, &self.groups, group).await;
        }
    }

    pub fn for_db(db: &crate::db::Db) -> Intake {
        let sqlite = db.is_sqlite();
        Intake {
            waiting: Default::default(),
            writer: sqlite.then(Default::default),
            arrived: AtomicU64::new(0),
            groups: AtomicU64::new(0),
        }
    }

    /// A group of one, written now.
    async fn write_alone(&self, env: &impl Env, actor: &Actor, checked: CheckedTicket) -> AppResult<Opened> {
        self.arrived.fetch_add(1, Ordering::Relaxed);
        self.groups.fetch_add(1, Ordering::Relaxed);
        let opened = only(write(env, &[NewRow { actor, checked: &checked, report_id: None }]).await?)?;
        checked.files.keep();
        Ok(opened)
    }

    pub fn counts(&self) -> IntakeCounts {
        IntakeCounts { arrived: self.arrived.load(Ordering::Relaxed), groups: self.groups.load(Ordering::Relaxed) }
    }

    fn lock_waiting(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        // The list stays consistent whatever panicked while holding it: pushes and drains.
        self.waiting.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

async fn write_group(env: &impl Env, groups: &AtomicU64, group: Vec<Waiting>) {
    groups.fetch_add(1, Ordering::Relaxed);
    match write(env, &rows_of(&group)).await {
        Ok(opened) => {
            for (waiting, opened) in group.into_iter().zip(opened) {
                waiting.checked.files.keep();
                let _ = waiting.answer.send(Ok(opened));
            }
        }
        Err(e) if group.len() == 1 => {
            if let Some(waiting) = group.into_iter().next() {
                let _ = waiting.answer.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, tickets = group.len(), "a group of new tickets failed; writing them one by one");
            for waiting in group {
                groups.fetch_add(1, Ordering::Relaxed);
                let result = write(env, &rows_of(std::slice::from_ref(&waiting))).await.and_then(only);
                if result.is_ok() {
                    waiting.checked.files.keep();
                }
                let _ = waiting.answer.send(result);
            }
        }
    }
}

fn rows_of(group: &[Waiting]) -> Vec<NewRow<'_>> {
    group.iter().map(|w| NewRow { actor: &w.actor, checked: &w.checked, report_id: None }).collect()
}

/// New tickets in a transaction of their own.
async fn write(env: &impl Env, rows: &[NewRow<'_>]) -> AppResult<Vec<Opened>> {
    let txn = env.db().write().await?;
    let opened = insert_all(&txn, env, rows).await?;
    txn.commit().await?;
    Ok(opened)
}

/// The one ticket of a group of one.
fn only(opened: Vec<Opened>) -> AppResult<Opened> {
    opened.into_iter().next().ok_or_else(|| AppError::internal("the new ticket was not written"))
}

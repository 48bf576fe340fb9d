//! SLA reminders: a background job mails the agent working a ticket (or, while nobody has
//! taken it, the desk leads) when a first-response or resolution target is near and again
//! when it has passed. "Near" is the last quarter of the time the target allowed, the same
//! rule that flags tickets in the queues (`view::sla_flag`).
//!
//! Each ticket remembers which of the four stages were dealt with (`sla_reminded`, a bit
//! per stage) and when it needs looking at next (`sla_check_at`), so a run reads only the
//! tickets whose next stage has come, and a stage is mailed once even if two instances run
//! the job: the update that claims it compares the bits it read.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::status::Status;
use super::{mails, Env};
use crate::auth::Role;
use crate::db::WriteTxn;
use crate::error::AppResult;
use entities::{ticket, ticket_event, user, EventKind};

pub const FIRST_NEAR: i16 = 1;
pub const FIRST_OVERDUE: i16 = 2;
pub const RESOLUTION_NEAR: i16 = 4;
pub const RESOLUTION_OVERDUE: i16 = 8;
pub const ALL_STAGES: i16 = FIRST_NEAR | FIRST_OVERDUE | RESOLUTION_NEAR | RESOLUTION_OVERDUE;

/// How many tickets one query reads; a run goes on until none is due.
const BATCH: u64 = 200;

/// One stage of one target: the moment it is reached, its bit and the target's due time.
struct Stage {
    bit: i16,
    at: DateTime<Utc>,
    due: DateTime<Utc>,
}

impl Stage {
    /// The timeline event of this stage; its text is the mail kind too
    /// (catalogue `mail.ticket.<kind>`).
    fn kind(&self) -> EventKind {
        match self.bit {
            FIRST_NEAR => EventKind::SlaFirstNear,
            FIRST_OVERDUE => EventKind::SlaFirstOverdue,
            RESOLUTION_NEAR => EventKind::SlaResolutionNear,
            _ => EventKind::SlaResolutionOverdue,
        }
    }
}

/// The stages still possible for a ticket, and the bits of those that can no longer come
/// (an answered first response, a target that was never set), which count as dealt with.
fn stages(t: &ticket::Model) -> (Vec<Stage>, i16) {
    let mut stages = Vec::new();
    let mut settled = 0;
    let first_due = t.first_response_due.filter(|_| t.first_response_at.is_none());
    for (due, near_bit, overdue_bit) in
        [(first_due, FIRST_NEAR, FIRST_OVERDUE), (t.resolution_due, RESOLUTION_NEAR, RESOLUTION_OVERDUE)]
    {
        let Some(due) = due else {
            settled |= near_bit | overdue_bit;
            continue;
        };
        let allowed = due - t.created_at;
        stages.push(Stage { bit: near_bit, at: due - allowed / 4, due });
        stages.push(Stage { bit: overdue_bit, at: due, due });
    }
    (stages, settled)
}

/// What a look at a ticket at `now` decides: the bits dealt with afterwards, the stages to
/// mail (the overdue one only, when near and overdue arrive together), and the next look.
struct Decision<'a> {
    reminded: i16,
    mail: Vec<&'a Stage>,
    next: Option<DateTime<Utc>>,
}

fn decide(stages: &[Stage], settled: i16, reminded: i16, now: DateTime<Utc>) -> Decision<'_> {
    let mut done = reminded | settled;
    let reached: Vec<&Stage> = stages.iter().filter(|s| s.at <= now && done & s.bit == 0).collect();
    let mail = reached
        .iter()
        .copied()
        .filter(|s| {
            // A near stage whose overdue stage is reached in the same look is not worth a mail.
            let overdue_bit = s.bit << 1;
            !(s.bit & (FIRST_NEAR | RESOLUTION_NEAR) != 0 && reached.iter().any(|o| o.bit == overdue_bit))
        })
        .collect();
    for s in &reached {
        done |= s.bit;
    }
    let next = stages.iter().filter(|s| done & s.bit == 0).map(|s| s.at).min();
    if next.is_none() {
        done = ALL_STAGES;
    }
    Decision { reminded: done, mail, next }
}

/// Sends every SLA reminder due at `now`; returns how many mails were queued.
pub async fn send_due(env: &impl Env, now: DateTime<Utc>) -> AppResult<usize> {
    let active: Vec<Status> = Status::ALL.iter().copied().filter(|s| s.is_active()).collect();
    let mut sent = 0;
    let mut after = 0;
    loop {
        let due = ticket::Entity::find()
            .filter(ticket::Column::Id.gt(after))
            .filter(ticket::Column::Status.is_in(active.clone()))
            // NULL once every stage is dealt with: only tickets with a stage to come are read,
            // through the index, however many tickets the desk has.
            .filter(ticket::Column::SlaCheckAt.lte(now))
            .order_by_asc(ticket::Column::Id)
            .limit(BATCH)
            .all(env.db().read())
            .await?;
        let Some(last) = due.last() else { break };
        after = last.id;
        let count = due.len() as u64;
        for t in due {
            sent += remind(env, t, now).await?;
        }
        if count < BATCH {
            break;
        }
    }
    Ok(sent)
}

async fn remind(env: &impl Env, t: ticket::Model, now: DateTime<Utc>) -> AppResult<usize> {
    let (stages, settled) = stages(&t);
    let decision = decide(&stages, settled, t.sla_reminded, now);
    let txn = env.db().write().await?;
    // Claim the stages: if another run got here first, the bits differ and nothing happens.
    let claimed = ticket::Entity::update_many()
        .col_expr(ticket::Column::SlaReminded, Expr::value(decision.reminded))
        .col_expr(ticket::Column::SlaCheckAt, Expr::value(decision.next))
        .filter(ticket::Column::Id.eq(t.id))
        .filter(ticket::Column::SlaReminded.eq(t.sla_reminded))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Ok(0);
    }
    let mut sent = 0;
    if !decision.mail.is_empty() {
        let recipients = watchers(&txn, &t).await?;
        let tz = env.settings().tz();
        for stage in &decision.mail {
            let due = stage.due.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string();
            record(&txn, &t, stage.kind(), &due, now).await?;
            for agent in &recipients {
                let link = mails::desk_link(env.mailer(), &t);
                mails::send(&txn, env.mailer(), agent, &t, stage.kind().as_str(), &due, link).await?;
                sent += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(sent)
}

/// The agent working the ticket; while nobody does, the desk leads (or, without leads,
/// every agent) — somebody has to notice.
pub async fn watchers<C: ConnectionTrait>(txn: &C, t: &ticket::Model) -> AppResult<Vec<user::Model>> {
    if let Some(assignee) = t.assignee_id {
        if let Some(agent) = user::Entity::find_by_id(assignee).one(txn).await?.filter(|u| u.active) {
            return Ok(vec![agent]);
        }
    }
    desk_people(txn).await
}

/// Active desk leads, or every active agent when the desk has no lead.
async fn desk_people<C: ConnectionTrait>(db: &C) -> AppResult<Vec<user::Model>> {
    for role in [Role::DeskLead, Role::Agent] {
        let people = user::Entity::find()
            .filter(user::Column::Role.eq(role))
            .filter(user::Column::Active.eq(true))
            .order_by_asc(user::Column::Id)
            .all(db)
            .await?;
        if !people.is_empty() {
            return Ok(people);
        }
    }
    Ok(Vec::new())
}

/// The reminder on the ticket's internal timeline, so the desk sees it was sent.
async fn record(txn: &WriteTxn, t: &ticket::Model, kind: EventKind, due: &str, now: DateTime<Utc>) -> AppResult<()> {
    ticket_event::ActiveModel {
        ticket_id: Set(t.id),
        kind: Set(kind),
        actor_id: Set(None),
        actor_label: Set("Staffel".into()),
        body: Set(due.into()),
        internal: Set(true),
        data: Set("{}".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap()
    }

    fn ticket(first_due: Option<DateTime<Utc>>, resolution_due: Option<DateTime<Utc>>) -> ticket::Model {
        ticket::Model {
            id: 1,
            school_id: 1,
            service_id: None,
            title: "t".into(),
            description: String::new(),
            status: Status::Open,
            priority: entities::Priority::P2,
            level: 2,
            triage_scope: None,
            triage_fault_type: None,
            created_by: 1,
            assignee_id: None,
            provider_id: None,
            solution: None,
            first_response_due: first_due,
            resolution_due,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            version: 1,
            created_at: at(8, 0),
            updated_at: at(8, 0),
            report_id: None,
            sla_reminded: 0,
            sla_check_at: None,
            anonymised_at: None,
            to_verify: false,
            outside_news_at: None,
        }
    }

    #[test]
    fn nothing_is_mailed_before_the_last_quarter() {
        let t = ticket(Some(at(12, 0)), Some(at(16, 0)));
        let (stages, settled) = stages(&t);
        let d = decide(&stages, settled, 0, at(10, 0));
        assert!(d.mail.is_empty());
        assert_eq!(d.reminded, 0);
        // First response near: 12:00 - 4h/4 = 11:00.
        assert_eq!(d.next, Some(at(11, 0)));
    }

    #[test]
    fn near_then_overdue_each_once() {
        let t = ticket(Some(at(12, 0)), Some(at(16, 0)));
        let (stages, settled) = stages(&t);
        let d = decide(&stages, settled, 0, at(11, 30));
        assert_eq!(d.mail.iter().map(|s| s.kind().as_str()).collect::<Vec<_>>(), ["sla_first_near"]);
        assert_eq!(d.reminded, FIRST_NEAR);
        assert_eq!(d.next, Some(at(12, 0)));
        let again = decide(&stages, settled, d.reminded, at(11, 45));
        assert!(again.mail.is_empty(), "a stage is mailed once");
        let overdue = decide(&stages, settled, d.reminded, at(12, 1));
        assert_eq!(overdue.mail.iter().map(|s| s.kind().as_str()).collect::<Vec<_>>(), ["sla_first_overdue"]);
        // Resolution near: 16:00 - 8h/4 = 14:00.
        assert_eq!(overdue.next, Some(at(14, 0)));
    }

    #[test]
    fn a_late_look_mails_only_the_overdue_stage_and_ends() {
        let t = ticket(Some(at(12, 0)), Some(at(16, 0)));
        let (stages, settled) = stages(&t);
        let d = decide(&stages, settled, 0, at(17, 0));
        assert_eq!(
            d.mail.iter().map(|s| s.kind().as_str()).collect::<Vec<_>>(),
            ["sla_first_overdue", "sla_resolution_overdue"]
        );
        assert_eq!(d.reminded, ALL_STAGES);
        assert_eq!(d.next, None);
    }

    #[test]
    fn an_answered_ticket_skips_the_first_response_stages() {
        let mut t = ticket(Some(at(12, 0)), Some(at(16, 0)));
        t.first_response_at = Some(at(9, 0));
        let (stages, settled) = stages(&t);
        let d = decide(&stages, settled, 0, at(13, 0));
        assert!(d.mail.is_empty());
        assert_eq!(d.reminded, FIRST_NEAR | FIRST_OVERDUE);
        assert_eq!(d.next, Some(at(14, 0)));
    }

    #[test]
    fn a_ticket_without_targets_is_settled_at_once() {
        let t = ticket(None, None);
        let (stages, settled) = stages(&t);
        let d = decide(&stages, settled, 0, at(9, 0));
        assert!(d.mail.is_empty());
        assert_eq!(d.reminded, ALL_STAGES);
        assert_eq!(d.next, None);
    }
}

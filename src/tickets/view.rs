//! Tickets as people and scripts see them: names instead of ids, the ticket number, SLA
//! flags. One conversion for the pages and the JSON API.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use super::status::{number, Priority, Status};
use crate::error::AppResult;
use entities::{school, service, ticket, ticket_event, user, EventKind};

#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    #[serde(skip)]
    pub id: i32,
    pub number: String,
    pub title: String,
    pub description: String,
    pub status: Status,
    pub level: i16,
    pub priority: Priority,
    pub school: String,
    pub school_name: String,
    pub service: Option<String>,
    pub assignee: Option<String>,
    pub assignee_name: Option<String>,
    pub provider: Option<String>,
    pub triage: Triage,
    pub solution: Option<String>,
    pub first_response_due: Option<DateTime<Utc>>,
    pub resolution_due: Option<DateTime<Utc>>,
    /// The earliest due time still to be met (the first response's until it came, then the
    /// resolution's); none once the ticket is no longer worked on.
    pub next_due: Option<DateTime<Utc>>,
    /// "overdue", "near" or null: how the SLA stands.
    pub sla: Option<&'static str>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the school or a provider last wrote (the desk's unread markers, `reads`).
    #[serde(skip)]
    pub outside_news_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Triage {
    pub scope: Option<String>,
    pub fault_type: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub id: i32,
    pub kind: EventKind,
    pub actor: String,
    pub body: String,
    pub internal: bool,
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Names of schools, services and agents, loaded once per page of tickets.
pub struct Lookup {
    schools: HashMap<i32, (String, String)>,
    services: HashMap<i32, String>,
    users: HashMap<i32, (String, String)>,
}

impl Lookup {
    pub async fn load<C: ConnectionTrait>(db: &C, tickets: &[ticket::Model]) -> AppResult<Lookup> {
        let school_ids: Vec<i32> = tickets.iter().map(|t| t.school_id).collect();
        let user_ids: Vec<i32> = tickets.iter().filter_map(|t| t.assignee_id).collect();
        Ok(Lookup {
            schools: school::Entity::find()
                .filter(school::Column::Id.is_in(school_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|s| (s.id, (s.slug, s.name)))
                .collect(),
            services: service::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.slug)).collect(),
            users: user::Entity::find()
                .filter(user::Column::Id.is_in(user_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, (u.email, u.name)))
                .collect(),
        })
    }

    /// The names a ticket its opener just created shows: their school and the service
    /// they chose; nobody is assigned yet.
    pub fn for_new_ticket(opener: &crate::auth::Actor, opened: &super::Opened) -> Lookup {
        let school = (opener.school_slug.clone().unwrap_or_default(), opener.school_name.clone().unwrap_or_default());
        Lookup {
            schools: HashMap::from([(opened.ticket.school_id, school)]),
            services: opened.ticket.service_id.zip(opened.service_slug.clone()).into_iter().collect(),
            users: HashMap::new(),
        }
    }

    pub fn view(&self, t: &ticket::Model, now: DateTime<Utc>) -> TicketView {
        let (school, school_name) = self.schools.get(&t.school_id).cloned().unwrap_or_default();
        let assignee = t.assignee_id.and_then(|id| self.users.get(&id).cloned());
        TicketView {
            id: t.id,
            number: number(t.id),
            title: t.title.clone(),
            description: t.description.clone(),
            status: t.status,
            level: t.level,
            priority: t.priority,
            school,
            school_name,
            service: t.service_id.and_then(|id| self.services.get(&id).cloned()),
            assignee: assignee.as_ref().map(|a| a.0.clone()),
            assignee_name: assignee.map(|a| a.1),
            provider: None,
            triage: Triage { scope: t.triage_scope.clone(), fault_type: t.triage_fault_type.clone() },
            solution: t.solution.clone(),
            first_response_due: t.first_response_due,
            resolution_due: t.resolution_due,
            next_due: next_due(t),
            sla: sla_flag(t, now),
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
            outside_news_at: t.outside_news_at,
        }
    }
}

/// The earliest due time of an active ticket that is still to be met.
pub fn next_due(t: &ticket::Model) -> Option<DateTime<Utc>> {
    if !t.status.is_active() {
        return None;
    }
    let first = t.first_response_at.is_none().then_some(t.first_response_due).flatten();
    [first, t.resolution_due].into_iter().flatten().min()
}

/// Overdue when a due time has passed without its answer; near within the last quarter
/// of the time the target allowed.
pub fn sla_flag(t: &ticket::Model, now: DateTime<Utc>) -> Option<&'static str> {
    if !t.status.is_active() {
        return None;
    }
    let pending_due = [(t.first_response_at.is_none()).then_some(t.first_response_due).flatten(), t.resolution_due];
    let mut flag = None;
    for due in pending_due.into_iter().flatten() {
        if now > due {
            return Some("overdue");
        }
        let allowed = due - t.created_at;
        if now > due - allowed / 4 {
            flag = Some("near");
        }
    }
    flag
}

pub fn event_view(e: ticket_event::Model) -> EventView {
    EventView {
        id: e.id,
        kind: e.kind,
        actor: e.actor_label,
        body: e.body,
        internal: e.internal,
        data: serde_json::from_str(&e.data).unwrap_or_default(),
        created_at: e.created_at,
    }
}

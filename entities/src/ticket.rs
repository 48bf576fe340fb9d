//! A ticket: a problem a school handed up to the service desk.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::states::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub school_id: i32,
    pub service_id: Option<i32>,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub level: i16,
    pub triage_scope: Option<String>,
    pub triage_fault_type: Option<String>,
    pub created_by: i32,
    pub assignee_id: Option<i32>,
    pub provider_id: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub solution: Option<String>,
    pub first_response_due: Option<DateTimeUtc>,
    pub resolution_due: Option<DateTimeUtc>,
    pub first_response_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The teacher's report this ticket was escalated from, if any.
    pub report_id: Option<i32>,
    /// Bits of the SLA reminder stages already dealt with (see `tickets::reminders`).
    pub sla_reminded: i16,
    /// When the reminder job looks at this ticket next; NULL once no reminder is left.
    pub sla_check_at: Option<DateTimeUtc>,
    /// When the retention run replaced its free text and removed its files (SPEC §9).
    pub anonymised_at: Option<DateTimeUtc>,
    /// A provider solved it: the desk checks the solution before the school hears of it.
    pub to_verify: bool,
    /// When the school or a provider last wrote on it (the desk's unread marker).
    pub outside_news_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

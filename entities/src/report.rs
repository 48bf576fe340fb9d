//! A teacher's problem report to the school's admins.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::states::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub school_id: i32,
    pub teacher_id: i32,
    pub affected: String,
    pub since: String,
    pub how_many: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub status: ReportStatus,
    pub triage_scope: Option<String>,
    pub triage_fault_type: Option<String>,
    pub service_id: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub answer: Option<String>,
    pub answered_by: Option<i32>,
    pub ticket_id: Option<i32>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the retention run replaced its free text and removed its files (SPEC §9).
    pub anonymised_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

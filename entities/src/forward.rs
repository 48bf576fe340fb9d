//! A ticket handed to an external provider.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::states::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "forwards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ticket_id: i32,
    pub provider_id: i32,
    pub priority: Priority,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub status: ForwardStatus,
    pub provider_reference: Option<String>,
    /// JSON list of the timeline event ids the provider may read.
    #[sea_orm(column_type = "Text")]
    pub shared_events: String,
    pub share_description: bool,
    pub created_by: i32,
    pub due_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub reminded_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

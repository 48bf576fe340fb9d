//! A person with an account. Provider contacts are not users.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::states::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stored lowercased so lookups and uniqueness ignore case.
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    /// One of pupil, teacher, school_admin, agent, desk_lead, operator.
    pub role: Role,
    pub school_id: Option<i32>,
    /// "de" or "en".
    pub language: String,
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Deleted on the person's request: the row stays as a placeholder without personal
    /// data (see `privacy::person::delete`).
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

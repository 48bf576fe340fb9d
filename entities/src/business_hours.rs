//! When the desk works on one weekday (local time, minutes after midnight).
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "business_hours")]
pub struct Model {
    /// ISO weekday: 1 Monday … 7 Sunday.
    #[sea_orm(primary_key, auto_increment = false)]
    pub weekday: i16,
    pub opens_minute: i32,
    pub closes_minute: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

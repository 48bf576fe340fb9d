//! An attachment the desk shared with a forward's provider.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "attachment_shares")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub forward_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub attachment_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

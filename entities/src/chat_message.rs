//! One line of a chat, in the chat's order (`seq`).
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::states::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "chat_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub chat_id: i32,
    pub seq: i32,
    pub author_id: Option<i32>,
    pub author_label: String,
    /// The author's role, or "system".
    pub author_role: String,
    pub kind: MessageKind,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub client_id: Option<String>,
    pub attachment_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A file on a report or ticket. The bytes live in `<data_dir>/files/<storage_key>`.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub storage_key: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub school_id: i32,
    pub report_id: Option<i32>,
    pub ticket_id: Option<i32>,
    pub internal: bool,
    pub uploaded_by: Option<i32>,
    pub forward_id: Option<i32>,
    pub uploader_label: String,
    pub created_at: DateTimeUtc,
    /// Sent in this chat (the chat's school owns it).
    pub chat_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

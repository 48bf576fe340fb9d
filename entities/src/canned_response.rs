//! A canned response: a text module of the desk, inserted into a reply by its trigger
//! (`::drucker-neu`). The desk lead keeps them; every agent uses them.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "canned_responses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Lower-case letters, digits and dashes, unique.
    pub trigger: String,
    pub title: String,
    /// Markdown, as a reply's text.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Who changed it last: emptied when that account is deleted, the label kept.
    pub updated_by: Option<i32>,
    pub updated_by_label: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

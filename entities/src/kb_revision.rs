//! One saved version of an article.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "kb_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub article_id: i32,
    pub version: i32,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// The front matter of this version as JSON (audience, service, tags, status, school).
    #[sea_orm(column_type = "Text")]
    pub meta: String,
    pub author_id: Option<i32>,
    pub author_label: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A FAQ/wiki article: Markdown body plus its front matter (see `kb::frontmatter`).
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::states::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "kb_articles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// Comma-separated roles: "pupil,teacher".
    pub audience: String,
    pub service_id: Option<i32>,
    /// Comma-separated tags.
    pub tags: String,
    /// Set: a school-local article. None: global.
    pub school_id: Option<i32>,
    pub status: ArticleStatus,
    pub origin: ArticleOrigin,
    pub source_hash: Option<String>,
    pub proposed: bool,
    pub version: i32,
    pub views: i32,
    pub helpful: i32,
    pub not_helpful: i32,
    pub updated_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

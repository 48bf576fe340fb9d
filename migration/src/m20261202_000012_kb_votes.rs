//! Who rated which FAQ article: one vote per reader (an account, or a browser for anonymous
//! pupils) and article, so that the helpful count counts readers, not clicks. The primary
//! key decides between two votes of one reader that arrive together.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("kb_votes")
                .col(integer("article_id"))
                // `user:<id>` or `browser:<hash of the reader cookie>`.
                .col(string_len("voter", 80))
                .col(boolean("helpful"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("article_id").col("voter"))
                .foreign_key(
                    ForeignKey::create()
                        .from("kb_votes", "article_id")
                        .to("kb_articles", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

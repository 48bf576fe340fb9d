//! The FAQ/wiki: articles with their revisions, reader ratings and the searches that
//! found nothing.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("kb_articles")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("title"))
                .col(text("body"))
                // Roles the article is written for, comma-separated: "pupil,teacher".
                .col(string("audience"))
                .col(integer_null("service_id"))
                .col(string("tags"))
                .col(integer_null("school_id"))
                .col(string_len("status", 16))
                // "shipped" (from kb/ files) or "authored" (written in Staffel).
                .col(string_len("origin", 16))
                // A hash of the shipped file, so start-up imports only what changed.
                .col(string_null("source_hash"))
                // A school admin's proposal for a global article, waiting for the desk.
                .col(boolean("proposed").default(false))
                .col(integer("version"))
                .col(integer("views").default(0))
                .col(integer("helpful").default(0))
                .col(integer("not_helpful").default(0))
                .col(integer_null("updated_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("kb_articles", "school_id")
                        .to("schools", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("kb_articles", "service_id")
                        .to("services", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_kb_articles_school").table("kb_articles").col("school_id").to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table("kb_revisions")
                .col(pk_auto("id"))
                .col(integer("article_id"))
                .col(integer("version"))
                .col(string("title"))
                .col(text("body"))
                .col(text("meta"))
                .col(integer_null("author_id"))
                .col(string("author_label"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("kb_revisions", "article_id")
                        .to("kb_articles", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_kb_revisions_article")
                .table("kb_revisions")
                .col("article_id")
                .col("version")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("kb_search_misses")
                .col(pk_auto("id"))
                // The query as typed, lowercased and trimmed: one row per distinct query.
                .col(string_uniq("query"))
                .col(integer("count"))
                .col(string("last_role"))
                .col(timestamp_with_time_zone("first_at"))
                .col(timestamp_with_time_zone("last_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

//! Which solution an FAQ draft was made from, so that a second click on "solution → FAQ
//! draft" (a double-click, a second tab, a colleague) leads to the draft that exists instead
//! of making another. The unique indexes decide between two requests that arrive together.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("kb_draft_sources")
                .col(pk_auto("id"))
                .col(integer("article_id"))
                // Exactly one of the two: the ticket's solution or the report's answer.
                .col(integer_null("ticket_id"))
                .col(integer_null("report_id"))
                // "global" (the desk's draft) or "school" (a school admin's, for their
                // school): a ticket can have one of each.
                .col(string_len("scope", 16))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("kb_draft_sources", "article_id")
                        .to("kb_articles", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("kb_draft_sources", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("kb_draft_sources", "report_id")
                        .to("reports", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("kb_draft_sources", "created_by")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        // NULLs are distinct in a unique index (SQLite and PostgreSQL alike), so each index
        // binds only the rows of its own kind of source.
        m.create_index(
            Index::create()
                .name("idx_kb_draft_sources_ticket")
                .table("kb_draft_sources")
                .col("ticket_id")
                .col("scope")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_kb_draft_sources_report")
                .table("kb_draft_sources")
                .col("report_id")
                .col("scope")
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

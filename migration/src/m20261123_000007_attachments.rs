//! Attachments: files on reports and tickets (screenshots, logs, PDFs), stored in the data
//! dir under a random key, and which of them a forward shares with its provider.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("attachments")
                .col(pk_auto("id"))
                // The file's name under `<data_dir>/files/`: 128 random bits in hex, never
                // anything the uploader chose.
                .col(string_len_uniq("storage_key", 64))
                // Sanitised: no path, no control characters, an extension that fits the type.
                .col(string_len("filename", 255))
                // Sniffed from the content, never taken from the upload's headers.
                .col(string_len("content_type", 100))
                .col(big_integer("size"))
                .col(string_len("sha256", 64))
                // Every attachment belongs to one school: scoping is a column comparison.
                .col(integer("school_id"))
                .col(integer_null("report_id"))
                .col(integer_null("ticket_id"))
                // On an internal note or from a provider: the desk only.
                .col(boolean("internal"))
                .col(integer_null("uploaded_by"))
                // The provider's forward, when a provider uploaded it through their link.
                .col(integer_null("forward_id"))
                .col(string("uploader_label"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("attachments", "school_id")
                        .to("schools", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("attachments", "report_id")
                        .to("reports", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("attachments", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("attachments", "uploaded_by")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("attachments", "forward_id")
                        .to("forwards", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_attachments_ticket").table("attachments").col("ticket_id").to_owned())
            .await?;
        m.create_index(Index::create().name("idx_attachments_report").table("attachments").col("report_id").to_owned())
            .await?;
        // Which attachments the desk chose to share with a forward's provider.
        m.create_table(
            Table::create()
                .table("attachment_shares")
                .col(integer("forward_id"))
                .col(integer("attachment_id"))
                .primary_key(Index::create().col("forward_id").col("attachment_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("attachment_shares", "forward_id")
                        .to("forwards", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("attachment_shares", "attachment_id")
                        .to("attachments", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

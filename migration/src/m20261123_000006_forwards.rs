//! Forwards to external providers (third level) and the per-recipient links through which
//! providers work a ticket without an account.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("forwards")
                .col(pk_auto("id"))
                .col(integer("ticket_id"))
                .col(integer("provider_id"))
                .col(string_len("priority", 2))
                .col(text("message"))
                // active, recalled, solved, closed
                .col(string_len("status", 16))
                .col(string_null("provider_reference"))
                // Which timeline events the provider may read (JSON list of event ids).
                .col(text("shared_events"))
                .col(boolean("share_description"))
                .col(integer("created_by"))
                .col(timestamp_with_time_zone("due_at"))
                .col(timestamp_with_time_zone_null("acknowledged_at"))
                .col(timestamp_with_time_zone_null("reminded_at"))
                .col(timestamp_with_time_zone_null("ended_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("forwards", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("forwards", "provider_id")
                        .to("providers", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_forwards_ticket").table("forwards").col("ticket_id").col("status").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("forward_links")
                .col(pk_auto("id"))
                .col(integer("forward_id"))
                .col(string("contact_email"))
                .col(string("contact_name"))
                // SHA-256 of a 256-bit random token; the token itself is only in the mail.
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("forward_links", "forward_id")
                        .to("forwards", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_forward_links_forward").table("forward_links").col("forward_id").to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

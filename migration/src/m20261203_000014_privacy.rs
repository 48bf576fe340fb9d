//! Data protection (SPEC §9): when a closed ticket or a report was anonymised by the
//! retention run (and is then left alone), when an account was deleted on its person's
//! request (the row stays as a placeholder without personal data, so that the school's
//! tickets and reports keep their history), and an index for the view log and for
//! retention's look-up of old audit entries.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("tickets").add_column(timestamp_with_time_zone_null("anonymised_at")).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table("reports").add_column(timestamp_with_time_zone_null("anonymised_at")).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("users").add_column(timestamp_with_time_zone_null("deleted_at")).to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_events_action_created")
                .table("audit_events")
                .col("action")
                .col("created_at")
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_audit_events_actor").table("audit_events").col("actor_id").to_owned())
            .await?;
        m.create_index(
            Index::create().name("idx_tickets_closed_at").table("tickets").col("status").col("closed_at").to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

//! Who works a ticket and what is new on it for them: a ticket a provider solved waits for
//! the desk to verify it (`to_verify`, the "to verify" queue; it stays in its agent's own
//! queue until closed), `outside_news_at` is when the school or a provider last wrote, and
//! `ticket_reads` when each agent last opened each ticket — together the queue's unread
//! marker, per agent.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("tickets").add_column(boolean("to_verify").default(false)).to_owned())
            .await?;
        m.alter_table(
            Table::alter().table("tickets").add_column(timestamp_with_time_zone_null("outside_news_at")).to_owned(),
        )
        .await?;
        // The queue reads it in page order; it holds the few tickets waiting for a check.
        m.create_index(
            Index::create()
                .name("idx_tickets_to_verify_updated")
                .table("tickets")
                .col("to_verify")
                .col("updated_at")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("ticket_reads")
                .if_not_exists()
                .col(integer("user_id"))
                .col(integer("ticket_id"))
                .col(timestamp_with_time_zone("read_at"))
                .primary_key(Index::create().col("user_id").col("ticket_id"))
                .foreign_key(ForeignKey::create().from("ticket_reads", "user_id").to("users", "id"))
                .foreign_key(ForeignKey::create().from("ticket_reads", "ticket_id").to("tickets", "id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

//! What the reminder job needs: per ticket, which SLA reminders were dealt with and when to
//! look at it next; per provider link, the salt its token is derived from, so that later
//! mails (answers, reminders) can carry the same link while only its hash is stored.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A bit per reminder stage (first response near/overdue, resolution near/overdue).
        m.alter_table(Table::alter().table("tickets").add_column(small_integer("sla_reminded").default(0)).to_owned())
            .await?;
        // When the reminder job looks at the ticket next; NULL once no reminder is left.
        m.alter_table(
            Table::alter().table("tickets").add_column(timestamp_with_time_zone_null("sla_check_at")).to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_tickets_sla_check").table("tickets").col("sla_check_at").to_owned())
            .await?;
        m.alter_table(Table::alter().table("forward_links").add_column(string_len_null("token_salt", 64)).to_owned())
            .await?;
        m.create_index(
            Index::create().name("idx_forwards_status_due").table("forwards").col("status").col("due_at").to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

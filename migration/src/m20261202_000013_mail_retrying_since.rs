//! When the current series of delivery attempts of a mail began: empty for a mail still on
//! its first series (which began when it was created), set when an operator sends a mail
//! again. Mail is given up only days after this, not after a number of attempts.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("mail_outbox").add_column(timestamp_with_time_zone_null("retrying_since")).to_owned(),
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

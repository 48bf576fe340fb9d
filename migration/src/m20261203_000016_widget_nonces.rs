//! The nonces of the support widget's signed user assertions that were used: an assertion
//! is good once. A table rather than memory, because several instances share one database
//! and an assertion replayed against another instance must be refused as well. A row is
//! needed only until its assertion would have expired anyway.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("widget_nonces")
                .if_not_exists()
                .col(string("nonce").primary_key())
                .col(string("origin"))
                .col(timestamp_with_time_zone("expires_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_widget_nonces_expires").table("widget_nonces").col("expires_at").to_owned(),
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

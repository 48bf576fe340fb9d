//! A table for `/healthz`'s write probe: while writes are known to be blocked (a full disk,
//! a read-only database), the health check tries one small real write here, at most every
//! few seconds, to see whether they get through again. It holds no row between probes.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("write_probes")
                .if_not_exists()
                .col(integer("id").primary_key())
                .col(blob("payload"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

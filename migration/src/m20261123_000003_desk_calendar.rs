//! The desk's calendar and service levels: SLA targets per priority (in business hours),
//! the business week, and holidays. Tickets count their due times against these.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("sla_targets")
                // P1 … P4
                .col(string_len("priority", 2).primary_key())
                .col(integer("first_response_minutes"))
                .col(integer("resolution_minutes"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("business_hours")
                // ISO weekday: 1 Monday … 7 Sunday. No row: closed that day.
                .col(small_integer("weekday").primary_key())
                // Minutes after local midnight.
                .col(integer("opens_minute"))
                .col(integer("closes_minute"))
                .to_owned(),
        )
        .await?;
        m.create_table(Table::create().table("holidays").col(date("day").primary_key()).col(string("name")).to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

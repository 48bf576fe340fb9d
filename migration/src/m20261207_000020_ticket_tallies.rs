//! The reports at a million tickets. A year's report counted from the tickets reads every
//! ticket of the year (1.3–1.6 s at 1,000,000 on SQLite), so what the reports count of a
//! ticket that no longer changes with the clock is kept per day in `ticket_tallies`:
//! tickets opened on the day with their first response and resolution in time or late, and
//! tickets solved on the day. The server keeps them in step in the transaction of every
//! change (`tickets::tally`); `ticket_tally_state` says in which time zone the days were
//! counted, so that a start in another zone (or one after this migration) counts them anew.
//! What does change with the clock (a ticket still unanswered past its due time) is counted
//! from the tickets, through two partial indexes that hold only the undecided ones.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ticket_tallies")
                .if_not_exists()
                // What the row counts by: "all", "service" or "priority".
                .col(string_len("facet", 16))
                // 0 for all schools together.
                .col(integer("school_id"))
                // The service's id or the priority; empty for "all" and for no service.
                .col(string_len("group_key", 16))
                // Days since 0001-01-01 (day 1) in the desk's time zone.
                .col(integer("day"))
                // The all-schools rows are spread like the queue counts (ticket id % 8), so
                // that concurrent openings on PostgreSQL rarely wait on one row lock.
                .col(small_integer("shard"))
                .col(big_integer("opened").default(0))
                .col(big_integer("solved").default(0))
                .col(big_integer("first_met").default(0))
                .col(big_integer("first_late").default(0))
                .col(big_integer("resolution_met").default(0))
                .col(big_integer("resolution_late").default(0))
                .primary_key(Index::create().col("facet").col("school_id").col("group_key").col("day").col("shard"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("ticket_tally_state")
                .if_not_exists()
                .col(integer("id").primary_key())
                .col(string_len("time_zone", 64))
                .col(timestamp_with_time_zone("counted_at"))
                .to_owned(),
        )
        .await?;
        // Both databases take a partial index in the same words; the report's condition
        // names the index's condition, so the planner may use it.
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_tickets_unanswered ON tickets (created_at, first_response_due, school_id) \
             WHERE first_response_at IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_tickets_unresolved ON tickets (created_at, resolution_due, school_id) \
             WHERE resolved_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

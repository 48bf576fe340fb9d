//! Tickets and their timeline: what a school hands up to the service desk.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tickets")
                .col(pk_auto("id"))
                .col(integer("school_id"))
                .col(integer_null("service_id"))
                .col(string("title"))
                .col(text("description"))
                // new, open, waiting_on_school, at_provider, resolved, closed
                .col(string_len("status", 24))
                // P1 … P4
                .col(string_len("priority", 2))
                // 1 school, 2 service desk, 3 provider: who works on it now.
                .col(small_integer("level"))
                // local (one device/user), school, networked (several schools), unknown
                .col(string_len_null("triage_scope", 16))
                // hardware, software, unknown
                .col(string_len_null("triage_fault_type", 16))
                .col(integer("created_by"))
                .col(integer_null("assignee_id"))
                .col(integer_null("provider_id"))
                .col(text_null("solution"))
                .col(timestamp_with_time_zone_null("first_response_due"))
                .col(timestamp_with_time_zone_null("resolution_due"))
                .col(timestamp_with_time_zone_null("first_response_at"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                // Every change bumps it; a change made from an older version is refused.
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("tickets", "school_id")
                        .to("schools", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Queues page through tickets by last change, narrowed by status, school, assignee,
        // priority or service; each index serves one narrowing with keyset pagination.
        for (name, cols) in [
            ("idx_tickets_updated", vec!["updated_at", "id"]),
            ("idx_tickets_status_updated", vec!["status", "updated_at", "id"]),
            ("idx_tickets_school_updated", vec!["school_id", "updated_at", "id"]),
            ("idx_tickets_assignee_updated", vec!["assignee_id", "updated_at", "id"]),
            ("idx_tickets_priority_updated", vec!["priority", "updated_at", "id"]),
            ("idx_tickets_service_updated", vec!["service_id", "updated_at", "id"]),
        ] {
            let mut index = Index::create().name(name).table("tickets").to_owned();
            for col in cols {
                index.col(col);
            }
            m.create_index(index).await?;
        }

        m.create_table(
            Table::create()
                .table("ticket_events")
                .col(pk_auto("id"))
                .col(integer("ticket_id"))
                .col(string_len("kind", 32))
                .col(integer_null("actor_id"))
                .col(string("actor_label"))
                .col(text("body"))
                // Internal notes (and later provider traffic) the school does not see.
                .col(boolean("internal"))
                // Details of the change as JSON (old and new status, priority, ...).
                .col(text("data"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("ticket_events", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_events_ticket")
                .table("ticket_events")
                .col("ticket_id")
                .col("id")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

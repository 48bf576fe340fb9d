//! The desk's reports at a million tickets. A report counts tickets per week, broken down by
//! school, service or priority. `GROUP BY` over a year of rows makes SQLite sort them all
//! (~1.5 s at 1,000,000 tickets); counting one index range per week and group is a seek and
//! a walk over index entries, no row is read. So each breakdown gets an index that starts
//! with its column and goes on by the time counted (opened, solved); solved per week a range of resolution times; the SLA figures read a
//! covering index by creation time; the backlog's ages a range per open status.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &[&str])] = &[
    ("idx_tickets_school_created", &["school_id", "created_at"]),
    ("idx_tickets_service_created", &["service_id", "created_at"]),
    ("idx_tickets_priority_created", &["priority", "created_at"]),
    ("idx_tickets_school_resolved", &["school_id", "resolved_at"]),
    ("idx_tickets_service_resolved", &["service_id", "resolved_at"]),
    ("idx_tickets_priority_resolved", &["priority", "resolved_at"]),
    ("idx_tickets_resolved", &["resolved_at"]),
    (
        "idx_tickets_created_sla",
        &["created_at", "first_response_due", "first_response_at", "resolution_due", "resolved_at"],
    ),
    ("idx_tickets_status_created", &["status", "created_at"]),
    ("idx_forwards_created", &["created_at"]),
    ("idx_chats_offered", &["offered_at"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in INDEXES {
            let table = if name.starts_with("idx_forwards") {
                "forwards"
            } else if name.starts_with("idx_chats") {
                "chats"
            } else {
                "tickets"
            };
            let mut index = Index::create().name(*name).table(table).if_not_exists().to_owned();
            for col in *cols {
                index.col(*col);
            }
            m.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

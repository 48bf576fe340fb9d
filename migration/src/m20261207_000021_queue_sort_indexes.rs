//! The desk's queue sorted by age, SLA due time or priority (#14 item 7) at a million
//! tickets. A queue pages through one status at a time (see 000009), so each order has one
//! index that starts with the status and yields that status's tickets in page order:
//! walked forwards or backwards (the reversed order), from the last page's key on.
//!
//! The due time a queue sorts by is the one its "due" column shows (`tickets::view::next_due`):
//! for a ticket still worked on, the first response's due time while it is unmet and earlier
//! than the resolution's, else the resolution's; none for a resolved or closed ticket. It is
//! a generated column, `next_due`, so that the index holds it and both databases order by a
//! plain column (virtual on SQLite, which cannot add a stored one to a table; stored on
//! PostgreSQL, which has no virtual ones; adding it rewrites the table once, under a lock:
//! 8 s for 300,000 tickets on the 2-core test machine, so expect half a minute at a million).
//! Nothing writes it and the entity does not name it; only the queue reads it.
//!
//! Narrowed further (a school, a service, an agent's own tickets), the existing
//! status-and-column indexes yield the narrowed tickets and the database sorts those: a
//! school's or an agent's are a few thousand at most.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `view::next_due` in SQL. The statuses are those `TicketStatus::is_active` names: a
/// status added there must be added here, in a new migration.
const NEXT_DUE: &str = "CASE WHEN status IN ('new', 'open', 'waiting_on_school', 'at_provider') THEN \
     CASE WHEN first_response_at IS NULL AND first_response_due IS NOT NULL \
     AND (resolution_due IS NULL OR first_response_due < resolution_due) \
     THEN first_response_due ELSE resolution_due END END";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let add_column = match m.get_database_backend() {
            DatabaseBackend::Postgres => {
                format!("ALTER TABLE tickets ADD COLUMN next_due TIMESTAMPTZ GENERATED ALWAYS AS ({NEXT_DUE}) STORED")
            }
            // The declared type of the other time columns, so that they read back alike.
            _ => format!(
                "ALTER TABLE tickets ADD COLUMN next_due timestamp_with_timezone_text \
                 GENERATED ALWAYS AS ({NEXT_DUE}) VIRTUAL"
            ),
        };
        m.get_connection().execute_unprepared(&add_column).await?;
        for (name, cols) in [
            // `created` (oldest first) and `-created`.
            ("idx_tickets_status_created", vec!["status", "created_at", "id"]),
            // `due`: the tickets with a due time in its order, then those without by id.
            ("idx_tickets_status_next_due", vec!["status", "next_due", "id"]),
            // `priority`: P1 first, the oldest first within one; also `created` narrowed
            // by a priority.
            ("idx_tickets_status_priority_created", vec!["status", "priority", "created_at", "id"]),
        ] {
            let mut index = Index::create().name(name).table("tickets").to_owned();
            for col in cols {
                index.col(col);
            }
            m.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

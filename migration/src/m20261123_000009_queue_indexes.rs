//! The desk's queues at a million tickets. Counting a queue by scanning its tickets costs
//! time in proportion to the queue (an "open" count read ~40,000 index entries on every page
//! view), so the per-status counts live in `ticket_queue_counts`, kept exact by triggers in
//! the same transaction as every insert, change and delete of a ticket (cascades included).
//! And each queue pages through one status at a time, narrowed by one more column, so every
//! filter has an index that yields its tickets already in page order.
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// Tickets spread their count over 8 rows per status and assignment (`shard` = id % 8), so
// that concurrent changes on PostgreSQL (every new ticket adds to the same "new, unassigned"
// count) rarely wait on one row lock until the other commits. Readers sum the shards.

const SQLITE_TRIGGERS: &str = r#"
CREATE TRIGGER ticket_queue_counts_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO ticket_queue_counts (status, unassigned, shard, tickets)
  VALUES (NEW.status, NEW.assignee_id IS NULL, NEW.id % 8, 1)
  ON CONFLICT (status, unassigned, shard) DO UPDATE SET tickets = tickets + 1;
END;
CREATE TRIGGER ticket_queue_counts_delete AFTER DELETE ON tickets BEGIN
  UPDATE ticket_queue_counts SET tickets = tickets - 1
  WHERE status = OLD.status AND unassigned = (OLD.assignee_id IS NULL) AND shard = OLD.id % 8;
END;
CREATE TRIGGER ticket_queue_counts_update AFTER UPDATE OF status, assignee_id ON tickets
WHEN OLD.status IS NOT NEW.status OR (OLD.assignee_id IS NULL) IS NOT (NEW.assignee_id IS NULL) BEGIN
  UPDATE ticket_queue_counts SET tickets = tickets - 1
  WHERE status = OLD.status AND unassigned = (OLD.assignee_id IS NULL) AND shard = OLD.id % 8;
  INSERT INTO ticket_queue_counts (status, unassigned, shard, tickets)
  VALUES (NEW.status, NEW.assignee_id IS NULL, NEW.id % 8, 1)
  ON CONFLICT (status, unassigned, shard) DO UPDATE SET tickets = tickets + 1;
END;
"#;

const POSTGRES_TRIGGERS: &str = r#"
CREATE FUNCTION ticket_queue_counts_add(s TEXT, u SMALLINT, h SMALLINT, d BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_queue_counts (status, unassigned, shard, tickets) VALUES (s, u, h, d)
  ON CONFLICT (status, unassigned, shard) DO UPDATE SET tickets = ticket_queue_counts.tickets + d;
END $$;

CREATE FUNCTION ticket_queue_counts_track() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  old_u SMALLINT;
  new_u SMALLINT;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM ticket_queue_counts_add(NEW.status, (NEW.assignee_id IS NULL)::INT::SMALLINT, (NEW.id % 8)::SMALLINT, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM ticket_queue_counts_add(OLD.status, (OLD.assignee_id IS NULL)::INT::SMALLINT, (OLD.id % 8)::SMALLINT, -1);
  ELSE
    old_u := (OLD.assignee_id IS NULL)::INT::SMALLINT;
    new_u := (NEW.assignee_id IS NULL)::INT::SMALLINT;
    IF OLD.status IS DISTINCT FROM NEW.status OR old_u <> new_u THEN
      -- Both rows in one fixed order, so two changes never wait on each other crosswise.
      IF (OLD.status, old_u) < (NEW.status, new_u) THEN
        PERFORM ticket_queue_counts_add(OLD.status, old_u, (OLD.id % 8)::SMALLINT, -1);
        PERFORM ticket_queue_counts_add(NEW.status, new_u, (NEW.id % 8)::SMALLINT, 1);
      ELSE
        PERFORM ticket_queue_counts_add(NEW.status, new_u, (NEW.id % 8)::SMALLINT, 1);
        PERFORM ticket_queue_counts_add(OLD.status, old_u, (OLD.id % 8)::SMALLINT, -1);
      END IF;
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER ticket_queue_counts_track AFTER INSERT OR DELETE OR UPDATE OF status, assignee_id ON tickets
FOR EACH ROW EXECUTE FUNCTION ticket_queue_counts_track();
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One status, narrowed by one more column, in page order (newest change first).
        for (name, column) in [
            ("idx_tickets_status_school_updated", "school_id"),
            ("idx_tickets_status_service_updated", "service_id"),
            ("idx_tickets_status_priority_updated", "priority"),
            ("idx_tickets_status_assignee_updated", "assignee_id"),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table("tickets")
                    .col("status")
                    .col(column)
                    .col("updated_at")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        }
        // The overdue count: per status, a range of due times (covering, so no row is read).
        m.create_index(
            Index::create()
                .name("idx_tickets_status_resolution_due")
                .table("tickets")
                .col("status")
                .col("resolution_due")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tickets_status_first_response")
                .table("tickets")
                .col("status")
                .col("first_response_at")
                .col("first_response_due")
                .col("resolution_due")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("ticket_queue_counts")
                .col(string_len("status", 24))
                // 1 when the tickets counted here have no assignee (the "new" queue).
                .col(small_integer("unassigned"))
                // ticket id modulo 8
                .col(small_integer("shard"))
                .col(big_integer("tickets"))
                .primary_key(Index::create().col("status").col("unassigned").col("shard"))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        // The tickets already there, before the triggers take over.
        db.execute_unprepared(
            "INSERT INTO ticket_queue_counts (status, unassigned, shard, tickets) \
             SELECT status, CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END, id % 8, COUNT(*) \
             FROM tickets GROUP BY status, CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END, id % 8",
        )
        .await?;
        match m.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(POSTGRES_TRIGGERS).await?;
            }
            _ => {
                db.execute_unprepared(SQLITE_TRIGGERS).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

//! Teachers' problem reports to their school admins (first level), and the link from a
//! ticket back to the report that started it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("reports")
                .col(pk_auto("id"))
                .col(integer("school_id"))
                .col(integer("teacher_id"))
                .col(string("affected"))
                .col(string("since"))
                .col(string("how_many"))
                .col(text("description"))
                // new, answered, escalated
                .col(string_len("status", 16))
                .col(string_len_null("triage_scope", 16))
                .col(string_len_null("triage_fault_type", 16))
                .col(integer_null("service_id"))
                .col(text_null("answer"))
                .col(integer_null("answered_by"))
                .col(integer_null("ticket_id"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("reports", "school_id")
                        .to("schools", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("reports", "teacher_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_reports_school_status")
                .table("reports")
                .col("school_id")
                .col("status")
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_reports_teacher").table("reports").col("teacher_id").to_owned())
            .await?;
        m.alter_table(Table::alter().table("tickets").add_column(integer_null("report_id")).to_owned()).await?;
        m.create_index(Index::create().name("idx_tickets_report").table("tickets").col("report_id").to_owned()).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

//! The foundation: tenants, accounts, sessions, tokens, the service catalogue,
//! providers, the mail outbox and the audit log.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from_table: &'static str, from_col: &'static str, to_table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from_table, from_col).to(to_table, "id").on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("schools")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("name"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(pk_auto("id"))
                .col(string_uniq("email"))
                .col(string("name"))
                .col(string("role"))
                .col(integer_null("school_id"))
                .col(string_len("language", 8))
                .col(string("password_hash"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("users", "school_id", "schools"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_users_school").table("users").col("school_id").to_owned()).await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(string("id_hash").primary_key())
                .col(integer("user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut fk("sessions", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_sessions_user").table("sessions").col("user_id").to_owned()).await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string("name"))
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .foreign_key(&mut fk("api_tokens", "user_id", "users"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("services")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("name_de"))
                .col(string("name_en"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("providers")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("name"))
                .col(integer("response_hours"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("provider_contacts")
                .col(pk_auto("id"))
                .col(integer("provider_id"))
                .col(string("email"))
                .col(string("name"))
                .foreign_key(&mut fk("provider_contacts", "provider_id", "providers"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_provider_contacts_provider")
                .table("provider_contacts")
                .col("provider_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("provider_services")
                .col(integer("provider_id"))
                .col(integer("service_id"))
                .primary_key(Index::create().col("provider_id").col("service_id"))
                .foreign_key(&mut fk("provider_services", "provider_id", "providers"))
                .foreign_key(&mut fk("provider_services", "service_id", "services"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("password_resets")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut fk("password_resets", "user_id", "users"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("login_attempts")
                .col(string("key").primary_key())
                .col(integer("failures"))
                .col(timestamp_with_time_zone("last_failure_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("mail_outbox")
                .col(pk_auto("id"))
                .col(string("to_addr"))
                .col(string("to_name"))
                .col(string("subject"))
                .col(text("body_text"))
                .col(text("body_html"))
                .col(string_uniq("message_id"))
                .col(string_null("in_reply_to"))
                .col(string_len("status", 16))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("claimed_until"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mail_outbox_due")
                .table("mail_outbox")
                .col("status")
                .col("next_attempt_at")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_events")
                .col(pk_auto("id"))
                .col(integer_null("actor_id"))
                .col(string("actor_label"))
                .col(string("action"))
                .col(string("target_type"))
                .col(integer_null("target_id"))
                .col(integer_null("school_id"))
                .col(text("detail"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_target")
                .table("audit_events")
                .col("target_type")
                .col("target_id")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // Forward-only: a rollback would destroy tenants' data.
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

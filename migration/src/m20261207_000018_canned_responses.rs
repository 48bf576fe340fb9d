//! Working fast at the desk: canned responses (text modules the desk lead keeps, inserted
//! into a reply by their short trigger) and each agent's saved queue filters.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("canned_responses")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(string_len("trigger", 32).unique_key())
                .col(string("title"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                // Who changed it last; the label stays when the account is deleted (then
                // it reads "gelöschte Person" and the id is emptied).
                .col(integer_null("updated_by"))
                .col(string("updated_by_label"))
                .foreign_key(ForeignKey::create().from("canned_responses", "updated_by").to("users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("saved_filters")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("name", 60))
                .col(string_len("query", 500))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("saved_filters", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_saved_filters_user_name")
                .table("saved_filters")
                .col("user_id")
                .col("name")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

//! Agents on XMPP: the address an agent linked (pending until a message from that address
//! proves it is theirs), the presence their XMPP client reports (used while no browser of
//! theirs is open), and per chat where its agent answers (the browser or XMPP), so that
//! never both answer one chat.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("xmpp_links")
                .if_not_exists()
                .col(integer("user_id").primary_key())
                .col(string("jid").unique_key())
                .col(string_null("code"))
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("xmpp_links", "user_id").to("users", "id"))
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("chat_presence").add_column(string_null("remote_state")).to_owned()).await?;
        m.alter_table(
            Table::alter()
                .table("chat_presence")
                .add_column(timestamp_with_time_zone_null("remote_seen_at"))
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("chats").add_column(string("answered_via").default("web")).to_owned()).await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

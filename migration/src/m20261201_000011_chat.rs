//! Live chat between school admins and the service desk: channels and their agents, the
//! desk's presence (one row per person, one per open tab or device), chats with their
//! participants and their messages in per-chat order, and files sent in a chat.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn cascade(table: &'static str, column: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(to, "id").on_delete(ForeignKeyAction::Cascade).to_owned()
}

fn set_null(table: &'static str, column: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(to, "id").on_delete(ForeignKeyAction::SetNull).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("chat_channels")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("name"))
                // The service a chat of this channel turns into a ticket for.
                .col(integer_null("service_id"))
                // Every agent belongs to the default channel without being named.
                .col(boolean("is_default"))
                // Chat only within the desk's business hours.
                .col(boolean("hours_only"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut set_null("chat_channels", "service_id", "services"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("chat_members")
                .col(integer("channel_id"))
                .col(integer("user_id"))
                // The agent's own choice ("my chat channels"): takes requests of it or not.
                .col(boolean("taking"))
                .primary_key(Index::create().col("channel_id").col("user_id"))
                .foreign_key(&mut cascade("chat_members", "channel_id", "chat_channels"))
                .foreign_key(&mut cascade("chat_members", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("chat_presence")
                .col(integer("user_id").primary_key())
                // A state the agent chose (away, xa, dnd, offline); NULL: from their activity.
                .col(string_len_null("manual_state", 8))
                // Set away because a request went unanswered: until their next input.
                .col(timestamp_with_time_zone_null("away_since"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut cascade("chat_presence", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("chat_presence_sessions")
                // A random id per browser tab or device.
                .col(string_len("id", 64).primary_key())
                .col(integer("user_id"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(timestamp_with_time_zone("last_input_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut cascade("chat_presence_sessions", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_chat_presence_sessions_user")
                .table("chat_presence_sessions")
                .col("user_id")
                .col("last_seen_at")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("chats")
                .col(pk_auto("id"))
                // request (a school admin asks the desk) or direct (agent to agent)
                .col(string_len("kind", 16))
                .col(integer_null("channel_id"))
                .col(integer_null("school_id"))
                .col(integer("requester_id"))
                // waiting, active, closed
                .col(string_len("status", 16))
                // JSON: the page the chat was started on and what the page passed along.
                .col(text("context"))
                .col(integer("last_seq"))
                // When the request was last offered to the channel's agents.
                .col(timestamp_with_time_zone("offered_at"))
                .col(integer_null("accepted_by"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                // The ticket the chat became or was attached to.
                .col(integer_null("ticket_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut set_null("chats", "channel_id", "chat_channels"))
                .foreign_key(&mut cascade("chats", "school_id", "schools"))
                .foreign_key(&mut cascade("chats", "requester_id", "users"))
                .foreign_key(&mut set_null("chats", "accepted_by", "users"))
                .foreign_key(&mut set_null("chats", "ticket_id", "tickets"))
                .to_owned(),
        )
        .await?;
        for (name, columns) in [
            ("idx_chats_status_channel", vec!["status", "channel_id", "id"]),
            ("idx_chats_requester", vec!["requester_id", "status"]),
            ("idx_chats_closed", vec!["status", "closed_at"]),
        ] {
            let mut index = Index::create().name(name).table("chats").to_owned();
            for column in columns {
                index.col(column);
            }
            m.create_index(index).await?;
        }
        m.create_table(
            Table::create()
                .table("chat_participants")
                .col(integer("chat_id"))
                .col(integer("user_id"))
                // requester or agent
                .col(string_len("role", 16))
                .col(timestamp_with_time_zone("joined_at"))
                .col(timestamp_with_time_zone_null("left_at"))
                .primary_key(Index::create().col("chat_id").col("user_id"))
                .foreign_key(&mut cascade("chat_participants", "chat_id", "chats"))
                .foreign_key(&mut cascade("chat_participants", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_chat_participants_user").table("chat_participants").col("user_id").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("chat_messages")
                .col(pk_auto("id"))
                .col(integer("chat_id"))
                // The message's place in its chat: 1, 2, 3 … without gaps.
                .col(integer("seq"))
                .col(integer_null("author_id"))
                .col(string("author_label"))
                // The author's role, or "system" for what Staffel says (joined, left …).
                .col(string_len("author_role", 16))
                // message, file, joined, left, closed
                .col(string_len("kind", 16))
                .col(text("body"))
                // The sender's own id for the message: a message sent again after a dropped
                // connection is stored once.
                .col(string_len_null("client_id", 64))
                .col(integer_null("attachment_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut cascade("chat_messages", "chat_id", "chats"))
                .foreign_key(&mut set_null("chat_messages", "author_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_chat_messages_seq")
                .table("chat_messages")
                .col("chat_id")
                .col("seq")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_chat_messages_client")
                .table("chat_messages")
                .col("chat_id")
                .col("author_id")
                .col("client_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("chat_unanswered")
                // An agent who let this request go unanswered, set away once for it.
                .col(integer("chat_id"))
                .col(integer("user_id"))
                .col(timestamp_with_time_zone("at"))
                .primary_key(Index::create().col("chat_id").col("user_id"))
                .foreign_key(&mut cascade("chat_unanswered", "chat_id", "chats"))
                .foreign_key(&mut cascade("chat_unanswered", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        // A file sent in a chat belongs to the chat's school and the chat.
        m.alter_table(Table::alter().table("attachments").add_column(integer_null("chat_id")).to_owned()).await?;
        m.create_index(Index::create().name("idx_attachments_chat").table("attachments").col("chat_id").to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("migrations are forward-only".into()))
    }
}

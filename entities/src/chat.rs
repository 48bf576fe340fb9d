//! A chat: a school admin's request to the desk, or a direct chat between agents.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::states::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "chats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: ChatKind,
    pub channel_id: Option<i32>,
    pub school_id: Option<i32>,
    pub requester_id: i32,
    pub status: ChatStatus,
    /// JSON: the page the chat was started on and what that page passed along.
    #[sea_orm(column_type = "Text")]
    pub context: String,
    /// The sequence number of the chat's last message.
    pub last_seq: i32,
    pub offered_at: DateTimeUtc,
    pub accepted_by: Option<i32>,
    pub accepted_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub ticket_id: Option<i32>,
    /// Where the agent who took it answers: `web` (the browser) or `xmpp`.
    pub answered_via: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

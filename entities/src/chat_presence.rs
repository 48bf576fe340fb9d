//! Someone at the desk's chosen presence, whether an unanswered request set them away, and
//! the presence their XMPP client reports.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::states::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "chat_presence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    pub manual_state: Option<PresenceState>,
    pub away_since: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// What another client (the agent's XMPP client) reports, and when that was last known
    /// to hold; counts only while no browser of theirs is open.
    pub remote_state: Option<PresenceState>,
    pub remote_seen_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! One provider contact's link to a forward; only the token's hash is stored.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "forward_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub forward_id: i32,
    pub contact_email: String,
    pub contact_name: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The token is HMAC(link key, salt): later mails can repeat the same link although
    /// only its hash is stored. NULL for links made before salts existed.
    pub token_salt: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

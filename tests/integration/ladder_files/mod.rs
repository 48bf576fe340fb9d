//! Files on the answers of the ladder: the desk's answer to a provider carries files that
//! only that forward's link lists and serves (named in the mail, on the desk's timeline,
//! never shown to the school); the school admin's answer to a report carries files to the
//! teacher, an escalation carries them into the ticket. A refused file changes nothing.
mod to_the_provider;
mod triage;

use crate::common::uploads::attachments;
use crate::common::TestApp;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// A small limit keeps the "too large" request small.
const LIMIT: u64 = 4096;

async fn named(app: &TestApp, name: &str) -> entities::attachment::Model {
    attachments(app).await.into_iter().find(|a| a.filename == name).unwrap_or_else(|| panic!("no row for {name}"))
}

/// The ids of the files a timeline event of this kind lists.
async fn event_files(app: &TestApp, kind: &str) -> Vec<i64> {
    let events = entities::ticket_event::Entity::find()
        .filter(entities::ticket_event::Column::Kind.eq(kind))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "one {kind} event");
    let data: serde_json::Value = serde_json::from_str(&events[0].data).unwrap();
    data["attachments"].as_array().expect("files on the event").iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

//! Forward-only migrations. Never edit one that has landed; add a new file.
pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_kb;
mod m20261123_000003_desk_calendar;
mod m20261123_000004_tickets;
mod m20261123_000005_reports;
mod m20261123_000006_forwards;
mod m20261123_000007_attachments;
mod m20261123_000008_reminders;
mod m20261123_000009_queue_indexes;
mod m20261123_000010_kb_draft_sources;
mod m20261201_000011_chat;
mod m20261202_000012_kb_votes;
mod m20261202_000013_mail_retrying_since;
mod m20261203_000014_privacy;
mod m20261203_000015_write_probe;
mod m20261203_000016_widget_nonces;
mod m20261203_000017_xmpp;
mod m20261207_000018_canned_responses;
mod m20261207_000019_desk_ownership;
mod m20261207_000020_ticket_tallies;
mod m20261207_000021_queue_sort_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_kb::Migration),
            Box::new(m20261123_000003_desk_calendar::Migration),
            Box::new(m20261123_000004_tickets::Migration),
            Box::new(m20261123_000005_reports::Migration),
            Box::new(m20261123_000006_forwards::Migration),
            Box::new(m20261123_000007_attachments::Migration),
            Box::new(m20261123_000008_reminders::Migration),
            Box::new(m20261123_000009_queue_indexes::Migration),
            Box::new(m20261123_000010_kb_draft_sources::Migration),
            Box::new(m20261201_000011_chat::Migration),
            Box::new(m20261202_000012_kb_votes::Migration),
            Box::new(m20261202_000013_mail_retrying_since::Migration),
            Box::new(m20261203_000014_privacy::Migration),
            Box::new(m20261203_000015_write_probe::Migration),
            Box::new(m20261203_000016_widget_nonces::Migration),
            Box::new(m20261203_000017_xmpp::Migration),
            Box::new(m20261207_000018_canned_responses::Migration),
            Box::new(m20261207_000019_desk_ownership::Migration),
            Box::new(m20261207_000020_ticket_tallies::Migration),
            Box::new(m20261207_000021_queue_sort_indexes::Migration),
        ]
    }
}

//! The ticket kernel: what a ticket is and how it may change. Opening a ticket, reading it
//! within the actor's scope, and applying a change — checked against the status machine
//! and the version the changer saw, written with its timeline event, audit record and files
//! in the caller's transaction — plus the desk's queues, due times and SLA reminders.
//!
//! The kernel calls nothing above it. A change returns what must follow it (mail the
//! school, tell the reporting teacher, end the provider links: `FollowUps`), and the
//! orchestrator above tickets, forwards and reports (`ladder`) carries that out in the same
//! transaction. What the kernel needs from the running application it names in `Env`,
//! which `app::App` provides.
pub mod actions;
pub mod change;
pub mod mails;
pub mod opening;
pub mod queue;
pub mod queue_sort;
pub mod read;
pub mod reads;
pub mod reminders;
pub mod sla;
pub mod status;
pub mod tally;
pub mod view;

pub use change::{apply, Applied, Change, DeskNews, FollowUps, Who};
pub use opening::{CheckedTicket, Intake, NewTicket, Opened};
pub use read::{find, find_for_change, timeline};
pub use status::{number, Priority, Status, TicketNumber};

use crate::config::Settings;
use crate::db::Db;
use crate::mail::Mailer;

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 50_000;
pub const TRIAGE_SCOPES: [&str; 4] = ["local", "school", "networked", "unknown"];
pub const FAULT_TYPES: [&str; 3] = ["hardware", "software", "unknown"];

/// What the kernel needs from the running application: the database, the mailer that
/// composes its mails, the settings, the desk's clock and the intake that groups new
/// tickets. `app::App` is the one implementation; tests and jobs pass that.
pub trait Env: Send + Sync {
    fn db(&self) -> &Db;
    fn mailer(&self) -> &Mailer;
    fn settings(&self) -> &Settings;
    fn desk_clock(&self) -> &crate::sla::ClockCache;
    fn intake(&self) -> &Intake;
    fn live(&self) -> &crate::live::Hub;
}

/// Tells the desk's queues, on every instance, that tickets changed (after the commit):
/// their pages read again what they show. The event names no ticket; an agent's queue reads
/// only what that agent may see.
pub fn tell_queues(live: &crate::live::Hub) {
    let changed = crate::live::Event::new("tickets", serde_json::json!({})).relayed(serde_json::json!({}));
    live.publish(crate::live::Topic::Queue, changed);
}

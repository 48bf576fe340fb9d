//! The ladder: every change of a ticket — by the desk, the school or a provider's link —
//! written in one transaction together with what must follow it. The ticket kernel builds
//! and applies the change and says what follows (`tickets::FollowUps`); forwards and
//! reports know how to end provider links and tell a reporting teacher; this module sits
//! above all three and carries the follow-ups out before the transaction commits. Routes
//! call these functions for every ticket action; nothing below calls up into them.
pub mod follow;
pub mod forwarding;
pub mod provider;
pub mod reply;
pub mod tickets;

use crate::app::App;
use crate::auth::Actor;
use crate::db::WriteTxn;
use crate::error::AppResult;
use crate::tickets::TicketNumber;
use entities::ticket;

/// Opens the change's transaction and reads the ticket in it, held against other writers
/// until it commits (SQLite: the write turn; PostgreSQL: the row's lock). A change built on
/// this row and named no version is applied to the ticket as it is now, whatever else
/// changed it a moment ago; only a version the caller names is checked.
async fn begin(app: &App, actor: &Actor, number: TicketNumber) -> AppResult<(WriteTxn, ticket::Model)> {
    let txn = app.db.write().await?;
    let current = crate::tickets::find_for_change(&txn, actor, number.id()).await?;
    Ok((txn, current))
}

/// Applies a change in its transaction (from `begin`) with its follow-ups, and keeps its
/// files.
async fn run(
    app: &App,
    txn: WriteTxn,
    who: crate::tickets::Who<'_>,
    current: ticket::Model,
    expected_version: Option<i32>,
    change: crate::tickets::Change,
) -> AppResult<ticket::Model> {
    let applied = crate::tickets::apply(&txn, who, current, expected_version, change).await?;
    follow::carry_out(&txn, app, &applied).await?;
    txn.commit().await?;
    crate::tickets::tell_queues(&app.live);
    Ok(applied.keep_files())
}

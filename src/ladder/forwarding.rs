//! The desk's side of forwarding: hand a ticket to a provider, take it back, answer the
//! provider.
use crate::app::App;
use crate::attachments::store::Staged;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::forwards::service::{self as forwards, ForwardInput};
use crate::tickets::TicketNumber;
use entities::{forward, ticket};

pub async fn forward(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    input: &ForwardInput,
    version: Option<i32>,
) -> AppResult<forward::Model> {
    let forwarding = forwards::prepare_forward(app, actor, number.id(), input).await?;
    let txn = app.db.write().await?;
    let (fwd, applied) = forwarding.write(&txn, app, actor, version).await?;
    super::follow::carry_out(&txn, app, &applied).await?;
    txn.commit().await?;
    crate::tickets::tell_queues(&app.live);
    applied.keep_files();
    Ok(fwd)
}

pub async fn recall(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    forward_id: i32,
    version: Option<i32>,
) -> AppResult<ticket::Model> {
    let on_forward = forwards::prepare_on_forward(app, actor, number.id(), forward_id).await?;
    let txn = app.db.write().await?;
    let applied = on_forward.recall(&txn, actor, version).await?;
    super::follow::carry_out(&txn, app, &applied).await?;
    txn.commit().await?;
    crate::tickets::tell_queues(&app.live);
    Ok(applied.keep_files())
}

/// The desk answers the provider, with files if any.
pub async fn answer_provider(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    forward_id: i32,
    body: &str,
    files: Staged,
) -> AppResult<ticket::Model> {
    let on_forward = forwards::prepare_on_forward(app, actor, number.id(), forward_id).await?;
    let txn = app.db.write().await?;
    let applied = on_forward.answer(&txn, app, actor, body, files).await?;
    super::follow::carry_out(&txn, app, &applied).await?;
    txn.commit().await?;
    crate::tickets::tell_queues(&app.live);
    Ok(applied.keep_files())
}

//! Provider deadlines: when a forward is still open after the provider's agreed time, each
//! contact is reminded once, with the link they already have, and the agent working the
//! ticket (or the desk) is told — in one transaction with the timeline entry.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::links;
use crate::app::App;
use crate::error::AppResult;
use crate::tickets::mails;
use crate::tickets::reminders::watchers;
use entities::{forward, provider, provider_contact, ticket, ticket_event, EventKind, ForwardStatus};

const BATCH: u64 = 100;

/// Sends the reminders for every forward whose time ran out by `now`; returns how many
/// mails were queued.
pub async fn send_due(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    let mut sent = 0;
    let mut after = 0;
    loop {
        let due = forward::Entity::find()
            .filter(forward::Column::Id.gt(after))
            .filter(forward::Column::Status.eq(ForwardStatus::Active))
            .filter(forward::Column::DueAt.lte(now))
            .filter(forward::Column::RemindedAt.is_null())
            .order_by_asc(forward::Column::Id)
            .limit(BATCH)
            .all(app.db.read())
            .await?;
        let Some(last) = due.last() else { break };
        after = last.id;
        let count = due.len() as u64;
        for fwd in due {
            sent += remind(app, fwd, now).await?;
        }
        if count < BATCH {
            break;
        }
    }
    Ok(sent)
}

async fn remind(app: &App, fwd: forward::Model, now: DateTime<Utc>) -> AppResult<usize> {
    let txn = app.db.write().await?;
    // Claim it: a recall, a solution or another instance in between means no reminder.
    let claimed = forward::Entity::update_many()
        .col_expr(forward::Column::RemindedAt, Expr::value(Some(now)))
        .filter(forward::Column::Id.eq(fwd.id))
        .filter(forward::Column::Status.eq(ForwardStatus::Active))
        .filter(forward::Column::RemindedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Ok(0);
    }
    let Some(t) = ticket::Entity::find_by_id(fwd.ticket_id).one(&txn).await? else {
        return Ok(0);
    };
    let provider_name =
        provider::Entity::find_by_id(fwd.provider_id).one(&txn).await?.map(|p| p.name).unwrap_or_default();
    let due = fwd.due_at.with_timezone(&app.settings.tz()).format("%d.%m.%Y %H:%M").to_string();
    let contacts = provider_contact::Entity::find()
        .filter(provider_contact::Column::ProviderId.eq(fwd.provider_id))
        .order_by_asc(provider_contact::Column::Id)
        .all(&txn)
        .await?;
    let mut sent = 0;
    let letter = links::Letter { kind: "forward_reminder", body: &due, files: &[] };
    for contact in &contacts {
        links::mail_contact(&txn, app, &fwd, &t, contact, &letter).await?;
        sent += 1;
    }
    ticket_event::ActiveModel {
        ticket_id: Set(t.id),
        kind: Set(EventKind::ProviderOverdue),
        actor_id: Set(None),
        actor_label: Set("Staffel".into()),
        body: Set(format!("{provider_name} · {due}")),
        internal: Set(true),
        data: Set(serde_json::json!({ "forward": fwd.id }).to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let agents = watchers(&txn, &t).await?;
    let body = format!("{provider_name} · {due}");
    for agent in &agents {
        let link = mails::desk_link(&app.mailer, &t);
        mails::send(&txn, &app.mailer, agent, &t, EventKind::ProviderOverdue.as_str(), &body, link).await?;
        sent += 1;
    }
    txn.commit().await?;
    Ok(sent)
}

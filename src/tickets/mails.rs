//! The mails of the ladder: to the school admin who opened a ticket, and to the agent
//! working it. All go through the outbox in the caller's transaction and thread per
//! ticket (subject with the ticket number, In-Reply-To the ticket's thread).
use sea_orm::{DatabaseTransaction, EntityTrait};
use serde_json::json;

use super::service::Ctx;
use super::status::number;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::mail::{self, Outgoing};
use entities::{ticket, user};

pub fn thread(ticket: &ticket::Model) -> String {
    format!("ticket-{}", ticket.id)
}

async fn send(
    txn: &DatabaseTransaction,
    ctx: &Ctx<'_>,
    recipient: &user::Model,
    ticket: &ticket::Model,
    kind: &str,
    body: &str,
    link: String,
) -> AppResult<()> {
    if !recipient.active {
        return Ok(());
    }
    let lang = Lang::parse(&recipient.language).unwrap_or_default();
    let thread = thread(ticket);
    mail::enqueue(
        txn,
        ctx.mailer,
        Outgoing {
            to_addr: &recipient.email,
            to_name: &recipient.name,
            lang,
            template: "ticket",
            context: &json!({
                "kind": kind,
                "number": number(ticket.id),
                "title": ticket.title,
                "body": body,
                "status": ticket.status,
                "link": link,
            }),
            thread: Some(&thread),
        },
    )
    .await?;
    Ok(())
}

/// To the school admin who opened the ticket.
pub async fn to_school(
    txn: &DatabaseTransaction,
    ctx: &Ctx<'_>,
    ticket: &ticket::Model,
    kind: &str,
    body: &str,
) -> AppResult<()> {
    if let Some(opener) = user::Entity::find_by_id(ticket.created_by).one(txn).await? {
        let link = ctx.mailer.link(&format!("/helpdesk/tickets/{}", number(ticket.id)));
        send(txn, ctx, &opener, ticket, kind, body, link).await?;
    }
    Ok(())
}

/// To the agent working the ticket, if it has one.
pub async fn to_assignee(
    txn: &DatabaseTransaction,
    ctx: &Ctx<'_>,
    ticket: &ticket::Model,
    body: &str,
) -> AppResult<()> {
    let Some(assignee) = ticket.assignee_id else { return Ok(()) };
    if let Some(agent) = user::Entity::find_by_id(assignee).one(txn).await? {
        let link = ctx.mailer.link(&format!("/desk/tickets/{}", number(ticket.id)));
        send(txn, ctx, &agent, ticket, "ticket_school_update", body, link).await?;
    }
    Ok(())
}

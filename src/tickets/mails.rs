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

pub(crate) async fn send(
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

/// To the desk about news on a ticket: a school's news to the agent working it; a
/// provider's to that agent or, while nobody has taken the ticket, to the desk (leads).
pub async fn to_desk(
    txn: &DatabaseTransaction,
    ctx: &Ctx<'_>,
    ticket: &ticket::Model,
    from_provider: bool,
    body: &str,
) -> AppResult<()> {
    let (kind, agents) = if from_provider {
        ("ticket_provider_update", super::reminders::watchers(txn, ticket).await?)
    } else {
        let assignee = match ticket.assignee_id {
            Some(id) => user::Entity::find_by_id(id).one(txn).await?,
            None => None,
        };
        ("ticket_school_update", assignee.into_iter().collect())
    };
    let link = ctx.mailer.link(&format!("/desk/tickets/{}", number(ticket.id)));
    for agent in &agents {
        send(txn, ctx, agent, ticket, kind, body, link.clone()).await?;
    }
    Ok(())
}

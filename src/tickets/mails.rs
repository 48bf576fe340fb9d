//! The mails of the ladder: to the school admin who opened a ticket, and to the agent
//! working it. All go through the outbox in the caller's transaction and thread per
//! ticket (subject with the ticket number, In-Reply-To the ticket's thread).
use sea_orm::{ActiveModelTrait, EntityTrait};
use serde_json::json;

use super::change::DeskNews;
use super::status::number;
use crate::auth::Actor;
use crate::db::WriteTxn;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::mail::{self, Mailer, Outgoing};
use entities::{mail_outbox, ticket, user};

pub fn thread(ticket: &ticket::Model) -> String {
    format!("ticket-{}", ticket.id)
}

pub async fn send(
    txn: &WriteTxn,
    mailer: &Mailer,
    recipient: &user::Model,
    ticket: &ticket::Model,
    kind: &str,
    body: &str,
    link: String,
) -> AppResult<()> {
    if !recipient.active {
        return Ok(());
    }
    let to = Recipient { email: &recipient.email, name: &recipient.name, language: &recipient.language };
    compose_to(mailer, to, ticket, kind, body, link)?.insert(txn).await?;
    Ok(())
}

/// Where a mail goes and in which language.
struct Recipient<'a> {
    email: &'a str,
    name: &'a str,
    language: &'a str,
}

fn compose_to(
    mailer: &Mailer,
    to: Recipient<'_>,
    ticket: &ticket::Model,
    kind: &str,
    body: &str,
    link: String,
) -> AppResult<mail_outbox::ActiveModel> {
    let lang = Lang::parse(to.language).unwrap_or_default();
    let thread = thread(ticket);
    mail::compose(
        mailer,
        Outgoing {
            to_addr: to.email,
            to_name: to.name,
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
}

fn school_link(mailer: &Mailer, ticket: &ticket::Model) -> String {
    mailer.link(&format!("/helpdesk/tickets/{}", number(ticket.id)))
}

/// To the school admin opening the ticket right now: the request's actor is that person
/// (signed in, so active), and needs no second look-up. Composed, not written: new tickets
/// write their mails together (see `opening`).
pub fn compose_for_opener(
    mailer: &Mailer,
    opener: &Actor,
    ticket: &ticket::Model,
    kind: &str,
) -> AppResult<mail_outbox::ActiveModel> {
    let to = Recipient { email: &opener.email, name: &opener.name, language: &opener.language };
    compose_to(mailer, to, ticket, kind, "", school_link(mailer, ticket))
}

/// To the school admin who opened the ticket.
pub async fn to_school(
    txn: &WriteTxn,
    mailer: &Mailer,
    ticket: &ticket::Model,
    kind: &str,
    body: &str,
) -> AppResult<()> {
    if let Some(opener) = user::Entity::find_by_id(ticket.created_by).one(txn).await? {
        send(txn, mailer, &opener, ticket, kind, body, school_link(mailer, ticket)).await?;
    }
    Ok(())
}

/// To the desk about news on a ticket from the school or a provider: to the agent working
/// it or, while nobody has taken it (or its agent left), to the desk's leads.
pub async fn to_desk(
    txn: &WriteTxn,
    mailer: &Mailer,
    ticket: &ticket::Model,
    news: DeskNews,
    body: &str,
) -> AppResult<()> {
    let kind = match news {
        DeskNews::FromProvider => "ticket_provider_update",
        DeskNews::FromSchool => "ticket_school_update",
    };
    // Both go to whoever watches the ticket: a school's answer to a ticket nobody has taken
    // reaches the desk's leads rather than nobody.
    let agents = super::reminders::watchers(txn, ticket).await?;
    let link = desk_link(mailer, ticket);
    for agent in &agents {
        send(txn, mailer, agent, ticket, kind, body, link.clone()).await?;
    }
    Ok(())
}

/// The ticket's page at the desk, for mails to agents.
pub fn desk_link(mailer: &Mailer, ticket: &ticket::Model) -> String {
    mailer.link(&format!("/desk/tickets/{}", number(ticket.id)))
}

//! How a chat ends beyond closing: turned into a ticket of the chat's school (with the
//! channel's service, the transcript on the timeline and as a PDF, the chat's files carried
//! over), or attached to an existing ticket of that school; and its transcript, mailed
//! through the outbox or downloaded.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::lifecycle::{end, ended};
use super::transcript::{self, Transcript};
use super::{find, Participation};
use crate::app::App;
use crate::attachments::store::{self, Checked, Staged};
use crate::auth::Actor;
use crate::db::WriteTxn;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::mail::{self, Outgoing};
use crate::tickets::{self, Change, NewTicket, TicketNumber, Who};
use entities::{attachment, chat, chat_channel, service, ticket, ChatKind, EventKind};

/// The chat as the desk may end it: a school's request, not yet on a ticket.
async fn endable(app: &App, actor: &Actor, id: i32) -> AppResult<chat::Model> {
    if !actor.role.is_desk() {
        return Err(AppError::Forbidden);
    }
    let (current, participation) = find(app.db.read(), actor, id).await?;
    if current.kind != ChatKind::Request || current.school_id.is_none() {
        return Err(AppError::conflict("chat.no_ticket_for_direct"));
    }
    if participation != Participation::Active {
        return Err(AppError::Forbidden);
    }
    if current.ticket_id.is_some() {
        return Err(AppError::conflict("chat.already_on_ticket"));
    }
    Ok(current)
}

/// The transcript as the PDF file a ticket keeps, staged on disk.
async fn staged_pdf(app: &App, c: &chat::Model, shown: &Transcript) -> AppResult<Staged> {
    let bytes = shown.pdf(Lang::De)?;
    let file = Checked { filename: format!("chat-{}.pdf", c.id), content_type: "application/pdf", bytes };
    store::stage(&app.settings, vec![file]).await
}

/// The transcript's timeline entry on a ticket, with its PDF, and the chat's own files
/// carried over to the ticket.
async fn onto_ticket(
    txn: &WriteTxn,
    actor: &Actor,
    c: &chat::Model,
    current: ticket::Model,
    shown: &Transcript,
    pdf: Staged,
) -> AppResult<tickets::Applied> {
    let mut change = Change::new(EventKind::ChatTranscript).with_files(pdf);
    change.body = shown.text(Lang::De);
    change.data = json!({ "chat": c.id });
    let applied = tickets::apply(txn, Who::User(actor), current, None, change).await?;
    attachment::Entity::update_many()
        .col_expr(attachment::Column::TicketId, Expr::value(Some(applied.ticket.id)))
        .filter(attachment::Column::ChatId.eq(c.id))
        .exec(txn)
        .await?;
    Ok(applied)
}

/// Turns the chat into a ticket of its school, opened in the requester's name (the ticket
/// is theirs, as if they had written it on the tile), and ends the chat.
pub async fn to_ticket(app: &App, actor: &Actor, id: i32) -> AppResult<ticket::Model> {
    let current = endable(app, actor, id).await?;
    let requester = crate::auth::session::load_actor(&app.db, current.requester_id)
        .await?
        .ok_or_else(|| AppError::conflict("chat.requester_gone"))?;
    let shown = transcript::load(app.db.read(), &current, app.settings.tz()).await?;
    let service = match current.channel_id {
        Some(channel) => {
            match chat_channel::Entity::find_by_id(channel).one(app.db.read()).await?.and_then(|c| c.service_id) {
                Some(service_id) => service::Entity::find_by_id(service_id).one(app.db.read()).await?.map(|s| s.slug),
                None => None,
            }
        }
        None => None,
    };
    let first = shown.lines.first().map(|m| m.body.clone()).unwrap_or_default();
    let title: String = first.split('\n').next().unwrap_or("").chars().take(120).collect();
    let input = NewTicket {
        title: if title.trim().is_empty() { format!("Chat #{}", current.id) } else { title },
        description: first,
        service: service.unwrap_or_default(),
        ..Default::default()
    };
    let checked = tickets::opening::check_new(app, &requester, &input, Staged::none()).await?;
    let pdf = staged_pdf(app, &current, &shown).await?;
    let txn = app.db.write().await?;
    let created = tickets::opening::insert(&txn, app, &requester, &checked, None).await?;
    let applied = onto_ticket(&txn, actor, &current, created, &shown, pdf).await?;
    let line = end(&txn, actor, &current, Some(applied.ticket.id)).await?;
    txn.commit().await?;
    let ticket = applied.keep_files();
    tickets::tell_queues(&app.live);
    ended(app, &current, line).await?;
    Ok(ticket)
}

/// Attaches the chat to an existing ticket of its school and ends the chat.
pub async fn attach(app: &App, actor: &Actor, id: i32, number: &str) -> AppResult<ticket::Model> {
    let current = endable(app, actor, id).await?;
    let number = TicketNumber::parse(number).ok_or_else(|| AppError::invalid("ticket", "chat.unknown_ticket"))?;
    let target = tickets::find(app.db.read(), actor, number.id())
        .await
        .ok()
        .filter(|t| Some(t.school_id) == current.school_id)
        .ok_or_else(|| AppError::invalid("ticket", "chat.unknown_ticket"))?;
    if target.status == tickets::Status::Closed {
        return Err(AppError::invalid("ticket", "tickets.closed_no_comment"));
    }
    let shown = transcript::load(app.db.read(), &current, app.settings.tz()).await?;
    let pdf = staged_pdf(app, &current, &shown).await?;
    let txn = app.db.write().await?;
    let applied = onto_ticket(&txn, actor, &current, target, &shown, pdf).await?;
    let line = end(&txn, actor, &current, Some(applied.ticket.id)).await?;
    txn.commit().await?;
    let ticket = applied.keep_files();
    tickets::tell_queues(&app.live);
    ended(app, &current, line).await?;
    Ok(ticket)
}

/// The transcript for someone who may read the chat.
pub async fn for_reader(app: &App, actor: &Actor, id: i32) -> AppResult<Transcript> {
    let (current, _) = find(app.db.read(), actor, id).await?;
    transcript::load(app.db.read(), &current, app.settings.tz()).await
}

/// Mails the transcript to whoever asks for it, through the outbox.
pub async fn mail_transcript(app: &App, actor: &Actor, id: i32) -> AppResult<()> {
    let shown = for_reader(app, actor, id).await?;
    let lang = Lang::parse(&actor.language).unwrap_or_default();
    let txn = app.db.write().await?;
    mail::enqueue(
        &txn,
        &app.mailer,
        Outgoing {
            to_addr: &actor.email,
            to_name: &actor.name,
            lang,
            template: "chat_transcript",
            context: &json!({ "title": shown.title, "lines": shown.text_lines(lang), "at": Utc::now() }),
            thread: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

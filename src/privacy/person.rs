//! A person's data rights (SPEC §9): everything Staffel holds about someone with an
//! account, as one JSON document, and the deletion of their account.
//!
//! Deleting keeps the school's history intact. A ticket or report belongs to the school as
//! much as to the person who wrote it, and the other people on it (the desk, the other
//! admins, the provider) acted on what was written: removing the entries would leave a
//! timeline with holes and statistics that no longer add up. So the entries stay and
//! everything that names the person goes: their name and address on timeline entries,
//! chat lines, files, FAQ revisions and audit entries become "gelöschte Person", their
//! account row is emptied (no name, no address, no password, marked `deleted_at`) and stays
//! only as the placeholder that the school's reports and tickets point to; their sessions,
//! API tokens, password resets, votes, chat presence, saved queue filters and mail waiting
//! for them end. The desk's canned responses they changed last stay, without their name. What
//! they wrote stays until retention anonymises it with the rest of the ticket.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{json, Value};

use super::DELETED_PERSON;
use crate::audit::{self, views, By, Target};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::tickets::number;
use entities::{
    api_token, attachment, audit_event, canned_response, chat, chat_member, chat_message, chat_participant,
    chat_presence, chat_presence_session, chat_unanswered, kb_revision, kb_vote, login_attempt, mail_outbox,
    password_reset, report, saved_filter, school, session, ticket, ticket_event, ticket_read, user,
};

/// The account of an address (any case); deleted placeholders are nobody's.
pub async fn find(db: &Db, email: &str) -> AppResult<user::Model> {
    crate::accounts::service::find_by_email(db.read(), email)
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or(AppError::NotFound)
}

/// The account of an id, for the admin pages.
pub async fn find_by_id(db: &Db, id: i32) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .filter(user::Column::DeletedAt.is_null())
        .one(db.read())
        .await?
        .ok_or(AppError::NotFound)
}

fn when(at: chrono::DateTime<Utc>) -> Value {
    json!(at)
}

/// Everything Staffel holds about the person with this account, as JSON. Views still in
/// memory (`log`) are written first, so the document is complete up to now.
pub async fn export(db: &Db, log: Option<&views::ViewLog>, by: By<'_>, person: &user::Model) -> AppResult<Value> {
    by.require_operator()?;
    if let Some(log) = log {
        if let Err(e) = views::flush(db, log).await {
            tracing::warn!(error = %e.chain(), "writing the view log before an export failed");
        }
    }
    let c = db.read();
    let id = person.id;
    let school = match person.school_id {
        Some(sid) => school::Entity::find_by_id(sid).one(c).await?.map(|s| json!({ "slug": s.slug, "name": s.name })),
        None => None,
    };
    let reports =
        report::Entity::find().filter(report::Column::TeacherId.eq(id)).order_by_asc(report::Column::Id).all(c).await?;
    let tickets =
        ticket::Entity::find().filter(ticket::Column::CreatedBy.eq(id)).order_by_asc(ticket::Column::Id).all(c).await?;
    let events = ticket_event::Entity::find()
        .filter(ticket_event::Column::ActorId.eq(id))
        .order_by_asc(ticket_event::Column::Id)
        .all(c)
        .await?;
    let participant_chats: Vec<i32> = chat_participant::Entity::find()
        .filter(chat_participant::Column::UserId.eq(id))
        .all(c)
        .await?
        .into_iter()
        .map(|p| p.chat_id)
        .collect();
    let chats = chat::Entity::find()
        .filter(
            Condition::any()
                .add(chat::Column::RequesterId.eq(id))
                .add(chat::Column::AcceptedBy.eq(id))
                .add(chat::Column::Id.is_in(participant_chats)),
        )
        .order_by_asc(chat::Column::Id)
        .all(c)
        .await?;
    let messages = chat_message::Entity::find()
        .filter(chat_message::Column::AuthorId.eq(id))
        .order_by_asc(chat_message::Column::Id)
        .all(c)
        .await?;
    let votes = kb_vote::Entity::find().filter(kb_vote::Column::Voter.eq(format!("user:{id}"))).all(c).await?;
    let tokens = api_token::Entity::find().filter(api_token::Column::UserId.eq(id)).all(c).await?;
    let files = attachment::Entity::find().filter(attachment::Column::UploadedBy.eq(id)).all(c).await?;
    let revisions = kb_revision::Entity::find().filter(kb_revision::Column::AuthorId.eq(id)).all(c).await?;
    let sessions = session::Entity::find().filter(session::Column::UserId.eq(id)).all(c).await?;
    let by_them = audit_event::Entity::find()
        .filter(audit_event::Column::ActorId.eq(id))
        .filter(audit_event::Column::Action.ne(views::VIEWED))
        .order_by_asc(audit_event::Column::Id)
        .all(c)
        .await?;
    let about_them = audit_event::Entity::find()
        .filter(audit_event::Column::TargetType.eq("user"))
        .filter(audit_event::Column::TargetId.eq(id))
        .order_by_asc(audit_event::Column::Id)
        .all(c)
        .await?;
    let viewed = audit_event::Entity::find()
        .filter(audit_event::Column::ActorId.eq(id))
        .filter(audit_event::Column::Action.eq(views::VIEWED))
        .order_by_asc(audit_event::Column::Id)
        .all(c)
        .await?;
    let filters = saved_filter::Entity::find()
        .filter(saved_filter::Column::UserId.eq(id))
        .order_by_asc(saved_filter::Column::Id)
        .all(c)
        .await?;
    let canned = canned_response::Entity::find()
        .filter(canned_response::Column::UpdatedBy.eq(id))
        .order_by_asc(canned_response::Column::Id)
        .all(c)
        .await?;
    let mails = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddr.eq(person.email.clone()))
        .order_by_asc(mail_outbox::Column::Id)
        .all(c)
        .await?;
    let audit_json = |e: &audit_event::Model| {
        json!({
            "at": when(e.created_at), "by": e.actor_label, "action": e.action,
            "target": e.target_type, "target_id": e.target_id,
            "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or(Value::Null),
        })
    };
    Ok(json!({
        "exported_at": when(Utc::now()),
        "account": {
            "id": person.id, "email": person.email, "name": person.name, "role": person.role,
            "school": school, "language": person.language, "active": person.active,
            "created_at": when(person.created_at), "updated_at": when(person.updated_at),
        },
        "sessions": sessions.iter().map(|s| json!({ "created_at": when(s.created_at), "expires_at": when(s.expires_at) })).collect::<Vec<_>>(),
        "api_tokens": tokens.iter().map(|t| json!({
            "id": t.id, "name": t.name, "created_at": when(t.created_at), "last_used_at": t.last_used_at,
        })).collect::<Vec<_>>(),
        "reports": reports.iter().map(|r| json!({
            "id": r.id, "status": r.status, "affected": r.affected, "since": r.since, "how_many": r.how_many,
            "description": r.description, "answer": r.answer, "ticket": r.ticket_id.map(number),
            "created_at": when(r.created_at), "updated_at": when(r.updated_at), "anonymised_at": r.anonymised_at,
        })).collect::<Vec<_>>(),
        "tickets": tickets.iter().map(|t| json!({
            "number": number(t.id), "title": t.title, "description": t.description, "status": t.status,
            "priority": t.priority, "solution": t.solution, "created_at": when(t.created_at),
            "closed_at": t.closed_at, "anonymised_at": t.anonymised_at,
        })).collect::<Vec<_>>(),
        "ticket_events": events.iter().map(|e| json!({
            "ticket": number(e.ticket_id), "kind": e.kind, "body": e.body, "internal": e.internal,
            "created_at": when(e.created_at),
        })).collect::<Vec<_>>(),
        "files": files.iter().map(|f| json!({
            "id": f.id, "filename": f.filename, "content_type": f.content_type, "size": f.size,
            "ticket": f.ticket_id.map(number), "report": f.report_id, "chat": f.chat_id,
            "created_at": when(f.created_at),
        })).collect::<Vec<_>>(),
        "chats": chats.iter().map(|ch| json!({
            "id": ch.id, "kind": ch.kind, "status": ch.status, "requester": ch.requester_id == id,
            "ticket": ch.ticket_id.map(number), "created_at": when(ch.created_at), "closed_at": ch.closed_at,
        })).collect::<Vec<_>>(),
        "chat_messages": messages.iter().map(|m| json!({
            "chat": m.chat_id, "seq": m.seq, "kind": m.kind, "body": m.body, "created_at": when(m.created_at),
        })).collect::<Vec<_>>(),
        "kb_votes": votes.iter().map(|v| json!({
            "article": v.article_id, "helpful": v.helpful, "created_at": when(v.created_at),
        })).collect::<Vec<_>>(),
        "kb_revisions": revisions.iter().map(|r| json!({
            "article": r.article_id, "version": r.version, "title": r.title, "created_at": when(r.created_at),
        })).collect::<Vec<_>>(),
        "saved_filters": filters.iter().map(|f| json!({
            "name": f.name, "query": f.query, "created_at": when(f.created_at),
        })).collect::<Vec<_>>(),
        "canned_responses_changed_last": canned.iter().map(|r| json!({
            "trigger": r.trigger, "title": r.title, "updated_at": when(r.updated_at),
        })).collect::<Vec<_>>(),
        "mails": mails.iter().map(|m| json!({
            "subject": m.subject, "status": m.status, "created_at": when(m.created_at), "sent_at": m.sent_at,
        })).collect::<Vec<_>>(),
        "audit_by_them": by_them.iter().map(audit_json).collect::<Vec<_>>(),
        "audit_about_them": about_them.iter().map(audit_json).collect::<Vec<_>>(),
        "viewed": viewed.iter().map(|e| {
            let entry = super::view_log::entry(e.clone());
            json!({ "at": when(entry.at), "kind": entry.kind, "what": entry.what, "via": entry.via, "attachment": entry.attachment })
        }).collect::<Vec<_>>(),
    }))
}

/// Deletes the person's account and what names them (see the module's comment), in one
/// transaction with its audit entry. An operator cannot delete themselves.
pub async fn delete(db: &Db, by: By<'_>, person: &user::Model) -> AppResult<()> {
    by.require_operator()?;
    if let By::User(actor) = by {
        if actor.id == person.id {
            return Err(AppError::conflict("validation.cannot_delete_self"));
        }
    }
    let id = person.id;
    let txn = db.write().await?;
    // Read again inside the transaction: deleted meanwhile is not found.
    let Some(current) = user::Entity::find_by_id(id).one(&txn).await? else { return Err(AppError::NotFound) };
    if current.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    let email = current.email.clone();
    ticket_event::Entity::update_many()
        .col_expr(ticket_event::Column::ActorLabel, Expr::value(DELETED_PERSON))
        .col_expr(ticket_event::Column::ActorId, Expr::value(Option::<i32>::None))
        .filter(ticket_event::Column::ActorId.eq(id))
        .exec(&txn)
        .await?;
    chat_message::Entity::update_many()
        .col_expr(chat_message::Column::AuthorLabel, Expr::value(DELETED_PERSON))
        .col_expr(chat_message::Column::AuthorId, Expr::value(Option::<i32>::None))
        .filter(chat_message::Column::AuthorId.eq(id))
        .exec(&txn)
        .await?;
    attachment::Entity::update_many()
        .col_expr(attachment::Column::UploaderLabel, Expr::value(DELETED_PERSON))
        .col_expr(attachment::Column::UploadedBy, Expr::value(Option::<i32>::None))
        .filter(attachment::Column::UploadedBy.eq(id))
        .exec(&txn)
        .await?;
    kb_revision::Entity::update_many()
        .col_expr(kb_revision::Column::AuthorLabel, Expr::value(DELETED_PERSON))
        .col_expr(kb_revision::Column::AuthorId, Expr::value(Option::<i32>::None))
        .filter(kb_revision::Column::AuthorId.eq(id))
        .exec(&txn)
        .await?;
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::ActorLabel, Expr::value(DELETED_PERSON))
        .col_expr(audit_event::Column::ActorId, Expr::value(Option::<i32>::None))
        .filter(audit_event::Column::ActorId.eq(id))
        .exec(&txn)
        .await?;
    // The desk's canned responses stay (the desk uses them); who changed one last does not.
    canned_response::Entity::update_many()
        .col_expr(canned_response::Column::UpdatedByLabel, Expr::value(DELETED_PERSON))
        .col_expr(canned_response::Column::UpdatedBy, Expr::value(Option::<i32>::None))
        .filter(canned_response::Column::UpdatedBy.eq(id))
        .exec(&txn)
        .await?;
    // Entries about the account (created, edited, …) named its address in their detail.
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::Detail, Expr::value("{}"))
        .filter(audit_event::Column::TargetType.eq("user"))
        .filter(audit_event::Column::TargetId.eq(id))
        .exec(&txn)
        .await?;
    session::Entity::delete_many().filter(session::Column::UserId.eq(id)).exec(&txn).await?;
    api_token::Entity::delete_many().filter(api_token::Column::UserId.eq(id)).exec(&txn).await?;
    password_reset::Entity::delete_many().filter(password_reset::Column::UserId.eq(id)).exec(&txn).await?;
    kb_vote::Entity::delete_many().filter(kb_vote::Column::Voter.eq(format!("user:{id}"))).exec(&txn).await?;
    ticket_read::Entity::delete_many().filter(ticket_read::Column::UserId.eq(id)).exec(&txn).await?;
    chat_presence::Entity::delete_many().filter(chat_presence::Column::UserId.eq(id)).exec(&txn).await?;
    chat_presence_session::Entity::delete_many()
        .filter(chat_presence_session::Column::UserId.eq(id))
        .exec(&txn)
        .await?;
    chat_member::Entity::delete_many().filter(chat_member::Column::UserId.eq(id)).exec(&txn).await?;
    chat_unanswered::Entity::delete_many().filter(chat_unanswered::Column::UserId.eq(id)).exec(&txn).await?;
    saved_filter::Entity::delete_many().filter(saved_filter::Column::UserId.eq(id)).exec(&txn).await?;
    mail_outbox::Entity::delete_many().filter(mail_outbox::Column::ToAddr.eq(email.clone())).exec(&txn).await?;
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::Key.eq(format!("account:{email}")))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    let mut active: user::ActiveModel = current.into();
    active.email = Set(format!("deleted-{id}@deleted.invalid"));
    active.name = Set(DELETED_PERSON.to_string());
    // No argon2 hash: nothing verifies against it.
    active.password_hash = Set("!".to_string());
    active.active = Set(false);
    active.updated_at = Set(now);
    active.deleted_at = Set(Some(now));
    active.update(&txn).await?;
    audit::record(&txn, by, "user.delete", Target::new("user", id).in_school(person.school_id), json!({})).await?;
    txn.commit().await?;
    Ok(())
}

//! A solved problem becomes an FAQ draft in one step: the desk drafts a global article from
//! a ticket's solution, a school admin a school-local one from a report's answer (or the
//! solution of the ticket it was escalated to). The draft is only a start: the author edits
//! it (personal data out, the steps in the reader's words) before it goes live.
//!
//! Each draft remembers its solution (`kb_draft_sources`): asked again for the same one (a
//! double-click, a second tab, a colleague), the draft that exists is the answer, whether
//! still a draft or published by now. Two requests at once are decided by the table's
//! unique indexes: the second one's transaction fails and it leads to the first one's draft.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::authoring::{self, ArticleInput};
use crate::auth::{Actor, Role};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::search::Engine;
use entities::{kb_article, kb_draft_source, service};

/// The draft for a solution, and whether this request made it.
pub struct Drafted {
    pub article: kb_article::Model,
    pub created: bool,
}

/// The solution a draft is made from.
#[derive(Clone, Copy)]
enum Source {
    Ticket(i32),
    Report(i32),
}

async fn service_slug(db: &DatabaseConnection, id: Option<i32>) -> AppResult<String> {
    Ok(match id {
        Some(id) => service::Entity::find_by_id(id).one(db).await?.map(|s| s.slug).unwrap_or_default(),
        None => String::new(),
    })
}

fn body(problem: &str, solution: &str) -> String {
    format!("## Problem\n\n{}\n\n## Lösung\n\n{}\n", problem.trim(), solution.trim())
}

/// The draft already made from this solution in this scope ("global" or "school").
async fn existing(db: &DatabaseConnection, source: Source, scope: &str) -> AppResult<Option<kb_article::Model>> {
    let of_source = match source {
        Source::Ticket(id) => kb_draft_source::Column::TicketId.eq(id),
        Source::Report(id) => kb_draft_source::Column::ReportId.eq(id),
    };
    let link = kb_draft_source::Entity::find()
        .filter(of_source)
        .filter(kb_draft_source::Column::Scope.eq(scope))
        .one(db)
        .await?;
    Ok(match link {
        Some(link) => kb_article::Entity::find_by_id(link.article_id).one(db).await?,
        None => None,
    })
}

/// Makes the draft and its link to the solution in one transaction.
async fn make(db: &Db, engine: &Engine, actor: &Actor, source: Source, input: &ArticleInput) -> AppResult<Drafted> {
    let prepared = authoring::prepare(db.read(), actor, input).await?;
    let made = async {
        let txn = db.write().await?;
        let article = authoring::insert(&txn, actor, prepared).await?;
        let (ticket_id, report_id) = match source {
            Source::Ticket(id) => (Some(id), None),
            Source::Report(id) => (None, Some(id)),
        };
        kb_draft_source::ActiveModel {
            article_id: Set(article.id),
            ticket_id: Set(ticket_id),
            report_id: Set(report_id),
            scope: Set(input.scope.clone()),
            created_by: Set(Some(actor.id)),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok::<_, AppError>(article)
    }
    .await;
    match made {
        Ok(article) => {
            authoring::reindex(db.read(), engine, &article).await?;
            Ok(Drafted { article, created: true })
        }
        // Another request for the same solution committed first (the unique index or the
        // slug refused this one): its draft is the answer to both.
        Err(e) => match existing(db.read(), source, &input.scope).await? {
            Some(article) => Ok(Drafted { article, created: false }),
            None => Err(e),
        },
    }
}

/// A draft from a ticket's solution. The desk drafts for every school; a school admin may
/// draft from their own school's ticket, for their school.
pub async fn from_ticket(db: &Db, engine: &Engine, actor: &Actor, ticket_id: i32) -> AppResult<Drafted> {
    let ticket = crate::tickets::find(db.read(), actor, ticket_id).await?;
    let source = Source::Ticket(ticket.id);
    if let Some(article) = existing(db.read(), source, scope(actor)).await? {
        return Ok(Drafted { article, created: false });
    }
    let Some(solution) = ticket.solution.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Err(AppError::conflict("kb.draft_needs_solution"));
    };
    let input = ArticleInput {
        title: ticket.title.clone(),
        body: body(&ticket.description, solution),
        audience: audience(),
        service: service_slug(db.read(), ticket.service_id).await?,
        tags: String::new(),
        scope: scope(actor).into(),
        status: "draft".into(),
        version: None,
    };
    make(db, engine, actor, source, &input).await
}

/// A draft from a teacher's report that the school admin answered, or whose ticket the desk
/// solved.
pub async fn from_report(db: &Db, engine: &Engine, actor: &Actor, report_id: i32) -> AppResult<Drafted> {
    if actor.role != Role::SchoolAdmin {
        return Err(AppError::NotFound);
    }
    let report = crate::reports::service::find(db.read(), actor, report_id).await?;
    let source = Source::Report(report.id);
    if let Some(article) = existing(db.read(), source, "school").await? {
        return Ok(Drafted { article, created: false });
    }
    let ticket_solution = match report.ticket_id {
        Some(id) => entities::ticket::Entity::find_by_id(id).one(db.read()).await?.and_then(|t| t.solution),
        None => None,
    };
    let Some(solution) = report.answer.clone().or(ticket_solution).filter(|s| !s.trim().is_empty()) else {
        return Err(AppError::conflict("kb.draft_needs_solution"));
    };
    let input = ArticleInput {
        title: report.affected.clone(),
        body: body(&report.description, &solution),
        audience: audience(),
        service: service_slug(db.read(), report.service_id).await?,
        tags: String::new(),
        scope: "school".into(),
        status: "draft".into(),
        version: None,
    };
    make(db, engine, actor, source, &input).await
}

fn scope(actor: &Actor) -> &'static str {
    if actor.role.is_desk() {
        "global"
    } else {
        "school"
    }
}

/// Whom a solved problem helps first: the teachers who meet it, and the admins who fix it.
fn audience() -> Vec<String> {
    vec!["teacher".into(), "school_admin".into()]
}

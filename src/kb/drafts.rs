//! A solved problem becomes an FAQ draft in one step: the desk drafts a global article from
//! a ticket's solution, a school admin a school-local one from a report's answer (or the
//! solution of the ticket it was escalated to). The draft is only a start: the author edits
//! it (personal data out, the steps in the reader's words) before it goes live.
use sea_orm::{DatabaseConnection, EntityTrait};

use super::authoring::{self, ArticleInput};
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::search::Engine;
use entities::{kb_article, service};

async fn service_slug(db: &DatabaseConnection, id: Option<i32>) -> AppResult<String> {
    Ok(match id {
        Some(id) => service::Entity::find_by_id(id).one(db).await?.map(|s| s.slug).unwrap_or_default(),
        None => String::new(),
    })
}

fn body(problem: &str, solution: &str) -> String {
    format!("## Problem\n\n{}\n\n## Lösung\n\n{}\n", problem.trim(), solution.trim())
}

/// A draft from a ticket's solution. The desk drafts for every school; a school admin may
/// draft from their own school's ticket, for their school.
pub async fn from_ticket(
    db: &DatabaseConnection,
    engine: &Engine,
    actor: &Actor,
    ticket_id: i32,
) -> AppResult<kb_article::Model> {
    let ticket = crate::tickets::service::find(db, actor, ticket_id).await?;
    let Some(solution) = ticket.solution.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Err(AppError::conflict("kb.draft_needs_solution"));
    };
    let input = ArticleInput {
        title: ticket.title.clone(),
        body: body(&ticket.description, solution),
        audience: audience(),
        service: service_slug(db, ticket.service_id).await?,
        tags: String::new(),
        scope: scope(actor).into(),
        status: "draft".into(),
        version: None,
    };
    authoring::create(db, engine, actor, &input).await
}

/// A draft from a teacher's report that the school admin answered, or whose ticket the desk
/// solved.
pub async fn from_report(
    db: &DatabaseConnection,
    engine: &Engine,
    actor: &Actor,
    report_id: i32,
) -> AppResult<kb_article::Model> {
    if actor.role != Role::SchoolAdmin {
        return Err(AppError::NotFound);
    }
    let report = crate::reports::service::find(db, actor, report_id).await?;
    let ticket_solution = match report.ticket_id {
        Some(id) => entities::ticket::Entity::find_by_id(id).one(db).await?.and_then(|t| t.solution),
        None => None,
    };
    let Some(solution) = report.answer.clone().or(ticket_solution).filter(|s| !s.trim().is_empty()) else {
        return Err(AppError::conflict("kb.draft_needs_solution"));
    };
    let input = ArticleInput {
        title: report.affected.clone(),
        body: body(&report.description, &solution),
        audience: audience(),
        service: service_slug(db, report.service_id).await?,
        tags: String::new(),
        scope: "school".into(),
        status: "draft".into(),
        version: None,
    };
    authoring::create(db, engine, actor, &input).await
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

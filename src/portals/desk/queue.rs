//! The desk's queues: named views over all schools' tickets with counts and filters, and
//! the stamp the page polls to refresh itself when tickets change.
use rocket::serde::json::Json;
use rocket::{get, Route};
use serde_json::json;

use crate::app::{Agent, App};
use crate::auth::Role;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::tickets::{queue, Priority, Status};
use crate::web::page::Page;
use crate::web::params::QueueQuery;

#[get("/desk?<query..>")]
async fn queues(agent: Agent, app: &App, query: QueueQuery, lang: Lang) -> AppResult<Page> {
    let db = app.db.read();
    let filter = query.filter("open");
    // The stamp first: counts read after it are at least as new as what it names.
    let stamp = queue::stamp(db, &agent.0).await?;
    let base = Page::new("tickets/desk_queue.html")
        .with("queue", &filter.queue)
        .with(
            "filter",
            json!({ "school": filter.school, "service": filter.service, "priority": filter.priority, "status": filter.status }),
        )
        .with("counts", queue::counts(db, &agent.0, &stamp, &app.overdue).await?)
        .with("schools", crate::schools::service::list(db, crate::audit::By::User(&agent.0), false).await?)
        .with("services", crate::catalogue::services::list(db, false).await?)
        .with("priorities", Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>())
        .with("statuses", Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        .with("is_lead", agent.0.role == Role::DeskLead)
        .with("stamp", stamp);
    match queue::page(db, &agent.0, &filter).await {
        Ok(page) => Ok(base.with("page", page)),
        Err(e @ AppError::Invalid { .. }) => {
            Ok(base.with("page", json!({ "items": [], "next": null })).with_error(&e, lang))
        }
        Err(e) => Err(e),
    }
}

/// What the queue page polls to know when to refresh itself.
#[get("/desk/changes")]
async fn changes(agent: Agent, app: &App) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(json!({ "stamp": queue::stamp(app.db.read(), &agent.0).await? })))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![queues, changes]
}

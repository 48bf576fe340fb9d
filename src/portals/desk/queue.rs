//! The desk's queues: named views over all schools' tickets with counts and filters, and
//! the feed that tells the page when tickets changed (on any instance), so that it reads its
//! rows again in place.
use std::time::Duration;

use rocket::response::stream::{Event as SseEvent, EventStream};
use rocket::serde::json::Json;
use rocket::{get, Route, Shutdown};
use serde_json::json;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::app::{Agent, App};
use crate::auth::Role;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::live::Topic;
use crate::tickets::queue::Filter;
use crate::tickets::queue_sort::{Sort, SortKey};
use crate::tickets::view::TicketView;
use crate::tickets::{queue, Priority, Status};
use crate::web::page::Page;
use crate::web::params::QueueQuery;

#[get("/desk?<query..>")]
async fn queues(agent: Agent, app: &App, query: QueueQuery, lang: Lang) -> AppResult<Page> {
    queue_page(app, &agent, query.filter("open"), lang).await
}

/// The queue page for this filter (also shown again, with its error, when a bulk action
/// on it was refused).
pub(super) async fn queue_page(app: &App, agent: &Agent, filter: Filter, lang: Lang) -> AppResult<Page> {
    let db = app.db.read();
    // The stamp first: counts read after it are at least as new as what it names.
    let stamp = queue::stamp(db, &agent.0).await?;
    let services = crate::catalogue::services::list(db, false).await?;
    let back = format!(
        "/desk?queue={}&school={}&service={}&priority={}&status={}&sort={}",
        enc(&filter.queue),
        enc(&filter.school),
        enc(&filter.service),
        enc(&filter.priority),
        enc(&filter.status),
        enc(&filter.sort)
    );
    let base = Page::new("tickets/desk_queue.html")
        .with("queue", &filter.queue)
        .with(
            "filter",
            json!({ "school": filter.school, "service": filter.service, "priority": filter.priority, "status": filter.status }),
        )
        .with("counts", queue::counts(db, &agent.0, &stamp, &app.overdue).await?)
        .with("schools", crate::schools::service::list(db, crate::audit::By::User(&agent.0), false).await?)
        .with("back", back)
        .with("sort", &filter.sort)
        .with("sorting", sort_links(&filter))
        .with("sorted_column", sorted_column(&filter))
        .with("priorities", Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>())
        .with("statuses", Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        .with("is_lead", agent.0.role == Role::DeskLead)
        // The agent's saved filters, and this one as they would be saved.
        .with("saved_filters", crate::saved_filters::list(db, &agent.0).await?)
        .with("filter_query", filter.to_query())
        .with("stamp", stamp);
    match queue::page(db, &agent.0, &filter).await {
        Ok(page) => {
            let unread = crate::tickets::reads::unread(db, &agent.0, &page.items).await?;
            let rows = rows(&page.items, &services, lang);
            Ok(base.with("rows", rows).with("unread", unread).with("next", page.next).with("services", services))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(base
            .with("rows", json!([]))
            .with("unread", json!([]))
            .with("next", None::<String>)
            .with("services", services)
            .with_error(&e, lang)),
        Err(e) => Err(e),
    }
}

/// The queue's rows as the page shows them: each ticket with its service's name (not its
/// code) and how long ago it was opened, in the reader's language.
fn rows(items: &[TicketView], services: &[entities::service::Model], lang: Lang) -> Vec<serde_json::Value> {
    let now = chrono::Utc::now();
    items
        .iter()
        .map(|t| {
            let service_name =
                t.service.as_deref().and_then(|slug| services.iter().find(|s| s.slug == slug)).map(|s| {
                    if lang == Lang::En {
                        s.name_en.clone()
                    } else {
                        s.name_de.clone()
                    }
                });
            let mut row = serde_json::to_value(t).unwrap_or_default();
            row["service_name"] = json!(service_name);
            row["age"] = json!(age(now - t.created_at, lang));
            row
        })
        .collect()
}

/// The sortable columns' headers: the link that sorts by the column (in its natural order,
/// or reversed when the queue is sorted by it already), with the other filters and from the
/// first page, and the column's `aria-sort` when the queue is sorted by it. The direction is
/// that of the column's values: sorted by creation, oldest first, the ages descend.
fn sort_links(filter: &Filter) -> serde_json::Value {
    let current = Sort::parse(&filter.sort).unwrap_or_default();
    let columns = [
        ("priority", SortKey::Priority, "ascending"),
        ("due", SortKey::Due, "ascending"),
        ("age", SortKey::Created, "descending"),
        ("updated", SortKey::Updated, "descending"),
    ];
    let mut links = serde_json::Map::new();
    for (column, key, natural) in columns {
        let sorted = current.key == key;
        let target = Sort { key, reversed: sorted && !current.reversed };
        let linked = Filter {
            sort: if target.is_default() { String::new() } else { target.as_str() },
            after: String::new(),
            limit: None,
            ..filter.clone()
        };
        let aria = match (sorted, current.reversed) {
            (false, _) => None,
            (true, false) => Some(natural),
            (true, true) => Some(if natural == "ascending" { "descending" } else { "ascending" }),
        };
        links.insert(column.into(), json!({ "query": linked.to_query(), "aria": aria }));
    }
    links.into()
}

/// The column the queue is sorted by, which stays in view when narrow screens hide it.
fn sorted_column(filter: &Filter) -> &'static str {
    match Sort::parse(&filter.sort).unwrap_or_default().key {
        SortKey::Priority => "priority",
        SortKey::Due => "due",
        SortKey::Created => "age",
        SortKey::Updated => "updated",
    }
}

fn enc(text: &str) -> String {
    rocket::http::RawStr::new(text).percent_encode().to_string()
}

/// A ticket's age, short: minutes within the hour, hours within two days, then days.
fn age(elapsed: chrono::Duration, lang: Lang) -> String {
    let minutes = elapsed.num_minutes().max(0);
    match minutes {
        0..=59 => crate::i18n::tr_arg(lang, "desk.age_minutes", &minutes.to_string()),
        60..=2879 => crate::i18n::tr_arg(lang, "desk.age_hours", &(minutes / 60).to_string()),
        _ => crate::i18n::tr_arg(lang, "desk.age_days", &(minutes / 1440).to_string()),
    }
}

/// The queue's change stamp now, for a client without event streams.
#[get("/desk/changes")]
async fn changes(agent: Agent, app: &App) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(json!({ "stamp": queue::stamp(app.db.read(), &agent.0).await? })))
}

/// How long the feed waits after a change for more before it reads the stamp: a group of
/// new tickets, or a change with its follow-ups, is one refresh of the page.
const SETTLE: Duration = Duration::from_millis(150);

/// The queue page's feed: the stamp at once, then again whenever tickets changed. Each
/// event is `{"type": "tickets", "stamp": …}`; the page reads its rows when the stamp
/// differs from the one it shows.
#[get("/desk/events")]
async fn events(agent: Agent, app: &App, mut shutdown: Shutdown) -> AppResult<EventStream![SseEvent + 'static]> {
    let mut changes = app.live.subscribe(Topic::Queue);
    let mut shown = queue::stamp(app.db.read(), &agent.0).await?;
    let (app, actor) = (app.clone(), agent.0);
    let stamped = |stamp: &str| SseEvent::data(json!({ "type": "tickets", "stamp": stamp }).to_string());
    Ok(EventStream! {
        yield stamped(&shown);
        loop {
            let next = tokio::select! {
                next = changes.recv() => next,
                _ = &mut shutdown => break,
            };
            // Any event (a change, a resync after lost notices, or having fallen behind)
            // means: read the stamp.
            if let Err(RecvError::Closed) = next {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(SETTLE) => {}
                _ = &mut shutdown => break,
            }
            while let Ok(_) | Err(TryRecvError::Lagged(_)) = changes.try_recv() {}
            match queue::stamp(app.db.read(), &actor).await {
                Ok(stamp) if stamp != shown => {
                    yield stamped(&stamp);
                    shown = stamp;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e.chain(), "the queue's feed cannot read the tickets");
                    break;
                }
            }
        }
    })
}

pub fn routes() -> Vec<Route> {
    rocket::routes![queues, changes, events]
}

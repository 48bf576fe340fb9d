//! Acting on several tickets of the queue at once: assign, set the priority, close. Each
//! ticket is changed as its own action would change it (one transaction with its timeline
//! event, audit record and mail); a ticket the change does not fit is left as it was and
//! named in the message, the others are changed.
use rocket::form::FromForm;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{post, Route};
use sea_orm::EntityTrait;

use crate::app::{Agent, App};
use crate::auth::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::ladder;
use crate::portals::account::forms::safe_next;
use crate::tickets::queue::Filter;
use crate::tickets::{Priority, TicketNumber};
use crate::web::flash;
use crate::web::page::Page;

/// The most tickets one bulk action takes (the longest queue page).
pub const BULK_MAX: usize = 200;

/// How many refusals the message names one by one.
const NAMED_MAX: usize = 3;

#[derive(Debug, FromForm)]
pub struct BulkForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = Vec::new())]
    pub tickets: Vec<String>,
    #[field(default = String::new())]
    pub action: String,
    #[field(default = String::new())]
    pub agent: String,
    #[field(default = String::new())]
    pub priority: String,
    /// The queue page to return to.
    #[field(default = String::new())]
    pub back: String,
}
crate::csrf_form!(BulkForm);

/// What a bulk action does to each ticket.
enum Bulk {
    Assign(String),
    Priority(Priority),
    Close,
}

/// The action and the tickets, checked before anything changes.
async fn checked(app: &App, form: &BulkForm) -> AppResult<(Bulk, Vec<TicketNumber>)> {
    let bulk = match form.action.as_str() {
        "assign" => {
            let agent = form.agent.trim();
            if agent != "me" && !agent.is_empty() {
                crate::accounts::service::find_by_email(app.db.read(), agent)
                    .await?
                    .filter(|u| u.active && u.role.is_desk())
                    .ok_or_else(|| {
                        AppError::invalid_with("agent", "tickets.unknown_agent", crate::validate::shown(agent))
                    })?;
            }
            Bulk::Assign(agent.to_string())
        }
        "priority" => Bulk::Priority(
            Priority::from_input(&form.priority)
                .ok_or_else(|| AppError::invalid("priority", "desk.priority_invalid"))?,
        ),
        "close" => Bulk::Close,
        _ => return Err(AppError::invalid("action", "desk.bulk_action_invalid")),
    };
    if form.tickets.is_empty() {
        return Err(AppError::invalid("tickets", "desk.bulk_none"));
    }
    if form.tickets.len() > BULK_MAX {
        return Err(AppError::invalid("tickets", "desk.bulk_too_many"));
    }
    let mut numbers: Vec<TicketNumber> = Vec::with_capacity(form.tickets.len());
    for text in &form.tickets {
        let number = TicketNumber::parse(text.trim()).ok_or_else(|| {
            AppError::invalid_with("tickets", "desk.bulk_unknown_ticket", crate::validate::shown(text))
        })?;
        if !numbers.iter().any(|n| n.id() == number.id()) {
            numbers.push(number);
        }
    }
    Ok((bulk, numbers))
}

/// One ticket changed as its own action would change it.
async fn apply(app: &App, agent: &Agent, bulk: &Bulk, number: TicketNumber) -> AppResult<()> {
    let actor = &agent.0;
    match bulk {
        Bulk::Assign(to) => ladder::tickets::assign(app, actor, number, to, None).await.map(drop),
        Bulk::Priority(priority) => {
            // The service stays as it is: reclassifying names both.
            let current = crate::tickets::find(app.db.read(), actor, number.id()).await?;
            let service = match current.service_id {
                Some(id) => entities::service::Entity::find_by_id(id).one(app.db.read()).await?.map(|s| s.slug),
                None => None,
            };
            let service = service.unwrap_or_default();
            ladder::tickets::reclassify(app, actor, number, priority.as_str(), &service, None).await.map(drop)
        }
        Bulk::Close => ladder::tickets::close(app, actor, number, None).await.map(drop),
    }
}

/// The queue a `back` path names (`/desk?queue=…&school=…`), to show again.
fn filter_of(back: &str) -> Filter {
    let mut filter = Filter { queue: "open".into(), ..Filter::default() };
    let query = back.split_once('?').map(|(_, q)| q).unwrap_or("");
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = value.into_owned();
        match key.as_ref() {
            "queue" if !value.is_empty() => filter.queue = value,
            "school" => filter.school = value,
            "service" => filter.service = value,
            "priority" => filter.priority = value,
            "status" => filter.status = value,
            "sort" => filter.sort = value,
            _ => {}
        }
    }
    filter
}

/// What a bulk post answers: back to the queue with what was done, or the queue again with
/// the reason nothing was.
#[derive(rocket::Responder)]
enum Answer {
    Done(Box<Redirect>),
    Refused(Page),
}

#[post("/desk/bulk", data = "<form>")]
async fn bulk(agent: Agent, form: CsrfForm<BulkForm>, app: &App, jar: &CookieJar<'_>, lang: Lang) -> AppResult<Answer> {
    let back = safe_next(form.back.trim()).filter(|b| b.starts_with("/desk")).unwrap_or("/desk").to_string();
    let (bulk, numbers) = match checked(app, &form).await {
        Ok(checked) => checked,
        Err(e @ AppError::Invalid { .. }) => {
            let page = super::queue::queue_page(app, &agent, filter_of(&back), lang).await?;
            return Ok(Answer::Refused(page.with_error(&e, lang)));
        }
        Err(e) => return Err(e),
    };
    let mut changed = 0;
    let mut refused = Vec::new();
    for number in &numbers {
        match apply(app, &agent, &bulk, *number).await {
            Ok(()) => changed += 1,
            Err(
                e @ (AppError::Invalid { .. } | AppError::Conflict { .. } | AppError::NotFound | AppError::Forbidden),
            ) => refused.push(format!("{}: {}", crate::tickets::number(number.id()), e.message(lang))),
            Err(e) => return Err(e),
        }
    }
    let mut summary = i18n::tr(lang, "desk.bulk_changed")
        .replace("{changed}", &changed.to_string())
        .replace("{total}", &numbers.len().to_string());
    if !refused.is_empty() {
        let more = refused.len().saturating_sub(NAMED_MAX);
        summary.push(' ');
        summary.push_str(&refused.into_iter().take(NAMED_MAX).collect::<Vec<_>>().join("; "));
        if more > 0 {
            summary.push_str(&i18n::tr_arg(lang, "desk.bulk_more", &more.to_string()));
        }
    }
    if changed == 0 {
        flash::error_with(jar, "desk.bulk_result", &summary);
    } else {
        flash::success_with(jar, "desk.bulk_result", &summary);
    }
    Ok(Answer::Done(Box::new(Redirect::to(back))))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![bulk]
}

//! `/desk/canned`: the desk's canned responses. Every agent reads the list (and can copy a
//! text from it without JavaScript) and the JSON the reply boxes insert from; only the
//! desk lead creates, edits and deletes, as on `/desk/settings`. A delete asks first: inline
//! with JavaScript (`static/canned_page.js`), else the list comes back with the question
//! and the post is sent again with `confirm=1`.
use rocket::http::CookieJar;
use rocket::serde::json::Json;
use rocket::{get, post, FromForm, Route};
use serde_json::json;

use crate::app::{Agent, App, DeskLead};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::auth::{Actor, Role};
use crate::canned::{self as service, CannedInput};
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::tickets::TicketNumber;
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;
use crate::web::params::Id;

#[derive(Debug, FromForm)]
pub struct CannedForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub trigger: String,
    #[field(default = String::new())]
    pub title: String,
    #[field(default = String::new())]
    pub body: String,
}

#[derive(Debug, FromForm)]
pub struct DeleteForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    /// `1` once the lead has said yes to the question.
    #[field(default = String::new())]
    pub confirm: String,
}
csrf_form!(CannedForm, DeleteForm);

impl DeleteForm {
    fn confirmed(&self) -> bool {
        self.confirm.trim() == "1"
    }
}

impl CannedForm {
    fn input(&self) -> CannedInput {
        CannedInput { trigger: self.trigger.clone(), title: self.title.clone(), body: self.body.clone() }
    }
}

/// The list; for the desk lead with the form for a new one (holding `input` when it was
/// refused).
async fn list_page(app: &App, actor: &Actor, input: Option<&CannedInput>) -> AppResult<Page> {
    let list = service::list(app.db.read(), By::User(actor)).await?;
    Ok(Page::new("desk/canned.html")
        .with("canned", list)
        .with("is_lead", actor.role == Role::DeskLead)
        .with("trigger_max", service::TRIGGER_MAX)
        .with("placeholders", service::placeholders::help())
        .with("input", input.map(input_json)))
}

fn input_json(input: &CannedInput) -> serde_json::Value {
    json!({ "trigger": input.trigger, "title": input.title, "body": input.body })
}

async fn edit_page(app: &App, lead: &DeskLead, id: i32, input: Option<&CannedInput>) -> AppResult<Page> {
    let current = service::find(app.db.read(), By::User(&lead.0), id).await?;
    let shown = match input {
        Some(input) => input_json(input),
        None => json!({ "trigger": current.trigger, "title": current.title, "body": current.body }),
    };
    Ok(Page::new("desk/canned_edit.html")
        .with("canned", current)
        .with("placeholders", service::placeholders::help())
        .with("trigger_max", service::TRIGGER_MAX)
        .with("input", shown))
}

#[get("/desk/canned")]
async fn list(agent: Agent, app: &App) -> AppResult<Page> {
    list_page(app, &agent.0, None).await
}

/// The texts a reply box inserts (`static/canned.js`), their placeholders filled for the
/// agent and, with `?ticket=T-000123`, that ticket (not found: one the agent may not see,
/// or no ticket number at all); never kept by a cache, as every answer for the desk.
#[get("/desk/canned.json?<ticket>")]
async fn texts(agent: Agent, ticket: Option<&str>, app: &App) -> AppResult<Json<serde_json::Value>> {
    let ticket = match ticket.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => Some(TicketNumber::parse(text).ok_or(AppError::NotFound)?.id()),
        None => None,
    };
    let list = service::list_filled(app.db.read(), &agent.0, ticket).await?;
    Ok(Json(json!(list
        .iter()
        .map(|c| json!({ "trigger": c.trigger, "title": c.title, "body": c.body }))
        .collect::<Vec<_>>())))
}

#[get("/desk/canned/<id>/edit")]
async fn edit(lead: DeskLead, id: Id, app: &App) -> AppResult<Page> {
    edit_page(app, &lead, id.0, None).await
}

#[post("/desk/canned", data = "<form>")]
async fn create(
    lead: DeskLead,
    form: CsrfForm<CannedForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let input = form.input();
    let result = service::create(&app.db, By::User(&lead.0), &input).await;
    finish(
        result,
        jar,
        lang,
        |saved| Saved::to("canned.created", format!("/desk/canned#canned-{}", saved.id)).with_arg(saved.trigger),
        || list_page(app, &lead.0, Some(&input)),
    )
    .await
}

#[post("/desk/canned/<id>", data = "<form>")]
async fn update(
    lead: DeskLead,
    id: Id,
    form: CsrfForm<CannedForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let input = form.input();
    let result = service::update(&app.db, By::User(&lead.0), id.0, &input).await;
    finish(
        result,
        jar,
        lang,
        |saved| Saved::to("canned.updated", format!("/desk/canned#canned-{}", saved.id)).with_arg(saved.trigger),
        || edit_page(app, &lead, id.0, Some(&input)),
    )
    .await
}

#[post("/desk/canned/<id>/delete", data = "<form>")]
async fn delete(
    lead: DeskLead,
    id: Id,
    form: CsrfForm<DeleteForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    if !form.confirmed() {
        // The question names the text, so an unknown one is not found before it is asked.
        let asked = service::find(app.db.read(), By::User(&lead.0), id.0).await?;
        return Ok(Posted::Again(list_page(app, &lead.0, None).await?.with("confirm_delete", asked)));
    }
    let result = service::delete(&app.db, By::User(&lead.0), id.0).await;
    finish(
        result,
        jar,
        lang,
        |gone| Saved::to("canned.deleted", "/desk/canned").with_arg(gone.trigger),
        || list_page(app, &lead.0, None),
    )
    .await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![list, texts, edit, create, update, delete]
}

//! Forwarding in the JSON API: the desk's `POST /tickets/{number}/forward`, and the
//! provider side (`/provider/{token}…`) for providers whose own systems integrate.
use rocket::serde::json::Json;
use rocket::{get, post, Route};
use serde::Deserialize;

use crate::app::{AnyUser, App};
use crate::attachments::store::Staged;
use crate::error::{AppError, AppResult};
use crate::forwards::link_guard::ProviderLink;
use crate::forwards::service::{self as forwards, Access, ForwardInput, SharedTicket};
use crate::ladder;
use crate::tickets::{self, TicketNumber};
use crate::web::json::ApiJson;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardJson {
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub message: String,
    #[serde(default = "yes")]
    pub share_description: bool,
    #[serde(default)]
    pub shared_events: Vec<i32>,
    #[serde(default)]
    pub shared_attachments: Vec<i32>,
    pub version: Option<i32>,
}

fn yes() -> bool {
    true
}

#[post("/tickets/<number>/forward", data = "<body>")]
async fn forward(
    user: AnyUser,
    number: TicketNumber,
    body: ApiJson<ForwardJson>,
    app: &App,
) -> AppResult<Json<serde_json::Value>> {
    let body = body.into_inner();
    let input = ForwardInput {
        provider: body.provider,
        priority: body.priority,
        message: body.message,
        share_description: body.share_description,
        shared_events: body.shared_events,
        shared_attachments: body.shared_attachments,
    };
    let created = ladder::forwarding::forward(app, &user.0, number, &input, body.version).await?;
    let ticket = tickets::find(app.db.read(), &user.0, number.id()).await?;
    let lookup = tickets::view::Lookup::load(app.db.read(), std::slice::from_ref(&ticket)).await?;
    let mut json = serde_json::to_value(lookup.view(&ticket, chrono::Utc::now()))
        .map_err(|e| AppError::caused("serialising a ticket", e))?;
    json["forward"] = serde_json::json!({ "id": created.id, "priority": created.priority, "due_at": created.due_at });
    Ok(Json(json))
}

async fn shared(app: &App, access: &Access) -> AppResult<Json<SharedTicket>> {
    Ok(Json(forwards::shared(app.db.read(), access).await?))
}

#[get("/provider/<_>")]
async fn show(link: ProviderLink, app: &App) -> AppResult<Json<SharedTicket>> {
    shared(app, &link.access).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckJson {
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentJson {
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveJson {
    #[serde(default)]
    pub solution: String,
}

#[post("/provider/<_>/ack", data = "<body>")]
async fn ack(link: ProviderLink, body: ApiJson<AckJson>, app: &App) -> AppResult<Json<SharedTicket>> {
    let access = ladder::provider::acknowledge(app, link.access, &body.reference).await?;
    shared(app, &access).await
}

#[post("/provider/<_>/comments", data = "<body>")]
async fn comment(link: ProviderLink, body: ApiJson<CommentJson>, app: &App) -> AppResult<Json<SharedTicket>> {
    let access = ladder::provider::comment(app, link.access, &body.body, Staged::none()).await?;
    shared(app, &access).await
}

#[post("/provider/<_>/resolve", data = "<body>")]
async fn resolve(link: ProviderLink, body: ApiJson<ResolveJson>, app: &App) -> AppResult<Json<SharedTicket>> {
    let access = ladder::provider::resolve(app, link.access, &body.solution).await?;
    shared(app, &access).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![forward, show, ack, comment, resolve]
}

//! The chat's side of the desk in the JSON API: whether chat is available (for anyone,
//! naming nobody), the desk's presence, and the channels an agent takes requests from.
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, put, Route};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::{AnyUser, App, DeskLead};
use crate::audit::By;
use crate::chat::channels::{self, Availability, ChannelInput};
use crate::chat::presence;
use crate::error::AppResult;
use crate::web::json::ApiJson;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateJson {
    #[serde(default)]
    pub state: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatJson {
    #[serde(default)]
    pub session: String,
    /// Whether the person typed or moved since the last heartbeat.
    #[serde(default)]
    pub input: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionJson {
    #[serde(default)]
    pub session: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakingJson {
    #[serde(default)]
    pub taking: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelJson {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub hours_only: bool,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub agents: Vec<String>,
}

fn yes() -> bool {
    true
}

#[get("/chat/availability")]
async fn availability(app: &App) -> AppResult<Json<Availability>> {
    Ok(Json(channels::availability(app.db.read(), &app.settings, chrono::Utc::now()).await?))
}

#[get("/chat/presence")]
async fn presence_list(user: AnyUser, app: &App) -> AppResult<Json<Value>> {
    let mine = presence::of(app.db.read(), &app.settings, &user.0).await?;
    let people = presence::people(app.db.read(), &app.settings, chrono::Utc::now()).await?;
    Ok(Json(json!({ "state": mine, "people": people })))
}

#[put("/chat/presence", data = "<body>")]
async fn choose(user: AnyUser, body: ApiJson<StateJson>, app: &App) -> AppResult<Json<Value>> {
    let state = presence::choose(app, &user.0, &body.state).await?;
    Ok(Json(json!({ "state": state })))
}

#[post("/chat/presence/heartbeat", data = "<body>")]
async fn heartbeat(user: AnyUser, body: ApiJson<HeartbeatJson>, app: &App) -> AppResult<Json<Value>> {
    let state = presence::heartbeat(app, &user.0, &body.session, body.input).await?;
    Ok(Json(json!({ "state": state })))
}

#[post("/chat/presence/leave", data = "<body>")]
async fn leave(user: AnyUser, body: ApiJson<SessionJson>, app: &App) -> AppResult<Status> {
    presence::leave(app, &user.0, &body.session).await?;
    Ok(Status::NoContent)
}

#[get("/chat/channels")]
async fn mine(user: AnyUser, app: &App) -> AppResult<Json<Value>> {
    let items = channels::mine(app.db.read(), &user.0).await?;
    Ok(Json(json!({ "items": items })))
}

#[put("/chat/channels/<slug>/taking", data = "<body>")]
async fn taking(user: AnyUser, slug: &str, body: ApiJson<TakingJson>, app: &App) -> AppResult<Json<Value>> {
    channels::set_taking(app, &user.0, slug, body.taking).await?;
    let items = channels::mine(app.db.read(), &user.0).await?;
    Ok(Json(json!({ "items": items })))
}

#[post("/chat/channels", data = "<body>")]
async fn save_channel(lead: DeskLead, body: ApiJson<ChannelJson>, app: &App) -> AppResult<Json<Value>> {
    let body = body.into_inner();
    let input = ChannelInput {
        slug: body.slug,
        name: body.name,
        service: body.service,
        hours_only: body.hours_only,
        active: body.active,
        agents: body.agents,
    };
    let saved = channels::save(&app.db, By::User(&lead.0), &input).await?;
    Ok(Json(json!({ "slug": saved.slug, "name": saved.name, "active": saved.active, "hours_only": saved.hours_only })))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![availability, presence_list, choose, heartbeat, leave, mine, taking, save_channel]
}

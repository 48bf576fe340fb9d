//! Forwarding in the JSON API: the desk's `POST /tickets/{number}/forward`, and the
//! provider side (`/provider/{token}…`) for providers whose own systems integrate.
use rocket::serde::json::Json;

use crate::api::json::ApiJson;
use rocket::{get, post, Route, State};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use super::service::{self, ForwardInput, SharedTicket};
use crate::auth::AnyUser;
use crate::error::{AppError, AppResult};
use crate::tickets::service::Ctx;
use crate::tickets::status::id_of;

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
    number: &str,
    body: ApiJson<ForwardJson>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
) -> AppResult<Json<serde_json::Value>> {
    let id = id_of(number)?;
    let body = body.into_inner();
    let input = ForwardInput {
        provider: body.provider,
        priority: body.priority,
        message: body.message,
        share_description: body.share_description,
        shared_events: body.shared_events,
        shared_attachments: body.shared_attachments,
    };
    let created = service::forward(&ctx, &user.0, id, &input, body.version).await?;
    let ticket = crate::tickets::service::find(db.inner(), &user.0, id).await?;
    let lookup = crate::tickets::view::Lookup::load(db.inner(), std::slice::from_ref(&ticket)).await?;
    let mut json = serde_json::to_value(lookup.view(&ticket, chrono::Utc::now())).map_err(AppError::internal)?;
    json["forward"] = serde_json::json!({ "id": created.id, "priority": created.priority, "due_at": created.due_at });
    Ok(Json(json))
}

#[get("/provider/<token>")]
async fn shared(token: &str, db: &State<DatabaseConnection>) -> AppResult<Json<SharedTicket>> {
    let access = service::open(db.inner(), token).await?;
    Ok(Json(service::shared(db.inner(), &access).await?))
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

#[post("/provider/<token>/ack", data = "<body>")]
async fn ack(
    token: &str,
    body: ApiJson<AckJson>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
) -> AppResult<Json<SharedTicket>> {
    let access = service::open(db.inner(), token).await?;
    let access = service::acknowledge(&ctx, access, &body.reference).await?;
    Ok(Json(service::shared(db.inner(), &access).await?))
}

#[post("/provider/<token>/comments", data = "<body>")]
async fn comment(
    token: &str,
    body: ApiJson<CommentJson>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
) -> AppResult<Json<SharedTicket>> {
    let access = service::open(db.inner(), token).await?;
    let access = service::comment(&ctx, access, &body.body).await?;
    Ok(Json(service::shared(db.inner(), &access).await?))
}

#[post("/provider/<token>/resolve", data = "<body>")]
async fn resolve(
    token: &str,
    body: ApiJson<ResolveJson>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
) -> AppResult<Json<SharedTicket>> {
    let access = service::open(db.inner(), token).await?;
    let access = service::resolve(&ctx, access, &body.solution).await?;
    Ok(Json(service::shared(db.inner(), &access).await?))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![forward, shared, ack, comment, resolve]
}

//! Attachments in the JSON API: uploading to a ticket (the same authorisation as a reply)
//! and to a forward (the provider's link), and downloading within the caller's scope.
//! Uploads are `multipart/form-data` with one or more `files` parts; errors are JSON.
use rocket::data::{self, Data, FromData};
use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, Request, Route, State};
use sea_orm::DatabaseConnection;

use super::flows::{self, Reply};
use super::routes::{attachment_id, open, Download};
use super::{service, store};
use crate::auth::AnyUser;
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::forwards::service::SharedTicket;
use crate::tickets::api::TicketWithEvents;
use crate::tickets::service::Ctx;
use crate::tickets::status::id_of;

/// The fields of an upload: the files, and an optional message with them.
#[derive(Debug, FromForm)]
pub struct UploadFields<'r> {
    #[field(default = Vec::new())]
    pub files: Vec<store::Upload<'r>>,
    #[field(default = String::new())]
    pub body: String,
    /// The desk only: the files go with an internal note.
    #[field(default = false)]
    pub internal: bool,
    pub version: Option<i32>,
}

/// A multipart body, refused with 415 when it is anything else (the API's other routes
/// take JSON; a form post here is a mistake worth naming).
pub struct Multipart<T>(pub T);

#[rocket::async_trait]
impl<'r, T: FromForm<'r> + Send> FromData<'r> for Multipart<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if !req.content_type().is_some_and(|ct| ct.is_form_data()) {
            return data::Outcome::Error((
                Status::UnsupportedMediaType,
                AppError::invalid("body", "error.unsupported_type"),
            ));
        }
        match Form::<T>::from_data(req, data).await {
            data::Outcome::Success(form) => data::Outcome::Success(Multipart(form.into_inner())),
            data::Outcome::Error((status, errors)) => data::Outcome::Error((
                crate::auth::csrf::unreadable_form_status(status, &errors),
                AppError::invalid("body", "error.bad_form"),
            )),
            data::Outcome::Forward(forward) => data::Outcome::Forward(forward),
        }
    }
}

async fn staged_or_none(settings: &Settings, fields: &UploadFields<'_>) -> AppResult<store::Staged> {
    let staged = store::accept(settings, &fields.files).await?;
    if staged.is_empty() {
        return Err(AppError::invalid(store::FIELD, "attachments.none"));
    }
    Ok(staged)
}

#[post("/tickets/<number>/attachments", data = "<form>")]
async fn ticket_upload(
    user: AnyUser,
    number: &str,
    form: Multipart<UploadFields<'_>>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
    settings: &State<Settings>,
) -> AppResult<Json<TicketWithEvents>> {
    let id = id_of(number)?;
    // The ticket first: nobody learns from a size or type message that a ticket exists.
    crate::tickets::service::find(db.inner(), &user.0, id).await?;
    let fields = form.0;
    let staged = staged_or_none(settings, &fields).await?;
    let kind = Reply::Comment { internal: fields.internal };
    flows::reply(&ctx, &user.0, id, &fields.body, kind, fields.version, staged).await?;
    Ok(Json(crate::tickets::api::with_events(db, &user.0, id).await?))
}

#[get("/tickets/<number>/attachments/<id>")]
async fn ticket_download(
    user: AnyUser,
    number: &str,
    id: &str,
    db: &State<DatabaseConnection>,
    settings: &State<Settings>,
) -> AppResult<Download> {
    let ticket = crate::tickets::service::find(db.inner(), &user.0, id_of(number)?).await?;
    let model = service::find_for_user(db.inner(), &user.0, attachment_id(id)?).await?;
    if model.ticket_id != Some(ticket.id) {
        return Err(AppError::NotFound);
    }
    open(settings, model).await
}

#[post("/provider/<token>/attachments", data = "<form>")]
async fn provider_upload(
    token: &str,
    form: Multipart<UploadFields<'_>>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
    settings: &State<Settings>,
) -> AppResult<Json<SharedTicket>> {
    let access = crate::forwards::service::open(db.inner(), token).await?;
    let fields = form.0;
    let staged = staged_or_none(settings, &fields).await?;
    flows::provider_comment(&ctx, &access, &fields.body, staged).await?;
    let access = crate::forwards::service::open(db.inner(), token).await?;
    Ok(Json(crate::forwards::service::shared(db.inner(), &access).await?))
}

#[get("/provider/<token>/attachments/<id>")]
async fn provider_download(
    token: &str,
    id: &str,
    db: &State<DatabaseConnection>,
    settings: &State<Settings>,
) -> AppResult<Download> {
    let access = crate::forwards::service::open(db.inner(), token).await?;
    let model = service::find_for_provider(db.inner(), &access, attachment_id(id)?).await?;
    open(settings, model).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![ticket_upload, ticket_download, provider_upload, provider_download]
}

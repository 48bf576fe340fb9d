//! Attachments in the JSON API: uploading to a ticket (the same authorisation as a reply)
//! and to a forward (the provider's link), and downloading within the caller's scope.
//! Uploads are `multipart/form-data` with one or more `files` parts; errors are JSON.
use rocket::data::{self, Data, FromData};
use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, Request, Route};

use super::tickets::TicketWithEvents;
use crate::app::{AnyUser, App};
use crate::attachments::download::{self, Download};
use crate::attachments::{service, store};
use crate::error::{AppError, AppResult};
use crate::forwards::link_guard::ProviderLink;
use crate::forwards::service::SharedTicket;
use crate::ladder;
use crate::tickets::{self, TicketNumber};
use crate::web::params::Id;

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
            crate::error::refuse_body(req);
            return data::Outcome::Error((
                Status::UnsupportedMediaType,
                AppError::invalid("body", "error.unsupported_type"),
            ));
        }
        match Form::<T>::from_data(req, data).await {
            data::Outcome::Success(form) => data::Outcome::Success(Multipart(form.into_inner())),
            data::Outcome::Error((status, errors)) => {
                crate::error::refuse_body(req);
                data::Outcome::Error((
                    crate::auth::csrf::unreadable_form_status(status, &errors),
                    AppError::invalid("body", "error.bad_form"),
                ))
            }
            data::Outcome::Forward(forward) => data::Outcome::Forward(forward),
        }
    }
}

async fn staged_or_none(app: &App, fields: &UploadFields<'_>) -> AppResult<store::Staged> {
    let staged = store::accept(&app.settings, &fields.files).await?;
    if staged.is_empty() {
        return Err(AppError::invalid(store::FIELD, "attachments.none"));
    }
    Ok(staged)
}

#[post("/tickets/<number>/attachments", data = "<form>")]
async fn ticket_upload(
    user: AnyUser,
    number: TicketNumber,
    form: Multipart<UploadFields<'_>>,
    app: &App,
) -> AppResult<Json<TicketWithEvents>> {
    // The ticket first: nobody learns from a size or type message that a ticket exists.
    tickets::find(app.db.read(), &user.0, number.id()).await?;
    let fields = form.0;
    let staged = staged_or_none(app, &fields).await?;
    let reply =
        ladder::tickets::Reply { body: fields.body.clone(), internal: fields.internal, version: fields.version };
    ladder::tickets::comment(app, &user.0, number, &reply, staged).await?;
    Ok(Json(super::tickets::with_events(app, &user.0, number).await?))
}

#[get("/tickets/<number>/attachments/<id>")]
async fn ticket_download(user: AnyUser, number: TicketNumber, id: Id, app: &App) -> AppResult<Download> {
    let ticket = tickets::find(app.db.read(), &user.0, number.id()).await?;
    let model = service::find_for_user(app.db.read(), &user.0, id.0).await?;
    if model.ticket_id != Some(ticket.id) {
        return Err(AppError::NotFound);
    }
    app.views.record_download(&user.0, &model);
    download::open(&app.settings, model).await
}

#[post("/provider/<_>/attachments", data = "<form>")]
async fn provider_upload(
    link: ProviderLink,
    form: Multipart<UploadFields<'_>>,
    app: &App,
) -> AppResult<Json<SharedTicket>> {
    let fields = form.0;
    let staged = staged_or_none(app, &fields).await?;
    let access = ladder::provider::comment(app, link.access, &fields.body, staged).await?;
    Ok(Json(crate::forwards::service::shared(app.db.read(), &access).await?))
}

#[get("/provider/<_>/attachments/<id>")]
async fn provider_download(id: Id, link: ProviderLink, app: &App) -> AppResult<Download> {
    let model = service::find_for_provider(app.db.read(), link.access.scope(), id.0).await?;
    download::open(&app.settings, model).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![ticket_upload, ticket_download, provider_upload, provider_download]
}

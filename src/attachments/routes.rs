//! Downloads. Every file goes out through these routes only, after the scoped query, with
//! headers that keep a browser from treating it as anything but the sniffed type: no
//! sniffing, a sandbox with nothing allowed, a download unless it is a raster image, and
//! private caching. Unknown and forbidden files are both "not found".
use rocket::http::Status;
use rocket::response::{self, Responder, Response};
use rocket::{get, Request, Route, State};
use sea_orm::DatabaseConnection;

use super::{service, store};
use crate::auth::AnyUser;
use crate::config::Settings;
use crate::error::{AppError, AppResult};
use entities::attachment;

/// An attachment's bytes with the safe headers.
pub struct Download {
    file: rocket::tokio::fs::File,
    model: attachment::Model,
}

/// `Content-Disposition` with an ASCII fallback name and the exact name in RFC 5987 form.
pub fn disposition(model: &attachment::Model) -> String {
    let inline = super::sniff::inline(&model.content_type);
    let fallback: String = model
        .filename
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    let exact: String =
        url::form_urlencoded::byte_serialize(model.filename.as_bytes()).collect::<String>().replace('+', "%20");
    format!("{}; filename=\"{fallback}\"; filename*=UTF-8''{exact}", if inline { "inline" } else { "attachment" })
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .status(Status::Ok)
            .raw_header("Content-Type", self.model.content_type.clone())
            .raw_header("Content-Disposition", disposition(&self.model))
            .raw_header("X-Content-Type-Options", "nosniff")
            // The security fairing keeps a policy a response brings (see `web::SecurityHeaders`).
            .raw_header("Content-Security-Policy", "sandbox; default-src 'none'")
            .raw_header("Cache-Control", "private")
            .sized_body(None, self.file)
            .ok()
    }
}

/// Opens an attachment's file; a row whose file is gone is "not found" too.
pub async fn open(settings: &Settings, model: attachment::Model) -> AppResult<Download> {
    let path = store::path_of(settings, &model.storage_key).ok_or(AppError::NotFound)?;
    let file = rocket::tokio::fs::File::open(&path).await.map_err(|_| AppError::NotFound)?;
    Ok(Download { file, model })
}

/// An attachment id from the path; anything else is a file that does not exist.
pub fn attachment_id(text: &str) -> AppResult<i32> {
    text.parse().ok().filter(|id: &i32| *id > 0).ok_or(AppError::NotFound)
}

#[get("/attachments/<id>")]
async fn download(
    user: AnyUser,
    id: &str,
    db: &State<DatabaseConnection>,
    settings: &State<Settings>,
) -> AppResult<Download> {
    let model = service::find_for_user(db.inner(), &user.0, attachment_id(id)?).await?;
    open(settings, model).await
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
    rocket::routes![download, provider_download]
}

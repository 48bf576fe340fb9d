//! Downloads. Every file goes out as a `Download`, after the scoped query, with headers
//! that keep a browser from treating it as anything but the sniffed type: no sniffing, a
//! sandbox with nothing allowed, a download unless it is a raster image, and private
//! caching. Unknown and forbidden files are both "not found".
use rocket::http::Status;
use rocket::response::{self, Responder, Response};
use rocket::Request;

use super::store;
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

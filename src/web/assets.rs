//! Static files (CSS, the few scripts, icons): embedded in the binary, overridable by a
//! local directory.
use std::io::Cursor;
use std::path::PathBuf;

use rocket::http::{ContentType, Status};
use rocket::response::{self, Responder, Response};
use rocket::{Request, Route};
use rust_embed::RustEmbed;

use crate::app::App;

#[derive(RustEmbed)]
#[folder = "static/"]
struct EmbeddedStatic;

pub struct Asset {
    bytes: Vec<u8>,
    content_type: ContentType,
}

impl<'r> Responder<'r, 'static> for Asset {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(self.content_type)
            .raw_header("Cache-Control", "public, max-age=3600")
            .sized_body(self.bytes.len(), Cursor::new(self.bytes))
            .ok()
    }
}

/// A static file by its name under `static/`: the local override, else the embedded one.
pub fn load(settings: &crate::config::Settings, name: &str) -> Option<Vec<u8>> {
    settings
        .static_dir
        .as_ref()
        .and_then(|dir| std::fs::read(dir.join(name)).ok())
        .or_else(|| EmbeddedStatic::get(name).map(|f| f.data.into_owned()))
}

#[rocket::get("/static/<path..>")]
fn static_file(path: PathBuf, app: &App) -> Result<Asset, Status> {
    // `PathBuf` from a segment guard never contains `..`, so the override stays inside
    // its directory.
    let name = path.to_string_lossy().replace('\\', "/");
    let bytes = load(&app.settings, &name).ok_or(Status::NotFound)?;
    let content_type =
        path.extension().and_then(|e| e.to_str()).and_then(ContentType::from_extension).unwrap_or(ContentType::Binary);
    Ok(Asset { bytes, content_type })
}

pub fn routes() -> Vec<Route> {
    rocket::routes![static_file]
}

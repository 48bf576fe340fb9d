//! The school admin's side of the chat: starting one from the helpdesk tile (or, nobody
//! being there, the ticket form with what they typed), and the conversation.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, FromForm, Route};
use serde_json::json;

use super::{conversation, send_files, Acting, ActionForm, FileForm, LineForm, Side};
use crate::app::{App, SchoolAdmin};
use crate::auth::csrf::CsrfForm;
use crate::chat::lifecycle::{self, Asked, Request};
use crate::chat::{ending, messages};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::portals::helpdesk;
use crate::web::form::Posted;
use crate::web::page::Page;
use crate::web::params::Id;

#[derive(Debug, FromForm)]
pub struct StartForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub channel: String,
    #[field(default = String::new())]
    pub message: String,
    /// The page the tile was opened from, when it was not the tile itself.
    #[field(default = String::new())]
    pub page: String,
}

crate::csrf_form!(StartForm);

/// What starting answers: the waiting chat, or the tile again.
#[derive(rocket::Responder)]
pub enum Started {
    Chat(Box<Redirect>),
    Tile(Page),
}

#[post("/helpdesk/chats", data = "<form>")]
async fn start(
    admin: SchoolAdmin,
    form: CsrfForm<StartForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Started> {
    let request = Request {
        channel: form.channel.clone(),
        message: form.message.clone(),
        context: json!({}),
        page: Some(if form.page.trim().is_empty() { "/helpdesk".to_string() } else { form.page.clone() }),
    };
    let refused = match lifecycle::ask(app, &admin.0, &request).await {
        Ok(Asked::Waiting(chat)) => {
            crate::web::flash::success(jar, "chat.started_done");
            return Ok(Started::Chat(Box::new(Redirect::to(format!("/helpdesk/chats/{}", chat.id)))));
        }
        // Nobody is there after all: the ticket form, with the text already typed.
        Ok(Asked::NobodyThere(_)) => AppError::conflict("chat.unavailable"),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => e,
        Err(e) => return Err(e),
    };
    let tile = helpdesk::tile(app, &admin).await?.with(
        "input",
        json!({ "description": form.message, "chat_message": form.message, "chat_channel": form.channel }),
    );
    Ok(Started::Tile(tile.with_error(&refused, lang)))
}

#[get("/helpdesk/chats/<id>")]
async fn show(admin: SchoolAdmin, id: Id, app: &App) -> AppResult<Page> {
    conversation(app, &admin.0, id.0, Side::School).await
}

macro_rules! acting {
    ($app:ident, $admin:ident, $id:ident, $jar:ident, $lang:ident) => {
        Acting { app: $app, actor: &$admin.0, id: $id.0, side: Side::School, jar: $jar, lang: $lang }
    };
}

#[post("/helpdesk/chats/<id>/messages", data = "<form>")]
async fn write(
    admin: SchoolAdmin,
    id: Id,
    form: CsrfForm<LineForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let client = Some(form.client_id.as_str()).filter(|c| !c.is_empty());
    let result = messages::post(app, &admin.0, id.0, &form.body, client).await;
    acting!(app, admin, id, jar, lang).after(result, "chat.sent").await
}

#[post("/helpdesk/chats/<id>/files", data = "<form>")]
async fn send(
    admin: SchoolAdmin,
    id: Id,
    form: CsrfForm<FileForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = send_files(app, &admin.0, id.0, &form.files).await;
    acting!(app, admin, id, jar, lang).after(result, "chat.file_sent").await
}

#[post("/helpdesk/chats/<id>/close", data = "<_form>")]
async fn close(
    admin: SchoolAdmin,
    id: Id,
    _form: CsrfForm<ActionForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = lifecycle::close(app, &admin.0, id.0).await;
    acting!(app, admin, id, jar, lang).after(result, "chat.closed_done").await
}

#[post("/helpdesk/chats/<id>/transcript", data = "<_form>")]
async fn mail_transcript(
    admin: SchoolAdmin,
    id: Id,
    _form: CsrfForm<ActionForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ending::mail_transcript(app, &admin.0, id.0).await;
    acting!(app, admin, id, jar, lang).after(result, "chat.transcript_mailed").await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![start, show, write, send, close, mail_transcript]
}

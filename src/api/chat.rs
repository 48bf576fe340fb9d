//! The chat routes of the JSON API: requests, their conversation and how they end. The
//! pages' scripts call them too, with the session cookie and the CSRF token in a header
//! (see `app::guards`); everyone else with a bearer token. Anonymous callers and other
//! schools get "not found" for every chat.
use rocket::http::{ContentType, Status};
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use rocket::{get, post, Request, Route};
use serde::Deserialize;
use serde_json::{json, Value};

use super::attachments::{Multipart, UploadFields};
use super::tickets::{with_events, TicketWithEvents};
use crate::app::{AnyUser, App};
use crate::attachments::download::{self, Download};
use crate::attachments::store;
use crate::chat::lifecycle::{self, Asked, Request as ChatRequest};
use crate::chat::view::{ChatView, MessageView};
use crate::chat::{self, channels::Availability, ending, files, messages};
use crate::error::{json_body, AppResult};
use crate::i18n::{self, Lang};
use crate::tickets::TicketNumber;
use crate::web::json::ApiJson;
use crate::web::params::{Id, QueryParam};

/// The body of an action that takes no fields: none, or `{}`; anything else is refused
/// like any other body of the wrong shape.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewChatJson {
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub context: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectJson {
    #[serde(default)]
    pub agent: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentJson {
    #[serde(default)]
    pub agent: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachJson {
    #[serde(default)]
    pub ticket: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageJson {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub client_id: Option<String>,
}

/// Nobody is there to chat: 409 with the JSON error body and what to do instead (the
/// ticket form, the desk's phone and hours, and which channels are available).
pub struct Unavailable(pub Availability);

impl<'r> Responder<'r, 'static> for Unavailable {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let lang = Lang::of_request(req);
        let mut body: Value =
            serde_json::from_str(&json_body("chat_unavailable", i18n::tr(lang, "chat.unavailable"), None))
                .unwrap_or_default();
        body["alternatives"] = json!({
            "ticket_form": "/helpdesk/tickets/new",
            "phone": self.0.phone,
            "hours": self.0.hours,
            "channels": self.0.channels,
        });
        let text = body.to_string();
        Response::build()
            .status(Status::Conflict)
            .header(ContentType::JSON)
            .sized_body(text.len(), std::io::Cursor::new(text))
            .ok()
    }
}

#[derive(Responder)]
pub enum Started {
    Waiting((Status, Json<Box<ChatView>>)),
    Unavailable(Unavailable),
}

#[post("/chats", data = "<body>")]
async fn start(user: AnyUser, body: ApiJson<NewChatJson>, app: &App) -> AppResult<Started> {
    let body = body.into_inner();
    let request = ChatRequest {
        channel: body.channel.unwrap_or_default(),
        message: body.message,
        context: body.context.unwrap_or(Value::Null),
        page: None,
    };
    Ok(match lifecycle::ask(app, &user.0, &request).await? {
        Asked::Waiting(chat) => Started::Waiting((Status::Created, Json(chat))),
        Asked::NobodyThere(available) => Started::Unavailable(Unavailable(available)),
    })
}

#[post("/chats/direct", data = "<body>")]
async fn direct(user: AnyUser, body: ApiJson<DirectJson>, app: &App) -> AppResult<(Status, Json<ChatView>)> {
    let chat = lifecycle::direct(app, &user.0, &body.agent, &body.message).await?;
    Ok((Status::Created, Json(chat)))
}

#[get("/chats?<status>")]
async fn list(user: AnyUser, status: QueryParam<String>, app: &App) -> AppResult<Json<Value>> {
    let items = chat::list(app.db.read(), &user.0, &status.value()?.unwrap_or_default()).await?;
    Ok(Json(json!({ "items": items })))
}

#[get("/chats/<id>")]
async fn show(user: AnyUser, id: Id, app: &App) -> AppResult<Json<ChatView>> {
    let (found, _) = chat::find(app.db.read(), &user.0, id.0).await?;
    Ok(Json(chat::view::chat(app.db.read(), found).await?))
}

#[post("/chats/<id>/accept", data = "<_body>")]
async fn accept(user: AnyUser, id: Id, _body: ApiJson<NoFields>, app: &App) -> AppResult<Json<ChatView>> {
    Ok(Json(lifecycle::accept(app, &user.0, id.0).await?))
}

#[post("/chats/<id>/invite", data = "<body>")]
async fn invite(user: AnyUser, id: Id, body: ApiJson<AgentJson>, app: &App) -> AppResult<Json<ChatView>> {
    Ok(Json(lifecycle::bring_in(app, &user.0, id.0, &body.agent, false).await?))
}

#[post("/chats/<id>/handover", data = "<body>")]
async fn handover(user: AnyUser, id: Id, body: ApiJson<AgentJson>, app: &App) -> AppResult<Json<ChatView>> {
    Ok(Json(lifecycle::bring_in(app, &user.0, id.0, &body.agent, true).await?))
}

#[post("/chats/<id>/close", data = "<_body>")]
async fn close(user: AnyUser, id: Id, _body: ApiJson<NoFields>, app: &App) -> AppResult<Json<ChatView>> {
    Ok(Json(lifecycle::close(app, &user.0, id.0).await?))
}

#[post("/chats/<id>/ticket", data = "<_body>")]
async fn to_ticket(
    user: AnyUser,
    id: Id,
    _body: ApiJson<NoFields>,
    app: &App,
) -> AppResult<(Status, Json<TicketWithEvents>)> {
    let ticket = ending::to_ticket(app, &user.0, id.0).await?;
    let number = TicketNumber(ticket.id);
    Ok((Status::Created, Json(with_events(app, &user.0, number).await?)))
}

#[post("/chats/<id>/attach", data = "<body>")]
async fn attach(user: AnyUser, id: Id, body: ApiJson<AttachJson>, app: &App) -> AppResult<Json<TicketWithEvents>> {
    let ticket = ending::attach(app, &user.0, id.0, &body.ticket).await?;
    Ok(Json(with_events(app, &user.0, TicketNumber(ticket.id)).await?))
}

#[post("/chats/<id>/transcript/mail", data = "<_body>")]
async fn mail_transcript(
    user: AnyUser,
    id: Id,
    _body: ApiJson<NoFields>,
    app: &App,
) -> AppResult<(Status, Json<Value>)> {
    ending::mail_transcript(app, &user.0, id.0).await?;
    Ok((Status::Accepted, Json(json!({ "queued": true, "to": user.0.email }))))
}

/// The transcript as a PDF document.
pub struct Pdf {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl<'r> Responder<'r, 'static> for Pdf {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .status(Status::Ok)
            .header(ContentType::PDF)
            .raw_header("Content-Disposition", format!("attachment; filename=\"{}\"", self.name))
            .raw_header("Cache-Control", "private, no-store")
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// The transcript of a chat as PDF, in the reader's language.
pub async fn transcript_pdf(app: &App, actor: &crate::auth::Actor, id: i32) -> AppResult<Pdf> {
    let shown = ending::for_reader(app, actor, id).await?;
    let lang = Lang::parse(&actor.language).unwrap_or_default();
    Ok(Pdf { name: format!("chat-{id}.pdf"), bytes: shown.pdf(lang)? })
}

#[get("/chats/<id>/transcript.pdf")]
async fn transcript(user: AnyUser, id: Id, app: &App) -> AppResult<Pdf> {
    transcript_pdf(app, &user.0, id.0).await
}

#[post("/chats/<id>/messages", data = "<body>")]
async fn post_message(
    user: AnyUser,
    id: Id,
    body: ApiJson<MessageJson>,
    app: &App,
) -> AppResult<(Status, Json<MessageView>)> {
    let posted = messages::post(app, &user.0, id.0, &body.body, body.client_id.as_deref()).await?;
    // A message sent again with its client id is the stored one, not a new one.
    let status = if posted.repeated { Status::Ok } else { Status::Created };
    Ok((status, Json(posted.message)))
}

#[get("/chats/<id>/messages?<after>")]
async fn read_messages(user: AnyUser, id: Id, after: QueryParam<i32>, app: &App) -> AppResult<Json<Value>> {
    let after = after.value_in("after", 0, i32::MAX)?.unwrap_or(0);
    let items = messages::after(app.db.read(), &user.0, id.0, after).await?;
    Ok(Json(json!({ "items": items })))
}

#[post("/chats/<id>/typing", data = "<_body>")]
async fn typing(user: AnyUser, id: Id, _body: ApiJson<NoFields>, app: &App) -> AppResult<Status> {
    messages::typing(app, &user.0, id.0).await?;
    Ok(Status::NoContent)
}

#[post("/chats/<id>/attachments", data = "<form>")]
async fn upload(
    user: AnyUser,
    id: Id,
    form: Multipart<UploadFields<'_>>,
    app: &App,
) -> AppResult<(Status, Json<Value>)> {
    // The chat first: nobody learns from a size or type message that a chat exists.
    chat::find(app.db.read(), &user.0, id.0).await?;
    let staged = store::accept(&app.settings, &form.0.files).await?;
    let lines = files::send(app, &user.0, id.0, staged).await?;
    Ok((Status::Created, Json(json!({ "items": lines }))))
}

#[get("/chats/<id>/attachments/<file>")]
async fn file_download(user: AnyUser, id: Id, file: Id, app: &App) -> AppResult<Download> {
    let model = files::find_file(app, &user.0, id.0, file.0).await?;
    download::open(&app.settings, model).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![
        start,
        direct,
        list,
        show,
        accept,
        invite,
        handover,
        close,
        to_ticket,
        attach,
        mail_transcript,
        transcript,
        post_message,
        read_messages,
        typing,
        upload,
        file_download,
    ]
}

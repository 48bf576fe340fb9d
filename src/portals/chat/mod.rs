//! The live chat's pages. Each works without JavaScript (a form posts, the page answers
//! with the conversation again); `static/chat.js` makes it live over the chat API's
//! WebSocket, or its event stream where a network blocks sockets.
pub mod desk;
pub mod lead;
pub mod school;

use rocket::http::CookieJar;
use rocket::FromForm;

use crate::app::App;
use crate::attachments::store::{self, Upload};
use crate::auth::Actor;
use crate::chat::view::{ChatView, MessageView};
use crate::chat::{self, files, messages, Participation};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;

/// A line typed into the conversation's form.
#[derive(Debug, FromForm)]
pub struct LineForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub body: String,
    /// Sent by the page's script so that a resent form is stored once.
    #[field(default = String::new())]
    pub client_id: String,
}

/// Files or screenshots sent into the conversation (a request's chat only).
#[derive(Debug, FromForm)]
pub struct FileForm<'r> {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = Vec::new())]
    pub files: Vec<Upload<'r>>,
}

/// A form that carries nothing but its CSRF token (accept, close, …).
#[derive(Debug, FromForm)]
pub struct ActionForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
}

crate::csrf_form!(LineForm, FileForm<'_>, ActionForm);

/// Which side of the chat a page is for: the school admin's helpdesk or the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    School,
    Desk,
}

impl Side {
    pub fn base(self, id: i32) -> String {
        match self {
            Side::School => format!("/helpdesk/chats/{id}"),
            Side::Desk => format!("/desk/chats/{id}"),
        }
    }
}

/// One chat as its page shows it: the chat, every line so far, and what the reader may do.
pub async fn conversation(app: &App, actor: &Actor, id: i32, side: Side) -> AppResult<Page> {
    let db = app.db.read();
    let (found, participation) = chat::find(db, actor, id).await?;
    // Who read a school's conversation is recorded as for tickets and reports (SPEC §9).
    if found.school_id.is_some() {
        let via = if side == Side::Desk { "desk" } else { "school" };
        app.views.record(actor, "chat", found.id, found.school_id, via);
    }
    let lines = messages::read_after(db, id, 0).await?;
    // The agent who took the chat on XMPP answers it there, not here.
    let on_xmpp = chat::Via::Web.check(actor, &found).is_err();
    let shown = chat::view::chat(db, found).await?;
    let page = Page::new("chat/conversation.html")
        .with("side", if side == Side::Desk { "desk" } else { "school" })
        .with("base", side.base(id))
        .with("writing", participation == Participation::Active && !on_xmpp)
        .with("on_xmpp", on_xmpp)
        .with("lines", lines)
        .with("upload", crate::attachments::hints(&app.settings))
        .with("chat", shown);
    Ok(match side {
        Side::Desk => page
            .with("people", chat::presence::people(db, &app.settings, chrono::Utc::now()).await?)
            .with("mine", my_chats(db, actor).await?),
        Side::School => page,
    })
}

/// The chats this agent runs now (requests taken, chats with colleagues): their tabs.
pub async fn my_chats<C: sea_orm::ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<Vec<ChatView>> {
    Ok(chat::list(db, actor, "active")
        .await?
        .into_iter()
        .filter(|c| c.agents.iter().any(|a| a.email == actor.email))
        .collect())
}

/// Sends a form's files into the chat. The chat first: nobody learns from a size or type
/// message that a chat exists.
pub async fn send_files(app: &App, actor: &Actor, id: i32, uploads: &[Upload<'_>]) -> AppResult<Vec<MessageView>> {
    chat::find(app.db.read(), actor, id).await?;
    let staged = store::accept(&app.settings, uploads).await?;
    files::send(app, actor, id, staged).await
}

/// What every chat action has besides its form, and what it answers: back to the
/// conversation, or the conversation again with the refusal (a closed chat, a request
/// someone else took, …).
pub struct Acting<'a, 'r> {
    pub app: &'a App,
    pub actor: &'a Actor,
    pub id: i32,
    pub side: Side,
    pub jar: &'a CookieJar<'r>,
    pub lang: Lang,
}

impl Acting<'_, '_> {
    pub async fn after<T>(&self, result: AppResult<T>, done: &'static str) -> AppResult<Posted> {
        let to = format!("{}#chat-form", self.side.base(self.id));
        finish(
            result,
            self.jar,
            self.lang,
            |_| Saved::to(done, to),
            || conversation(self.app, self.actor, self.id, self.side),
        )
        .await
    }
}

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = school::routes();
    routes.extend(desk::routes());
    routes.extend(lead::routes());
    routes
}

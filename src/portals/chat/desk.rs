//! The desk's side of the chat: the chat page (one's presence, the requests waiting, one's
//! chats, everyone's presence, "my chat channels"), and each conversation with accept,
//! hand over, invite, close and "make it a ticket".
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, FromForm, Route};

use super::{conversation, send_files, Acting, ActionForm, FileForm, LineForm, Side};
use crate::app::{Agent, App};
use crate::auth::csrf::CsrfForm;
use crate::auth::Role;
use crate::chat::{self, channels, ending, lifecycle, messages, presence};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::tickets::number;
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;
use crate::web::params::Id;
use entities::PresenceState;

#[derive(Debug, FromForm)]
pub struct StateForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub state: String,
}

#[derive(Debug, FromForm)]
pub struct TakingForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = false)]
    pub taking: bool,
}

#[derive(Debug, FromForm)]
pub struct AgentForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub agent: String,
    #[field(default = String::new())]
    pub message: String,
}

crate::csrf_form!(StateForm, TakingForm, AgentForm);

async fn chat_page(app: &App, agent: &Agent) -> AppResult<Page> {
    let db = app.db.read();
    let actor = &agent.0;
    let mine = super::my_chats(db, actor).await?;
    Ok(Page::new("chat/desk.html")
        .with("state", presence::of(db, &app.settings, actor).await?)
        .with("states", PresenceState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        .with("requests", chat::requests_for(db, actor).await?)
        .with("mine", mine)
        .with("people", presence::people(db, &app.settings, chrono::Utc::now()).await?)
        .with("channels", channels::mine(db, actor).await?)
        .with("is_lead", actor.role == Role::DeskLead))
}

#[get("/desk/chat")]
async fn desk_chat(agent: Agent, app: &App) -> AppResult<Page> {
    chat_page(app, &agent).await
}

/// The tail of the chat page's own forms: back to it, or it again with the refusal.
async fn back<T>(
    app: &App,
    agent: &Agent,
    result: AppResult<T>,
    done: &'static str,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    finish(result, jar, lang, |_| Saved::to(done, "/desk/chat"), || chat_page(app, agent)).await
}

#[post("/desk/chat/presence", data = "<form>")]
async fn choose(
    agent: Agent,
    form: CsrfForm<StateForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = presence::choose(app, &agent.0, &form.state).await;
    back(app, &agent, result, "chat.presence_saved", jar, lang).await
}

#[post("/desk/chat/channels/<slug>/taking", data = "<form>")]
async fn taking(
    agent: Agent,
    slug: &str,
    form: CsrfForm<TakingForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = channels::set_taking(app, &agent.0, slug, form.taking).await;
    back(app, &agent, result, "chat.channels_saved", jar, lang).await
}

/// A chat with a colleague, outside any request.
#[post("/desk/chat/direct", data = "<form>")]
async fn direct(
    agent: Agent,
    form: CsrfForm<AgentForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = lifecycle::direct(app, &agent.0, &form.agent, &form.message).await;
    finish(
        result,
        jar,
        lang,
        |c| Saved::to("chat.started_done", format!("/desk/chats/{}", c.id)),
        || chat_page(app, &agent),
    )
    .await
}

#[get("/desk/chats/<id>")]
async fn show(agent: Agent, id: Id, app: &App) -> AppResult<Page> {
    conversation(app, &agent.0, id.0, Side::Desk).await
}

macro_rules! acting {
    ($app:ident, $agent:ident, $id:ident, $jar:ident, $lang:ident) => {
        Acting { app: $app, actor: &$agent.0, id: $id.0, side: Side::Desk, jar: $jar, lang: $lang }
    };
}

#[post("/desk/chats/<id>/accept", data = "<_form>")]
async fn accept(
    agent: Agent,
    id: Id,
    _form: CsrfForm<ActionForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = lifecycle::accept(app, &agent.0, id.0).await;
    acting!(app, agent, id, jar, lang).after(result, "chat.accepted").await
}

#[post("/desk/chats/<id>/messages", data = "<form>")]
async fn write(
    agent: Agent,
    id: Id,
    form: CsrfForm<LineForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let client = Some(form.client_id.as_str()).filter(|c| !c.is_empty());
    let result = messages::post(app, &agent.0, id.0, &form.body, client).await;
    acting!(app, agent, id, jar, lang).after(result, "chat.sent").await
}

#[post("/desk/chats/<id>/files", data = "<form>")]
async fn send(
    agent: Agent,
    id: Id,
    form: CsrfForm<FileForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = send_files(app, &agent.0, id.0, &form.files).await;
    acting!(app, agent, id, jar, lang).after(result, "chat.file_sent").await
}

#[post("/desk/chats/<id>/invite", data = "<form>")]
async fn invite(
    agent: Agent,
    id: Id,
    form: CsrfForm<AgentForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = lifecycle::bring_in(app, &agent.0, id.0, &form.agent, false).await;
    acting!(app, agent, id, jar, lang).after(result, "chat.invited").await
}

#[post("/desk/chats/<id>/handover", data = "<form>")]
async fn handover(
    agent: Agent,
    id: Id,
    form: CsrfForm<AgentForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = lifecycle::bring_in(app, &agent.0, id.0, &form.agent, true).await;
    acting!(app, agent, id, jar, lang).after(result, "chat.handed_over").await
}

#[post("/desk/chats/<id>/close", data = "<_form>")]
async fn close(
    agent: Agent,
    id: Id,
    _form: CsrfForm<ActionForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = lifecycle::close(app, &agent.0, id.0).await;
    acting!(app, agent, id, jar, lang).after(result, "chat.closed_done").await
}

/// Makes the chat a ticket of its school and goes there.
#[post("/desk/chats/<id>/ticket", data = "<_form>")]
async fn to_ticket(
    agent: Agent,
    id: Id,
    _form: CsrfForm<ActionForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    match ending::to_ticket(app, &agent.0, id.0).await {
        Ok(ticket) => {
            let shown = number(ticket.id);
            crate::web::flash::success_with(jar, "chat.ticket_made", &shown);
            Ok(Posted::Saved(Box::new(Redirect::to(format!("/desk/tickets/{shown}")))))
        }
        Err(e) => acting!(app, agent, id, jar, lang).after(Err::<(), AppError>(e), "chat.ticket_made").await,
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![desk_chat, choose, taking, direct, show, accept, write, send, invite, handover, close, to_ticket]
}

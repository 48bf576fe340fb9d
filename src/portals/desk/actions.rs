//! Every desk action on a ticket, one route and one form each; all go through the ladder
//! and answer the same way: back to the ticket with what was done, or the ticket page again
//! with the error and what was typed. The ticket page itself posts its text to one route
//! (`reply`); the single routes stay for the API's neighbours, scripts and older pages.
use rocket::http::CookieJar;
use rocket::{post, Route};

use super::ticket::{ticket_page, Forwarding, Kept};
use crate::app::{Agent, App};
use crate::attachments::store;
use crate::auth::csrf::CsrfForm;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::ladder;
use crate::portals::ticket_forms::{AssignForm, ForwardForm, OnForwardForm, ReclassifyForm, ReplyForm, TextForm};
use crate::tickets::{number, TicketNumber};
use crate::web::form::{finish, Posted, Saved};
use entities::ticket;

/// What every action handler has besides its form.
struct Acting<'a, 'r> {
    app: &'a App,
    agent: Agent,
    number: TicketNumber,
    jar: &'a CookieJar<'r>,
    lang: Lang,
}

impl Acting<'_, '_> {
    async fn after<T>(&self, result: AppResult<T>, done: &'static str, kept: Kept) -> AppResult<Posted> {
        let to = format!("/desk/tickets/{}", number(self.number.id()));
        let again = || ticket_page(self.app, &self.agent, self.number, kept);
        finish(result, self.jar, self.lang, |_| Saved::to(done, to), again).await
    }

    /// The ticket first: a file message must not tell anyone that a ticket exists.
    async fn files(&self, uploads: &[store::Upload<'_>]) -> AppResult<store::Staged> {
        crate::tickets::find(self.app.db.read(), &self.agent.0, self.number.id()).await?;
        store::accept(&self.app.settings, uploads).await
    }
}

/// The box as a single route's form left it.
fn typed(mode: &'static str, body: &str, seen: Option<i32>) -> Kept {
    Kept { mode, body: body.to_string(), ..Kept::from_form("box", seen) }
}

macro_rules! acting {
    ($app:ident, $agent:ident, $number:ident, $jar:ident, $lang:ident) => {
        Acting { app: $app, agent: $agent, number: $number, jar: $jar, lang: $lang }
    };
}

/// A reply to the school, or an internal note.
#[post("/desk/tickets/<number>/comment", data = "<form>")]
async fn comment(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<ReplyForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let acting = acting!(app, agent, number, jar, lang);
    let result = match acting.files(&form.files).await {
        Ok(files) => ladder::tickets::comment(app, &acting.agent.0, number, &form.reply(), files).await,
        Err(e) => Err(e),
    };
    let mode = if form.internal { "note" } else { "reply" };
    acting.after(result, "tickets.commented", typed(mode, &form.body, form.seen())).await
}

/// A question to the school: the ticket waits on it.
#[post("/desk/tickets/<number>/ask", data = "<form>")]
async fn ask(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<ReplyForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let acting = acting!(app, agent, number, jar, lang);
    let result = match acting.files(&form.files).await {
        Ok(files) => ladder::tickets::ask_school(app, &acting.agent.0, number, &form.reply(), files).await,
        Err(e) => Err(e),
    };
    acting.after(result, "tickets.asked", typed("ask", &form.body, form.seen())).await
}

#[post("/desk/tickets/<number>/assign", data = "<form>")]
async fn assign(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<AssignForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::tickets::assign(app, &agent.0, number, &form.agent, form.version()).await;
    acting!(app, agent, number, jar, lang)
        .after(result, "tickets.assigned", Kept::from_form("facts", form.seen()))
        .await
}

#[post("/desk/tickets/<number>/reclassify", data = "<form>")]
async fn reclassify(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<ReclassifyForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result =
        ladder::tickets::reclassify(app, &agent.0, number, &form.priority, &form.service, form.version()).await;
    let kept = Kept::from_form("facts", form.seen());
    acting!(app, agent, number, jar, lang).after(result, "tickets.reclassified", kept).await
}

#[post("/desk/tickets/<number>/resolve", data = "<form>")]
async fn resolve(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<TextForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::tickets::resolve(app, &agent.0, number, &form.body, form.version()).await;
    let kept = typed("resolve", &form.body, form.seen());
    acting!(app, agent, number, jar, lang).after(result, "tickets.resolved", kept).await
}

#[post("/desk/tickets/<number>/close", data = "<form>")]
async fn close(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<TextForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::tickets::close(app, &agent.0, number, form.version()).await;
    acting!(app, agent, number, jar, lang).after(result, "tickets.closed", Kept::from_form("facts", form.seen())).await
}

#[post("/desk/tickets/<number>/reopen", data = "<form>")]
async fn reopen(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<TextForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::tickets::reopen(app, &agent.0, number, &form.body, form.version()).await;
    acting!(app, agent, number, jar, lang)
        .after(result, "tickets.reopened", Kept::from_form("facts", form.seen()))
        .await
}

#[post("/desk/tickets/<number>/forward", data = "<form>")]
async fn forward(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<ForwardForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::forwarding::forward(app, &agent.0, number, &form.input(), form.version()).await;
    let kept = Kept {
        forwarding: Some(Forwarding {
            provider: form.provider.clone(),
            priority: form.priority.clone(),
            body: form.body.clone(),
            share_description: form.share_description,
            shared_events: form.shared_events.clone(),
            shared_attachments: form.shared_attachments.clone(),
        }),
        ..Kept::from_form("forward", form.seen())
    };
    acting!(app, agent, number, jar, lang).after(result, "forwards.forwarded", kept).await
}

#[post("/desk/tickets/<number>/recall", data = "<form>")]
async fn recall(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<OnForwardForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::forwarding::recall(app, &agent.0, number, form.forward, form.version()).await;
    acting!(app, agent, number, jar, lang)
        .after(result, "forwards.recalled", Kept::from_form("facts", form.seen()))
        .await
}

/// The desk's answer to a provider, with files.
#[post("/desk/tickets/<number>/provider_reply", data = "<form>")]
async fn answer_provider(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<OnForwardForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    // Files are checked before anything is stored; the answer records them.
    let result = match store::accept(&app.settings, &form.files).await {
        Ok(files) => ladder::forwarding::answer_provider(app, &agent.0, number, form.forward, &form.body, files).await,
        Err(e) => Err(e),
    };
    let kept = Kept { forward: Some(form.forward), ..typed("provider", &form.body, form.seen()) };
    acting!(app, agent, number, jar, lang).after::<ticket::Model>(result, "forwards.replied", kept).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![comment, ask, assign, reclassify, resolve, close, reopen, forward, recall, answer_provider]
}

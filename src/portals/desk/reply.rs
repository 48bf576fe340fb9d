//! The ticket page's reply box, and the recall buttons of its forwards: one route for every
//! mode, which the ladder carries out with the action that mode stands for. A resolve or a
//! recall first shows the page asking for confirmation (`confirm=1` confirms); a refused
//! post shows the page again with the text, the mode and what changed since.
use rocket::http::CookieJar;
use rocket::{post, Route};

use super::ticket::{ticket_page, Kept};
use crate::app::{Agent, App};
use crate::attachments::store;
use crate::auth::csrf::CsrfForm;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::ladder::reply::{self as reply_box, Mode};
use crate::portals::ticket_forms::BoxForm;
use crate::tickets::TicketNumber;
use crate::web::form::{finish, Posted, Saved};

/// The post as the page shows it again.
fn kept_of(form: &BoxForm<'_>) -> Kept {
    let mode = Mode::parse(&form.mode).ok().filter(|m| *m != Mode::Recall).unwrap_or(Mode::Reply);
    Kept {
        form: "box",
        mode: mode.as_str(),
        body: form.body.clone(),
        forward: form.forward.trim().parse().ok(),
        close: form.close.trim() == "1",
        seen: form.seen(),
        ..Kept::default()
    }
}

/// Checks the post and its files; carries it out once confirmed. `None`: it waits for the
/// confirmation, nothing done.
async fn step(app: &App, agent: &Agent, number: TicketNumber, form: &BoxForm<'_>) -> AppResult<Option<&'static str>> {
    let input = form.input()?;
    // The ticket first: a file message must not tell anyone that a ticket exists.
    crate::tickets::find(app.db.read(), &agent.0, number.id()).await?;
    let files = store::accept(&app.settings, &form.files).await?;
    input.check(&files)?;
    if input.needs_confirmation() && !form.confirmed() {
        return Ok(None);
    }
    reply_box::send(app, &agent.0, number, &input, files).await.map(Some)
}

#[post("/desk/tickets/<number>/reply", data = "<form>")]
async fn reply(
    agent: Agent,
    number: TicketNumber,
    form: CsrfForm<BoxForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let mut kept = kept_of(&form);
    let done = match step(app, &agent, number, &form).await {
        Ok(None) => {
            kept.confirm = Some(match form.input()?.action() {
                Mode::Recall => "recall",
                _ if kept.close => "close",
                _ => "resolve",
            });
            return Ok(Posted::Again(ticket_page(app, &agent, number, kept).await?));
        }
        Ok(Some(done)) => Ok(done),
        Err(e) => Err(e),
    };
    let to = format!("/desk/tickets/{}", crate::tickets::number(number.id()));
    finish(done, jar, lang, |done| Saved::to(done, to), || ticket_page(app, &agent, number, kept)).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![reply]
}

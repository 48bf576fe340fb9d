//! The dialog's forms: a teacher's report, a school admin's ticket (with a screenshot where
//! the browser allows) and chat request. Each carries the dialog's origin, page and context
//! on; saved, it leads to what was made (the reader sees its state there, as on Staffel's
//! own pages); refused, it shows the dialog again with the message and what was typed.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{post, FromForm, Route};
use serde_json::json;

use super::{dialog, Dialog, Opened};
use crate::app::{App, SchoolAdmin, Teacher, Viewer};
use crate::attachments::store;
use crate::auth::csrf::CsrfForm;
use crate::chat::lifecycle::Asked;
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::portals::reports::report_form;
use crate::portals::ticket_forms::new_ticket_form;
use crate::tickets::number;
use crate::web::form::{finish, Saved};
use crate::widget;

report_form! {
    /// A teacher's report from the dialog: the reports page's fields, and where it was opened.
    pub struct WidgetReportForm<'r> {
        #[field(default = String::new())]
        pub origin: String,
        #[field(default = String::new())]
        pub page: String,
        #[field(default = String::new())]
        pub context: String,
    }
}

new_ticket_form! {
    /// A school admin's ticket from the dialog: the helpdesk's fields without the first-level
    /// questions, and where it was opened.
    pub struct WidgetTicketForm<'r> {
        #[field(default = String::new())]
        pub origin: String,
        #[field(default = String::new())]
        pub page: String,
        #[field(default = String::new())]
        pub context: String,
    }
}

#[derive(Debug, FromForm)]
pub struct WidgetChatForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub origin: String,
    #[field(default = String::new())]
    pub page: String,
    #[field(default = String::new())]
    pub context: String,
    #[field(default = String::new())]
    pub channel: String,
    #[field(default = String::new())]
    pub message: String,
}

csrf_form!(WidgetReportForm<'_>, WidgetTicketForm<'_>, WidgetChatForm);

fn opened(origin: &str, page: &str, context: &str) -> Opened {
    Opened { origin: origin.to_string(), page: page.to_string(), context: context.to_string() }
}

/// The origin and the context a form carries, checked before anything else: a form from a
/// dialog no configured page opened, or with a context out of bounds, changes nothing.
fn checked(
    settings: &crate::config::Settings,
    opened: &Opened,
) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    super::check_origin(settings, &opened.origin)?;
    opened.checked()
}

#[post("/widget/reports", data = "<form>")]
async fn report(
    teacher: Teacher,
    form: CsrfForm<WidgetReportForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<rocket::Either<Redirect, Dialog>> {
    let opened = opened(&form.origin, &form.page, &form.context);
    let input = form.report();
    let filed = async {
        let context = checked(&app.settings, &opened)?;
        let files = store::accept(&app.settings, &form.files).await?;
        widget::file_report(app, &teacher.0, &input, &context, files).await
    }
    .await;
    let viewer = Viewer(Some(teacher.0.clone()));
    let again = || async {
        let shown = dialog(app, &viewer, &opened, "", lang).await?;
        Ok(shown.page.with("input", form.typed()))
    };
    let posted = finish(filed, jar, lang, |r| Saved::to("reports.filed", format!("/reports/{}", r.id)), again).await?;
    Ok(answer(posted, &app.settings))
}

#[post("/widget/tickets", data = "<form>")]
async fn ticket(
    admin: SchoolAdmin,
    form: CsrfForm<WidgetTicketForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<rocket::Either<Redirect, Dialog>> {
    let opened = opened(&form.origin, &form.page, &form.context);
    let input = form.ticket();
    let made = async {
        let context = checked(&app.settings, &opened)?;
        let files = store::accept(&app.settings, &form.files).await?;
        widget::open_ticket(app, &admin.0, &input, &context, files).await
    }
    .await;
    let viewer = Viewer(Some(admin.0.clone()));
    let again = || async {
        let shown = dialog(app, &viewer, &opened, "", lang).await?;
        Ok(shown.page.with("input", form.typed()))
    };
    let saved = |made: crate::tickets::Opened| {
        let number = number(made.ticket.id);
        Saved::to("tickets.opened", format!("/helpdesk/tickets/{number}")).with_arg(number)
    };
    let posted = finish(made, jar, lang, saved, again).await?;
    Ok(answer(posted, &app.settings))
}

#[post("/widget/chats", data = "<form>")]
async fn chat(
    admin: SchoolAdmin,
    form: CsrfForm<WidgetChatForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<rocket::Either<Redirect, Dialog>> {
    let opened = opened(&form.origin, &form.page, &form.context);
    let asked = async {
        let context = checked(&app.settings, &opened)?;
        widget::ask(app, &admin.0, &form.channel, &form.message, context).await
    }
    .await;
    let refused = match asked {
        Ok(Asked::Waiting(chat)) => {
            crate::web::flash::success(jar, "chat.started_done");
            return Ok(rocket::Either::Left(Redirect::to(format!("/helpdesk/chats/{}", chat.id))));
        }
        // Nobody is there after all: the ticket form, with the text already typed; never a
        // chat window nobody answers.
        Ok(Asked::NobodyThere(_)) => AppError::conflict("chat.unavailable"),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => e,
        Err(e) => return Err(e),
    };
    let viewer = Viewer(Some(admin.0.clone()));
    let shown = dialog(app, &viewer, &opened, "", lang).await?;
    let page = shown.page.with("input", json!({ "description": form.message, "chat_message": form.message }));
    Ok(rocket::Either::Right(Dialog { page: page.with_error(&refused, lang), ..shown }))
}

/// A form's answer: the redirect, or the dialog again under its own framing policy.
fn answer(posted: crate::web::form::Posted, settings: &crate::config::Settings) -> rocket::Either<Redirect, Dialog> {
    match posted {
        crate::web::form::Posted::Saved(redirect) => rocket::Either::Left(*redirect),
        crate::web::form::Posted::Again(page) => {
            rocket::Either::Right(Dialog { page, policy: super::dialog_policy(settings) })
        }
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![report, ticket, chat]
}

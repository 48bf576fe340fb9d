//! An agent's XMPP address on their account page: link (then confirm from the client with
//! the code shown), or unlink.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{post, FromForm, Route};
use serde::Serialize;

use super::account_view;
use super::forms::CsrfOnly;
use crate::app::{AnyUser, App};
use crate::auth::csrf::CsrfForm;
use crate::auth::Actor;
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::flash;
use crate::web::page::Page;
use crate::xmpp::links;

#[derive(Debug, FromForm)]
pub struct XmppForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub jid: String,
}
csrf_form!(XmppForm);

/// What the account page shows of XMPP: nothing for people outside the desk or when
/// Staffel has no XMPP account; else the link and where to send its code.
#[derive(Debug, Serialize)]
pub struct XmppSection {
    pub staffel: String,
    pub jid: Option<String>,
    pub code: Option<String>,
    pub confirmed: bool,
}

pub async fn section(app: &App, actor: &Actor) -> AppResult<Option<XmppSection>> {
    if !actor.role.is_desk() || !app.settings.xmpp_enabled() {
        return Ok(None);
    }
    let link = links::of(app.db.read(), actor.id).await?;
    Ok(Some(XmppSection {
        staffel: app.settings.xmpp_jid.trim().to_string(),
        confirmed: link.as_ref().is_some_and(|l| l.confirmed_at.is_some()),
        code: link.as_ref().and_then(|l| l.code.clone()),
        jid: link.map(|l| l.jid),
    }))
}

#[post("/account/xmpp", data = "<form>")]
async fn link(
    user: AnyUser,
    form: CsrfForm<XmppForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> Result<Redirect, Result<Page, AppError>> {
    match links::link(app, &user.0, &form.jid).await {
        Ok(_) => {
            flash::success(jar, "xmpp.saved");
            Ok(Redirect::to("/account#xmpp"))
        }
        Err(AppError::Forbidden) => Err(Err(AppError::Forbidden)),
        Err(error) => match account_view(app, &user).await {
            Ok(page) => Err(Ok(page.with("jid_typed", &form.jid).with_error(&error, lang))),
            Err(e) => Err(Err(e)),
        },
    }
}

#[post("/account/xmpp/unlink", data = "<_form>")]
async fn unlink(user: AnyUser, _form: CsrfForm<CsrfOnly>, app: &App, jar: &CookieJar<'_>) -> AppResult<Redirect> {
    links::unlink(app, &user.0).await?;
    flash::success(jar, "xmpp.removed");
    Ok(Redirect::to("/account#xmpp"))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![link, unlink]
}

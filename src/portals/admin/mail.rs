//! `/admin/mail`: mail that needs an operator — given up after days of failing, or waiting
//! for more than an hour — and sending it again, one by one or every failed one at once.
//! The same service as `staffel mail retry` (`mail::retry`), with its audit record.
use rocket::http::CookieJar;
use rocket::{get, post, FromForm, Route};

use crate::app::{App, Operator};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::mail::retry::{self, Again};
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;

/// A button's form: nothing but the CSRF token.
#[derive(Debug, FromForm)]
pub struct SendAgainForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
}
csrf_form!(SendAgainForm);

/// How long ago, in the largest unit that fits, for reading at a glance.
fn age_text(lang: Lang, secs: i64) -> String {
    let (key, amount) = match secs {
        s if s >= 2 * 86_400 => ("admin.mail_age_days", s / 86_400),
        s if s >= 3_600 => ("admin.mail_age_hours", s / 3_600),
        s => ("admin.mail_age_minutes", s / 60),
    };
    i18n::tr_arg(lang, key, &amount.to_string())
}

async fn list_page(app: &App, lang: Lang) -> AppResult<Page> {
    let stuck = retry::stuck(&app.db, chrono::Utc::now()).await?;
    let failed = stuck.iter().filter(|m| m.status == entities::MailStatus::Failed).count();
    let rows: Vec<_> = stuck
        .into_iter()
        .map(|m| {
            let age = age_text(lang, m.age_secs);
            serde_json::json!({ "mail": m, "age": age })
        })
        .collect();
    Ok(Page::new("admin/mail.html")
        .with("mails", rows)
        .with("failed", failed)
        .with("listed_at_most", retry::STUCK_LISTED))
}

#[get("/admin/mail")]
async fn list(op: Operator, app: &App, lang: Lang) -> AppResult<Page> {
    let _ = &op;
    list_page(app, lang).await
}

/// The mail id of a path. Taken as text so that the role guard answers first, and a path
/// that is no number names no mail: 404.
fn mail_id(raw: &str) -> AppResult<i32> {
    raw.parse().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)
}

#[post("/admin/mail/<id>/send-again", data = "<form>")]
async fn send_one_again(
    op: Operator,
    id: &str,
    form: CsrfForm<SendAgainForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let _ = &form;
    let id = mail_id(id)?;
    let result = match retry::send_again(&app.db, By::User(&op.0), Again::One(id)).await {
        // A worker holds it: it is being delivered right now.
        Ok(0) => Err(AppError::Conflict { message: "admin.mail_in_delivery", arg: Some(id.to_string()) }),
        other => other,
    };
    finish(
        result,
        jar,
        lang,
        |_| Saved::to("admin.mail_sent_again", "/admin/mail").with_arg(id.to_string()),
        || list_page(app, lang),
    )
    .await
}

#[post("/admin/mail/send-again-failed", data = "<form>")]
async fn send_failed_again(
    op: Operator,
    form: CsrfForm<SendAgainForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let _ = &form;
    let result = retry::send_again(&app.db, By::User(&op.0), Again::AllFailed).await;
    finish(
        result,
        jar,
        lang,
        |count| Saved::to("admin.mail_all_sent_again", "/admin/mail").with_arg(count.to_string()),
        || list_page(app, lang),
    )
    .await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![list, send_one_again, send_failed_again]
}

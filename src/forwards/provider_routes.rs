//! The provider's page: no login, the emailed link is the credential. It shows exactly the
//! shared ticket and offers acknowledge, comment and resolve. An unknown, expired or
//! revoked link gets a plain page that says so and nothing else.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, FromForm, Route, State};
use sea_orm::DatabaseConnection;

use super::service;
use crate::auth::csrf::CsrfForm;
use crate::config::Settings;
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::tickets::service::Ctx;
use crate::web::flash;
use crate::web::page::Page;

#[derive(Debug, FromForm)]
pub struct ProviderForm<'r> {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub reference: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = String::new())]
    pub solution: String,
    /// Files with a comment.
    #[field(default = Vec::new())]
    pub files: Vec<crate::attachments::store::Upload<'r>>,
}
csrf_form!(ProviderForm<'_>);

async fn page(db: &DatabaseConnection, settings: &Settings, token: &str) -> AppResult<Page> {
    let access = service::open(db, token).await?;
    let shared = service::shared(db, &access).await?;
    Ok(Page::new("forwards/provider.html")
        .with("shared", shared)
        .with("token", token)
        .with("upload", crate::attachments::hints(settings)))
}

#[get("/provider/<token>")]
async fn show(token: &str, db: &State<DatabaseConnection>, settings: &State<Settings>) -> AppResult<Page> {
    page(db, settings, token).await
}

#[post("/provider/<token>/<action>", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn act(
    token: &str,
    action: &str,
    form: CsrfForm<ProviderForm<'_>>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
    settings: &State<Settings>,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let access = service::open(db.inner(), token).await?;
    let (result, done) = match action {
        "ack" => (service::acknowledge(&ctx, access, &form.reference).await, "forwards.acknowledged"),
        "comment" if form.files.iter().any(|f| !f.is_empty() || f.raw_name().is_some()) => {
            let result = match crate::attachments::store::accept(settings, &form.files).await {
                Ok(staged) => crate::attachments::flows::provider_comment(&ctx, &access, &form.body, staged).await,
                Err(e) => Err(e),
            };
            (result.map(|_| access), "forwards.commented")
        }
        "comment" => (service::comment(&ctx, access, &form.body).await, "forwards.commented"),
        "resolve" => (service::resolve(&ctx, access, &form.solution).await, "forwards.resolved"),
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(_) => {
            flash::success(jar, done);
            Ok(Ok(Redirect::to(format!("/provider/{token}"))))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            Ok(Err(page(db, settings, token).await?.with_error(&e, lang)))
        }
        Err(e) => Err(e),
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![show, act]
}

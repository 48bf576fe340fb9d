//! The provider's page: no login, the emailed link is the credential. It shows exactly the
//! shared ticket and offers acknowledge, comment and resolve. An unknown, expired or
//! revoked link gets a plain page that says so and nothing else.
use rocket::http::CookieJar;
use rocket::{get, post, FromForm, Route};

use crate::app::App;
use crate::attachments::{download::Download, store};
use crate::auth::csrf::CsrfForm;
use crate::csrf_form;
use crate::error::AppResult;
use crate::forwards::link_guard::ProviderLink;
use crate::forwards::service::{self as forwards, Access};
use crate::i18n::Lang;
use crate::ladder;
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;
use crate::web::params::Id;

#[derive(Debug, FromForm)]
pub struct AckForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub reference: String,
}

#[derive(Debug, FromForm)]
pub struct CommentForm<'r> {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = Vec::new())]
    pub files: Vec<store::Upload<'r>>,
}

#[derive(Debug, FromForm)]
pub struct ResolveForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub solution: String,
}
csrf_form!(AckForm, CommentForm<'_>, ResolveForm);

async fn page(app: &App, access: &Access, token: &str) -> AppResult<Page> {
    let shared = forwards::shared(app.db.read(), access).await?;
    Ok(Page::new("forwards/provider.html")
        .with("shared", shared)
        .with("token", token)
        .with("upload", crate::attachments::hints(&app.settings)))
}

#[get("/provider/<_>")]
async fn show(link: ProviderLink, app: &App) -> AppResult<Page> {
    page(app, &link.access, &link.token).await
}

/// Back to the page with what was done, or the page again (read anew) with the error.
async fn after(
    result: AppResult<Access>,
    done: &'static str,
    app: &App,
    token: &str,
    (jar, lang): (&CookieJar<'_>, Lang),
) -> AppResult<Posted> {
    let again = || async {
        let access = forwards::open(app.db.read(), token).await?;
        page(app, &access, token).await
    };
    finish(result, jar, lang, |_| Saved::to(done, format!("/provider/{token}")), again).await
}

#[post("/provider/<_>/ack", data = "<form>")]
async fn ack(
    link: ProviderLink,
    form: CsrfForm<AckForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::provider::acknowledge(app, link.access, &form.reference).await;
    after(result, "forwards.acknowledged", app, &link.token, (jar, lang)).await
}

#[post("/provider/<_>/comment", data = "<form>")]
async fn comment(
    link: ProviderLink,
    form: CsrfForm<CommentForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = match store::accept(&app.settings, &form.files).await {
        Ok(files) => ladder::provider::comment(app, link.access, &form.body, files).await,
        Err(e) => Err(e),
    };
    after(result, "forwards.commented", app, &link.token, (jar, lang)).await
}

#[post("/provider/<_>/resolve", data = "<form>")]
async fn resolve(
    link: ProviderLink,
    form: CsrfForm<ResolveForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = ladder::provider::resolve(app, link.access, &form.solution).await;
    after(result, "forwards.resolved", app, &link.token, (jar, lang)).await
}

/// A file the desk shared with this forward, or one the provider uploaded.
#[get("/provider/<_>/attachments/<id>")]
async fn download(id: Id, link: ProviderLink, app: &App) -> AppResult<Download> {
    let model = crate::attachments::service::find_for_provider(app.db.read(), link.access.scope(), id.0).await?;
    crate::attachments::download::open(&app.settings, model).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![show, ack, comment, resolve, download]
}

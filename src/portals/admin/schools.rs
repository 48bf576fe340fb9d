//! `/admin/schools`: the operators' school administration.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, FromForm, Route};

use crate::app::{App, Operator};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::schools::service;
use crate::web::flash;
use crate::web::page::Page;

#[derive(Debug, FromForm)]
pub struct SchoolForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub slug: String,
    #[field(default = String::new())]
    pub name: String,
    #[field(default = false)]
    pub active: bool,
}
csrf_form!(SchoolForm);

async fn list_page(app: &App, op: &Operator) -> AppResult<Page> {
    Ok(Page::new("admin/schools.html").with("schools", service::list(app.db.read(), By::User(&op.0), true).await?))
}

#[get("/admin/schools")]
async fn list(op: Operator, app: &App) -> AppResult<Page> {
    list_page(app, &op).await
}

#[post("/admin/schools", data = "<form>")]
async fn create(
    op: Operator,
    form: CsrfForm<SchoolForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    match service::create(&app.db, By::User(&op.0), &form.slug, &form.name).await {
        Ok(school) => {
            flash::success_with(jar, "admin.school_created", &school.name);
            Ok(Ok(Redirect::to("/admin/schools")))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(Err(list_page(app, &op)
            .await?
            .with("input", serde_json::json!({ "slug": form.slug, "name": form.name }))
            .with_error(&e, lang))),
        Err(e) => Err(e),
    }
}

#[get("/admin/schools/<slug>")]
async fn edit_form(op: Operator, slug: &str, app: &App) -> AppResult<Page> {
    let _ = &op;
    let school = service::find_by_slug(app.db.read(), slug).await?.ok_or(AppError::NotFound)?;
    Ok(Page::new("admin/school_form.html").with("school", school))
}

#[post("/admin/schools/<slug>", data = "<form>")]
async fn update(
    op: Operator,
    slug: &str,
    form: CsrfForm<SchoolForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    match service::update(&app.db, By::User(&op.0), slug, &form.name, form.active).await {
        Ok(school) => {
            flash::success_with(jar, "admin.school_saved", &school.name);
            Ok(Ok(Redirect::to("/admin/schools")))
        }
        Err(e @ AppError::Invalid { .. }) => {
            let school = service::find_by_slug(app.db.read(), slug).await?.ok_or(AppError::NotFound)?;
            Ok(Err(Page::new("admin/school_form.html").with("school", school).with_error(&e, lang)))
        }
        Err(e) => Err(e),
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![list, create, edit_form, update]
}

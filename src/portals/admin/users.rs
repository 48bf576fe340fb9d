//! The operators' user administration under `/admin/users`.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, Route};

use crate::accounts::service::{self, UserInput};
use crate::app::{App, Operator};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::auth::Role;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::portals::account::forms::{ActiveForm, UserForm};
use crate::schools;
use crate::web::flash;
use crate::web::page::Page;

async fn form_page(app: &App, op: &Operator, user_id: Option<i32>, input: &UserInput) -> AppResult<Page> {
    let schools = schools::service::list(app.db.read(), By::User(&op.0), false).await?;
    Ok(Page::new("admin/user_form.html")
        .with("user_id", user_id)
        .with(
            "input",
            serde_json::json!({
                "email": input.email, "name": input.name, "role": input.role,
                "school": input.school, "language": input.language,
            }),
        )
        .with("roles", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>())
        .with("schools", schools))
}

#[get("/admin/users?<q>&<role>&<school>")]
async fn list(op: Operator, app: &App, q: Option<&str>, role: Option<&str>, school: Option<&str>) -> AppResult<Page> {
    let by = By::User(&op.0);
    let users = service::list(app.db.read(), by, q.unwrap_or(""), role.unwrap_or(""), school.unwrap_or("")).await?;
    let schools = schools::service::list(app.db.read(), by, false).await?;
    Ok(Page::new("admin/users.html")
        .with("users", users)
        .with("schools", schools)
        .with("roles", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>())
        .with("filter", serde_json::json!({ "q": q, "role": role, "school": school })))
}

#[get("/admin/users/new")]
async fn new_form(op: Operator, app: &App) -> AppResult<Page> {
    let input = UserInput { role: "teacher".into(), language: "de".into(), ..Default::default() };
    form_page(app, &op, None, &input).await
}

#[post("/admin/users", data = "<form>")]
async fn create(
    op: Operator,
    form: CsrfForm<UserForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let input = UserInput::from(&form.0);
    match service::create_user(&app.db, By::User(&op.0), input.clone()).await {
        Ok(user) => {
            flash::success_with(jar, "admin.user_created", &user.email);
            Ok(Ok(Redirect::to("/admin/users")))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(Err(form_page(app, &op, None, &input).await?.with_error(&e, lang))),
        Err(e) => Err(e),
    }
}

/// The user id of a path. Taken as text so that the role guard answers first, and a path
/// that is no number (`/admin/users/abc`) names no user: 404, not "cannot read the form".
fn user_id(raw: &str) -> AppResult<i32> {
    raw.parse().map_err(|_| AppError::NotFound)
}

#[get("/admin/users/<id>")]
async fn edit_form(op: Operator, id: &str, app: &App) -> AppResult<Page> {
    let id = user_id(id)?;
    let user = service::get(app.db.read(), By::User(&op.0), id).await?;
    let school = match user.school_id {
        Some(school_id) => schools::service::get(app.db.read(), school_id).await?.map(|s| s.slug).unwrap_or_default(),
        None => String::new(),
    };
    let input = UserInput {
        email: user.email,
        name: user.name,
        role: user.role.to_string(),
        school,
        language: user.language,
        password: String::new(),
    };
    Ok(form_page(app, &op, Some(id), &input).await?.with("active", user.active))
}

#[post("/admin/users/<id>", data = "<form>")]
async fn update(
    op: Operator,
    id: &str,
    form: CsrfForm<UserForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let id = user_id(id)?;
    let input = UserInput::from(&form.0);
    match service::update_user(&app.db, By::User(&op.0), id, input.clone()).await {
        Ok(user) => {
            flash::success_with(jar, "admin.user_saved", &user.email);
            Ok(Ok(Redirect::to("/admin/users")))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(Err(form_page(app, &op, Some(id), &input).await?.with_error(&e, lang))),
        Err(e) => Err(e),
    }
}

#[post("/admin/users/<id>/active", data = "<form>")]
async fn set_active(
    op: Operator,
    id: &str,
    form: CsrfForm<ActiveForm>,
    app: &App,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let id = user_id(id)?;
    let user = service::set_active(&app.db, By::User(&op.0), id, form.active).await?;
    flash::success_with(jar, if form.active { "admin.user_activated" } else { "admin.user_deactivated" }, &user.email);
    Ok(Redirect::to("/admin/users"))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![list, new_form, create, edit_form, update, set_active]
}

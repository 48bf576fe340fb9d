//! `/admin/services` and `/admin/providers`: the operators' catalogue administration.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, FromForm, Route};

use crate::app::{App, Operator};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::catalogue::providers::{self, ProviderInput};
use crate::catalogue::services::{self, ServiceInput};
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::flash;
use crate::web::page::Page;

#[derive(Debug, FromForm)]
pub struct ServiceForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub slug: String,
    #[field(default = String::new())]
    pub name_de: String,
    #[field(default = String::new())]
    pub name_en: String,
    #[field(default = false)]
    pub active: bool,
}

#[derive(Debug, FromForm)]
pub struct ProviderForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub slug: String,
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub response_hours: String,
    /// One contact per line.
    #[field(default = String::new())]
    pub contacts: String,
    #[field(default = Vec::new())]
    pub services: Vec<String>,
    #[field(default = false)]
    pub active: bool,
}
csrf_form!(ServiceForm, ProviderForm);

impl ProviderForm {
    fn input(&self) -> ProviderInput {
        ProviderInput {
            slug: self.slug.clone(),
            name: self.name.clone(),
            response_hours: self.response_hours.clone(),
            contacts: self.contacts.lines().map(str::to_string).collect(),
            services: self.services.clone(),
            active: self.active,
        }
    }
}

async fn services_page(app: &App) -> AppResult<Page> {
    Ok(Page::new("admin/services.html").with("services", services::list(app.db.read(), true).await?))
}

#[get("/admin/services")]
async fn service_list(_op: Operator, app: &App) -> AppResult<Page> {
    services_page(app).await
}

#[post("/admin/services", data = "<form>")]
async fn service_create(
    op: Operator,
    form: CsrfForm<ServiceForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let input = ServiceInput { slug: &form.slug, name_de: &form.name_de, name_en: &form.name_en, active: true };
    match services::create(&app.db, By::User(&op.0), input).await {
        Ok(service) => {
            flash::success_with(jar, "admin.service_saved", &service.slug);
            Ok(Ok(Redirect::to("/admin/services")))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(Err(services_page(app)
            .await?
            .with("input", serde_json::json!({ "slug": form.slug, "name_de": form.name_de, "name_en": form.name_en }))
            .with_error(&e, lang))),
        Err(e) => Err(e),
    }
}

#[post("/admin/services/<slug>", data = "<form>")]
async fn service_update(
    op: Operator,
    slug: &str,
    form: CsrfForm<ServiceForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let input = ServiceInput { slug, name_de: &form.name_de, name_en: &form.name_en, active: form.active };
    match services::update(&app.db, By::User(&op.0), input).await {
        Ok(service) => {
            flash::success_with(jar, "admin.service_saved", &service.slug);
            Ok(Ok(Redirect::to("/admin/services")))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(Err(services_page(app).await?.with_error(&e, lang))),
        Err(e) => Err(e),
    }
}

async fn provider_form_page(app: &App, existing: Option<&str>, form: Option<&ProviderForm>) -> AppResult<Page> {
    let catalogue = services::list(app.db.read(), false).await?;
    let mut page = Page::new("admin/provider_form.html").with("services", catalogue).with("existing", existing);
    if let Some(form) = form {
        page = page.with(
            "input",
            serde_json::json!({
                "slug": form.slug, "name": form.name, "response_hours": form.response_hours,
                "contacts": form.contacts, "services": form.services, "active": form.active,
            }),
        );
    }
    Ok(page)
}

#[get("/admin/providers")]
async fn provider_list(_op: Operator, app: &App) -> AppResult<Page> {
    Ok(Page::new("admin/providers.html").with("providers", providers::list(app.db.read(), true).await?))
}

#[get("/admin/providers/new")]
async fn provider_new(_op: Operator, app: &App) -> AppResult<Page> {
    Ok(provider_form_page(app, None, None)
        .await?
        .with("input", serde_json::json!({ "response_hours": "16", "active": true })))
}

#[post("/admin/providers", data = "<form>")]
async fn provider_create(
    op: Operator,
    form: CsrfForm<ProviderForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    match providers::create(&app.db, By::User(&op.0), form.input()).await {
        Ok(provider) => {
            flash::success_with(jar, "admin.provider_saved", &provider.name);
            Ok(Ok(Redirect::to("/admin/providers")))
        }
        Err(e @ AppError::Invalid { .. }) => {
            Ok(Err(provider_form_page(app, None, Some(&form.0)).await?.with_error(&e, lang)))
        }
        Err(e) => Err(e),
    }
}

#[get("/admin/providers/<slug>")]
async fn provider_edit(_op: Operator, slug: &str, app: &App) -> AppResult<Page> {
    let view =
        providers::list(app.db.read(), true).await?.into_iter().find(|p| p.slug == slug).ok_or(AppError::NotFound)?;
    let contacts: Vec<String> = view.contacts.iter().map(|c| format!("{} <{}>", c.name, c.email)).collect();
    Ok(provider_form_page(app, Some(slug), None).await?.with(
        "input",
        serde_json::json!({
            "slug": view.slug, "name": view.name, "response_hours": view.response_hours.to_string(),
            "contacts": contacts.join("\n"), "services": view.services, "active": view.active,
        }),
    ))
}

#[post("/admin/providers/<slug>", data = "<form>")]
async fn provider_update(
    op: Operator,
    slug: &str,
    form: CsrfForm<ProviderForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let mut input = form.input();
    input.slug = slug.to_string();
    match providers::update(&app.db, By::User(&op.0), input).await {
        Ok(provider) => {
            flash::success_with(jar, "admin.provider_saved", &provider.name);
            Ok(Ok(Redirect::to("/admin/providers")))
        }
        Err(e @ AppError::Invalid { .. }) => {
            Ok(Err(provider_form_page(app, Some(slug), Some(&form.0)).await?.with_error(&e, lang)))
        }
        Err(e) => Err(e),
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![
        service_list,
        service_create,
        service_update,
        provider_list,
        provider_new,
        provider_create,
        provider_edit,
        provider_update
    ]
}

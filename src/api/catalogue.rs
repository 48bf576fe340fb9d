//! `/me`, `/services`, `/providers`.
use rocket::serde::json::Json;
use rocket::{get, Route};
use serde::Serialize;

use crate::app::{AnyUser, App, Viewer};
use crate::auth::Role;
use crate::catalogue::{providers, services};
use crate::error::{AppError, AppResult};

#[derive(Serialize)]
pub struct Me {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub school: Option<String>,
    pub language: String,
}

#[get("/me")]
fn me(user: AnyUser) -> Json<Me> {
    let a = user.0;
    Json(Me { email: a.email, name: a.name, role: a.role, school: a.school_slug, language: a.language })
}

#[derive(Serialize)]
pub struct ServiceJson {
    pub slug: String,
    pub name: String,
    pub name_de: String,
    pub name_en: String,
}

#[get("/services")]
async fn service_list(_viewer: Viewer, app: &App, lang: crate::i18n::Lang) -> AppResult<Json<Vec<ServiceJson>>> {
    let list = services::list(app.db.read(), false).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| ServiceJson {
                name: if lang == crate::i18n::Lang::En { s.name_en.clone() } else { s.name_de.clone() },
                slug: s.slug,
                name_de: s.name_de,
                name_en: s.name_en,
            })
            .collect(),
    ))
}

/// Providers are the desk's business (it forwards to them) and the operators' (they keep
/// the list); their contact addresses are nobody else's.
#[get("/providers")]
async fn provider_list(user: AnyUser, app: &App) -> AppResult<Json<Vec<providers::ProviderView>>> {
    if !(user.0.role.is_desk() || user.0.role == Role::Operator) {
        return Err(AppError::Forbidden);
    }
    Ok(Json(providers::list(app.db.read(), false).await?))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![me, service_list, provider_list]
}

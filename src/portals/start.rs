//! The start pages: `/` sends each role to its own, and the operators' administration index.
use rocket::response::Redirect;
use rocket::{get, Route};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::app::{App, Operator, Viewer};
use crate::auth::start_page;
use crate::error::AppResult;
use crate::web::page::Page;

#[get("/")]
fn start(viewer: Viewer) -> Redirect {
    Redirect::to(viewer.0.map(|a| start_page(a.role)).unwrap_or("/faq"))
}

#[get("/admin")]
async fn admin(_op: Operator, app: &App) -> AppResult<Page> {
    let counts = json!({
        "schools": entities::school::Entity::find().count(app.db.read()).await?,
        "users": entities::user::Entity::find().count(app.db.read()).await?,
        "services": entities::service::Entity::find().count(app.db.read()).await?,
        "providers": entities::provider::Entity::find().count(app.db.read()).await?,
    });
    Ok(Page::new("admin/index.html").with("counts", counts))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![start, admin]
}

//! The start pages. Pages of capabilities still being built say what they will hold.
use rocket::response::Redirect;
use rocket::{get, Route, State};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::auth::{Operator, Viewer};
use crate::error::AppResult;
use crate::web::page::Page;

#[get("/")]
fn start(viewer: Viewer) -> Redirect {
    Redirect::to(viewer.0.map(|a| a.role.start_page()).unwrap_or("/faq"))
}

#[get("/admin")]
async fn admin(_op: Operator, db: &State<DatabaseConnection>) -> AppResult<Page> {
    let counts = json!({
        "schools": entities::school::Entity::find().count(db.inner()).await?,
        "users": entities::user::Entity::find().count(db.inner()).await?,
        "services": entities::service::Entity::find().count(db.inner()).await?,
        "providers": entities::provider::Entity::find().count(db.inner()).await?,
    });
    Ok(Page::new("admin/index.html").with("counts", counts))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![start, admin]
}

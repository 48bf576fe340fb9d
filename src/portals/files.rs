//! Downloads for signed-in people: a file of a report or ticket, within the reader's scope
//! (see `attachments::service`); anything else is "not found".
use rocket::{get, Route};

use crate::app::{AnyUser, App};
use crate::attachments::download::Download;
use crate::error::AppResult;
use crate::web::params::Id;

#[get("/attachments/<id>")]
async fn download(user: AnyUser, id: Id, app: &App) -> AppResult<Download> {
    let model = crate::attachments::service::find_for_user(app.db.read(), &user.0, id.0).await?;
    app.views.record_download(&user.0, &model);
    crate::attachments::download::open(&app.settings, model).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![download]
}

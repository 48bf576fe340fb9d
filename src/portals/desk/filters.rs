//! An agent's saved queue filters: saved from the queue page (its current query string)
//! under a name, shown as links above the queue, deleted there.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{post, FromForm, Route};

use crate::app::{Agent, App};
use crate::auth::csrf::CsrfForm;
use crate::csrf_form;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::saved_filters;
use crate::web::flash;
use crate::web::form::{finish, Posted, Saved};
use crate::web::params::{Id, QueueQuery};

#[derive(Debug, FromForm)]
pub struct SaveForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub name: String,
    /// The queue's query string as the page shows it (`queue=open&priority=P1`).
    #[field(default = String::new())]
    pub query: String,
}

#[derive(Debug, FromForm)]
pub struct PlainForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
}
csrf_form!(SaveForm, PlainForm);

/// Saves the filter and shows it; refused, the queue of that filter again with the name
/// typed and the reason at its field.
#[post("/desk/filters", data = "<form>")]
async fn save(agent: Agent, form: CsrfForm<SaveForm>, app: &App, jar: &CookieJar<'_>, lang: Lang) -> AppResult<Posted> {
    // Read as the queue reads its own query string: what it does not know is dropped.
    let (shown, result) = match QueueQuery::from_query_string(&form.query) {
        Ok(query) => {
            let filter = query.filter("open");
            let saved = saved_filters::save(&app.db, &agent.0, &form.name, &filter).await;
            (filter, saved)
        }
        Err(e) => (QueueQuery::default().filter("open"), Err(e)),
    };
    let name = form.name.clone();
    finish(
        result,
        jar,
        lang,
        |saved| Saved::to("saved_filters.saved", format!("/desk?{}", saved.query)).with_arg(saved.name),
        || async {
            let page = super::queue::queue_page(app, &agent, shown, lang).await?;
            Ok(page.with("filter_name", name))
        },
    )
    .await
}

#[post("/desk/filters/<id>/delete", data = "<_form>")]
async fn delete(
    agent: Agent,
    id: Id,
    _form: CsrfForm<PlainForm>,
    app: &App,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let gone = saved_filters::delete(&app.db, &agent.0, id.0).await?;
    flash::success_with(jar, "saved_filters.deleted", &gone.name);
    Ok(Redirect::to("/desk"))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![save, delete]
}

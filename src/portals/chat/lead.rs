//! The desk lead's chat channels: create them, name them, tie them to a service, choose
//! their agents, limit them to the desk's hours, switch them off.
use rocket::http::CookieJar;
use rocket::{get, post, FromForm, Route};
use serde_json::json;

use crate::app::{App, DeskLead};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::chat::channels::{self, ChannelInput};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;

#[derive(Debug, FromForm)]
pub struct ChannelForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub slug: String,
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub service: String,
    #[field(default = false)]
    pub hours_only: bool,
    #[field(default = false)]
    pub active: bool,
    /// The agents' emails, one checkbox each.
    #[field(default = Vec::new())]
    pub agents: Vec<String>,
}

crate::csrf_form!(ChannelForm);

impl ChannelForm {
    fn input(&self) -> ChannelInput {
        ChannelInput {
            slug: self.slug.clone(),
            name: self.name.clone(),
            service: self.service.clone(),
            hours_only: self.hours_only,
            active: self.active,
            agents: self.agents.clone(),
        }
    }
}

async fn channels_page(app: &App) -> AppResult<Page> {
    let db = app.db.read();
    Ok(Page::new("chat/channels.html")
        .with("channels", channels::overview(db).await?)
        .with("people", crate::chat::presence::people(db, &app.settings, chrono::Utc::now()).await?)
        .with("services", crate::catalogue::services::list(db, false).await?)
        .with("input", json!({ "active": true })))
}

#[get("/desk/chat/channels")]
async fn list(_lead: DeskLead, app: &App) -> AppResult<Page> {
    channels_page(app).await
}

#[post("/desk/chat/channels", data = "<form>")]
async fn save(
    lead: DeskLead,
    form: CsrfForm<ChannelForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = channels::save(&app.db, By::User(&lead.0), &form.input()).await;
    let again = || async {
        Ok(channels_page(app).await?.with(
            "input",
            json!({ "slug": form.slug, "name": form.name, "service": form.service, "hours_only": form.hours_only,
                    "active": form.active, "agents": form.agents }),
        ))
    };
    finish(result, jar, lang, |c| Saved::to("chat.channel_saved", "/desk/chat/channels").with_arg(c.name), again).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![list, save]
}

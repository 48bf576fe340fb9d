//! `/desk/settings`: the desk lead's SLA targets, business week and holidays.
use chrono::Utc;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, FromForm, Route};
use serde_json::json;

use crate::app::{App, DeskLead};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::sla::settings::{self as service, DayInput, TargetInput};
use crate::web::flash;
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;
use entities::Priority;

#[derive(Debug, FromForm)]
pub struct TargetField {
    #[field(default = String::new())]
    pub priority: String,
    #[field(default = String::new())]
    pub first: String,
    #[field(default = String::new())]
    pub resolution: String,
}

#[derive(Debug, FromForm)]
pub struct SlaForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = Vec::new())]
    pub targets: Vec<TargetField>,
}

#[derive(Debug, FromForm)]
pub struct DayField {
    #[field(default = 0)]
    pub weekday: i16,
    #[field(default = false)]
    pub open: bool,
    #[field(default = String::new())]
    pub opens: String,
    #[field(default = String::new())]
    pub closes: String,
}

#[derive(Debug, FromForm)]
pub struct WeekForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = Vec::new())]
    pub days: Vec<DayField>,
}

#[derive(Debug, FromForm)]
pub struct HolidayForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub day: String,
    #[field(default = String::new())]
    pub name: String,
}

#[derive(Debug, FromForm)]
pub struct PlainForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
}
csrf_form!(SlaForm, WeekForm, HolidayForm, PlainForm);

async fn settings_page(app: &App) -> AppResult<Page> {
    let db = app.db.read();
    let settings = &app.settings;
    let calendar = service::calendar(db, settings.tz()).await?;
    let targets = service::targets(db).await?;
    let now = Utc::now();
    // What the targets mean right now: the due times of a ticket opened at this moment.
    let examples: Vec<_> = targets
        .iter()
        .map(|t| {
            let local =
                |at: chrono::DateTime<Utc>| at.with_timezone(&settings.tz()).format("%d.%m.%Y %H:%M").to_string();
            json!({
                "priority": t.priority,
                "first_hours": format_hours(t.first_response_minutes),
                "resolution_hours": format_hours(t.resolution_minutes),
                "first_due": local(calendar.add_business_minutes(now, t.first_response_minutes as i64)),
                "resolution_due": local(calendar.add_business_minutes(now, t.resolution_minutes as i64)),
            })
        })
        .collect();
    Ok(Page::new("desk/settings.html")
        .with("targets", examples)
        .with("week", service::week_view(&calendar))
        .with("holidays", service::holidays(db).await?)
        .with("timezone", &settings.timezone))
}

fn format_hours(minutes: i32) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        format!("{:.2}", minutes as f64 / 60.0).trim_end_matches('0').to_string()
    }
}

#[get("/desk/settings")]
async fn page(_lead: DeskLead, app: &App) -> AppResult<Page> {
    settings_page(app).await
}

/// Saves, then shows the page again: with the error next to its field, or the result. The
/// desk's clock forgets what it had read either way, so the next ticket counts with what is
/// stored now.
async fn after(result: AppResult<()>, app: &App, jar: &CookieJar<'_>, lang: Lang) -> AppResult<Posted> {
    app.desk_clock.forget();
    finish(result, jar, lang, |()| Saved::to("desk.saved", "/desk/settings"), || settings_page(app)).await
}

#[post("/desk/settings/sla", data = "<form>")]
async fn save_targets(
    lead: DeskLead,
    form: CsrfForm<SlaForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let inputs: Vec<TargetInput> = form
        .targets
        .iter()
        .map(|t| TargetInput {
            priority: t.priority.clone(),
            first_response_hours: t.first.clone(),
            resolution_hours: t.resolution.clone(),
        })
        .collect();
    let result = if inputs.len() == Priority::ALL.len() {
        service::update_targets(&app.db, By::User(&lead.0), &inputs).await
    } else {
        Err(AppError::invalid("targets", "desk.priority_invalid"))
    };
    after(result, app, jar, lang).await
}

#[post("/desk/settings/week", data = "<form>")]
async fn save_week(
    lead: DeskLead,
    form: CsrfForm<WeekForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let days: Vec<DayInput> = form
        .days
        .iter()
        .map(|d| DayInput { weekday: d.weekday, open: d.open, opens: d.opens.clone(), closes: d.closes.clone() })
        .collect();
    let result = service::update_week(&app.db, By::User(&lead.0), &days).await;
    after(result, app, jar, lang).await
}

#[post("/desk/settings/holidays", data = "<form>")]
async fn add_holiday(
    lead: DeskLead,
    form: CsrfForm<HolidayForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let result = service::add_holiday(&app.db, By::User(&lead.0), &form.day, &form.name).await;
    after(result, app, jar, lang).await
}

#[post("/desk/settings/holidays/<day>/delete", data = "<_form>")]
async fn remove_holiday(
    lead: DeskLead,
    day: &str,
    _form: CsrfForm<PlainForm>,
    app: &App,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let removed = service::remove_holiday(&app.db, By::User(&lead.0), day).await;
    app.desk_clock.forget();
    removed?;
    flash::success(jar, "desk.saved");
    Ok(Redirect::to("/desk/settings"))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![page, save_targets, save_week, add_holiday, remove_holiday]
}

//! `/desk/settings`: the desk lead's SLA targets, business week and holidays.
use std::sync::Arc;

use chrono::Utc;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, FromForm, Route, State};
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::clock::DeskClockCache;
use super::service::{self, DayInput, TargetInput, PRIORITIES};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::auth::DeskLead;
use crate::config::Settings;
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::flash;
use crate::web::page::Page;

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

async fn settings_page(db: &DatabaseConnection, settings: &Settings) -> AppResult<Page> {
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
async fn page(_lead: DeskLead, db: &State<DatabaseConnection>, settings: &State<Settings>) -> AppResult<Page> {
    settings_page(db, settings).await
}

/// Saves, then shows the page again: with the error next to its field, or the result.
async fn after(
    result: AppResult<()>,
    db: &DatabaseConnection,
    settings: &Settings,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    match result {
        Ok(()) => {
            flash::success(jar, "desk.saved");
            Ok(Ok(Redirect::to("/desk/settings")))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(Err(settings_page(db, settings).await?.with_error(&e, lang))),
        Err(e) => Err(e),
    }
}

#[post("/desk/settings/sla", data = "<form>")]
async fn save_targets(
    lead: DeskLead,
    form: CsrfForm<SlaForm>,
    db: &State<DatabaseConnection>,
    clock: &State<Arc<DeskClockCache>>,
    settings: &State<Settings>,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let inputs: Vec<TargetInput> = form
        .targets
        .iter()
        .map(|t| TargetInput {
            priority: t.priority.clone(),
            first_response_hours: t.first.clone(),
            resolution_hours: t.resolution.clone(),
        })
        .collect();
    let result = if inputs.len() == PRIORITIES.len() {
        service::update_targets(db, By::User(&lead.0), &inputs).await
    } else {
        Err(AppError::invalid("targets", "desk.priority_invalid"))
    };
    clock.forget();
    after(result, db, settings, jar, lang).await
}

#[post("/desk/settings/week", data = "<form>")]
async fn save_week(
    lead: DeskLead,
    form: CsrfForm<WeekForm>,
    db: &State<DatabaseConnection>,
    clock: &State<Arc<DeskClockCache>>,
    settings: &State<Settings>,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let days: Vec<DayInput> = form
        .days
        .iter()
        .map(|d| DayInput { weekday: d.weekday, open: d.open, opens: d.opens.clone(), closes: d.closes.clone() })
        .collect();
    let result = service::update_week(db, By::User(&lead.0), &days).await;
    clock.forget();
    after(result, db, settings, jar, lang).await
}

#[post("/desk/settings/holidays", data = "<form>")]
async fn add_holiday(
    lead: DeskLead,
    form: CsrfForm<HolidayForm>,
    db: &State<DatabaseConnection>,
    clock: &State<Arc<DeskClockCache>>,
    settings: &State<Settings>,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let result = service::add_holiday(db, By::User(&lead.0), &form.day, &form.name).await;
    clock.forget();
    after(result, db, settings, jar, lang).await
}

#[post("/desk/settings/holidays/<day>/delete", data = "<_form>")]
async fn remove_holiday(
    lead: DeskLead,
    day: &str,
    _form: CsrfForm<PlainForm>,
    db: &State<DatabaseConnection>,
    clock: &State<Arc<DeskClockCache>>,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    service::remove_holiday(db, By::User(&lead.0), day).await?;
    clock.forget();
    flash::success(jar, "desk.saved");
    Ok(Redirect::to("/desk/settings"))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![page, save_targets, save_week, add_holiday, remove_holiday]
}

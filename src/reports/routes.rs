//! The teacher's reports page and the school admin's report triage.
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, FromForm, Route, State};
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::service::{self, Escalation, NewReport, Triage};
use crate::auth::csrf::CsrfForm;
use crate::auth::{SchoolAdmin, Teacher};
use crate::catalogue::services;
use crate::config::Settings;
use crate::csrf_form;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::tickets::service::{Ctx, FAULT_TYPES, TRIAGE_SCOPES};
use crate::tickets::status::number;
use crate::web::flash;
use crate::web::page::Page;

#[derive(Debug, FromForm)]
pub struct ReportForm<'r> {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub affected: String,
    #[field(default = String::new())]
    pub since: String,
    #[field(default = String::new())]
    pub how_many: String,
    #[field(default = String::new())]
    pub description: String,
    /// A screenshot (captured in the browser or chosen) and other files.
    #[field(default = Vec::new())]
    pub files: Vec<crate::attachments::store::Upload<'r>>,
}

#[derive(Debug, FromForm)]
pub struct TriageForm<'r> {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    #[field(default = String::new())]
    pub triage_scope: String,
    #[field(default = String::new())]
    pub triage_fault_type: String,
    #[field(default = String::new())]
    pub service: String,
    #[field(default = String::new())]
    pub answer: String,
    #[field(default = String::new())]
    pub title: String,
    #[field(default = String::new())]
    pub priority: String,
    #[field(default = String::new())]
    pub version: String,
    /// Files with the answer (for the teacher) or the escalation (for the desk).
    #[field(default = Vec::new())]
    pub files: Vec<crate::attachments::store::Upload<'r>>,
}
csrf_form!(ReportForm<'_>, TriageForm<'_>);

impl TriageForm<'_> {
    fn triage(&self) -> Triage {
        Triage {
            scope: self.triage_scope.clone(),
            fault_type: self.triage_fault_type.clone(),
            service: self.service.clone(),
        }
    }

    fn escalation(&self) -> Escalation {
        Escalation { title: self.title.clone(), priority: self.priority.clone() }
    }
}

/// A report id from the path; anything else is a page that does not exist.
fn report_id(text: &str) -> AppResult<i32> {
    text.parse().ok().filter(|id: &i32| *id > 0).ok_or(AppError::NotFound)
}

async fn teacher_page(db: &DatabaseConnection, settings: &Settings, teacher: &Teacher) -> AppResult<Page> {
    Ok(Page::new("reports/teacher.html")
        .with("upload", crate::attachments::hints(settings))
        .with("school", &teacher.0.school_name)
        .with("reports", service::mine(db, &teacher.0).await?)
        .with("input", json!({})))
}

#[get("/reports")]
async fn list(teacher: Teacher, db: &State<DatabaseConnection>, settings: &State<Settings>) -> AppResult<Page> {
    teacher_page(db, settings, &teacher).await
}

#[post("/reports", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn file(
    teacher: Teacher,
    form: CsrfForm<ReportForm<'_>>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
    settings: &State<Settings>,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let input = NewReport {
        affected: form.affected.clone(),
        since: form.since.clone(),
        how_many: form.how_many.clone(),
        description: form.description.clone(),
    };
    // Files are checked (and refused) before anything is stored.
    let filed = match crate::attachments::store::accept(settings, &form.files).await {
        Ok(staged) => service::file_with_files(&ctx, &teacher.0, &input, staged).await,
        Err(e) => Err(e),
    };
    match filed {
        Ok(report) => {
            flash::success(jar, "reports.filed");
            Ok(Ok(Redirect::to(format!("/reports/{}", report.id))))
        }
        Err(e @ AppError::Invalid { .. }) => Ok(Err(teacher_page(db, settings, &teacher)
            .await?
            .with(
                "input",
                json!({ "affected": form.affected, "since": form.since, "how_many": form.how_many, "description": form.description }),
            )
            .with_error(&e, lang))),
        Err(e) => Err(e),
    }
}

#[get("/reports/<id>")]
async fn show(teacher: Teacher, id: &str, db: &State<DatabaseConnection>) -> AppResult<Page> {
    let report = service::find(db.inner(), &teacher.0, report_id(id)?).await?;
    let attachments = crate::attachments::service::for_report(db.inner(), &teacher.0, report.id).await?;
    Ok(Page::new("reports/show.html")
        .with("report", service::view(db.inner(), report).await?)
        .with("attachments", attachments)
        .with("triage", false))
}

async fn triage_page(db: &DatabaseConnection, settings: &Settings, admin: &SchoolAdmin, id: i32) -> AppResult<Page> {
    let report = service::find(db, &admin.0, id).await?;
    let attachments = crate::attachments::service::for_report(db, &admin.0, report.id).await?;
    Ok(Page::new("reports/show.html")
        .with("attachments", attachments)
        .with("upload", crate::attachments::hints(settings))
        .with("report", service::view(db, report).await?)
        .with("triage", true)
        .with("services", services::list(db, false).await?)
        .with("scopes", TRIAGE_SCOPES)
        .with("fault_types", FAULT_TYPES))
}

#[get("/helpdesk/reports/<id>")]
async fn triage(
    admin: SchoolAdmin,
    id: &str,
    db: &State<DatabaseConnection>,
    settings: &State<Settings>,
) -> AppResult<Page> {
    triage_page(db, settings, &admin, report_id(id)?).await
}

/// Answer (solve at first level) or escalate (hand up as a ticket): the path says which.
#[post("/helpdesk/reports/<id>/<action>", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn handle(
    admin: SchoolAdmin,
    id: &str,
    action: &str,
    form: CsrfForm<TriageForm<'_>>,
    db: &State<DatabaseConnection>,
    ctx: Ctx<'_>,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let id = report_id(id)?;
    if action != "answer" && action != "escalate" {
        return Err(AppError::NotFound);
    }
    // The report first: a file message must not tell anyone that a report exists.
    service::find(db.inner(), &admin.0, id).await?;
    let version = form.version.trim().parse().ok();
    // Files are checked (and refused) before anything is stored.
    let result = match crate::attachments::store::accept(ctx.settings, &form.files).await {
        Ok(staged) if action == "answer" => {
            service::answer(&ctx, &admin.0, id, &form.triage(), &form.answer, version, staged).await.map(|_| {
                flash::success(jar, "reports.answered");
                format!("/helpdesk/reports/{id}")
            })
        }
        Ok(staged) => {
            service::escalate(&ctx, &admin.0, id, &form.triage(), &form.escalation(), version, staged).await.map(|t| {
                flash::success_with(jar, "tickets.opened", &number(t.id));
                format!("/helpdesk/tickets/{}", number(t.id))
            })
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(target) => Ok(Ok(Redirect::to(target))),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            Ok(Err(triage_page(db, ctx.settings, &admin, id).await?.with_error(&e, lang)))
        }
        Err(e) => Err(e),
    }
}

pub fn routes() -> Vec<Route> {
    rocket::routes![list, file, show, triage, handle]
}

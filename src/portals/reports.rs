//! The teacher's reports page and the school admin's report page with its two paths:
//! solve at first level (answer the teacher) or escalate (the first-level questions, then a
//! ticket for the service desk).
use rocket::http::CookieJar;
use rocket::{get, post, FromForm, Route};
use serde_json::json;

use crate::app::{App, SchoolAdmin, Teacher};
use crate::attachments::store;
use crate::auth::csrf::CsrfForm;
use crate::csrf_form;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::reports::service::{self, Answer, Escalation, Triage};
use crate::tickets::{number, Priority, FAULT_TYPES, TRIAGE_SCOPES};
use crate::web::form::{finish, Posted, Saved};
use crate::web::page::Page;
use crate::web::params::Id;

/// A form with the fields of a teacher's report, and any of its own after them: the reports
/// page's and the widget dialog's (which adds where it was opened) are one list of fields,
/// so the two cannot drift apart. It gets `report()`, the report as the service takes it,
/// and `typed()`, what was typed for showing the form again.
macro_rules! report_form {
    ($(#[$meta:meta])* pub struct $name:ident<$r:lifetime> { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, rocket::FromForm)]
        pub struct $name<$r> {
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
            pub files: Vec<$crate::attachments::store::Upload<$r>>,
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $name<'_> {
            pub fn report(&self) -> $crate::reports::service::NewReport {
                $crate::reports::service::NewReport {
                    affected: self.affected.clone(),
                    since: self.since.clone(),
                    how_many: self.how_many.clone(),
                    description: self.description.clone(),
                }
            }

            pub fn typed(&self) -> serde_json::Value {
                serde_json::json!({
                    "affected": self.affected, "since": self.since, "how_many": self.how_many,
                    "description": self.description,
                })
            }
        }
    };
}
pub(crate) use report_form;

report_form! {
    pub struct ReportForm<'r> {}
}

/// The fields of both paths' forms: the answer form posts the answer (and may name the
/// service), the escalation form the first-level questions, title, priority and the
/// description for the desk.
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
    /// The escalation's description for the desk; absent: the teacher's, as the form offers.
    pub description: Option<String>,
    #[field(default = String::new())]
    pub version: String,
    /// Files with the answer (for the teacher) or the escalation (for the desk).
    #[field(default = Vec::new())]
    pub files: Vec<store::Upload<'r>>,
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

    fn version(&self) -> Option<i32> {
        self.version.trim().parse().ok()
    }
}

/// What one of the two forms shows: what was typed into it before it was refused, or else
/// what the report and the service suggestion offer.
struct Typed<'a, 'r> {
    path: &'static str,
    form: &'a TriageForm<'r>,
}

fn forms(typed: Option<Typed<'_, '_>>, report: &entities::report::Model, suggested: Option<&str>) -> serde_json::Value {
    let suggested = suggested.unwrap_or_default();
    let solve = match &typed {
        Some(Typed { path: "solve", form }) => json!({ "answer": form.answer, "service": form.service }),
        _ => json!({ "answer": "", "service": suggested }),
    };
    let escalate = match &typed {
        Some(Typed { path: "escalate", form }) => json!({
            "triage_scope": form.triage_scope, "triage_fault_type": form.triage_fault_type,
            "service": form.service, "title": form.title, "priority": form.priority,
            "description": form.description.clone().unwrap_or_default(),
        }),
        _ => json!({
            "triage_scope": "", "triage_fault_type": "", "service": suggested, "title": report.affected,
            "priority": "P3", "description": report.description,
        }),
    };
    json!({ "failed": typed.map(|t| t.path).unwrap_or(""), "solve": solve, "escalate": escalate })
}

async fn teacher_page(app: &App, teacher: &Teacher) -> AppResult<Page> {
    Ok(Page::new("reports/teacher.html")
        .with("upload", crate::attachments::hints(&app.settings))
        .with("school", &teacher.0.school_name)
        .with("reports", service::mine(app.db.read(), &teacher.0).await?)
        .with("input", json!({})))
}

#[get("/reports")]
async fn list(teacher: Teacher, app: &App) -> AppResult<Page> {
    teacher_page(app, &teacher).await
}

#[post("/reports", data = "<form>")]
async fn file(
    teacher: Teacher,
    form: CsrfForm<ReportForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let input = form.report();
    // Files are checked (and refused) before anything is stored.
    let filed = match store::accept(&app.settings, &form.files).await {
        Ok(files) => service::file(app, &teacher.0, &input, files).await,
        Err(e) => Err(e),
    };
    if filed.is_ok() {
        crate::kb::service::note_problem(&app.misses, &app.search, &teacher.0, &form.affected).await;
    }
    let again = || async { Ok(teacher_page(app, &teacher).await?.with("input", form.typed())) };
    finish(filed, jar, lang, |r| Saved::to("reports.filed", format!("/reports/{}", r.id)), again).await
}

#[get("/reports/<id>")]
async fn show(teacher: Teacher, id: Id, app: &App) -> AppResult<Page> {
    let db = app.db.read();
    let report = service::find(db, &teacher.0, id.0).await?;
    let attachments = crate::attachments::service::for_report(db, &teacher.0, report.id).await?;
    Ok(Page::new("reports/show.html")
        .with("report", service::view(db, report).await?)
        .with("attachments", attachments)
        .with("triage", false))
}

/// The report as its school admins see it, with the two paths while it is new; `typed` is
/// the form refused just now, shown again as it was filled in.
async fn triage_page(app: &App, admin: &SchoolAdmin, id: Id, typed: Option<Typed<'_, '_>>) -> AppResult<Page> {
    let db = app.db.read();
    let report = service::find(db, &admin.0, id.0).await?;
    app.views.record(&admin.0, "report", report.id, Some(report.school_id), "school");
    let attachments = crate::attachments::service::for_report(db, &admin.0, report.id).await?;
    let services = crate::catalogue::services::list(db, false).await?;
    let suggested = crate::catalogue::suggest::suggest(&services, &report.affected, &report.description);
    let forms = forms(typed, &report, suggested.as_deref());
    Ok(Page::new("reports/show.html")
        .with("attachments", attachments)
        .with("upload", crate::attachments::hints(&app.settings))
        .with("report", service::view(db, report).await?)
        .with("triage", true)
        .with("suggested", suggested)
        .with("services", services)
        .with("scopes", TRIAGE_SCOPES)
        .with("fault_types", FAULT_TYPES)
        .with("priorities", Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>())
        .with("forms", forms))
}

#[get("/helpdesk/reports/<id>")]
async fn triage(admin: SchoolAdmin, id: Id, app: &App) -> AppResult<Page> {
    triage_page(app, &admin, id, None).await
}

/// The report first: a file message must not tell anyone that a report exists. Files are
/// checked (and refused) before anything is stored.
async fn files(app: &App, admin: &SchoolAdmin, id: Id, form: &TriageForm<'_>) -> AppResult<store::Staged> {
    service::find(app.db.read(), &admin.0, id.0).await?;
    store::accept(&app.settings, &form.files).await
}

/// Solved at first level: the teacher gets the answer, the report is done.
#[post("/helpdesk/reports/<id>/answer", data = "<form>")]
async fn answer(
    admin: SchoolAdmin,
    id: Id,
    form: CsrfForm<TriageForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let input = Answer { triage: form.triage(), answer: form.answer.clone(), version: form.version() };
    let result = match files(app, &admin, id, &form).await {
        Ok(staged) => service::answer(app, &admin.0, id.0, &input, staged).await,
        Err(e) => Err(e),
    };
    let saved = |_| Saved::to("reports.answered", format!("/helpdesk/reports/{}", id.0));
    finish(result, jar, lang, saved, || triage_page(app, &admin, id, Some(Typed { path: "solve", form: &form }))).await
}

/// Escalated: a ticket for the desk that carries the report and links back to it.
#[post("/helpdesk/reports/<id>/escalate", data = "<form>")]
async fn escalate(
    admin: SchoolAdmin,
    id: Id,
    form: CsrfForm<TriageForm<'_>>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Posted> {
    let input = Escalation {
        triage: form.triage(),
        title: form.title.clone(),
        priority: form.priority.clone(),
        description: form.description.clone(),
        version: form.version(),
    };
    let result = match files(app, &admin, id, &form).await {
        Ok(staged) => service::escalate(app, &admin.0, id.0, &input, staged).await,
        Err(e) => Err(e),
    };
    let saved = |t: entities::ticket::Model| {
        let number = number(t.id);
        Saved::to("tickets.opened", format!("/helpdesk/tickets/{number}")).with_arg(number)
    };
    finish(result, jar, lang, saved, || triage_page(app, &admin, id, Some(Typed { path: "escalate", form: &form })))
        .await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![list, file, show, triage, answer, escalate]
}

//! The operators' side of data protection (SPEC §9): a person's data as a JSON download,
//! deleting a person (after a confirmation that names them), and the view log of who opened
//! which ticket, report or file.
use std::io::Cursor;

use rocket::form::FromForm;
use rocket::http::{ContentType, CookieJar, Status};
use rocket::response::{Redirect, Responder};
use rocket::{get, post, Request, Response, Route};

use crate::app::{App, Operator};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::privacy::{person, view_log};
use crate::tickets::TicketNumber;
use crate::web::flash;
use crate::web::page::Page;

/// The user id of a path; what is no number names no user.
fn user_id(raw: &str) -> AppResult<i32> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// A JSON file to save, never kept in a cache.
pub struct JsonDownload {
    filename: String,
    body: String,
}

impl<'r> Responder<'r, 'static> for JsonDownload {
    fn respond_to(self, _req: &'r Request<'_>) -> rocket::response::Result<'static> {
        Response::build()
            .status(Status::Ok)
            .header(ContentType::JSON)
            .raw_header("Content-Disposition", format!("attachment; filename=\"{}\"", self.filename))
            .raw_header("Cache-Control", "no-store")
            .sized_body(self.body.len(), Cursor::new(self.body))
            .ok()
    }
}

#[get("/admin/users/<id>/export")]
async fn export(op: Operator, id: &str, app: &App) -> AppResult<JsonDownload> {
    let person = person::find_by_id(&app.db, user_id(id)?).await?;
    let data = person::export(&app.db, Some(&app.views), By::User(&op.0), &person).await?;
    let body = serde_json::to_string_pretty(&data).map_err(AppError::internal)?;
    Ok(JsonDownload { filename: format!("staffel-person-{}.json", person.id), body })
}

async fn delete_page(person: &entities::user::Model) -> Page {
    Page::new("admin/user_delete.html")
        .with("person", serde_json::json!({ "id": person.id, "email": person.email, "name": person.name }))
}

#[get("/admin/users/<id>/delete")]
async fn confirm_delete(_op: Operator, id: &str, app: &App) -> AppResult<Page> {
    let person = person::find_by_id(&app.db, user_id(id)?).await?;
    Ok(delete_page(&person).await)
}

#[derive(Debug, FromForm)]
pub struct DeleteForm {
    #[field(name = "_csrf", default = String::new())]
    pub csrf: String,
    /// The person's address typed again, as the confirmation.
    #[field(default = String::new())]
    pub email: String,
}

crate::csrf_form!(DeleteForm);

#[post("/admin/users/<id>/delete", data = "<form>")]
async fn delete(
    op: Operator,
    id: &str,
    form: CsrfForm<DeleteForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> AppResult<Result<Redirect, Page>> {
    let person = person::find_by_id(&app.db, user_id(id)?).await?;
    let typed = form.email.trim().to_lowercase();
    if typed != person.email {
        let error = if typed.is_empty() {
            AppError::invalid("email", "validation.required")
        } else {
            AppError::invalid("email", "admin.delete_confirm_mismatch")
        };
        return Ok(Err(delete_page(&person).await.with_error(&error, lang)));
    }
    person::delete(&app.db, By::User(&op.0), &person).await?;
    flash::success_with(jar, "admin.person_deleted", &person.email);
    Ok(Ok(Redirect::to("/admin/users")))
}

#[get("/admin/views?<person>&<ticket>&<page>")]
async fn views(
    op: Operator,
    app: &App,
    person: Option<&str>,
    ticket: Option<&str>,
    page: Option<&str>,
) -> AppResult<Page> {
    let ticket_text = ticket.unwrap_or("").trim();
    let ticket_number = TicketNumber::parse(ticket_text);
    let filter = view_log::Filter {
        person: person.unwrap_or("").chars().take(254).collect(),
        // A number that names no ticket finds nothing (not every view).
        ticket: if ticket_text.is_empty() { None } else { Some(ticket_number.map(|n| n.0).unwrap_or(-1)) },
        page: page.and_then(|p| p.trim().parse::<u64>().ok()).unwrap_or(1),
    };
    let log = view_log::page(&app.db, &app.views, By::User(&op.0), &filter).await?;
    let query = |page: u64| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("person", &filter.person)
            .append_pair("ticket", ticket_text)
            .append_pair("page", &page.to_string());
        format!("/admin/views?{}", q.finish())
    };
    Ok(Page::new("admin/views.html")
        .with("filter", serde_json::json!({ "person": filter.person, "ticket": ticket_text }))
        .with("bad_ticket", !ticket_text.is_empty() && ticket_number.is_none())
        .with("prev", (log.page > 1).then(|| query(log.page - 1)))
        .with("next", (log.page < log.pages).then(|| query(log.page + 1)))
        .with("log", log))
}

pub fn routes() -> Vec<Route> {
    rocket::routes![export, confirm_delete, delete, views]
}

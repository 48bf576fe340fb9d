//! The reports pages: `/desk/stats` for the desk lead (every school; agents work the queues,
//! the reports are the lead's, SPEC §2), `/helpdesk/stats` for a school admin (their own
//! school's numbers), and each page's tables as CSV.
use std::io::Cursor;

use rocket::http::{ContentType, Status};
use rocket::response::Responder;
use rocket::{get, Request, Response, Route};
use serde_json::json;

use crate::app::{App, DeskLead, SchoolAdmin};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::stats::{self, chart, csv, tables, Breakdown, Range, Scope};
use crate::web::page::Page;

/// What the range form sent; every field may be missing.
struct Asked<'a> {
    from: &'a str,
    to: &'a str,
    breakdown: &'a str,
}

impl<'a> Asked<'a> {
    /// The query's fields; a missing one is the same as an empty one (the default).
    fn of(from: Option<&'a str>, to: Option<&'a str>, breakdown: Option<&'a str>) -> Asked<'a> {
        Asked { from: from.unwrap_or(""), to: to.unwrap_or(""), breakdown: breakdown.unwrap_or("") }
    }
}

fn default_breakdown(actor: &Actor) -> Breakdown {
    // A school's own report has one school: its services say more.
    match Scope::of(actor) {
        Ok(Scope::School(_)) => Breakdown::Service,
        _ => Breakdown::School,
    }
}

async fn build(app: &App, actor: &Actor, asked: &Asked<'_>, lang: Lang) -> AppResult<stats::Report> {
    let tz = app.settings.tz();
    let now = chrono::Utc::now();
    let range = Range::parse(asked.from, asked.to, now.with_timezone(&tz).date_naive())?;
    let breakdown = Breakdown::parse(asked.breakdown, default_breakdown(actor))?;
    stats::report(app.db.read(), actor, tz, &range, breakdown, lang, now).await
}

async fn page(app: &App, actor: &Actor, asked: Asked<'_>, lang: Lang, base: &str) -> AppResult<Page> {
    let shown = Page::new("stats/page.html")
        .with("base", base)
        .with("breakdowns", Breakdown::ALL.map(Breakdown::as_str))
        .with("school", &actor.school_name);
    match build(app, actor, &asked, lang).await {
        Ok(report) => {
            let tables = tables::all(&report, lang);
            let charts = chart::all(&report, &tables, lang);
            Ok(shown
                .with("input", json!({ "from": report.from, "to": report.to, "breakdown": report.breakdown }))
                .with("tables", tables)
                .with("charts", charts))
        }
        // A range or breakdown that names nothing: the form again with the reason, no figures.
        Err(e @ AppError::Invalid { .. }) => Ok(shown
            .with("input", json!({ "from": asked.from, "to": asked.to, "breakdown": asked.breakdown }))
            .with("tables", Vec::<tables::Table>::new())
            .with_error(&e, lang)),
        Err(e) => Err(e),
    }
}

/// A CSV file to save, never kept in a cache.
pub struct CsvDownload {
    filename: String,
    body: String,
}

impl<'r> Responder<'r, 'static> for CsvDownload {
    fn respond_to(self, _req: &'r Request<'_>) -> rocket::response::Result<'static> {
        Response::build()
            .status(Status::Ok)
            .header(ContentType::new("text", "csv").with_params(("charset", "utf-8")))
            .raw_header("Content-Disposition", format!("attachment; filename=\"{}\"", self.filename))
            .raw_header("Cache-Control", "no-store")
            .sized_body(self.body.len(), Cursor::new(self.body))
            .ok()
    }
}

async fn download(app: &App, actor: &Actor, table: &str, asked: Asked<'_>, lang: Lang) -> AppResult<CsvDownload> {
    if !tables::KEYS.contains(&table) {
        return Err(AppError::invalid("table", "stats.table_invalid"));
    }
    let report = build(app, actor, &asked, lang).await?;
    // A table the scope does not have (the FAQ's for a school) is no table of this report.
    let found = tables::one(&report, table, lang).ok_or(AppError::NotFound)?;
    // The byte order mark lets spreadsheets read the umlauts as UTF-8.
    let body = format!("\u{feff}{}", csv::render(&found));
    Ok(CsvDownload { filename: format!("staffel-{table}-{}-{}.csv", report.from, report.to), body })
}

#[get("/desk/stats?<from>&<to>&<breakdown>")]
async fn desk(
    lead: DeskLead,
    app: &App,
    lang: Lang,
    from: Option<&str>,
    to: Option<&str>,
    breakdown: Option<&str>,
) -> AppResult<Page> {
    let asked = Asked::of(from, to, breakdown);
    page(app, &lead.0, asked, lang, "/desk/stats").await
}

#[get("/desk/stats.csv?<table>&<from>&<to>&<breakdown>")]
async fn desk_csv(
    lead: DeskLead,
    app: &App,
    lang: Lang,
    table: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    breakdown: Option<&str>,
) -> AppResult<CsvDownload> {
    let asked = Asked::of(from, to, breakdown);
    download(app, &lead.0, table.unwrap_or(""), asked, lang).await
}

#[get("/helpdesk/stats?<from>&<to>&<breakdown>")]
async fn school(
    admin: SchoolAdmin,
    app: &App,
    lang: Lang,
    from: Option<&str>,
    to: Option<&str>,
    breakdown: Option<&str>,
) -> AppResult<Page> {
    let asked = Asked::of(from, to, breakdown);
    page(app, &admin.0, asked, lang, "/helpdesk/stats").await
}

#[get("/helpdesk/stats.csv?<table>&<from>&<to>&<breakdown>")]
async fn school_csv(
    admin: SchoolAdmin,
    app: &App,
    lang: Lang,
    table: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    breakdown: Option<&str>,
) -> AppResult<CsvDownload> {
    let asked = Asked::of(from, to, breakdown);
    download(app, &admin.0, table.unwrap_or(""), asked, lang).await
}

pub fn routes() -> Vec<Route> {
    rocket::routes![desk, desk_csv, school, school_csv]
}

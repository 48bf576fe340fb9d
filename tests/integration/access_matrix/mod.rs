//! Who may reach what: every role × every mounted route, in one table, plus the scoping
//! rules that hang on accounts and schools. A route mounted without a row in the table
//! fails `the_matrix_covers_every_mounted_route`. Each role goes through the whole table in
//! a test of its own, on a fresh app.
mod cells;
mod sessions;
mod table_api;
mod table_chat;
mod table_desk_tools;
mod table_pages;
mod table_widget;

use crate::common::{TestApp, PASSWORD};
use rocket::http::Method;

/// The columns of the matrix.
const ROLES: [&str; 7] = ["anonymous", "pupil", "teacher", "school_admin", "agent", "desk_lead", "operator"];
const ANON: usize = 0;
const PUPIL: usize = 1;
const TEACHER: usize = 2;
const SCHOOL_ADMIN: usize = 3;
const AGENT: usize = 4;
const DESK_LEAD: usize = 5;
const OPERATOR: usize = 6;

/// The account each column signs in with (anonymous: none).
const EMAILS: [&str; 7] = ["", "p@gym-a.de", "t@gym-a.de", "sa@gym-a.de", "ag@desk.de", "dl@desk.de", "op@ops.de"];

/// Where each column lands: `/` and `/login` send signed-in people there.
const START: [&str; 7] = ["/faq", "/faq", "/faq", "/helpdesk", "/desk", "/desk", "/admin"];

/// A user in school B whom the operator's rows edit, and a teacher the login row signs in.
const VICTIM: &str = "v@gym-b.de";
const LOGIN_USER: &str = "li@gym-a.de";
/// Who opens school B's tickets and who resolves tickets for the rows that need one.
const SCHOOL_B_ADMIN: &str = "sb@gym-b.de";
const TICKET_AGENT: &str = "tickets@desk.de";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Served with this status.
    Ok(u16),
    /// 303 to exactly this location.
    To(&'static str),
    /// 303 to a location starting with this.
    Under(&'static str),
    /// A page for signed-in people only: 303 to `/login?next=<this request>`.
    Login,
    /// The API without a token: 401 with the JSON error.
    Unauthorized,
    /// Signed in, but not allowed: 403 with a clear message.
    Forbidden,
    NotFound,
    Gone,
}
use Expect::*;

struct Row {
    method: Method,
    /// The route as Rocket mounts it (method + URI template).
    route: &'static str,
    /// A concrete request for it; `{n}` becomes a number unique to the cell and `{reset}`
    /// a fresh password-reset token.
    path: String,
    /// For POST: the form fields (the CSRF token is added as a browser would).
    form: Option<Vec<(&'static str, String)>>,
    /// `/api/v1`: the bearer token of the column's user instead of the session.
    api: bool,
    /// For API POSTs: the JSON body.
    json: Option<&'static str>,
    expect: [Expect; 7],
    /// The request ends the session it runs in (sign-out, password change).
    ends_session: bool,
    /// An API upload: a multipart body with one PNG file instead of JSON.
    upload: bool,
}

fn get(route: &'static str, path: impl Into<String>, expect: [Expect; 7]) -> Row {
    Row {
        method: Method::Get,
        route,
        path: path.into(),
        form: None,
        api: route.starts_with("/api/"),
        json: None,
        expect,
        ends_session: false,
        upload: false,
    }
}

/// An API call with a JSON body.
fn api_post(route: &'static str, path: impl Into<String>, json: &'static str, expect: [Expect; 7]) -> Row {
    Row {
        method: Method::Post,
        route,
        path: path.into(),
        form: None,
        api: true,
        json: Some(json),
        expect,
        ends_session: false,
        upload: false,
    }
}

fn post(route: &'static str, path: impl Into<String>, fields: &[(&'static str, &str)], expect: [Expect; 7]) -> Row {
    Row {
        method: Method::Post,
        route,
        path: path.into(),
        form: Some(fields.iter().map(|(k, v)| (*k, v.to_string())).collect()),
        api: route.starts_with("/api/"),
        json: None,
        expect,
        ends_session: false,
        upload: false,
    }
}

/// An API upload of one small PNG (multipart/form-data).
fn api_upload(route: &'static str, path: impl Into<String>, expect: [Expect; 7]) -> Row {
    Row {
        method: Method::Post,
        route,
        path: path.into(),
        form: None,
        api: true,
        json: None,
        expect,
        ends_session: false,
        upload: true,
    }
}

/// A page's upload of one small PNG, as the browser's multipart form sends it.
fn page_upload(route: &'static str, path: impl Into<String>, expect: [Expect; 7]) -> Row {
    Row { api: false, ..api_upload(route, path, expect) }
}

impl Row {
    fn ending_session(mut self) -> Row {
        self.ends_session = true;
        self
    }
}

fn everyone(e: Expect) -> [Expect; 7] {
    [e; 7]
}

/// Pages for anyone signed in.
fn signed_in(e: Expect) -> [Expect; 7] {
    let mut all = [e; 7];
    all[ANON] = Login;
    all
}

/// Pages for some roles: anonymous readers are sent to the login, other roles refused.
fn only(roles: &[usize], e: Expect) -> [Expect; 7] {
    let mut all = [Forbidden; 7];
    all[ANON] = Login;
    for r in roles {
        all[*r] = e;
    }
    all
}

fn api_signed_in(e: Expect) -> [Expect; 7] {
    let mut all = [e; 7];
    all[ANON] = Unauthorized;
    all
}

fn api_only(roles: &[usize], e: Expect) -> [Expect; 7] {
    let mut all = [Forbidden; 7];
    all[ANON] = Unauthorized;
    for r in roles {
        all[*r] = e;
    }
    all
}

fn start_pages() -> [Expect; 7] {
    START.map(To)
}

/// Shipped FAQ articles (kb/) for pupils, for teachers and for the desk.
const PUPIL_ARTICLE: &str = "wlan-verbinden-schueler";
const PUPIL_ARTICLE_RATED: &str = "/kb/wlan-verbinden-schueler#rate";
const TEACHER_ARTICLE: &str = "wlan-lehrkraefte-geraete-verbinden";
const DESK_ARTICLE: &str = "wlan-stoerung-schuluebergreifend-eingrenzen";
const DESK_ARTICLE_RATED: &str = "/kb/wlan-stoerung-schuluebergreifend-eingrenzen#rate";

const TEACHER_ARTICLE_TITLE: &str = "WLAN für Lehrkräfte: Dienstgerät und eigenes Gerät verbinden";
const TEACHER_ARTICLE_PAGE: &str = "/kb/wlan-lehrkraefte-geraete-verbinden";

/// Who writes FAQ articles.
const AUTHORS: [usize; 3] = [SCHOOL_ADMIN, AGENT, DESK_LEAD];

/// Opening a global article's authoring pages: the desk may; a school admin gets `school_admin`.
fn desk_edits(school_admin: Expect) -> [Expect; 7] {
    let mut all = only(&[AGENT, DESK_LEAD], Ok(200));
    all[SCHOOL_ADMIN] = school_admin;
    all
}

/// Changing a global article: the desk is sent to the article, a school admin refused.
fn desk_changes(page: &'static str) -> [Expect; 7] {
    only(&[AGENT, DESK_LEAD], To(page))
}

/// The article form; `{version}` becomes the article's current version when sent.
fn article_fields(
    title: &'static str,
    scope: &'static str,
    version: &'static str,
) -> [(&'static str, &'static str); 8] {
    [
        ("title", title),
        ("body", "## Schritte\n\n1. Prüfen\n2. Melden"),
        ("audience", "teacher"),
        ("service", "wifi"),
        ("tags", "wlan, matrix"),
        ("scope", scope),
        ("status", "published"),
        ("version", version),
    ]
}

/// An article for the desk: nobody at a school learns it exists; the desk and the
/// operators read it.
fn desk_articles(e: Expect) -> [Expect; 7] {
    [NotFound, NotFound, NotFound, NotFound, e, e, e]
}

/// The desk lead's settings forms, as the settings page sends them.
const SLA_FIELDS: [(&str, &str); 12] = [
    ("targets[0].priority", "P1"),
    ("targets[0].first", "1"),
    ("targets[0].resolution", "8"),
    ("targets[1].priority", "P2"),
    ("targets[1].first", "4"),
    ("targets[1].resolution", "16"),
    ("targets[2].priority", "P3"),
    ("targets[2].first", "8"),
    ("targets[2].resolution", "40"),
    ("targets[3].priority", "P4"),
    ("targets[3].first", "16"),
    ("targets[3].resolution", "80"),
];
const WEEK_FIELDS: [(&str, &str); 8] = [
    ("days[0].weekday", "1"),
    ("days[0].open", "true"),
    ("days[0].opens", "07:30"),
    ("days[0].closes", "16:00"),
    ("days[1].weekday", "2"),
    ("days[1].open", "true"),
    ("days[1].opens", "07:30"),
    ("days[1].closes", "16:00"),
];
/// A holiday the fixture enters, for the desk lead's row to delete.
const HOLIDAY: &str = "2031-05-01";

/// A teacher's report form.
const NEW_REPORT: [(&str, &str); 4] = [
    ("affected", "Beamer in Raum 112"),
    ("since", "seit heute früh"),
    ("how_many", "die ganze Klasse 7b"),
    ("description", "Kein Bild, obwohl das Kabel steckt."),
];

/// The helpdesk's new-ticket form and the API's new ticket.
const NEW_TICKET: [(&str, &str); 5] = [
    ("title", "Beamer in Raum 12 zeigt kein Bild"),
    ("description", "Seit heute früh, alle Eingänge getestet."),
    ("service", "presentation"),
    ("priority", "P3"),
    ("triage_scope", ""),
];
const NEW_TICKET_JSON: &str =
    r#"{"title":"Beamer in Raum 12 zeigt kein Bild","description":"Seit heute früh.","service":"presentation"}"#;

/// The template of a row whose path no route takes (an action that does not exist): the
/// catchers answer it, after the role check of its prefix's pages.
const UNROUTED: &str = "(no route)";

/// The route of a desk action: one per action.
fn desk_route(action: &str) -> &'static str {
    match action {
        "comment" => "/desk/tickets/<number>/comment",
        "ask" => "/desk/tickets/<number>/ask",
        "assign" => "/desk/tickets/<number>/assign",
        "reclassify" => "/desk/tickets/<number>/reclassify",
        "resolve" => "/desk/tickets/<number>/resolve",
        "close" => "/desk/tickets/<number>/close",
        "reopen" => "/desk/tickets/<number>/reopen",
        "forward" => "/desk/tickets/<number>/forward",
        "recall" => "/desk/tickets/<number>/recall",
        "provider_reply" => "/desk/tickets/<number>/provider_reply",
        "reply" => "/desk/tickets/<number>/reply",
        _ => UNROUTED,
    }
}

/// A desk action on a ticket: the desk is sent back to the ticket, nobody else gets in.
fn desk_action(ticket: &str, action: &str, fields: &[(&'static str, &str)]) -> Row {
    post(
        desk_route(action),
        format!("/desk/tickets/{ticket}/{action}"),
        fields,
        only(&[AGENT, DESK_LEAD], Under("/desk/tickets/T-")),
    )
}

/// A ticket of school A through the API: its school admin and the desk; for everyone else
/// it does not exist.
fn school_a_ticket(e: Expect) -> [Expect; 7] {
    [Unauthorized, NotFound, NotFound, e, e, e, NotFound]
}

/// A ticket of school B: the desk only; school A's admin does not learn it exists.
fn school_b_ticket(e: Expect) -> [Expect; 7] {
    [Unauthorized, NotFound, NotFound, NotFound, e, e, NotFound]
}

const FORWARD_JSON: &str = r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen Sie den Zugang im Altbau."}"#;

/// The ids the table needs from the fixture.
struct Ids {
    victim: i32,
}

const NO_TOKEN: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Schools A and B, one user per role in A or on the desk, a victim in B, a provider.
async fn fixture(app: &TestApp) -> Ids {
    app.school("gym-a").await;
    app.school("gym-b").await;
    for (email, role) in EMAILS.iter().zip(ROLES).skip(1) {
        let school = if staffel::auth::Role::parse(role).unwrap().needs_school() { "gym-a" } else { "" };
        app.user(email, role, school).await;
    }
    app.user(VICTIM, "teacher", "gym-b").await;
    app.user(LOGIN_USER, "teacher", "gym-a").await;
    app.user(SCHOOL_B_ADMIN, "school_admin", "gym-b").await;
    app.user(TICKET_AGENT, "agent", "").await;
    app.provider("netz", "Netz GmbH", "16", &["Support <support@netz.de>"], &["wifi"]).await;
    app.holiday(HOLIDAY, "Tag der Arbeit").await;
    table_desk_tools::desk_tools(app).await;
    Ids { victim: app.user_id(VICTIM).await }
}

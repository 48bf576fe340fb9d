//! Who may reach what: every role × every mounted route, in one table, plus the scoping
//! rules that hang on accounts and schools (SPEC §2). A route mounted without a row in the
//! table fails `the_matrix_covers_every_mounted_route`.
mod common;

use std::collections::BTreeSet;

use common::{html_message, Backend, Browser, Reply, TestApp, PASSWORD};
use rocket::http::{ContentType, Method, Status};
use staffel::i18n::Lang;

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

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x56, 0xc7, 0x2f,
    0x0d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Sends a multipart upload of `PNG` as `screenshot.png` with an optional bearer token.
async fn upload_png(app: &TestApp, token: Option<&str>, path: &str) -> Reply {
    let boundary = "matrix-upload-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"screenshot.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(PNG);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
    let mut request = app.client.post(path.to_string()).header(ct).body(body);
    if let Some(token) = token {
        request = request.header(rocket::http::Header::new("Authorization", format!("Bearer {token}")));
    }
    Reply::read(request.dispatch().await).await
}

/// A new ticket of school A (0) or B (1) with a file its school admin uploaded: the
/// ticket's number and the file's id.
async fn fresh_file(app: &TestApp, tokens: &TicketTokens, school: usize) -> (String, String) {
    let number = fresh_ticket(app, tokens, school, false).await;
    let uploaded =
        upload_png(app, Some(&tokens.schools[school]), &format!("/api/v1/tickets/{number}/attachments")).await;
    assert_eq!(uploaded.status, Status::Ok, "{}", uploaded.body);
    let id = uploaded.json()["attachments"][0]["id"].as_i64().expect("attachment id");
    (number, id.to_string())
}

/// A provider link (token) whose forward shares a file; the file's id.
async fn fresh_shared_file(app: &TestApp, tokens: &TicketTokens) -> (String, String) {
    use sea_orm::{EntityTrait, QueryOrder};
    let (number, id) = fresh_file(app, tokens, 0).await;
    let body =
        format!(r#"{{"provider":"netz","priority":"P2","message":"Bitte prüfen.","shared_attachments":[{id}]}}"#);
    let forwarded = app
        .api_send(
            Method::Post,
            Some(&tokens.desk),
            &format!("/api/v1/tickets/{number}/forward"),
            &body,
            ContentType::JSON,
        )
        .await;
    assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
    let mails = entities::mail_outbox::Entity::find()
        .order_by_desc(entities::mail_outbox::Column::Id)
        .all(app.db())
        .await
        .expect("read the outbox");
    let marker = "/provider/";
    let mail = mails.iter().find(|m| m.body_text.contains(marker)).expect("a mail with the provider link");
    let start = mail.body_text.find(marker).unwrap() + marker.len();
    (mail.body_text[start..start + 64].to_string(), id)
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

/// A desk action on a ticket: the desk is sent back to the ticket, nobody else gets in.
fn desk_action(ticket: &str, action: &str, fields: &[(&'static str, &str)]) -> Row {
    post(
        "/desk/tickets/<ticket>/<action>",
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

/// Tokens that open (school admins of A and B) and resolve (an agent) fresh tickets.
struct TicketTokens {
    schools: [String; 2],
    desk: String,
}

/// A new ticket of school A (0) or B (1), resolved by the desk if asked; its number.
async fn fresh_ticket(app: &TestApp, tokens: &TicketTokens, school: usize, resolved: bool) -> String {
    let created = app
        .api_send(Method::Post, Some(&tokens.schools[school]), "/api/v1/tickets", NEW_TICKET_JSON, ContentType::JSON)
        .await;
    assert_eq!(created.status, Status::Created, "{}", created.body);
    let number = created.json()["number"].as_str().expect("ticket number").to_string();
    if resolved {
        let done = app
            .api_send(
                Method::Post,
                Some(&tokens.desk),
                &format!("/api/v1/tickets/{number}/resolve"),
                r#"{"solution":"Lampe getauscht."}"#,
                ContentType::JSON,
            )
            .await;
        assert_eq!(done.status, Status::Ok, "{}", done.body);
    }
    number
}

/// A new report of this teacher to their school admins; its id.
async fn fresh_report(app: &TestApp, teacher: &str) -> String {
    let actor = staffel::auth::session::load_actor(app.db(), app.user_id(teacher).await).await.expect("teacher");
    let ctx = staffel::tickets::service::Ctx::of(app.client.rocket()).expect("managed state");
    let input = staffel::reports::service::NewReport {
        affected: "Beamer in Raum 112".into(),
        since: "seit heute früh".into(),
        how_many: "die ganze Klasse 7b".into(),
        description: "Kein Bild, obwohl das Kabel steckt.".into(),
    };
    staffel::reports::service::file(&ctx, &actor, &input).await.expect("file a report").id.to_string()
}

/// A new ticket of school A forwarded by the desk to the provider; its number and the
/// forward's id.
async fn fresh_forward(app: &TestApp, tokens: &TicketTokens) -> (String, String) {
    let number = fresh_ticket(app, tokens, 0, false).await;
    let forwarded = app
        .api_send(
            Method::Post,
            Some(&tokens.desk),
            &format!("/api/v1/tickets/{number}/forward"),
            FORWARD_JSON,
            ContentType::JSON,
        )
        .await;
    assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
    let id = forwarded.json()["forward"]["id"].as_i64().expect("forward id");
    (number, id.to_string())
}

/// A new ticket of school A forwarded by the desk to the provider; the token of the link
/// the provider's contact got by mail.
async fn fresh_provider_link(app: &TestApp, tokens: &TicketTokens) -> String {
    use sea_orm::{EntityTrait, QueryOrder};
    fresh_forward(app, tokens).await;
    let mails = entities::mail_outbox::Entity::find()
        .order_by_desc(entities::mail_outbox::Column::Id)
        .all(app.db())
        .await
        .expect("read the outbox");
    let marker = "/provider/";
    let mail = mails.iter().find(|m| m.body_text.contains(marker)).expect("a mail with the provider link");
    let start = mail.body_text.find(marker).unwrap() + marker.len();
    mail.body_text[start..start + 64].to_string()
}

const FORWARD_JSON: &str = r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen Sie den Zugang im Altbau."}"#;

/// The ids the table needs from the fixture.
struct Ids {
    victim: i32,
}

const NO_TOKEN: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The matrix: one row per request, one expectation per role.
fn table(ids: &Ids) -> Vec<Row> {
    let victim = ids.victim;
    let op = [OPERATOR];
    let user_fields = |email: &str, name: &str, school: &str| {
        vec![
            ("email", email.to_string()),
            ("name", name.to_string()),
            ("role", "teacher".to_string()),
            ("school", school.to_string()),
            ("language", "de".to_string()),
        ]
    };
    let mut new_user = user_fields("neu{n}@gym-a.de", "Neu", "gym-a");
    new_user.push(("password", PASSWORD.to_string()));
    let mut edit_victim = user_fields(VICTIM, "Vera Victim", "gym-b");
    edit_victim.push(("password", String::new()));
    let provider = |slug: &str| {
        vec![
            ("slug", slug.to_string()),
            ("name", "Netz GmbH".to_string()),
            ("response_hours", "16".to_string()),
            ("contacts", "Support <support@netz.de>".to_string()),
            ("services", "wifi".to_string()),
            ("active", "true".to_string()),
        ]
    };
    let form = |route, path: String, fields: Vec<(&'static str, String)>, expect| Row {
        method: Method::Post,
        route,
        path,
        form: Some(fields),
        api: false,
        json: None,
        expect,
        ends_session: false,
        upload: false,
    };
    let admin_users_to = only(&op, To("/admin/users"));
    vec![
        // The shell: start, FAQ, health, metrics, static files.
        get("/", "/", start_pages()),
        get("/healthz", "/healthz", everyone(Ok(200))),
        get("/metrics", "/metrics", everyone(Ok(200))),
        get("/static/<path..>", "/static/staffel.css", everyone(Ok(200))),
        get("/static/<path..>", "/static/nichts-da.css", everyone(NotFound)),
        // Signing in and out, one's own account, language, password reset.
        get("/login?<next>", "/login?next=/desk", {
            let mut e = start_pages();
            e[ANON] = Ok(200);
            e
        }),
        post("/login", "/login", &[("email", LOGIN_USER), ("password", PASSWORD)], everyone(To("/faq"))),
        post("/logout", "/logout", &[], everyone(To("/login"))).ending_session(),
        get("/account", "/account", signed_in(Ok(200))),
        post(
            "/account/password",
            "/account/password",
            &[("current", PASSWORD), ("new", PASSWORD), ("confirm", PASSWORD)],
            signed_in(To("/account")),
        )
        .ending_session(),
        post("/language", "/language", &[("lang", "de"), ("next", "/faq")], everyone(To("/faq"))),
        get("/password/forgot", "/password/forgot", everyone(Ok(200))),
        post("/password/forgot", "/password/forgot", &[("email", VICTIM)], everyone(Ok(200))),
        get("/password/reset/<token>", "/password/reset/{reset}", everyone(Ok(200))),
        get("/password/reset/<token>", format!("/password/reset/{NO_TOKEN}"), everyone(Gone)),
        post(
            "/password/reset/<token>",
            "/password/reset/{reset}",
            &[("new", PASSWORD), ("confirm", PASSWORD)],
            everyone(To("/login")),
        ),
        post(
            "/password/reset/<token>",
            format!("/password/reset/{NO_TOKEN}"),
            &[("new", PASSWORD), ("confirm", PASSWORD)],
            everyone(Gone),
        ),
        // Each role's start page.
        get("/reports", "/reports", only(&[TEACHER], Ok(200))),
        // Teachers report to their school admins; a report is its teacher's and their school's.
        post("/reports", "/reports", &NEW_REPORT, only(&[TEACHER], Under("/reports/"))),
        get("/reports/<id>", "/reports/{report-a}", only(&[TEACHER], Ok(200))),
        get("/reports/<id>", "/reports/{report-b}", only(&[TEACHER], NotFound)),
        get("/reports/<id>", "/reports/999999", only(&[TEACHER], NotFound)),
        get("/reports/<id>", "/reports/abc", only(&[TEACHER], NotFound)),
        get("/helpdesk/reports/<id>", "/helpdesk/reports/{report-a}", only(&[SCHOOL_ADMIN], Ok(200))),
        get("/helpdesk/reports/<id>", "/helpdesk/reports/{report-b}", only(&[SCHOOL_ADMIN], NotFound)),
        get("/helpdesk/reports/<id>", "/helpdesk/reports/abc", only(&[SCHOOL_ADMIN], NotFound)),
        post(
            "/helpdesk/reports/<id>/<action>",
            "/helpdesk/reports/{report-a}/answer",
            &[
                ("triage_scope", "local"),
                ("triage_fault_type", "hardware"),
                ("service", "presentation"),
                ("answer", "Kabel getauscht."),
            ],
            only(&[SCHOOL_ADMIN], Under("/helpdesk/reports/")),
        ),
        post(
            "/helpdesk/reports/<id>/<action>",
            "/helpdesk/reports/{report-a}/escalate",
            &[("triage_scope", "school"), ("service", "presentation"), ("title", "Beamer 112"), ("priority", "P3")],
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        post(
            "/helpdesk/reports/<id>/<action>",
            "/helpdesk/reports/{report-b}/answer",
            &[("answer", "Fremde Schule.")],
            only(&[SCHOOL_ADMIN], NotFound),
        ),
        post(
            "/helpdesk/reports/<id>/<action>",
            "/helpdesk/reports/{report-a}/explode",
            &[],
            only(&[SCHOOL_ADMIN], NotFound),
        ),
        get("/helpdesk", "/helpdesk", only(&[SCHOOL_ADMIN], Ok(200))),
        get(
            "/desk?<queue>&<school>&<service>&<priority>&<status>&<after>",
            "/desk",
            only(&[AGENT, DESK_LEAD], Ok(200)),
        ),
        // A solution becomes an FAQ draft: the desk from any ticket, a school admin from their
        // school's tickets and answered reports; a report nobody answered has no solution yet.
        post(
            "/kb/drafts/ticket/<ticket>",
            "/kb/drafts/ticket/{resolved-a}",
            &[],
            only(&[SCHOOL_ADMIN, AGENT, DESK_LEAD], Under("/kb/")),
        ),
        post("/kb/drafts/ticket/<ticket>", "/kb/drafts/ticket/{resolved-b}", &[], {
            let mut e = only(&[AGENT, DESK_LEAD], Under("/kb/"));
            e[SCHOOL_ADMIN] = NotFound;
            e
        }),
        post(
            "/kb/drafts/ticket/<ticket>",
            "/kb/drafts/ticket/{ticket-a}",
            &[],
            only(&[SCHOOL_ADMIN, AGENT, DESK_LEAD], Ok(409)),
        ),
        post("/kb/drafts/report/<report>", "/kb/drafts/report/{report-a}", &[], {
            let mut e = only(&[AGENT, DESK_LEAD], NotFound);
            e[SCHOOL_ADMIN] = Ok(409);
            e
        }),
        post(
            "/kb/drafts/report/<report>",
            "/kb/drafts/report/{report-b}",
            &[],
            only(&[SCHOOL_ADMIN, AGENT, DESK_LEAD], NotFound),
        ),
        // Tickets. `{ticket-a}` is a fresh ticket of the school admin's school A, `{ticket-b}`
        // one of school B; `{resolved-…}` ones the desk has resolved. A school admin sees
        // only their school's tickets: another school's are "not found", never "forbidden".
        get(
            "/desk?<queue>&<school>&<service>&<priority>&<status>&<after>",
            "/desk?queue=all&school=gym-b&service=presentation&priority=P3&status=new",
            only(&[AGENT, DESK_LEAD], Ok(200)),
        ),
        post(
            "/helpdesk/tickets",
            "/helpdesk/tickets",
            &NEW_TICKET,
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        get("/helpdesk/tickets/<ticket>", "/helpdesk/tickets/{ticket-a}", only(&[SCHOOL_ADMIN], Ok(200))),
        get("/helpdesk/tickets/<ticket>", "/helpdesk/tickets/{ticket-b}", only(&[SCHOOL_ADMIN], NotFound)),
        get("/helpdesk/tickets/<ticket>", "/helpdesk/tickets/T-999999", only(&[SCHOOL_ADMIN], NotFound)),
        post(
            "/helpdesk/tickets/<ticket>/<action>",
            "/helpdesk/tickets/{ticket-a}/comment",
            &[("body", "Es betrifft alle Räume.")],
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        post(
            "/helpdesk/tickets/<ticket>/<action>",
            "/helpdesk/tickets/{ticket-b}/comment",
            &[("body", "Fremde Schule.")],
            only(&[SCHOOL_ADMIN], NotFound),
        ),
        post(
            "/helpdesk/tickets/<ticket>/<action>",
            "/helpdesk/tickets/{resolved-a}/close",
            &[],
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        post(
            "/helpdesk/tickets/<ticket>/<action>",
            "/helpdesk/tickets/{resolved-b}/close",
            &[],
            only(&[SCHOOL_ADMIN], NotFound),
        ),
        post(
            "/helpdesk/tickets/<ticket>/<action>",
            "/helpdesk/tickets/{resolved-a}/reopen",
            &[("body", "Geht wieder nicht.")],
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        post(
            "/helpdesk/tickets/<ticket>/<action>",
            "/helpdesk/tickets/{resolved-b}/reopen",
            &[("body", "Fremde Schule.")],
            only(&[SCHOOL_ADMIN], NotFound),
        ),
        // The queue page's live refresh asks what changed (JSON for its script).
        get("/desk/changes", "/desk/changes", only(&[AGENT, DESK_LEAD], Ok(200))),
        get("/desk/tickets/<ticket>", "/desk/tickets/{ticket-b}", only(&[AGENT, DESK_LEAD], Ok(200))),
        get("/desk/tickets/<ticket>", "/desk/tickets/T-999999", only(&[AGENT, DESK_LEAD], NotFound)),
        get("/desk/tickets/<ticket>", "/desk/tickets/kein-ticket", only(&[AGENT, DESK_LEAD], NotFound)),
        desk_action("{ticket-a}", "comment", &[("body", "Wir schauen nach."), ("internal", "false")]),
        desk_action("{ticket-b}", "comment", &[("body", "Intern: Beamer alt."), ("internal", "true")]),
        desk_action("{ticket-a}", "assign", &[("agent", "me")]),
        desk_action("{ticket-a}", "reclassify", &[("priority", "P2"), ("service", "presentation")]),
        desk_action("{ticket-a}", "ask", &[("body", "Welcher Raum?")]),
        desk_action("{ticket-b}", "resolve", &[("body", "Lampe getauscht.")]),
        desk_action("{resolved-a}", "close", &[]),
        // `{forwarded-a}`: a fresh ticket of school A at the provider; `{forward}` its forward.
        desk_action("{forwarded-a}", "provider_reply", &[("forward", "{forward}"), ("body", "Bitte Port 3 prüfen.")]),
        desk_action("{forwarded-a}", "recall", &[("forward", "{forward}")]),
        desk_action("{resolved-b}", "reopen", &[("body", "Doch noch nicht.")]),
        post(
            "/desk/tickets/<ticket>/<action>",
            "/desk/tickets/{ticket-a}/explode",
            &[],
            only(&[AGENT, DESK_LEAD], NotFound),
        ),
        post(
            "/desk/tickets/<ticket>/<action>",
            "/desk/tickets/T-999999/comment",
            &[("body", "Niemand da.")],
            only(&[AGENT, DESK_LEAD], NotFound),
        ),
        get("/desk/settings", "/desk/settings", only(&[DESK_LEAD], Ok(200))),
        post("/desk/settings/sla", "/desk/settings/sla", &SLA_FIELDS, only(&[DESK_LEAD], To("/desk/settings"))),
        post("/desk/settings/week", "/desk/settings/week", &WEEK_FIELDS, only(&[DESK_LEAD], To("/desk/settings"))),
        post(
            "/desk/settings/holidays",
            "/desk/settings/holidays",
            &[("day", "2031-01-01"), ("name", "Neujahr")],
            only(&[DESK_LEAD], To("/desk/settings")),
        ),
        post(
            "/desk/settings/holidays/<day>/delete",
            format!("/desk/settings/holidays/{HOLIDAY}/delete"),
            &[],
            only(&[DESK_LEAD], To("/desk/settings")),
        ),
        post(
            "/desk/settings/holidays/<day>/delete",
            "/desk/settings/holidays/2031-02-30/delete",
            &[],
            only(&[DESK_LEAD], NotFound),
        ),
        get("/admin", "/admin", only(&op, Ok(200))),
        // Users.
        get("/admin/users?<q>&<role>&<school>", "/admin/users?q=gym&role=teacher&school=gym-b", only(&op, Ok(200))),
        get("/admin/users/new", "/admin/users/new", only(&op, Ok(200))),
        form("/admin/users", "/admin/users".into(), new_user, admin_users_to),
        get("/admin/users/<id>", format!("/admin/users/{victim}"), only(&op, Ok(200))),
        get("/admin/users/<id>", "/admin/users/999999", only(&op, NotFound)),
        get("/admin/users/<id>", "/admin/users/abc", only(&op, NotFound)),
        form("/admin/users/<id>", format!("/admin/users/{victim}"), edit_victim.clone(), admin_users_to),
        form("/admin/users/<id>", "/admin/users/999999".into(), edit_victim, only(&op, NotFound)),
        post(
            "/admin/users/<id>/active",
            format!("/admin/users/{victim}/active"),
            &[("active", "true")],
            admin_users_to,
        ),
        post("/admin/users/<id>/active", "/admin/users/999999/active", &[("active", "true")], only(&op, NotFound)),
        // Schools.
        get("/admin/schools", "/admin/schools", only(&op, Ok(200))),
        post(
            "/admin/schools",
            "/admin/schools",
            &[("slug", "neu-{n}"), ("name", "Neue Schule")],
            only(&op, To("/admin/schools")),
        ),
        get("/admin/schools/<slug>", "/admin/schools/gym-b", only(&op, Ok(200))),
        get("/admin/schools/<slug>", "/admin/schools/nichts-da", only(&op, NotFound)),
        post(
            "/admin/schools/<slug>",
            "/admin/schools/gym-b",
            &[("name", "Schule gym-b"), ("active", "true")],
            only(&op, To("/admin/schools")),
        ),
        post(
            "/admin/schools/<slug>",
            "/admin/schools/nichts-da",
            &[("name", "Schule"), ("active", "true")],
            only(&op, NotFound),
        ),
        // Services.
        get("/admin/services", "/admin/services", only(&op, Ok(200))),
        post(
            "/admin/services",
            "/admin/services",
            &[("slug", "dienst-{n}"), ("name_de", "Dienst"), ("name_en", "Service")],
            only(&op, To("/admin/services")),
        ),
        post(
            "/admin/services/<slug>",
            "/admin/services/wifi",
            &[("name_de", "WLAN"), ("name_en", "Wi-Fi"), ("active", "true")],
            only(&op, To("/admin/services")),
        ),
        post(
            "/admin/services/<slug>",
            "/admin/services/nichts-da",
            &[("name_de", "WLAN"), ("name_en", "Wi-Fi"), ("active", "true")],
            only(&op, NotFound),
        ),
        // Providers.
        get("/admin/providers", "/admin/providers", only(&op, Ok(200))),
        get("/admin/providers/new", "/admin/providers/new", only(&op, Ok(200))),
        form(
            "/admin/providers",
            "/admin/providers".into(),
            provider("anbieter-{n}"),
            only(&op, To("/admin/providers")),
        ),
        get("/admin/providers/<slug>", "/admin/providers/netz", only(&op, Ok(200))),
        get("/admin/providers/<slug>", "/admin/providers/nichts-da", only(&op, NotFound)),
        form(
            "/admin/providers/<slug>",
            "/admin/providers/netz".into(),
            provider("netz"),
            only(&op, To("/admin/providers")),
        ),
        form(
            "/admin/providers/<slug>",
            "/admin/providers/nichts-da".into(),
            provider("nichts-da"),
            only(&op, NotFound),
        ),
        // The FAQ: open to everyone, each article to the audiences it is written for
        // (anonymous readers are pupils; the desk and operators read the desk's articles).
        get("/faq?<q>&<service>", "/faq", everyone(Ok(200))),
        get("/faq?<q>&<service>", "/faq?q=wlan&service=wifi", everyone(Ok(200))),
        get("/faq/suggest?<q>", "/faq/suggest?q=wlan", everyone(Ok(200))),
        get("/kb/<slug>", format!("/kb/{PUPIL_ARTICLE}"), everyone(Ok(200))),
        get(
            "/kb/<slug>",
            format!("/kb/{TEACHER_ARTICLE}"),
            [NotFound, NotFound, Ok(200), Ok(200), Ok(200), Ok(200), Ok(200)],
        ),
        get("/kb/<slug>", format!("/kb/{DESK_ARTICLE}"), desk_articles(Ok(200))),
        get("/kb/<slug>", "/kb/nichts-da", everyone(NotFound)),
        post(
            "/kb/<slug>/rate",
            format!("/kb/{PUPIL_ARTICLE}/rate"),
            &[("helpful", "yes")],
            everyone(To(PUPIL_ARTICLE_RATED)),
        ),
        post(
            "/kb/<slug>/rate",
            format!("/kb/{DESK_ARTICLE}/rate"),
            &[("helpful", "no")],
            desk_articles(To(DESK_ARTICLE_RATED)),
        ),
        get("/desk/kb/misses", "/desk/kb/misses", only(&[AGENT, DESK_LEAD], Ok(200))),
        // Writing the FAQ: school admins (their school's articles, proposals for all) and the
        // desk (everything). An article a school admin may read but not change is 403; one
        // they may not even read is 404, as for everyone else.
        get("/kb/new", "/kb/new", only(&AUTHORS, Ok(200))),
        post("/kb/new", "/kb/new", &article_fields("Matrix {n}", "global", ""), only(&AUTHORS, Under("/kb/matrix-"))),
        post(
            "/kb/new",
            "/kb/new",
            &[("title", "Vorschau"), ("body", "# Nur sehen"), ("action", "preview")],
            only(&AUTHORS, Ok(200)),
        ),
        get("/kb/<slug>/edit", format!("/kb/{TEACHER_ARTICLE}/edit"), desk_edits(Forbidden)),
        get("/kb/<slug>/edit", format!("/kb/{DESK_ARTICLE}/edit"), desk_edits(NotFound)),
        get("/kb/<slug>/edit", "/kb/nichts-da/edit", only(&AUTHORS, NotFound)),
        post(
            "/kb/<slug>/edit",
            format!("/kb/{TEACHER_ARTICLE}/edit"),
            &article_fields(TEACHER_ARTICLE_TITLE, "global", "{version}"),
            desk_changes(TEACHER_ARTICLE_PAGE),
        ),
        post(
            "/kb/<slug>/edit",
            "/kb/nichts-da/edit",
            &article_fields("Nichts", "global", "1"),
            only(&AUTHORS, NotFound),
        ),
        get("/kb/<slug>/history?<v>", format!("/kb/{TEACHER_ARTICLE}/history?v=1"), desk_edits(Forbidden)),
        get("/kb/<slug>/history?<v>", format!("/kb/{DESK_ARTICLE}/history"), desk_edits(NotFound)),
        post(
            "/kb/<slug>/restore",
            format!("/kb/{TEACHER_ARTICLE}/restore"),
            &[("version", "1"), ("current", "{version}")],
            desk_changes(TEACHER_ARTICLE_PAGE),
        ),
        post(
            "/kb/<slug>/restore",
            "/kb/nichts-da/restore",
            &[("version", "1"), ("current", "1")],
            only(&AUTHORS, NotFound),
        ),
        // The JSON API: bearer tokens; anonymous callers are pupils where a route allows.
        get("/api/v1/me", "/api/v1/me", api_signed_in(Ok(200))),
        get("/api/v1/services", "/api/v1/services", everyone(Ok(200))),
        get("/api/v1/providers", "/api/v1/providers", api_only(&[AGENT, DESK_LEAD, OPERATOR], Ok(200))),
        get(
            "/api/v1/kb/search?<q>&<limit>&<service>&<suggest>",
            "/api/v1/kb/search?q=wlan&limit=5&service=wifi&suggest=false",
            everyone(Ok(200)),
        ),
        get("/api/v1/kb/articles/<slug>", format!("/api/v1/kb/articles/{PUPIL_ARTICLE}"), everyone(Ok(200))),
        get("/api/v1/kb/articles/<slug>", format!("/api/v1/kb/articles/{DESK_ARTICLE}"), desk_articles(Ok(200))),
        api_post("/api/v1/tickets", "/api/v1/tickets", NEW_TICKET_JSON, {
            let mut e = api_only(&[SCHOOL_ADMIN], Ok(201));
            e[ANON] = Unauthorized;
            e
        }),
        get(
            "/api/v1/tickets?<status>&<priority>&<school>&<service>&<queue>&<limit>&<after>",
            "/api/v1/tickets?queue=all&status=new&priority=P3&school=gym-a&service=presentation&limit=5",
            api_only(&[SCHOOL_ADMIN, AGENT, DESK_LEAD], Ok(200)),
        ),
        get("/api/v1/tickets/<number>", "/api/v1/tickets/{ticket-a}", school_a_ticket(Ok(200))),
        get("/api/v1/tickets/<number>", "/api/v1/tickets/{ticket-b}", school_b_ticket(Ok(200))),
        get(
            "/api/v1/tickets/<number>",
            "/api/v1/tickets/T-999999",
            [Unauthorized, NotFound, NotFound, NotFound, NotFound, NotFound, NotFound],
        ),
        api_post(
            "/api/v1/tickets/<number>/comments",
            "/api/v1/tickets/{ticket-a}/comments",
            r#"{"body":"Bitte prüfen."}"#,
            school_a_ticket(Ok(200)),
        ),
        api_post(
            "/api/v1/tickets/<number>/comments",
            "/api/v1/tickets/{ticket-b}/comments",
            r#"{"body":"Bitte prüfen."}"#,
            school_b_ticket(Ok(200)),
        ),
        api_post(
            "/api/v1/tickets/<number>/assign",
            "/api/v1/tickets/{ticket-a}/assign",
            r#"{"agent":"me"}"#,
            api_only(&[AGENT, DESK_LEAD], Ok(200)),
        ),
        api_post(
            "/api/v1/tickets/<number>/resolve",
            "/api/v1/tickets/{ticket-b}/resolve",
            r#"{"solution":"Neu gestartet."}"#,
            api_only(&[AGENT, DESK_LEAD], Ok(200)),
        ),
        api_post(
            "/api/v1/tickets/<number>/close",
            "/api/v1/tickets/{resolved-a}/close",
            "{}",
            school_a_ticket(Ok(200)),
        ),
        api_post(
            "/api/v1/tickets/<number>/close",
            "/api/v1/tickets/{resolved-b}/close",
            "{}",
            school_b_ticket(Ok(200)),
        ),
        api_post(
            "/api/v1/tickets/<number>/reopen",
            "/api/v1/tickets/{resolved-a}/reopen",
            r#"{"reason":"Geht wieder nicht."}"#,
            school_a_ticket(Ok(200)),
        ),
        api_post(
            "/api/v1/tickets/<number>/reopen",
            "/api/v1/tickets/{resolved-b}/reopen",
            r#"{"reason":"Geht wieder nicht."}"#,
            school_b_ticket(Ok(200)),
        ),
        api_post(
            "/api/v1/tickets/<number>/forward",
            "/api/v1/tickets/{ticket-a}/forward",
            FORWARD_JSON,
            api_only(&[AGENT, DESK_LEAD], Ok(200)),
        ),
        // Providers act through their emailed link alone: whoever holds it, signed in or not,
        // gets exactly the shared ticket; a wrong link gets nothing.
        get("/provider/<token>", "/provider/{provider}", everyone(Ok(200))),
        get("/provider/<token>", format!("/provider/{NO_TOKEN}"), everyone(NotFound)),
        get("/provider/<token>", "/provider/kein-link", everyone(NotFound)),
        post(
            "/provider/<token>/<action>",
            "/provider/{provider}/ack",
            &[("reference", "NN-4711")],
            everyone(Under("/provider/")),
        ),
        post(
            "/provider/<token>/<action>",
            "/provider/{provider}/comment",
            &[("body", "Wir melden uns.")],
            everyone(Under("/provider/")),
        ),
        post(
            "/provider/<token>/<action>",
            "/provider/{provider}/resolve",
            &[("solution", "Port getauscht.")],
            everyone(Under("/provider/")),
        ),
        post("/provider/<token>/<action>", "/provider/{provider}/explode", &[], everyone(NotFound)),
        post(
            "/provider/<token>/<action>",
            format!("/provider/{NO_TOKEN}/ack"),
            &[("reference", "NN-1")],
            everyone(NotFound),
        ),
        get("/api/v1/provider/<token>", "/api/v1/provider/{provider}", everyone(Ok(200))),
        get("/api/v1/provider/<token>", format!("/api/v1/provider/{NO_TOKEN}"), everyone(NotFound)),
        api_post(
            "/api/v1/provider/<token>/ack",
            "/api/v1/provider/{provider}/ack",
            r#"{"reference":"NN-4711"}"#,
            everyone(Ok(200)),
        ),
        api_post(
            "/api/v1/provider/<token>/comments",
            "/api/v1/provider/{provider}/comments",
            r#"{"body":"Wir melden uns."}"#,
            everyone(Ok(200)),
        ),
        api_post(
            "/api/v1/provider/<token>/resolve",
            "/api/v1/provider/{provider}/resolve",
            r#"{"solution":"Port getauscht."}"#,
            everyone(Ok(200)),
        ),
        api_post(
            "/api/v1/provider/<token>/ack",
            format!("/api/v1/provider/{NO_TOKEN}/ack"),
            r#"{"reference":"NN-1"}"#,
            everyone(NotFound),
        ),
        get("/api/v1/openapi.json", "/api/v1/openapi.json", everyone(Ok(200))),
        // Attachments: a school's files for its admins and the desk, nobody else learns they
        // exist; a provider's link opens exactly the files shared with it.
        get("/attachments/<id>", "/attachments/{file-a}", {
            let mut e = only(&[SCHOOL_ADMIN, AGENT, DESK_LEAD], Ok(200));
            for r in [PUPIL, TEACHER, OPERATOR] {
                e[r] = NotFound;
            }
            e
        }),
        get("/attachments/<id>", "/attachments/{file-b}", {
            let mut e = only(&[AGENT, DESK_LEAD], Ok(200));
            for r in [PUPIL, TEACHER, SCHOOL_ADMIN, OPERATOR] {
                e[r] = NotFound;
            }
            e
        }),
        get("/attachments/<id>", "/attachments/999999", {
            let mut e = signed_in(NotFound);
            e[ANON] = Login;
            e
        }),
        get("/attachments/<id>", "/attachments/abc", signed_in(NotFound)),
        get(
            "/api/v1/tickets/<number>/attachments/<id>",
            "/api/v1/tickets/{file-a-ticket}/attachments/{file-a}",
            school_a_ticket(Ok(200)),
        ),
        get(
            "/api/v1/tickets/<number>/attachments/<id>",
            "/api/v1/tickets/{file-b-ticket}/attachments/{file-b}",
            school_b_ticket(Ok(200)),
        ),
        api_upload(
            "/api/v1/tickets/<number>/attachments",
            "/api/v1/tickets/{ticket-a}/attachments",
            school_a_ticket(Ok(200)),
        ),
        api_upload(
            "/api/v1/tickets/<number>/attachments",
            "/api/v1/tickets/{ticket-b}/attachments",
            school_b_ticket(Ok(200)),
        ),
        get(
            "/provider/<token>/attachments/<id>",
            "/provider/{shared-token}/attachments/{shared-file}",
            everyone(Ok(200)),
        ),
        get("/provider/<token>/attachments/<id>", "/provider/{provider}/attachments/999999", everyone(NotFound)),
        get("/provider/<token>/attachments/<id>", format!("/provider/{NO_TOKEN}/attachments/1"), everyone(NotFound)),
        get(
            "/api/v1/provider/<token>/attachments/<id>",
            "/api/v1/provider/{shared-token}/attachments/{shared-file}",
            everyone(Ok(200)),
        ),
        get(
            "/api/v1/provider/<token>/attachments/<id>",
            format!("/api/v1/provider/{NO_TOKEN}/attachments/1"),
            everyone(NotFound),
        ),
        api_upload(
            "/api/v1/provider/<token>/attachments",
            "/api/v1/provider/{provider}/attachments",
            everyone(Ok(200)),
        ),
        api_upload(
            "/api/v1/provider/<token>/attachments",
            format!("/api/v1/provider/{NO_TOKEN}/attachments"),
            everyone(NotFound),
        ),
    ]
}

/// Whether a concrete path fits a route's URI template (`<x>` one segment, `<x..>` the
/// rest); the query is Rocket's business.
fn fits(template: &str, path: &str) -> bool {
    let template = template.split('?').next().unwrap_or(template);
    let path = path.split('?').next().unwrap_or(path);
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    for (i, seg) in t.iter().enumerate() {
        if seg.starts_with('<') && seg.ends_with("..>") {
            return p.len() > i;
        }
        match p.get(i) {
            Some(actual) if seg.starts_with('<') => {
                if actual.is_empty() {
                    return false;
                }
            }
            Some(actual) if actual == seg => {}
            _ => return false,
        }
    }
    t.len() == p.len()
}

fn mounted(app: &TestApp) -> BTreeSet<(String, String)> {
    app.client.rocket().routes().map(|r| (r.method.to_string(), r.uri.as_str().to_string())).collect()
}

async fn table_covers_every_mounted_route(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let rows = table(&Ids { victim: 1 });
    let in_table: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r.method.to_string(), r.route.to_string())).collect();
    let mounted = mounted(&app);
    let missing: Vec<_> = mounted.difference(&in_table).collect();
    assert!(missing.is_empty(), "mounted routes without a row in the access matrix: {missing:?}");
    let unknown: Vec<_> = in_table.difference(&mounted).collect();
    assert!(unknown.is_empty(), "matrix rows for routes that are not mounted: {unknown:?}");
    for row in &rows {
        assert!(fits(row.route, &row.path), "row path {} does not fit its route {}", row.path, row.route);
    }
}

#[rocket::async_test]
async fn the_matrix_covers_every_mounted_route() {
    on_each_backend!(table_covers_every_mounted_route);
}

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
    staffel::catalogue::providers::create(
        app.db(),
        staffel::audit::By::Cli,
        staffel::catalogue::providers::ProviderInput {
            slug: "netz".into(),
            name: "Netz GmbH".into(),
            response_hours: "16".into(),
            contacts: vec!["Support <support@netz.de>".into()],
            services: vec!["wifi".into()],
            active: true,
        },
    )
    .await
    .expect("provider");
    staffel::desk::service::add_holiday(app.db(), staffel::audit::By::Cli, HOLIDAY, "Tag der Arbeit")
        .await
        .expect("holiday");
    Ids { victim: app.user_id(VICTIM).await }
}

async fn signed_in_browser(app: &TestApp, role: usize) -> Browser<'_> {
    if role == ANON {
        let mut browser = app.browser();
        browser.get("/login").await;
        assert!(!browser.csrf.is_empty(), "the login page carries a token");
        browser
    } else {
        app.login(EMAILS[role], PASSWORD).await
    }
}

/// The current version of the FAQ article a `/kb/<slug>/…` path names (0 if none).
async fn article_version(app: &TestApp, path: &str) -> i32 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let slug = path.split('/').nth(2).unwrap_or_default();
    entities::kb_article::Entity::find()
        .filter(entities::kb_article::Column::Slug.eq(slug))
        .one(app.db())
        .await
        .expect("read article")
        .map(|a| a.version)
        .unwrap_or(0)
}

fn login_location(path: &str) -> String {
    format!("/login?next={}", url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>())
}

/// What is wrong with a reply, if anything.
fn judge(expect: Expect, reply: &Reply, path: &str, api: bool) -> Option<String> {
    let status = reply.status.code;
    if status >= 500 {
        return Some(format!("server error {status}"));
    }
    let json_error = |code: &str| -> Option<String> {
        if !reply.content_type.as_deref().is_some_and(|c| c.starts_with("application/json")) {
            return Some(format!("not JSON: {:?}", reply.content_type));
        }
        let body: serde_json::Value = serde_json::from_str(&reply.body).ok()?;
        let error = &body["error"];
        if error["code"] != code || error["message"].as_str().is_none_or(|m| m.is_empty()) {
            return Some(format!("JSON error should have code {code}: {}", reply.body));
        }
        None
    };
    let page_says = |key: &str| -> Option<String> {
        let text = html_message(Lang::De, key, "");
        (!reply.body.contains(&text)).then(|| format!("page does not say {text:?}"))
    };
    match expect {
        Ok(code) => (status != code).then(|| format!("expected {code}, got {status}")),
        To(location) => (status != 303 || reply.location.as_deref() != Some(location))
            .then(|| format!("expected 303 to {location}, got {status} {:?}", reply.location)),
        Under(prefix) => (status != 303 || !reply.location.as_deref().is_some_and(|l| l.starts_with(prefix)))
            .then(|| format!("expected 303 to {prefix}…, got {status} {:?}", reply.location)),
        Login => {
            let wanted = login_location(path);
            (status != 303 || reply.location.as_deref() != Some(wanted.as_str()))
                .then(|| format!("expected 303 to {wanted}, got {status} {:?}", reply.location))
        }
        Unauthorized => {
            if status != 401 {
                Some(format!("expected 401, got {status}"))
            } else {
                json_error("unauthorized")
            }
        }
        Forbidden | NotFound | Gone => {
            let (code, key, name) = match expect {
                Forbidden => (403, "error.forbidden", "forbidden"),
                NotFound => (404, "error.not_found", "not_found"),
                _ => (410, "error.gone", "gone"),
            };
            if status != code {
                Some(format!("expected {code}, got {status}"))
            } else if api {
                json_error(name)
            } else {
                page_says(key)
            }
        }
    }
}

async fn every_role_reaches_exactly_its_routes(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let ids = fixture(&app).await;
    let rows = table(&ids);
    let ticket_tokens = TicketTokens {
        schools: [app.token(EMAILS[SCHOOL_ADMIN]).await, app.token(SCHOOL_B_ADMIN).await],
        desk: app.token(TICKET_AGENT).await,
    };
    let mut failures = Vec::new();
    let mut n = 0;
    for role in 0..ROLES.len() {
        let mut browser = signed_in_browser(&app, role).await;
        let token = if role == ANON { None } else { Some(app.token(EMAILS[role]).await) };
        for row in &rows {
            n += 1;
            let mut path = row.path.replace("{n}", &n.to_string());
            if path.contains("{reset}") {
                path = path.replace("{reset}", &app.reset_token(VICTIM).await);
            }
            for (placeholder, teacher) in [("{report-a}", EMAILS[TEACHER]), ("{report-b}", VICTIM)] {
                if path.contains(placeholder) {
                    path = path.replace(placeholder, &fresh_report(&app, teacher).await);
                }
            }
            for (id_marker, ticket_marker, school) in
                [("{file-a}", "{file-a-ticket}", 0), ("{file-b}", "{file-b-ticket}", 1)]
            {
                if path.contains(id_marker) {
                    let (number, id) = fresh_file(&app, &ticket_tokens, school).await;
                    path = path.replace(ticket_marker, &number).replace(id_marker, &id);
                }
            }
            if path.contains("{shared-file}") {
                let (token, id) = fresh_shared_file(&app, &ticket_tokens).await;
                path = path.replace("{shared-token}", &token).replace("{shared-file}", &id);
            }
            let mut forward = String::new();
            if path.contains("{forwarded-a}") {
                let (number, id) = fresh_forward(&app, &ticket_tokens).await;
                path = path.replace("{forwarded-a}", &number);
                forward = id;
            }
            if path.contains("{provider}") {
                path = path.replace("{provider}", &fresh_provider_link(&app, &ticket_tokens).await);
            }
            for (placeholder, school, resolved) in [
                ("{ticket-a}", 0, false),
                ("{ticket-b}", 1, false),
                ("{resolved-a}", 0, true),
                ("{resolved-b}", 1, true),
            ] {
                if path.contains(placeholder) {
                    path = path.replace(placeholder, &fresh_ticket(&app, &ticket_tokens, school, resolved).await);
                }
            }
            let reply = if row.upload {
                upload_png(&app, token.as_deref(), &path).await
            } else if row.api {
                match row.json {
                    Some(json) => app.api_send(row.method, token.as_deref(), &path, json, ContentType::JSON).await,
                    None => app.api_get(token.as_deref(), &path).await,
                }
            } else {
                // A copy of the browser: whatever cookies the request sets stay in the cell.
                let mut cell = browser.fork();
                match &row.form {
                    None => cell.get(&path).await,
                    Some(fields) => {
                        let mut fields: Vec<(&str, String)> =
                            fields.iter().map(|(k, v)| (*k, v.replace("{n}", &n.to_string()))).collect();
                        for field in fields.iter_mut().filter(|(_, v)| v == "{version}") {
                            field.1 = article_version(&app, &path).await.to_string();
                        }
                        for field in fields.iter_mut().filter(|(_, v)| v == "{forward}") {
                            field.1 = forward.clone();
                        }
                        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        cell.post_form(&path, &borrowed).await
                    }
                }
            };
            let expect = row.expect[role];
            if let Some(problem) = judge(expect, &reply, &path, row.api) {
                failures.push(format!("{} {} {path} as {}: {problem}", backend.name(), row.method, ROLES[role]));
            }
            if row.ends_session && role != ANON {
                browser = signed_in_browser(&app, role).await;
            }
        }
    }
    assert!(failures.is_empty(), "{} cells of the access matrix are wrong:\n{}", failures.len(), failures.join("\n"));
}

#[rocket::async_test]
async fn every_role_on_every_route() {
    on_each_backend!(every_role_reaches_exactly_its_routes);
}

async fn api_ignores_session_cookies(backend: Backend) {
    let app = TestApp::new(&backend).await;
    fixture(&app).await;
    // A signed-in browser calling the API without a token is anonymous there: cookies
    // alone never authorise an API call (so the API needs no CSRF tokens).
    let mut browser = app.login(EMAILS[OPERATOR], PASSWORD).await;
    let me = browser.get("/api/v1/me").await;
    assert_eq!(me.status, Status::Unauthorized, "{}", me.body);
    assert_eq!(me.json()["error"]["code"], "unauthorized");
    let providers = browser.get("/api/v1/providers").await;
    assert_eq!(providers.status, Status::Unauthorized);
    // A wrong or malformed token is no better.
    for header in ["Bearer stf_falsch", "Bearer ", "Basic b3A6cGFzcw==", "stf_x"] {
        let reply = browser.send(Method::Get, "/api/v1/me", Vec::new(), None, &[("Authorization", header)]).await;
        assert_eq!(reply.status, Status::Unauthorized, "{header}");
        assert_eq!(reply.json()["error"]["code"], "unauthorized", "{header}");
    }
}

#[rocket::async_test]
async fn the_api_ignores_session_cookies() {
    on_each_backend!(api_ignores_session_cookies);
}

async fn school_admin_of_a_cannot_touch_school_b(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let ids = fixture(&app).await;
    for role in [PUPIL, TEACHER, SCHOOL_ADMIN, AGENT, DESK_LEAD] {
        let mut browser = app.login(EMAILS[role], PASSWORD).await;
        let who = ROLES[role];
        for path in [
            "/admin/schools/gym-b".to_string(),
            "/admin/users?school=gym-b".to_string(),
            format!("/admin/users/{}", ids.victim),
        ] {
            let reply = browser.get(&path).await;
            assert_eq!(reply.status, Status::Forbidden, "{who} GET {path}");
            assert!(!reply.body.contains(VICTIM), "{who} sees nothing of school B");
        }
        let attempts: [(String, Vec<(&str, &str)>); 4] = [
            ("/admin/schools/gym-b".into(), vec![("name", "Übernommen"), ("active", "false")]),
            (
                format!("/admin/users/{}", ids.victim),
                vec![
                    ("email", VICTIM),
                    ("name", "Umgezogen"),
                    ("role", "school_admin"),
                    ("school", "gym-a"),
                    ("language", "de"),
                ],
            ),
            (format!("/admin/users/{}/active", ids.victim), vec![("active", "false")]),
            (
                "/admin/users".into(),
                vec![
                    ("email", "spion@gym-b.de"),
                    ("name", "Spion"),
                    ("role", "school_admin"),
                    ("school", "gym-b"),
                    ("password", PASSWORD),
                ],
            ),
        ];
        for (path, fields) in attempts {
            let reply = browser.post_form(&path, &fields).await;
            assert_eq!(reply.status, Status::Forbidden, "{who} POST {path}");
            assert!(reply.body.contains(&html_message(Lang::De, "error.forbidden", "")));
        }
    }
    // The school admin's own view of themselves names school A only.
    let token = app.token(EMAILS[SCHOOL_ADMIN]).await;
    let me = app.api_get(Some(&token), "/api/v1/me").await;
    assert_eq!(me.json()["school"], "gym-a");
    let school_b = staffel::schools::service::find_by_slug(app.db(), "gym-b").await.unwrap().unwrap();
    assert!(school_b.active);
    assert_eq!(school_b.name, "Schule gym-b");
    let victim = staffel::accounts::service::find_by_email(app.db(), VICTIM).await.unwrap().unwrap();
    assert!(victim.active);
    assert_eq!(victim.school_id, Some(school_b.id));
    assert_eq!(victim.role, "teacher");
    assert!(staffel::accounts::service::find_by_email(app.db(), "spion@gym-b.de").await.unwrap().is_none());
}

#[rocket::async_test]
async fn nobody_but_operators_reaches_another_schools_administration() {
    on_each_backend!(school_admin_of_a_cannot_touch_school_b);
}

async fn deactivated_user_loses_session_and_token(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let ids = fixture(&app).await;
    let mut teacher = app.login(VICTIM, PASSWORD).await;
    let token = app.token(VICTIM).await;
    assert_eq!(teacher.get("/reports").await.status, Status::Ok);
    assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Ok);

    let mut operator = app.login(EMAILS[OPERATOR], PASSWORD).await;
    let off = operator.post_form(&format!("/admin/users/{}/active", ids.victim), &[("active", "false")]).await;
    assert_eq!(off.status, Status::SeeOther, "{}", off.body);

    let after = teacher.get("/reports").await;
    assert_eq!(after.status, Status::SeeOther);
    assert_eq!(after.location.as_deref(), Some("/login?next=%2Freports"));
    let api = app.api_get(Some(&token), "/api/v1/me").await;
    assert_eq!(api.status, Status::Unauthorized);
    let again = app.browser().post_form("/login", &[("email", VICTIM), ("password", PASSWORD)]).await;
    assert_eq!(again.status, Status::UnprocessableEntity);
    assert!(again.body.contains(&html_message(Lang::De, "login.failed", "")));

    // Reactivated, the person signs in anew; the old session stays dead.
    let on = operator.post_form(&format!("/admin/users/{}/active", ids.victim), &[("active", "true")]).await;
    assert_eq!(on.status, Status::SeeOther);
    assert_eq!(teacher.get("/reports").await.status, Status::SeeOther);
    let mut fresh = app.login(VICTIM, PASSWORD).await;
    assert_eq!(fresh.get("/reports").await.status, Status::Ok);
}

#[rocket::async_test]
async fn a_deactivated_users_session_stops_working() {
    on_each_backend!(deactivated_user_loses_session_and_token);
}

async fn deactivated_school_locks_out_its_people(backend: Backend) {
    let app = TestApp::new(&backend).await;
    fixture(&app).await;
    let mut teacher = app.login(EMAILS[TEACHER], PASSWORD).await;
    let token = app.token(EMAILS[TEACHER]).await;
    let mut other_school = app.login(VICTIM, PASSWORD).await;
    let mut operator = app.login(EMAILS[OPERATOR], PASSWORD).await;
    // The edit form's checkbox unticked: no `active` field.
    let off = operator.post_form("/admin/schools/gym-a", &[("name", "Schule gym-a")]).await;
    assert_eq!(off.status, Status::SeeOther, "{}", off.body);

    let refused = app.browser().post_form("/login", &[("email", EMAILS[TEACHER]), ("password", PASSWORD)]).await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(refused.body.contains(&html_message(Lang::De, "login.failed", "")));
    assert!(!refused.set_cookies.iter().any(|c| c.name() == "staffel_session"));
    let page = teacher.get("/reports").await;
    assert_eq!(page.status, Status::SeeOther, "the running session ends too");
    assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Unauthorized);
    for role in [PUPIL, SCHOOL_ADMIN] {
        let reply = app.browser().post_form("/login", &[("email", EMAILS[role]), ("password", PASSWORD)]).await;
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", ROLES[role]);
    }
    // Other schools and the desk carry on.
    assert_eq!(other_school.get("/reports").await.status, Status::Ok);
    app.login(EMAILS[AGENT], PASSWORD).await;

    let on = operator.post_form("/admin/schools/gym-a", &[("name", "Schule gym-a"), ("active", "true")]).await;
    assert_eq!(on.status, Status::SeeOther);
    app.login(EMAILS[TEACHER], PASSWORD).await;
}

#[rocket::async_test]
async fn people_of_a_deactivated_school_cannot_sign_in() {
    on_each_backend!(deactivated_school_locks_out_its_people);
}

async fn role_or_school_change_ends_sessions(backend: Backend) {
    let app = TestApp::new(&backend).await;
    fixture(&app).await;
    let teacher_id = app.user_id(EMAILS[TEACHER]).await;
    let mut operator = app.login(EMAILS[OPERATOR], PASSWORD).await;
    let edit = |name: &'static str, role: &'static str, school: &'static str| {
        vec![
            ("email", EMAILS[TEACHER]),
            ("name", name),
            ("role", role),
            ("school", school),
            ("language", "de"),
            ("password", ""),
        ]
    };
    let path = format!("/admin/users/{teacher_id}");

    // A new name alone keeps the session.
    let mut teacher = app.login(EMAILS[TEACHER], PASSWORD).await;
    let renamed = operator.post_form(&path, &edit("Tina Neu", "teacher", "gym-a")).await;
    assert_eq!(renamed.status, Status::SeeOther, "{}", renamed.body);
    let still = teacher.get("/reports").await;
    assert_eq!(still.status, Status::Ok);
    assert!(still.body.contains("Tina Neu"));

    // A new role ends every session of the person, in every browser.
    let mut second = app.login(EMAILS[TEACHER], PASSWORD).await;
    let promoted = operator.post_form(&path, &edit("Tina Neu", "school_admin", "gym-a")).await;
    assert_eq!(promoted.status, Status::SeeOther, "{}", promoted.body);
    for browser in [&mut teacher, &mut second] {
        for page in ["/reports", "/helpdesk", "/account"] {
            let reply = browser.get(page).await;
            assert_eq!(reply.status, Status::SeeOther, "{page}");
            assert!(reply.location.unwrap().starts_with("/login?next="));
        }
    }
    let mut as_admin = app.browser();
    let landed = as_admin.post_form("/login", &[("email", EMAILS[TEACHER]), ("password", PASSWORD)]).await;
    assert_eq!(landed.location.as_deref(), Some("/helpdesk"));
    assert_eq!(as_admin.get("/helpdesk").await.status, Status::Ok);

    // A new school ends them too.
    let moved = operator.post_form(&path, &edit("Tina Neu", "school_admin", "gym-b")).await;
    assert_eq!(moved.status, Status::SeeOther, "{}", moved.body);
    assert_eq!(as_admin.get("/helpdesk").await.status, Status::SeeOther);
    let token = app.token(EMAILS[TEACHER]).await;
    let me = app.api_get(Some(&token), "/api/v1/me").await;
    assert_eq!(me.json()["school"], "gym-b");
    assert_eq!(me.json()["role"], "school_admin");
}

#[rocket::async_test]
async fn a_role_or_school_change_ends_the_sessions() {
    on_each_backend!(role_or_school_change_ends_sessions);
}

//! Bad input on every state-changing route ("every form and API field validated with a
//! clear message; no 500 on any input"). Each POST route gets malformed bodies, wrong
//! content types, oversized and missing fields, control characters and unicode, wrong types,
//! unknown and duplicate keys; each answer must be a 4xx with the catalogue's message, and
//! the database must be exactly as before. Then the valid submission must work and change
//! it, so the checks can see a change when there is one. The routes come in groups, each
//! group a test of its own on a fresh fixture.
mod api;
mod forms;
mod language;
mod targets_accounts_and_admin;
mod targets_api;
mod targets_chat;
mod targets_chat_pages;
mod targets_desk_and_faq;
mod targets_desk_tools;
mod targets_tickets;
mod targets_widget;
mod uploads;

use std::collections::BTreeSet;

use crate::common::{fits, Backend, TestApp, PASSWORD};
use rocket::http::{ContentType, Method};

const OPERATOR: &str = "op@ops.de";
const TEACHER: &str = "t@gym-a.de";
const VICTIM: &str = "v@gym-b.de";
const PUPIL_ARTICLE: &str = "wlan-verbinden-schueler";
const TEACHER_ARTICLE: &str = "wlan-lehrkraefte-geraete-verbinden";
const DESK_ARTICLE: &str = "wlan-stoerung-schuluebergreifend-eingrenzen";
const AGENT: &str = "ag@desk.de";
const DESK_LEAD: &str = "dl@desk.de";
const HOLIDAY: &str = "2031-05-01";

/// The expected answer: a status and the catalogue message (with its `{arg}`) on the page.
#[derive(Clone, Debug)]
struct Msg {
    status: u16,
    key: &'static str,
    arg: String,
}

fn msg(status: u16, key: &'static str) -> Msg {
    Msg { status, key, arg: String::new() }
}

fn msg_arg(status: u16, key: &'static str, arg: impl ToString) -> Msg {
    Msg { status, key, arg: arg.to_string() }
}

fn invalid(key: &'static str) -> Msg {
    msg(422, key)
}

fn invalid_arg(key: &'static str, arg: impl ToString) -> Msg {
    msg_arg(422, key, arg)
}

fn not_found() -> Msg {
    msg(404, "error.not_found")
}

/// One bad submission: the valid fields with some replaced, dropped or added; `raw` fields
/// are appended without encoding (for broken percent-escapes); `path` replaces the route's.
struct Case {
    label: String,
    path: Option<String>,
    set: Vec<(&'static str, String)>,
    drop: Vec<&'static str>,
    raw: Vec<(&'static str, &'static str)>,
    expect: Msg,
}

fn set(label: &str, fields: &[(&'static str, &str)], expect: Msg) -> Case {
    Case {
        label: label.to_string(),
        path: None,
        set: fields.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        drop: Vec::new(),
        raw: Vec::new(),
        expect,
    }
}

fn set_owned(label: &str, fields: Vec<(&'static str, String)>, expect: Msg) -> Case {
    Case { label: label.to_string(), path: None, set: fields, drop: Vec::new(), raw: Vec::new(), expect }
}

fn drop(label: &str, fields: &[&'static str], expect: Msg) -> Case {
    Case { label: label.to_string(), path: None, set: Vec::new(), drop: fields.to_vec(), raw: Vec::new(), expect }
}

/// The fields written as they are, undecodable escapes and all.
fn raw(label: &str, fields: &[(&'static str, &'static str)], expect: Msg) -> Case {
    Case {
        label: label.to_string(),
        path: None,
        set: Vec::new(),
        drop: fields.iter().map(|(k, _)| *k).collect(),
        raw: fields.to_vec(),
        expect,
    }
}

fn at(label: &str, path: impl Into<String>, expect: Msg) -> Case {
    Case {
        label: label.to_string(),
        path: Some(path.into()),
        set: Vec::new(),
        drop: Vec::new(),
        raw: Vec::new(),
        expect,
    }
}

impl Case {
    /// The same case sent to another path.
    fn on(mut self, path: impl Into<String>) -> Case {
        self.path = Some(path.into());
        self
    }
}

/// A state-changing route and what it must answer.
struct Target {
    method: Method,
    /// The route as mounted, for the coverage check.
    route: &'static str,
    path: String,
    /// Who submits (signed in with `PASSWORD`); None: anonymous.
    who: Option<&'static str>,
    valid: Vec<(&'static str, String)>,
    /// The answer to the valid submission: status and, for redirects, the location.
    valid_reply: (u16, Option<&'static str>),
    /// The answer when every field is missing; None where an empty form is a valid one.
    empty: Option<Msg>,
    /// A field that, 100 kB long, gives this answer.
    long: Option<(&'static str, Msg)>,
    cases: Vec<Case>,
}

fn fields(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

struct Fixture {
    /// Provider link tokens (as mailed) of forwarded tickets, by purpose.
    provider_links: std::collections::HashMap<&'static str, String>,
    /// The forward of the ticket `tickets["desk reply"]`, which the desk answers.
    reply_forward: i32,
    /// A new report of the teacher of school A, and one of a teacher of school B.
    report: i32,
    other_report: i32,
    /// Tickets by purpose (numbers like `T-000001`), opened (and some resolved) for the cases.
    tickets: std::collections::HashMap<&'static str, String>,
    article_version: i32,
    desk_article_version: i32,
    victim: i32,
    operator: i32,
    reset_token: String,
    /// The id of an API token of `tk@gym-a.de`, whom the revoke target signs in as.
    revocable_token: i32,
    /// Chat requests by purpose (ids): school A's admin asked; some the agent took.
    chats: std::collections::HashMap<&'static str, i32>,
    /// A mail in the outbox, not sent (no worker runs in the tests), which operators may
    /// send again.
    mail: i32,
}

/// The current version of a shipped FAQ article.
async fn version_of(app: &TestApp, slug: &str) -> i32 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entities::kb_article::Entity::find()
        .filter(entities::kb_article::Column::Slug.eq(slug))
        .one(app.db())
        .await
        .expect("read article")
        .unwrap_or_else(|| panic!("the shipped article {slug}"))
        .version
}

const SCHOOL_ADMIN: &str = "sa@gym-a.de";
const SCHOOL_B_ADMIN: &str = "sb@gym-b.de";
const TICKET_JSON: &str =
    r#"{"title":"Drucker druckt nicht","description":"Papierstau im Lehrerzimmer.","service":"printing"}"#;

/// Opens a ticket through the API as the school admin with this token; resolves it as the
/// agent with `desk` if asked. Its number.
async fn open_ticket(app: &TestApp, school: &str, desk: Option<&str>) -> String {
    let number = app.open_ticket(school, TICKET_JSON).await;
    if let Some(desk) = desk {
        app.resolve_ticket(desk, &number, "Erledigt.").await;
    }
    number
}

const FORWARD_JSON: &str = r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen Sie den Zugang."}"#;

/// Forwards a ticket to the provider as the desk; the token of the link its contact got.
async fn forward_ticket(app: &TestApp, desk: &str, number: &str) -> String {
    app.forward_ticket(desk, number, FORWARD_JSON).await;
    app.latest_provider_token().await
}

/// A new report of this teacher; its id.
async fn file_report(app: &TestApp, teacher: &str) -> i32 {
    app.file_report(teacher, "Kein Bild.").await
}

async fn fixture(app: &TestApp) -> Fixture {
    app.school("gym-a").await;
    app.school("gym-b").await;
    app.school("gym-c").await;
    app.update_school("gym-c", "Geschlossen", false).await;
    app.user(OPERATOR, "operator", "").await;
    app.user(TEACHER, "teacher", "gym-a").await;
    for email in ["li@gym-a.de", "lo@gym-a.de", "pw@gym-a.de", "la@gym-a.de", "tk@gym-a.de"] {
        app.user(email, "teacher", "gym-a").await;
    }
    app.user(VICTIM, "teacher", "gym-b").await;
    app.user(AGENT, "agent", "").await;
    app.user(DESK_LEAD, "desk_lead", "").await;
    app.holiday(HOLIDAY, "Tag der Arbeit").await;
    app.provider("netz", "Netz GmbH", "16", &["Support <support@netz.de>"], &["wifi"]).await;
    app.user(SCHOOL_ADMIN, "school_admin", "gym-a").await;
    app.user(SCHOOL_B_ADMIN, "school_admin", "gym-b").await;
    let school = app.token(SCHOOL_ADMIN).await;
    let school_b = app.token(SCHOOL_B_ADMIN).await;
    let desk = app.token(AGENT).await;
    let mut tickets = std::collections::HashMap::new();
    for purpose in ["school comment", "desk action", "desk bulk", "api comments", "api assign", "api resolve"] {
        tickets.insert(purpose, open_ticket(app, &school, None).await);
    }
    for purpose in ["school close", "school reopen", "api close", "api reopen"] {
        tickets.insert(purpose, open_ticket(app, &school, Some(&desk)).await);
    }
    tickets.insert("other school", open_ticket(app, &school_b, None).await);
    tickets.insert("api forward", open_ticket(app, &school, None).await);
    tickets.insert("api upload", open_ticket(app, &school, None).await);
    let mut provider_links = std::collections::HashMap::new();
    for purpose in ["html", "api", "upload"] {
        let number = open_ticket(app, &school, None).await;
        provider_links.insert(purpose, forward_ticket(app, &desk, &number).await);
    }
    let number = open_ticket(app, &school, None).await;
    forward_ticket(app, &desk, &number).await;
    tickets.insert("desk reply", number);
    let reply_forward = {
        use sea_orm::{EntityTrait, QueryOrder};
        let last = entities::forward::Entity::find().order_by_desc(entities::forward::Column::Id).one(app.db());
        last.await.expect("read forwards").expect("the last forward").id
    };
    let report = file_report(app, TEACHER).await;
    let other_report = file_report(app, VICTIM).await;
    let chats = targets_chat::chats(app).await;
    targets_desk_tools::desk_tools(app).await;
    Fixture {
        chats,
        tickets,
        provider_links,
        reply_forward,
        report,
        other_report,
        article_version: version_of(app, TEACHER_ARTICLE).await,
        desk_article_version: version_of(app, DESK_ARTICLE).await,
        victim: app.user_id(VICTIM).await,
        operator: app.user_id(OPERATOR).await,
        reset_token: app.reset_token(VICTIM).await,
        revocable_token: revocable_token(app).await,
        mail: queued_mail(app).await,
    }
}

/// The id of the first mail the fixture queued; the last one is made one given up, for
/// "send all failed again".
async fn queued_mail(app: &TestApp) -> i32 {
    use entities::mail_outbox::{ActiveModel, Column, Entity};
    use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
    let rows = Entity::find().order_by_asc(Column::Id).all(app.db()).await.expect("read the outbox");
    assert!(rows.len() >= 2, "the fixture queued mail");
    let last = ActiveModel {
        id: Set(rows[rows.len() - 1].id),
        status: Set(entities::MailStatus::Failed),
        ..Default::default()
    };
    last.update(app.db()).await.expect("give a mail up");
    rows[0].id
}

/// A new API token of `tk@gym-a.de`; its id.
async fn revocable_token(app: &TestApp) -> i32 {
    app.token("tk@gym-a.de").await;
    let user = app.user_id("tk@gym-a.de").await;
    staffel::accounts::api_tokens::list_for(app.db(), user).await.expect("list tokens")[0].id
}

/// A field name built at run time (`targets[3].first`), kept for the test's lifetime.
fn leak(name: String) -> &'static str {
    Box::leak(name.into_boxed_str())
}

fn long_text(n: usize) -> String {
    "x".repeat(n)
}

/// `n` characters that do not compress (a long run of one letter would slip through limits
/// that only bite on stored size, like a PostgreSQL index entry).
fn noise(n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ALPHABET[(state % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// Every form target, group by group.
fn targets(f: &Fixture) -> Vec<Target> {
    [
        targets_tickets::report_targets(f),
        targets_tickets::ticket_targets(f),
        targets_desk_and_faq::desk_settings_targets(f),
        targets_desk_and_faq::faq_targets(f),
        targets_desk_tools::desk_tool_targets(f),
        targets_accounts_and_admin::account_targets(f),
        targets_accounts_and_admin::admin_targets(f),
        targets_accounts_and_admin::xmpp_targets(f),
        targets_chat_pages::chat_form_targets(f),
        targets_widget::widget_targets(f),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn mounted_state_changing(app: &TestApp) -> BTreeSet<(String, String)> {
    app.client
        .rocket()
        .routes()
        .filter(|r| !matches!(r.method, Method::Get | Method::Head | Method::Options))
        .map(|r| (r.method.to_string(), r.uri.as_str().to_string()))
        .collect()
}

both_dbs!(
    async fn every_state_changing_route_has_bad_input_cases(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let f = fixture(&app).await;
        let mounted = mounted_state_changing(&app);
        let targets = targets(&f);
        // A target's cases sent to another action's path (`.on(…)`) cover that action's route.
        let mut reached = Vec::new();
        for target in &targets {
            let method = target.method.to_string();
            for path in target.cases.iter().filter_map(|c| c.path.as_deref()) {
                reached.extend(mounted.iter().filter(|(m, route)| *m == method && fits(route, path)).cloned());
            }
        }
        // The same for the API's cases sent elsewhere.
        let mut api_reached = Vec::new();
        for target in targets_api::api_targets(&f) {
            let method = target.method.to_string();
            for path in target.cases.iter().filter_map(|c| c.path.as_deref()) {
                api_reached.extend(mounted.iter().filter(|(m, route)| *m == method && fits(route, path)).cloned());
            }
        }
        let covered: BTreeSet<(String, String)> = targets
            .iter()
            .map(|t| (t.method.to_string(), t.route.to_string()))
            .chain(reached)
            .chain(targets_api::api_targets(&f).iter().map(|t| (t.method.to_string(), t.route.to_string())))
            .chain(api_reached)
            .chain(uploads::upload_targets(&f).iter().map(|t| ("POST".to_string(), t.route.to_string())))
            .collect();
        let missing: Vec<_> = mounted.difference(&covered).collect();
        assert!(missing.is_empty(), "state-changing routes without bad-input cases: {missing:?}");
        let unknown: Vec<_> = covered.difference(&mounted).collect();
        assert!(unknown.is_empty(), "bad-input targets for routes that are not mounted: {unknown:?}");
    }
);

fn form_ct() -> Option<ContentType> {
    Some(ContentType::Form)
}

/// The messages a page shows, for failure reports.
fn shown_messages(body: &str) -> String {
    body.lines()
        .filter(|l| l.contains("class=\"alert\"") || l.contains("class=\"lead\"") || l.contains("field-error"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" | ")
}

fn first_difference(before: &str, after: &str) -> String {
    let b: Vec<&str> = before.lines().collect();
    let a: Vec<&str> = after.lines().collect();
    let removed: Vec<&&str> = b.iter().filter(|l| !a.contains(l)).take(3).collect();
    let added: Vec<&&str> = a.iter().filter(|l| !b.contains(l)).take(3).collect();
    format!("  removed: {removed:?}\n  added: {added:?}")
}

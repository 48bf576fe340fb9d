//! Bad input on every state-changing route (SPEC §10: "every form and API field validated
//! with a clear message; no 500 on any input"). Each POST route gets malformed bodies, wrong
//! content types, oversized and missing fields, control characters and unicode, wrong types,
//! unknown and duplicate keys; each answer must be a 4xx with the catalogue's message, and
//! the database must be exactly as before. Then the valid submission must work and change
//! it, so the checks can see a change when there is one.
mod common;

use std::collections::BTreeSet;

use common::{html_message, text_message, Backend, Browser, Reply, TestApp, PASSWORD};
use rocket::http::{ContentType, Cookie, Method, Status};
use staffel::i18n::Lang;

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
    let created = app.api_send(Method::Post, Some(school), "/api/v1/tickets", TICKET_JSON, ContentType::JSON).await;
    assert_eq!(created.status, Status::Created, "{}", created.body);
    let number = created.json()["number"].as_str().expect("number").to_string();
    if let Some(desk) = desk {
        let path = format!("/api/v1/tickets/{number}/resolve");
        let done =
            app.api_send(Method::Post, Some(desk), &path, r#"{"solution":"Erledigt."}"#, ContentType::JSON).await;
        assert_eq!(done.status, Status::Ok, "{}", done.body);
    }
    number
}

const FORWARD_JSON: &str = r#"{"provider":"netz","priority":"P2","message":"Bitte prüfen Sie den Zugang."}"#;

/// Forwards a ticket to the provider as the desk; the token of the link its contact got.
async fn forward_ticket(app: &TestApp, desk: &str, number: &str) -> String {
    use sea_orm::{EntityTrait, QueryOrder};
    let path = format!("/api/v1/tickets/{number}/forward");
    let forwarded = app.api_send(Method::Post, Some(desk), &path, FORWARD_JSON, ContentType::JSON).await;
    assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
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

/// A new report of this teacher; its id.
async fn file_report(app: &TestApp, teacher: &str) -> i32 {
    let actor = staffel::auth::session::load_actor(app.db(), app.user_id(teacher).await).await.expect("teacher");
    let ctx = staffel::tickets::service::Ctx::of(app.client.rocket()).expect("managed state");
    let input = staffel::reports::service::NewReport {
        affected: "Beamer in Raum 112".into(),
        since: "seit heute früh".into(),
        how_many: "die ganze Klasse 7b".into(),
        description: "Kein Bild.".into(),
    };
    staffel::reports::service::file(&ctx, &actor, &input).await.expect("file a report").id
}

async fn fixture(app: &TestApp) -> Fixture {
    app.school("gym-a").await;
    app.school("gym-b").await;
    app.school("gym-c").await;
    staffel::schools::service::update(app.db(), staffel::audit::By::Cli, "gym-c", "Geschlossen", false)
        .await
        .expect("deactivate gym-c");
    app.user(OPERATOR, "operator", "").await;
    app.user(TEACHER, "teacher", "gym-a").await;
    for email in ["li@gym-a.de", "lo@gym-a.de", "pw@gym-a.de", "la@gym-a.de"] {
        app.user(email, "teacher", "gym-a").await;
    }
    app.user(VICTIM, "teacher", "gym-b").await;
    app.user(AGENT, "agent", "").await;
    app.user(DESK_LEAD, "desk_lead", "").await;
    staffel::desk::service::add_holiday(app.db(), staffel::audit::By::Cli, HOLIDAY, "Tag der Arbeit")
        .await
        .expect("holiday");
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
    app.user(SCHOOL_ADMIN, "school_admin", "gym-a").await;
    app.user(SCHOOL_B_ADMIN, "school_admin", "gym-b").await;
    let school = app.token(SCHOOL_ADMIN).await;
    let school_b = app.token(SCHOOL_B_ADMIN).await;
    let desk = app.token(AGENT).await;
    let mut tickets = std::collections::HashMap::new();
    for purpose in ["school comment", "desk action", "api comments", "api assign", "api resolve"] {
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
    Fixture {
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
    }
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

fn targets(f: &Fixture) -> Vec<Target> {
    let victim = f.victim;
    let token = &f.reset_token;
    let post = Method::Post;
    let user = |email: &str, name: &str, role: &str, school: &str, password: &str| {
        fields(&[
            ("email", email),
            ("name", name),
            ("role", role),
            ("school", school),
            ("language", "de"),
            ("password", password),
        ])
    };
    // Role and school combinations and unknown values, for creating and for editing.
    let user_cases = || {
        vec![
            set("duplicate email, other case", &[("email", "T@GYM-A.DE")], invalid("validation.email_taken")),
            set("email without domain dot", &[("email", "neu@gym")], invalid("validation.email")),
            set("email with a NUL", &[("email", "neu\0@gym-a.de")], invalid("validation.control_chars")),
            set("email of 255 characters", &[("email", &format!("{}@gym-a.de", "e".repeat(246)))], {
                invalid_arg("validation.too_long", 254)
            }),
            set("blank name", &[("name", "   ")], invalid("validation.required")),
            set("name of 121 characters", &[("name", &long_text(121))], invalid_arg("validation.too_long", 120)),
            set("name with a NUL", &[("name", "Ne\0u")], invalid("validation.control_chars")),
            set("name with a bell and a newline", &[("name", "Ne\u{7}u\nZeile")], invalid("validation.control_chars")),
            set("unknown role", &[("role", "admin")], invalid("validation.role")),
            set("role in capitals", &[("role", "Teacher")], invalid("validation.role")),
            drop("no role", &["role"], invalid("validation.role")),
            set("unknown school", &[("school", "gym-x")], invalid_arg("validation.unknown_school", "gym-x")),
            set("deactivated school", &[("school", "gym-c")], invalid_arg("validation.unknown_school", "gym-c")),
            set(
                "school with a NUL",
                &[("school", "gym-a\0")],
                invalid_arg("validation.unknown_school", "gym-a\u{FFFD}"),
            ),
            set("school in capitals", &[("school", "GYM-A")], invalid_arg("validation.unknown_school", "GYM-A")),
            set("teacher without a school", &[("school", "")], invalid("validation.school_required")),
            set("pupil without a school", &[("role", "pupil"), ("school", "")], invalid("validation.school_required")),
            set(
                "agent with a school",
                &[("role", "agent"), ("school", "gym-a")],
                invalid("validation.school_not_allowed"),
            ),
            set(
                "operator with a school",
                &[("role", "operator"), ("school", "gym-b")],
                invalid("validation.school_not_allowed"),
            ),
            set("unknown language", &[("language", "fr")], invalid("validation.language")),
            set("short password", &[("password", "kurz")], invalid_arg("validation.password_short", 10)),
            set(
                "password of 201 characters",
                &[("password", &long_text(201))],
                invalid_arg("validation.too_long", 200),
            ),
            raw("broken escapes", &[("email", "%zz%"), ("name", "%G0")], invalid("validation.email")),
            set("unknown extra fields", &[("email", ""), ("id", "1"), ("active", "false"), ("is_admin", "1")], {
                invalid("validation.required")
            }),
        ]
    };
    let provider = |slug: &str, name: &str| {
        fields(&[
            ("slug", slug),
            ("name", name),
            ("response_hours", "8"),
            ("contacts", "Hilfe <hilfe@anbieter.de>\nZweite Linie <zwei@anbieter.de>"),
            ("services", "wifi"),
            ("active", "true"),
        ])
    };
    let provider_cases = || {
        vec![
            set("hours in letters", &[("response_hours", "acht")], invalid("validation.number")),
            set("hours empty", &[("response_hours", "")], invalid("validation.number")),
            set("hours as a fraction", &[("response_hours", "1.5")], invalid("validation.number")),
            set("hours in full-width digits", &[("response_hours", "１２")], invalid("validation.number")),
            set("hours beyond i32", &[("response_hours", "99999999999")], invalid("validation.number")),
            set("hours zero", &[("response_hours", "0")], invalid_arg("validation.range", "1–720")),
            set("hours negative", &[("response_hours", "-3")], invalid_arg("validation.range", "1–720")),
            set("hours over a month", &[("response_hours", "721")], invalid_arg("validation.range", "1–720")),
            set("no contacts", &[("contacts", " \n \n")], invalid("validation.contact_required")),
            set("contact without an address", &[("contacts", "Hilfe <keine-adresse>")], invalid("validation.email")),
            set(
                "contact with a NUL",
                &[("contacts", "Hi\0lfe <hilfe@anbieter.de>")],
                invalid("validation.control_chars"),
            ),
            set_owned(
                "21 contacts",
                vec![("contacts", (0..21).map(|i| format!("k{i}@anbieter.de")).collect::<Vec<_>>().join("\n"))],
                invalid_arg("validation.too_many", 20),
            ),
            set(
                "unknown service",
                &[("services", "teleporter")],
                invalid_arg("validation.unknown_service", "teleporter"),
            ),
            set(
                "service with a NUL",
                &[("services", "wi\0fi")],
                invalid_arg("validation.unknown_service", "wi\u{FFFD}fi"),
            ),
            set("blank name", &[("name", " ")], invalid("validation.required")),
            set("name with a NUL", &[("name", "Netz\0")], invalid("validation.control_chars")),
            set("active not a boolean", &[("active", "vielleicht")], invalid("error.bad_form")),
            raw("broken escapes", &[("response_hours", "%zz"), ("name", "%")], invalid("validation.number")),
        ]
    };
    let version = f.article_version.to_string();
    let article = |title: &str, version: &str| {
        fields(&[
            ("title", title),
            ("body", "## Schritte\n\n1. Prüfen\n2. Melden"),
            ("audience", "teacher"),
            ("service", "wifi"),
            ("tags", "wlan, neu"),
            ("scope", "global"),
            ("status", "published"),
            ("version", version),
        ])
    };
    let article_cases = || {
        vec![
            set("blank title", &[("title", "  ")], invalid("validation.required")),
            set("title with a NUL", &[("title", "WLAN\0")], invalid("validation.control_chars")),
            set("title of 201 characters", &[("title", &long_text(201))], invalid_arg("validation.too_long", 200)),
            set("blank body", &[("body", " \n ")], invalid("validation.required")),
            drop("no audience", &["audience"], invalid("kb.audience_required")),
            set("unknown audience", &[("audience", "eltern")], invalid("kb.audience_invalid")),
            set(
                "unknown service",
                &[("service", "teleporter")],
                invalid_arg("validation.unknown_service", "teleporter"),
            ),
            set(
                "service with a NUL",
                &[("service", "wi\0fi")],
                invalid_arg("validation.unknown_service", "wi\u{FFFD}fi"),
            ),
            set("unknown status", &[("status", "live")], invalid("kb.status_invalid")),
            set("unknown scope", &[("scope", "mars")], invalid("kb.scope_invalid")),
            set("a school article from the desk", &[("scope", "school")], invalid("kb.scope_desk_global")),
            set("a tag of 41 characters", &[("tags", &long_text(41))], invalid("kb.tags_invalid")),
            set("a tag with a NUL", &[("tags", "wlan\0")], invalid("kb.tags_invalid")),
            set_owned(
                "21 tags",
                vec![("tags", (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>().join(","))],
                invalid_arg("validation.too_many", 20),
            ),
            raw("broken escapes", &[("title", "%zz%"), ("audience", "%G0")], invalid("kb.audience_invalid")),
        ]
    };
    let sla = |p1_first: &str| {
        let mut all = Vec::new();
        for (i, (priority, first, resolution)) in
            [("P1", p1_first, "8"), ("P2", "4", "16"), ("P3", "8", "40"), ("P4", "16", "80")].iter().enumerate()
        {
            all.push((leak(format!("targets[{i}].priority")), priority.to_string()));
            all.push((leak(format!("targets[{i}].first")), first.to_string()));
            all.push((leak(format!("targets[{i}].resolution")), resolution.to_string()));
        }
        all
    };
    let week = || {
        let mut all = Vec::new();
        for (i, day) in (1..=5).enumerate() {
            all.push((leak(format!("days[{i}].weekday")), day.to_string()));
            all.push((leak(format!("days[{i}].open")), "true".to_string()));
            all.push((leak(format!("days[{i}].opens")), "08:00".to_string()));
            all.push((leak(format!("days[{i}].closes")), "15:30".to_string()));
        }
        all
    };
    let ticket = |purpose: &str| f.tickets[purpose].clone();
    let other = ticket("other school");
    let new_ticket = fields(&[
        ("title", "Beamer in Raum 12 zeigt kein Bild"),
        ("description", "Seit heute früh, alle Eingänge getestet."),
        ("service", "presentation"),
        ("priority", "P2"),
        ("triage_scope", "local"),
        ("triage_fault_type", "hardware"),
    ]);
    let desk_path = |action: &str| format!("/desk/tickets/{}/{action}", ticket("desk action"));
    let reply_path = format!("/desk/tickets/{}/provider_reply", ticket("desk reply"));
    let reply = |body: &str| fields(&[("forward", &f.reply_forward.to_string()), ("body", body)]);
    let report_path = |action: &str| format!("/helpdesk/reports/{}/{action}", f.report);
    let provider_path = |action: &str| format!("/provider/{}/{action}", f.provider_links["html"]);
    vec![
        Target {
            method: post,
            route: "/reports",
            path: "/reports".into(),
            who: Some(TEACHER),
            valid: fields(&[
                ("affected", "Beamer in Raum 112"),
                ("since", "seit heute früh"),
                ("how_many", "die ganze Klasse 7b"),
                ("description", "Kein Bild, obwohl das Kabel steckt.\nSchon neu gestartet."),
            ]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("affected", invalid_arg("validation.too_long", 200))),
            cases: vec![
                set("affected with a NUL", &[("affected", "Beamer\0")], invalid("validation.control_chars")),
                set(
                    "affected over two lines",
                    &[("affected", "Beamer\nRaum 112")],
                    invalid("validation.control_chars"),
                ),
                set("blank since", &[("since", "  ")], invalid("validation.required")),
                set(
                    "how many of 201 characters",
                    &[("how_many", &long_text(201))],
                    invalid_arg("validation.too_long", 200),
                ),
                set("blank description", &[("description", "")], invalid("validation.required")),
                set("description with a bell", &[("description", "Piep\u{7}")], invalid("validation.control_chars")),
                set(
                    "description over 50 000 characters",
                    &[("description", &long_text(50_001))],
                    invalid_arg("validation.too_long", 50_000),
                ),
                Case {
                    label: "broken escapes".into(),
                    path: None,
                    set: vec![("description", String::new())],
                    drop: vec!["affected"],
                    raw: vec![("affected", "%zz%")],
                    expect: invalid("validation.required"),
                },
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/reports/<id>/<action>",
            path: report_path("answer"),
            who: Some(SCHOOL_ADMIN),
            valid: fields(&[
                ("triage_scope", "local"),
                ("triage_fault_type", "hardware"),
                ("service", "presentation"),
                ("answer", "Kabel getauscht, geht wieder."),
            ]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("answer", invalid_arg("validation.too_long", 50_000))),
            cases: vec![
                set("answer with a NUL", &[("answer", "Kabel\0")], invalid("validation.control_chars")),
                set("unknown scope", &[("triage_scope", "mars")], invalid("tickets.choice_invalid")),
                set("unknown fault type", &[("triage_fault_type", "beides")], invalid("tickets.choice_invalid")),
                set(
                    "unknown service",
                    &[("service", "teleporter")],
                    invalid_arg("validation.unknown_service", "teleporter"),
                ),
                set(
                    "service with a NUL",
                    &[("service", "wi\0fi")],
                    invalid_arg("validation.unknown_service", "wi\u{FFFD}fi"),
                ),
                set("a stale version", &[("version", "0")], msg(409, "reports.already_handled")),
                set("escalating with an unknown priority", &[("priority", "P9")], invalid("desk.priority_invalid"))
                    .on(report_path("escalate")),
                set("escalating with a NUL title", &[("title", "Beamer\0")], invalid("validation.control_chars"))
                    .on(report_path("escalate")),
                at("an unknown action", report_path("explode"), not_found()),
                at("another school's report", format!("/helpdesk/reports/{}/answer", f.other_report), not_found()),
                at("an unknown report", "/helpdesk/reports/999999/answer", not_found()),
                at("not a report id", "/helpdesk/reports/abc/answer", not_found()),
            ],
        },
        // After the answer above, the report has a solution to draft an FAQ article from.
        Target {
            method: post,
            route: "/kb/drafts/report/<report>",
            path: format!("/kb/drafts/report/{}", f.report),
            who: Some(SCHOOL_ADMIN),
            valid: Vec::new(),
            valid_reply: (303, None),
            empty: None,
            long: None,
            cases: vec![
                at("another school's report", format!("/kb/drafts/report/{}", f.other_report), not_found()),
                at("an unknown report", "/kb/drafts/report/999999", not_found()),
                at("not a report id", "/kb/drafts/report/abc", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/kb/drafts/ticket/<ticket>",
            path: format!("/kb/drafts/ticket/{}", ticket("school close")),
            who: Some(AGENT),
            valid: Vec::new(),
            valid_reply: (303, None),
            empty: None,
            long: None,
            cases: vec![
                at(
                    "a ticket without a solution",
                    format!("/kb/drafts/ticket/{other}"),
                    msg(409, "kb.draft_needs_solution"),
                ),
                at("an unknown ticket", "/kb/drafts/ticket/T-999999", not_found()),
                at("not a ticket number", "/kb/drafts/ticket/T-12x", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/provider/<token>/<action>",
            path: provider_path("comment"),
            who: None,
            valid: fields(&[("body", "Wir prüfen den Port."), ("reference", ""), ("solution", "")]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("body", invalid_arg("validation.too_long", 50_000))),
            cases: vec![
                set("blank", &[("body", " ")], invalid("validation.required")),
                set("with a NUL", &[("body", "Port\0")], invalid("validation.control_chars")),
                set("a blank reference", &[("reference", "")], invalid("validation.required")).on(provider_path("ack")),
                set("a reference of 121 characters", &[("reference", &long_text(121))], {
                    invalid_arg("validation.too_long", 120)
                })
                .on(provider_path("ack")),
                set("a reference with a NUL", &[("reference", "NN\0")], invalid("validation.control_chars"))
                    .on(provider_path("ack")),
                set("a blank solution", &[("solution", "")], invalid("validation.required"))
                    .on(provider_path("resolve")),
                at("an unknown action", provider_path("explode"), not_found()),
                at("an unknown link", format!("/provider/{}/comment", "0".repeat(64)), not_found()),
                at("not a link", "/provider/kein-link/comment", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/tickets",
            path: "/helpdesk/tickets".into(),
            who: Some(SCHOOL_ADMIN),
            valid: new_ticket,
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("title", invalid_arg("validation.too_long", 200))),
            cases: vec![
                set("blank title", &[("title", " ")], invalid("validation.required")),
                set("title with a NUL", &[("title", "Beamer\0")], invalid("validation.control_chars")),
                set("title over two lines", &[("title", "Beamer\nRaum 12")], invalid("validation.control_chars")),
                set("blank description", &[("description", "")], invalid("validation.required")),
                set("description with a bell", &[("description", "Piep\u{7}")], invalid("validation.control_chars")),
                set(
                    "description over 50 000 characters",
                    &[("description", &long_text(50_001))],
                    invalid_arg("validation.too_long", 50_000),
                ),
                set(
                    "unknown service",
                    &[("service", "teleporter")],
                    invalid_arg("validation.unknown_service", "teleporter"),
                ),
                set(
                    "service with a NUL",
                    &[("service", "wi\0fi")],
                    invalid_arg("validation.unknown_service", "wi\u{FFFD}fi"),
                ),
                set("unknown priority", &[("priority", "P9")], invalid("desk.priority_invalid")),
                set("priority in words", &[("priority", "dringend")], invalid("desk.priority_invalid")),
                set("unknown scope", &[("triage_scope", "mars")], invalid("tickets.choice_invalid")),
                set("unknown fault type", &[("triage_fault_type", "beides")], invalid("tickets.choice_invalid")),
                set("a school smuggled in", &[("title", ""), ("school", "gym-b")], invalid("validation.required")),
                raw("broken escapes", &[("title", "%zz%"), ("priority", "%G0")], invalid("desk.priority_invalid")),
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/tickets/<ticket>/<action>",
            path: format!("/helpdesk/tickets/{}/comment", ticket("school comment")),
            who: Some(SCHOOL_ADMIN),
            valid: fields(&[("body", "Es betrifft alle Räume.")]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("body", invalid_arg("validation.too_long", 50_000))),
            cases: vec![
                set("blank", &[("body", " \n ")], invalid("validation.required")),
                set("with a NUL", &[("body", "Hallo\0")], invalid("validation.control_chars")),
                set("a stale version", &[("version", "0")], msg(409, "tickets.stale")),
                set("internal not a boolean", &[("internal", "vielleicht")], invalid("error.bad_form")),
                at("another school's ticket", format!("/helpdesk/tickets/{other}/comment"), not_found()),
                at("an unknown ticket", "/helpdesk/tickets/T-999999/comment", not_found()),
                at("not a ticket number", "/helpdesk/tickets/%F0%9F%98%80/comment", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/tickets/<ticket>/<action>",
            path: format!("/helpdesk/tickets/{}/close", ticket("school close")),
            who: Some(SCHOOL_ADMIN),
            valid: Vec::new(),
            valid_reply: (303, None),
            empty: None,
            long: None,
            cases: vec![
                set("a stale version", &[("version", "1")], msg(409, "tickets.stale")),
                at("another school's ticket", format!("/helpdesk/tickets/{other}/close"), not_found()),
                at("an unknown ticket", "/helpdesk/tickets/T-999999/close", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/helpdesk/tickets/<ticket>/<action>",
            path: format!("/helpdesk/tickets/{}/reopen", ticket("school reopen")),
            who: Some(SCHOOL_ADMIN),
            valid: fields(&[("body", "Geht wieder nicht.")]),
            valid_reply: (303, None),
            empty: None,
            long: None,
            cases: vec![
                set("a stale version", &[("version", "1")], msg(409, "tickets.stale")),
                at("another school's ticket", format!("/helpdesk/tickets/{other}/reopen"), not_found()),
                at("an unknown ticket", "/helpdesk/tickets/0/reopen", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/desk/tickets/<ticket>/<action>",
            path: desk_path("comment"),
            who: Some(AGENT),
            valid: fields(&[("body", "Wir schauen nach."), ("internal", "false")]),
            valid_reply: (303, None),
            empty: Some(invalid("validation.required")),
            long: Some(("body", invalid_arg("validation.too_long", 50_000))),
            cases: vec![
                set("blank", &[("body", "  ")], invalid("validation.required")),
                set("with a NUL", &[("body", "Hallo\0")], invalid("validation.control_chars")),
                set("internal not a boolean", &[("internal", "vielleicht")], invalid("error.bad_form")),
                set("a stale version", &[("version", "0")], msg(409, "tickets.stale")),
                set("an unknown agent", &[("agent", "niemand@nirgends.de")], {
                    invalid_arg("tickets.unknown_agent", "niemand@nirgends.de")
                })
                .on(desk_path("assign")),
                set("a teacher as agent", &[("agent", TEACHER)], invalid_arg("tickets.unknown_agent", TEACHER))
                    .on(desk_path("assign")),
                set("an agent with a NUL", &[("agent", "ag@desk.de\0")], {
                    invalid_arg("tickets.unknown_agent", "ag@desk.de\u{FFFD}")
                })
                .on(desk_path("assign")),
                set(
                    "an unknown priority",
                    &[("priority", "P0"), ("service", "wifi")],
                    invalid("desk.priority_invalid"),
                )
                .on(desk_path("reclassify")),
                set("an unknown service", &[("priority", "P2"), ("service", "teleporter")], {
                    invalid_arg("validation.unknown_service", "teleporter")
                })
                .on(desk_path("reclassify")),
                set("a blank question", &[("body", "")], invalid("validation.required")).on(desk_path("ask")),
                set("a blank solution", &[("body", "")], invalid("validation.required")).on(desk_path("resolve")),
                set_owned("a blank reply to the provider", reply(" "), invalid("validation.required"))
                    .on(reply_path.clone()),
                set_owned("a reply to the provider with a NUL", reply("Port\0"), invalid("validation.control_chars"))
                    .on(reply_path.clone()),
                set_owned(
                    "a reply to an unknown forward",
                    fields(&[("forward", "999999"), ("body", "Port 3?")]),
                    not_found(),
                )
                .on(reply_path.clone()),
                set_owned("a reply to another ticket's forward", reply("Port 3?"), not_found())
                    .on(desk_path("provider_reply")),
                at("an unknown action", desk_path("explode"), not_found()),
                at("an unknown ticket", "/desk/tickets/T-999999/comment", not_found()),
                at("a ticket number of ten digits", "/desk/tickets/T-1234567890/comment", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/desk/settings/sla",
            path: "/desk/settings/sla".into(),
            who: Some(DESK_LEAD),
            valid: sla("2"),
            valid_reply: (303, Some("/desk/settings")),
            empty: Some(invalid("desk.priority_invalid")),
            long: Some(("targets[0].first", invalid("validation.number"))),
            cases: vec![
                set("hours in letters", &[("targets[0].first", "eine")], invalid("validation.number")),
                set("hours empty", &[("targets[1].resolution", "")], invalid("validation.number")),
                set("hours not a number", &[("targets[0].first", "NaN")], invalid_arg("validation.range", "0–2000")),
                set("hours zero", &[("targets[0].first", "0")], invalid_arg("validation.range", "0–2000")),
                set("hours negative", &[("targets[0].first", "-1")], invalid_arg("validation.range", "0–2000")),
                set(
                    "hours of a lifetime",
                    &[("targets[0].resolution", "1e9")],
                    invalid_arg("validation.range", "0–2000"),
                ),
                set(
                    "resolution before the first answer",
                    &[("targets[0].first", "9"), ("targets[0].resolution", "8")],
                    invalid("desk.resolution_before_response"),
                ),
                set("unknown priority", &[("targets[0].priority", "P9")], invalid("desk.priority_invalid")),
                set("priority with a NUL", &[("targets[0].priority", "P1\0")], invalid("desk.priority_invalid")),
                drop(
                    "three priorities",
                    &["targets[3].priority", "targets[3].first", "targets[3].resolution"],
                    invalid("desk.priority_invalid"),
                ),
                set(
                    "a fifth priority",
                    &[("targets[4].priority", "P1"), ("targets[4].first", "1"), ("targets[4].resolution", "2")],
                    invalid("desk.priority_invalid"),
                ),
                set("the same priority twice", &[("targets[1].priority", "P1")], invalid("desk.priority_invalid")),
                raw("broken escapes", &[("targets[0].first", "%zz")], invalid("validation.number")),
            ],
        },
        Target {
            method: post,
            route: "/desk/settings/week",
            path: "/desk/settings/week".into(),
            who: Some(DESK_LEAD),
            valid: week(),
            valid_reply: (303, Some("/desk/settings")),
            // No days at all is a valid week: the desk is never open.
            empty: None,
            long: Some(("days[0].opens", invalid("desk.time_format"))),
            cases: vec![
                set("weekday 8", &[("days[0].weekday", "8")], invalid("desk.weekday_invalid")),
                set("weekday 0", &[("days[0].weekday", "0")], invalid("desk.weekday_invalid")),
                set("weekday in letters", &[("days[0].weekday", "Mo")], invalid("error.bad_form")),
                set("the same weekday twice", &[("days[1].weekday", "1")], invalid("desk.weekday_invalid")),
                set("hour 25", &[("days[0].opens", "25:00")], invalid("desk.time_format")),
                set("minute 60", &[("days[0].closes", "15:60")], invalid("desk.time_format")),
                set("a time without colon", &[("days[0].opens", "0800")], invalid("desk.time_format")),
                set("a time with a NUL", &[("days[0].opens", "08:00\0")], invalid("desk.time_format")),
                set("closing before opening", &[("days[2].closes", "07:00")], invalid("desk.closes_before_opens")),
                set("open not a boolean", &[("days[0].open", "vielleicht")], invalid("error.bad_form")),
                raw("broken escapes", &[("days[0].opens", "%zz")], invalid("desk.time_format")),
            ],
        },
        Target {
            method: post,
            route: "/desk/settings/holidays",
            path: "/desk/settings/holidays".into(),
            who: Some(DESK_LEAD),
            valid: fields(&[("day", "2031-12-24"), ("name", "Heiligabend")]),
            valid_reply: (303, Some("/desk/settings")),
            empty: Some(invalid("desk.date_format")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("a German date", &[("day", "24.12.2031")], invalid("desk.date_format")),
                set("the 30th of February", &[("day", "2031-02-30")], invalid("desk.date_format")),
                set("a date with a NUL", &[("day", "2031-12-24\0")], invalid("desk.date_format")),
                set("a day already entered", &[("day", HOLIDAY)], invalid("desk.holiday_exists")),
                set("blank name", &[("name", " ")], invalid("validation.required")),
                set("name with a NUL", &[("name", "Heilig\0abend")], invalid("validation.control_chars")),
                set("name of 121 characters", &[("name", &long_text(121))], invalid_arg("validation.too_long", 120)),
                raw("broken escapes", &[("day", "%zz")], invalid("desk.date_format")),
            ],
        },
        Target {
            method: post,
            route: "/desk/settings/holidays/<day>/delete",
            path: format!("/desk/settings/holidays/{HOLIDAY}/delete"),
            who: Some(DESK_LEAD),
            valid: Vec::new(),
            valid_reply: (303, Some("/desk/settings")),
            empty: None,
            long: None,
            cases: vec![
                at("a day without a holiday", "/desk/settings/holidays/2031-05-02/delete", not_found()),
                at("not a date", "/desk/settings/holidays/morgen/delete", not_found()),
                at("a date with a NUL", "/desk/settings/holidays/2031-05-01%00/delete", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/kb/new",
            path: "/kb/new".into(),
            who: Some(AGENT),
            valid: article("Neuer Artikel", ""),
            valid_reply: (303, Some("/kb/neuer-artikel")),
            empty: Some(invalid("validation.required")),
            long: Some(("title", invalid_arg("validation.too_long", 200))),
            cases: article_cases(),
        },
        Target {
            method: post,
            route: "/kb/<slug>/edit",
            path: format!("/kb/{TEACHER_ARTICLE}/edit"),
            who: Some(AGENT),
            valid: article("WLAN für Lehrkräfte", &version),
            valid_reply: (303, Some("/kb/wlan-lehrkraefte-geraete-verbinden")),
            empty: Some(invalid("validation.required")),
            long: Some(("title", invalid_arg("validation.too_long", 200))),
            cases: {
                let mut cases = article_cases();
                cases.push(set("a stale version", &[("version", "0")], msg(409, "kb.conflict")));
                cases.push(at("unknown article", "/kb/nichts-da/edit", not_found()));
                cases.push(at("slug with a NUL", "/kb/wlan%00/edit", not_found()));
                cases
            },
        },
        Target {
            method: post,
            route: "/kb/<slug>/restore",
            path: format!("/kb/{DESK_ARTICLE}/restore"),
            who: Some(AGENT),
            valid: fields(&[("version", "1"), ("current", &f.desk_article_version.to_string())]),
            valid_reply: (303, Some("/kb/wlan-stoerung-schuluebergreifend-eingrenzen")),
            empty: Some(msg(404, "error.not_found")),
            long: Some(("version", invalid("error.bad_form"))),
            cases: vec![
                set("unknown version", &[("version", "99")], not_found()),
                set("version in letters", &[("version", "eins")], invalid("error.bad_form")),
                set("a stale current version", &[("current", "0")], msg(409, "kb.conflict")),
                raw("broken escapes", &[("version", "%zz")], invalid("error.bad_form")),
                at("unknown article", "/kb/nichts-da/restore", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/login",
            path: "/login".into(),
            who: None,
            valid: fields(&[("email", "li@gym-a.de"), ("password", PASSWORD)]),
            valid_reply: (303, Some("/faq")),
            empty: Some(invalid("login.failed")),
            long: Some(("email", invalid("login.failed"))),
            cases: vec![
                set("wrong password", &[("password", "falsch-falsch")], invalid("login.failed")),
                drop("no password", &["password"], invalid("login.failed")),
                set("email with a NUL", &[("email", "li@gym-a.de\0")], invalid("login.failed")),
                set("email with emoji and RTL", &[("email", "😀\u{202e}li@gym-a.de")], invalid("login.failed")),
                set("password with a NUL", &[("password", "richtig-gutes\0passwort")], invalid("login.failed")),
                set("email of 60 000 characters", &[("email", &noise(60_000))], invalid("login.failed")),
                set("password of 60 000 characters", &[("password", &long_text(60_000))], invalid("login.failed")),
                raw("broken escapes", &[("email", "%zz%"), ("password", "%G0")], invalid("login.failed")),
            ],
        },
        Target {
            method: post,
            route: "/logout",
            path: "/logout".into(),
            who: Some("lo@gym-a.de"),
            valid: Vec::new(),
            valid_reply: (303, Some("/login")),
            empty: None,
            long: None,
            cases: Vec::new(),
        },
        Target {
            method: post,
            route: "/account/password",
            path: "/account/password".into(),
            who: Some("pw@gym-a.de"),
            valid: fields(&[
                ("current", PASSWORD),
                ("new", "ein ganz neues Passwort"),
                ("confirm", "ein ganz neues Passwort"),
            ]),
            valid_reply: (303, Some("/account")),
            empty: Some(invalid("account.wrong_password")),
            long: Some(("new", invalid_arg("validation.too_long", 200))),
            cases: vec![
                set("wrong current password", &[("current", "falsch-falsch")], invalid("account.wrong_password")),
                set("short new password", &[("new", "kurz"), ("confirm", "kurz")], {
                    invalid_arg("validation.password_short", 10)
                }),
                set("confirmation differs", &[("confirm", "ein ganz anderes Passwort")], {
                    invalid("validation.password_mismatch")
                }),
                drop("no confirmation", &["confirm"], invalid("validation.password_mismatch")),
                set_owned(
                    "new password of 201 characters",
                    vec![("new", long_text(201)), ("confirm", long_text(201))],
                    invalid_arg("validation.too_long", 200),
                ),
                raw("broken escapes", &[("current", "%zz")], invalid("account.wrong_password")),
                set(
                    "a role smuggled in",
                    &[("current", "falsch-falsch"), ("role", "operator")],
                    invalid("account.wrong_password"),
                ),
            ],
        },
        Target {
            method: post,
            route: "/language",
            path: "/language".into(),
            who: Some("la@gym-a.de"),
            valid: fields(&[("lang", "en"), ("next", "/faq")]),
            valid_reply: (303, Some("/faq")),
            empty: Some(invalid("validation.language")),
            long: Some(("lang", invalid("validation.language"))),
            cases: vec![
                set("unknown language", &[("lang", "fr")], invalid("validation.language")),
                set("language with a NUL", &[("lang", "en\0")], invalid("validation.language")),
                set("an emoji", &[("lang", "🇬🇧")], invalid("validation.language")),
                raw("broken escapes", &[("lang", "%zz")], invalid("validation.language")),
            ],
        },
        Target {
            method: post,
            route: "/password/forgot",
            path: "/password/forgot".into(),
            who: None,
            valid: fields(&[("email", VICTIM)]),
            valid_reply: (200, None),
            empty: Some(invalid("validation.required")),
            long: Some(("email", invalid_arg("validation.too_long", 254))),
            cases: vec![
                set("no address", &[("email", "kein-at")], invalid("validation.email")),
                set("address with a NUL", &[("email", "v@gym-b.de\0")], invalid("validation.control_chars")),
                set("emoji address", &[("email", "😀@schule")], invalid("validation.email")),
                set("unknown address", &[("email", "niemand@nirgends.de")], msg(200, "reset.sent")),
                raw("broken escapes", &[("email", "%zz%")], invalid("validation.email")),
            ],
        },
        Target {
            method: post,
            route: "/password/reset/<token>",
            path: format!("/password/reset/{token}"),
            who: None,
            valid: fields(&[("new", "ein ganz neues Passwort"), ("confirm", "ein ganz neues Passwort")]),
            valid_reply: (303, Some("/login")),
            empty: Some(invalid_arg("validation.password_short", 10)),
            long: Some(("new", invalid_arg("validation.too_long", 200))),
            cases: vec![
                set("short", &[("new", "kurz"), ("confirm", "kurz")], invalid_arg("validation.password_short", 10)),
                set(
                    "confirmation differs",
                    &[("confirm", "etwas anderes ganz")],
                    invalid("validation.password_mismatch"),
                ),
                drop("no confirmation", &["confirm"], invalid("validation.password_mismatch")),
                raw(
                    "broken escapes",
                    &[("new", "%zz"), ("confirm", "%zz")],
                    invalid_arg("validation.password_short", 10),
                ),
                at("unknown token", format!("/password/reset/{}", "0".repeat(64)), msg(410, "error.gone")),
                at("short token", "/password/reset/abc", msg(410, "error.gone")),
                at("token with a NUL", format!("/password/reset/{}%00", &token[..63]), msg(410, "error.gone")),
                at("token not hex", format!("/password/reset/{}", "z".repeat(64)), msg(410, "error.gone")),
            ],
        },
        Target {
            method: post,
            route: "/admin/users",
            path: "/admin/users".into(),
            who: Some(OPERATOR),
            valid: user("neu@gym-a.de", "Neu Mann", "teacher", "gym-a", PASSWORD),
            valid_reply: (303, Some("/admin/users")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: {
                let mut cases = user_cases();
                cases.push(drop("no password", &["password"], invalid_arg("validation.password_short", 10)));
                cases
            },
        },
        Target {
            method: post,
            route: "/admin/users/<id>",
            path: format!("/admin/users/{victim}"),
            who: Some(OPERATOR),
            valid: user(VICTIM, "Vera Neu", "teacher", "gym-b", ""),
            valid_reply: (303, Some("/admin/users")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: {
                let mut cases = user_cases();
                cases.push(at("unknown user", "/admin/users/999999", not_found()));
                cases.push(at("id not a number", "/admin/users/abc", not_found()));
                cases.push(at("id beyond i32", "/admin/users/99999999999", not_found()));
                cases.push(at("negative id", "/admin/users/-1", not_found()));
                cases
            },
        },
        Target {
            method: post,
            route: "/admin/users/<id>/active",
            path: format!("/admin/users/{victim}/active"),
            who: Some(OPERATOR),
            valid: fields(&[("active", "false")]),
            valid_reply: (303, Some("/admin/users")),
            empty: None,
            long: Some(("active", invalid("error.bad_form"))),
            cases: vec![
                set("not a boolean", &[("active", "vielleicht")], invalid("error.bad_form")),
                raw("broken escapes", &[("active", "%zz")], invalid("error.bad_form")),
                at("unknown user", "/admin/users/999999/active", not_found()),
                at("id not a number", "/admin/users/%F0%9F%98%80/active", not_found()),
                at(
                    "deactivating oneself",
                    format!("/admin/users/{}/active", f.operator),
                    msg(409, "validation.cannot_deactivate_self"),
                ),
            ],
        },
        Target {
            method: post,
            route: "/admin/schools",
            path: "/admin/schools".into(),
            who: Some(OPERATOR),
            valid: fields(&[("slug", "neue-schule"), ("name", "Neue Schule")]),
            valid_reply: (303, Some("/admin/schools")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("duplicate slug", &[("slug", "gym-a")], invalid_arg("validation.slug_taken", "gym-a")),
                set("duplicate slug in capitals", &[("slug", "GYM-A")], invalid("validation.slug")),
                set("slug with an umlaut", &[("slug", "über")], invalid("validation.slug")),
                set("slug with an underscore", &[("slug", "gym_a")], invalid("validation.slug")),
                set("slug with an emoji", &[("slug", "gym-😀")], invalid("validation.slug")),
                set("slug with a NUL", &[("slug", "gym\0x")], invalid("validation.control_chars")),
                set("slug of 49 characters", &[("slug", &"s".repeat(49))], invalid_arg("validation.too_long", 48)),
                drop("no slug", &["slug"], invalid("validation.required")),
                set("blank name", &[("name", "  ")], invalid("validation.required")),
                set("name with a NUL", &[("name", "Neue\0Schule")], invalid("validation.control_chars")),
                set("name of 121 characters", &[("name", &long_text(121))], invalid_arg("validation.too_long", 120)),
                raw("broken escapes", &[("slug", "%zz"), ("name", "%%")], invalid("validation.slug")),
            ],
        },
        Target {
            method: post,
            route: "/admin/schools/<slug>",
            path: "/admin/schools/gym-b".into(),
            who: Some(OPERATOR),
            valid: fields(&[("name", "Gymnasium B"), ("active", "true")]),
            valid_reply: (303, Some("/admin/schools")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("blank name", &[("name", "")], invalid("validation.required")),
                set("name with a NUL", &[("name", "Gym\0B")], invalid("validation.control_chars")),
                set("name of 121 characters", &[("name", &long_text(121))], invalid_arg("validation.too_long", 120)),
                set("active not a boolean", &[("active", "vielleicht")], invalid("error.bad_form")),
                at("unknown school", "/admin/schools/gym-x", not_found()),
                at("slug with a NUL", "/admin/schools/gym%00b", not_found()),
                at("slug in capitals", "/admin/schools/GYM-B", not_found()),
                at("emoji slug", "/admin/schools/%F0%9F%98%80", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/admin/services",
            path: "/admin/services".into(),
            who: Some(OPERATOR),
            valid: fields(&[("slug", "beamer-2"), ("name_de", "Beamer"), ("name_en", "Projector")]),
            valid_reply: (303, Some("/admin/services")),
            empty: Some(invalid("validation.required")),
            long: Some(("name_de", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("duplicate slug", &[("slug", "wifi")], invalid_arg("validation.slug_taken", "wifi")),
                set("duplicate slug in capitals", &[("slug", "WIFI")], invalid("validation.slug")),
                set("slug with an emoji", &[("slug", "😀")], invalid("validation.slug")),
                set("blank English name", &[("name_en", "")], invalid("validation.required")),
                set("English name with a NUL", &[("name_en", "Pro\0jector")], invalid("validation.control_chars")),
                raw("broken escapes", &[("slug", "%zz")], invalid("validation.slug")),
            ],
        },
        Target {
            method: post,
            route: "/admin/services/<slug>",
            path: "/admin/services/wifi".into(),
            who: Some(OPERATOR),
            valid: fields(&[("name_de", "Funknetz"), ("name_en", "Wireless"), ("active", "true")]),
            valid_reply: (303, Some("/admin/services")),
            empty: Some(invalid("validation.required")),
            long: Some(("name_en", invalid_arg("validation.too_long", 120))),
            cases: vec![
                set("blank German name", &[("name_de", "")], invalid("validation.required")),
                set("German name with a NUL", &[("name_de", "Funk\0")], invalid("validation.control_chars")),
                set("active not a boolean", &[("active", "x")], invalid("error.bad_form")),
                at("unknown service", "/admin/services/teleporter", not_found()),
                at("slug with a NUL", "/admin/services/wi%00fi", not_found()),
            ],
        },
        Target {
            method: post,
            route: "/admin/providers",
            path: "/admin/providers".into(),
            who: Some(OPERATOR),
            valid: provider("anbieter", "Anbieter GmbH"),
            valid_reply: (303, Some("/admin/providers")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: {
                let mut cases = provider_cases();
                cases.push(set("duplicate slug", &[("slug", "netz")], invalid_arg("validation.slug_taken", "netz")));
                cases.push(set("slug in capitals", &[("slug", "NETZ")], invalid("validation.slug")));
                cases
            },
        },
        Target {
            method: post,
            route: "/admin/providers/<slug>",
            path: "/admin/providers/netz".into(),
            who: Some(OPERATOR),
            valid: provider("netz", "Netz AG"),
            valid_reply: (303, Some("/admin/providers")),
            empty: Some(invalid("validation.required")),
            long: Some(("name", invalid_arg("validation.too_long", 120))),
            cases: {
                let mut cases = provider_cases();
                cases.push(at("unknown provider", "/admin/providers/nichts-da", not_found()));
                cases.push(at("slug with a NUL", "/admin/providers/ne%00tz", not_found()));
                cases
            },
        },
        Target {
            method: post,
            route: "/kb/<slug>/rate",
            path: format!("/kb/{PUPIL_ARTICLE}/rate"),
            who: None,
            valid: fields(&[("helpful", "yes")]),
            valid_reply: (303, Some("/kb/wlan-verbinden-schueler#rate")),
            empty: Some(invalid("validation.required")),
            long: Some(("helpful", invalid("validation.required"))),
            cases: vec![
                set("neither yes nor no", &[("helpful", "vielleicht")], invalid("validation.required")),
                set("yes with a NUL", &[("helpful", "yes\0")], invalid("validation.required")),
                at("unknown article", "/kb/nichts-da/rate", not_found()),
                at("slug with a NUL", "/kb/wlan%00/rate", not_found()),
            ],
        },
    ]
}

fn mounted_state_changing(app: &TestApp) -> BTreeSet<(String, String)> {
    app.client
        .rocket()
        .routes()
        .filter(|r| !matches!(r.method, Method::Get | Method::Head | Method::Options))
        .map(|r| (r.method.to_string(), r.uri.as_str().to_string()))
        .collect()
}

async fn every_state_changing_route_has_bad_input_cases(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let f = fixture(&app).await;
    let covered: BTreeSet<(String, String)> = targets(&f)
        .iter()
        .map(|t| (t.method.to_string(), t.route.to_string()))
        .chain(api_targets(&f).iter().map(|t| ("POST".to_string(), t.route.to_string())))
        .chain(upload_targets(&f).iter().map(|t| ("POST".to_string(), t.route.to_string())))
        .collect();
    let mounted = mounted_state_changing(&app);
    let missing: Vec<_> = mounted.difference(&covered).collect();
    assert!(missing.is_empty(), "state-changing routes without bad-input cases: {missing:?}");
    let unknown: Vec<_> = covered.difference(&mounted).collect();
    assert!(unknown.is_empty(), "bad-input targets for routes that are not mounted: {unknown:?}");
}

#[rocket::async_test]
async fn bad_input_covers_every_state_changing_route() {
    on_each_backend!(every_state_changing_route_has_bad_input_cases);
}

/// A multipart/form-data body of these fields.
fn multipart(fields: &[(&str, &str)]) -> (ContentType, Vec<u8>) {
    let boundary = "staffel-test-boundary-7d1c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (ContentType::new("multipart", "form-data").with_params(("boundary", boundary)), body)
}

fn form_ct() -> Option<ContentType> {
    Some(ContentType::Form)
}

/// One bad submission: label, path (None: the target's), body, content type, answer.
type Attempt = (String, Option<String>, Vec<u8>, Option<ContentType>, Msg);

/// An API request: method, path, body, content type, authorization, status, error code.
type ApiProbe<'a> = (Method, String, Vec<u8>, Option<ContentType>, Option<&'a str>, u16, &'a str);

/// What is wrong with an answer to bad input, if anything.
fn judge(reply: &Reply, expect: &Msg, lang: Lang) -> Option<String> {
    let status = reply.status.code;
    if status >= 500 {
        return Some(format!("server error {status}"));
    }
    if status != expect.status {
        return Some(format!(
            "expected {} ({}), got {status}{}: {}",
            expect.status,
            expect.key,
            reply.location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default(),
            shown_messages(&reply.body)
        ));
    }
    let wanted = html_message(lang, expect.key, &expect.arg);
    if !reply.body.contains(&wanted) {
        return Some(format!("the page does not say {wanted:?}: {}", shown_messages(&reply.body)));
    }
    None
}

/// The messages a page shows, for failure reports.
fn shown_messages(body: &str) -> String {
    body.lines()
        .filter(|l| l.contains("class=\"alert\"") || l.contains("class=\"lead\"") || l.contains("field-error"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The valid fields of a target with a case's changes applied, as a urlencoded body.
/// Fields keep their place in the form (Rocket groups `targets[0].…` by position), changed
/// ones in place, new ones at the end; `raw` values are written without encoding.
fn case_body(browser: &Browser<'_>, target: &Target, case: &Case) -> String {
    let mut fields: Vec<(&str, String, bool)> = target
        .valid
        .iter()
        .filter(|(k, _)| !case.drop.contains(k) || case.raw.iter().any(|(r, _)| r == k))
        .map(|(k, v)| (*k, v.clone(), false))
        .collect();
    let changes = case
        .set
        .iter()
        .map(|(k, v)| (*k, v.clone(), false))
        .chain(case.raw.iter().map(|(k, v)| (*k, v.to_string(), true)));
    for (key, value, raw) in changes {
        match fields.iter_mut().find(|(k, _, _)| *k == key) {
            Some(field) => *field = (key, value, raw),
            None => fields.push((key, value, raw)),
        }
    }
    let mut body = browser.form_body(&[]);
    for (key, value, raw) in fields {
        body.push('&');
        if raw {
            body.push_str(&format!("{key}={value}"));
        } else {
            body.push_str(&common::encode(&[(key, value.as_str())]));
        }
    }
    body
}

async fn start_browser<'a>(app: &'a TestApp, who: Option<&str>) -> Browser<'a> {
    match who {
        Some(email) => app.login(email, PASSWORD).await,
        None => {
            let mut browser = app.browser();
            browser.get("/login").await;
            browser
        }
    }
}

async fn bad_input_changes_nothing_and_says_why(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let f = fixture(&app).await;
    let mut failures: Vec<String> = Vec::new();
    for target in targets(&f) {
        let browser = start_browser(&app, target.who).await;
        let mut before = app.fingerprint().await;
        let valid: Vec<(&str, &str)> = target.valid.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let valid_body = browser.form_body(&valid);
        let mut with_token_only = browser.form_body(&[]);
        with_token_only.push_str("&%zz=%zz&=&&=%G0&unbekannt=1");

        // Bodies no form parser should accept, and bodies over the limit.
        let mut attempts: Vec<Attempt> = vec![
            ("broken escapes and no token".into(), None, b"%zz".to_vec(), form_ct(), msg(403, "error.csrf")),
            ("no token at all".into(), None, common::encode(&valid).into_bytes(), form_ct(), msg(403, "error.csrf")),
            (
                "a wrong token".into(),
                None,
                format!("_csrf={}&{}", "0".repeat(64), common::encode(&valid)).into_bytes(),
                form_ct(),
                msg(403, "error.csrf"),
            ),
            (
                "binary junk".into(),
                None,
                {
                    let mut junk = format!("_csrf={}&name=", browser.csrf).into_bytes();
                    junk.extend_from_slice(&[0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x81]);
                    junk
                },
                form_ct(),
                msg(400, "error.bad_form"),
            ),
            (
                "a JSON body".into(),
                None,
                serde_json::to_vec(&serde_json::json!({ "_csrf": browser.csrf, "name": "x" })).unwrap(),
                Some(ContentType::JSON),
                msg(415, "error.unsupported_type"),
            ),
            ("the form as text/plain".into(), None, valid_body.clone().into_bytes(), Some(ContentType::Plain), {
                msg(415, "error.unsupported_type")
            }),
            ("no content type".into(), None, valid_body.clone().into_bytes(), None, msg(415, "error.unsupported_type")),
            (
                "multipart garbage".into(),
                None,
                b"--xyz\r\nnot a part at all\r\n".to_vec(),
                Some(ContentType::new("multipart", "form-data").with_params(("boundary", "xyz"))),
                msg(400, "error.bad_form"),
            ),
            (
                "multipart without a boundary".into(),
                None,
                b"whatever".to_vec(),
                Some(ContentType::new("multipart", "form-data")),
                msg(400, "error.bad_form"),
            ),
            (
                "a body over the 64 KiB form limit".into(),
                None,
                format!("{valid_body}&padding={}", long_text(70 * 1024)).into_bytes(),
                form_ct(),
                msg(413, "error.too_large"),
            ),
        ];
        if let Some(empty) = &target.empty {
            attempts.push((
                "only the token".into(),
                None,
                browser.form_body(&[]).into_bytes(),
                form_ct(),
                empty.clone(),
            ));
            attempts.push((
                "only the token and garbage fields".into(),
                None,
                with_token_only.clone().into_bytes(),
                form_ct(),
                empty.clone(),
            ));
        }
        if let Some((field, expect)) = &target.long {
            let huge = long_text(100_000);
            let mut parts: Vec<(&str, &str)> = vec![("_csrf", browser.csrf.as_str())];
            parts.extend(valid.iter().map(|(k, v)| (*k, if k == field { huge.as_str() } else { *v })));
            if !valid.iter().any(|(k, _)| k == field) {
                parts.push((field, huge.as_str()));
            }
            let (ct, body) = multipart(&parts);
            attempts.push((format!("{field} of 100 kB, multipart"), None, body, Some(ct), expect.clone()));
            let big = long_text(60_000);
            let mut fields: Vec<(&str, &str)> =
                valid.iter().map(|(k, v)| (*k, if k == field { big.as_str() } else { *v })).collect();
            if !valid.iter().any(|(k, _)| k == field) {
                fields.push((field, big.as_str()));
            }
            attempts.push((format!("{field} of 60 kB"), None, browser.form_body(&fields).into_bytes(), form_ct(), {
                expect.clone()
            }));
        }
        for case in &target.cases {
            attempts.push((
                case.label.clone(),
                case.path.clone(),
                case_body(&browser, &target, case).into_bytes(),
                form_ct(),
                case.expect.clone(),
            ));
        }

        for (label, path, body, content_type, expect) in attempts {
            let path = path.unwrap_or_else(|| target.path.clone());
            let mut cell = browser.fork();
            let reply = cell.send(target.method, &path, body, content_type, &[]).await;
            let mut problems = Vec::new();
            if let Some(problem) = judge(&reply, &expect, Lang::De) {
                problems.push(problem);
            }
            let after = app.fingerprint().await;
            if after != before {
                problems.push(format!("the database changed:\n{}", first_difference(&before, &after)));
                // Later attempts compare with the state this one left.
                before = after;
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{} {} {} [{label}]: {}",
                    backend.name(),
                    target.method,
                    path,
                    problems.join("; ")
                ));
            }
        }

        // The valid submission still works, and the checks above could see its change.
        let mut cell = browser.fork();
        let reply = cell.post_form(&target.path, &valid).await;
        let (status, location) = target.valid_reply;
        if reply.status.code != status || (location.is_some() && reply.location.as_deref() != location) {
            failures.push(format!(
                "{} {} {}: the valid submission answered {} {:?}: {}",
                backend.name(),
                target.method,
                target.path,
                reply.status,
                reply.location,
                shown_messages(&reply.body)
            ));
        } else if app.fingerprint().await == before {
            failures.push(format!("{} {}: the valid submission changed nothing", backend.name(), target.path));
        }
    }
    assert!(failures.is_empty(), "{} answers to bad input are wrong:\n{}", failures.len(), failures.join("\n"));
}

fn first_difference(before: &str, after: &str) -> String {
    let b: Vec<&str> = before.lines().collect();
    let a: Vec<&str> = after.lines().collect();
    let removed: Vec<&&str> = b.iter().filter(|l| !a.contains(l)).take(3).collect();
    let added: Vec<&&str> = a.iter().filter(|l| !b.contains(l)).take(3).collect();
    format!("  removed: {removed:?}\n  added: {added:?}")
}

#[rocket::async_test]
async fn bad_input_gets_a_clear_message_and_changes_nothing() {
    on_each_backend!(bad_input_changes_nothing_and_says_why);
}

async fn unicode_is_kept_exactly(backend: Backend) {
    let app = TestApp::new(&backend).await;
    fixture(&app).await;
    let mut operator = app.login(OPERATOR, PASSWORD).await;
    // Emoji (with joiners), right-to-left scripts and marks, combining accents: all fine.
    let name = "Schule 👩‍🏫 مدرسة \u{200f}עברית\u{200f} Cafe\u{301}";
    let reply = operator.post_form("/admin/schools", &[("slug", "vielfalt"), ("name", &format!("  {name}  "))]).await;
    assert_eq!(reply.status, Status::SeeOther, "{}", shown_messages(&reply.body));
    let stored = staffel::schools::service::find_by_slug(app.db(), "vielfalt").await.unwrap().unwrap();
    assert_eq!(stored.name, name, "kept exactly, only trimmed");
    let list = operator.get("/admin/schools").await;
    assert!(list.body.contains(&tera::escape_html(name)));

    // The limit counts characters, not bytes: 120 four-byte emoji fit, 121 do not.
    let fits = "😀".repeat(120);
    let user = |name: &str, email: &str| {
        vec![
            ("email", email.to_string()),
            ("name", name.to_string()),
            ("role", "teacher".to_string()),
            ("school", "vielfalt".to_string()),
            ("language", "de".to_string()),
            ("password", PASSWORD.to_string()),
        ]
    };
    let borrowed = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, s)| (*k, s.clone())).collect::<Vec<_>>();
    let ok_fields = borrowed(&user(&fits, "emoji@vielfalt.de"));
    let ok_refs: Vec<(&str, &str)> = ok_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let ok = operator.post_form("/admin/users", &ok_refs).await;
    assert_eq!(ok.status, Status::SeeOther, "{}", shown_messages(&ok.body));
    let too_long = borrowed(&user(&"😀".repeat(121), "emoji2@vielfalt.de"));
    let long_refs: Vec<(&str, &str)> = too_long.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = operator.post_form("/admin/users", &long_refs).await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(refused.body.contains(&html_message(Lang::De, "validation.too_long", "120")));
    // The form keeps what was typed.
    assert!(refused.body.contains("emoji2@vielfalt.de"));
    let created = staffel::accounts::service::find_by_email(app.db(), "emoji@vielfalt.de").await.unwrap().unwrap();
    assert_eq!(created.name, fits);
    assert!(staffel::accounts::service::find_by_email(app.db(), "emoji2@vielfalt.de").await.unwrap().is_none());
}

#[rocket::async_test]
async fn unicode_names_are_kept_exactly() {
    on_each_backend!(unicode_is_kept_exactly);
}

async fn unknown_fields_are_ignored(backend: Backend) {
    let app = TestApp::new(&backend).await;
    fixture(&app).await;
    let mut operator = app.login(OPERATOR, PASSWORD).await;
    let reply = operator
        .post_form(
            "/admin/schools",
            &[
                ("slug", "extra"),
                ("name", "Extra"),
                ("id", "4711"),
                ("active", "false"),
                ("created_at", "1970-01-01"),
                ("role", "operator"),
            ],
        )
        .await;
    assert_eq!(reply.status, Status::SeeOther, "{}", shown_messages(&reply.body));
    let school = staffel::schools::service::find_by_slug(app.db(), "extra").await.unwrap().unwrap();
    assert_ne!(school.id, 4711);
    assert!(school.active, "a new school starts active whatever the form says");
    assert!(school.created_at.timestamp() > 0);

    // A teacher cannot make themselves an operator by adding fields to their own forms.
    let mut teacher = app.login(TEACHER, PASSWORD).await;
    let changed = teacher
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "ein ganz neues Passwort"),
                ("confirm", "ein ganz neues Passwort"),
                ("role", "operator"),
                ("school", ""),
            ],
        )
        .await;
    assert_eq!(changed.status, Status::SeeOther);
    let me = staffel::accounts::service::find_by_email(app.db(), TEACHER).await.unwrap().unwrap();
    assert_eq!(me.role, "teacher");
    assert!(me.school_id.is_some());
    assert_eq!(teacher.get("/admin").await.status, Status::Forbidden);
}

#[rocket::async_test]
async fn unknown_fields_are_ignored_not_obeyed() {
    on_each_backend!(unknown_fields_are_ignored);
}

async fn messages_follow_the_language(backend: Backend) {
    let app = TestApp::new(&backend).await;
    fixture(&app).await;
    let en = |key: &str, arg: &str| html_message(Lang::En, key, arg);
    let de = |key: &str, arg: &str| html_message(Lang::De, key, arg);

    // Before signing in: the browser's Accept-Language.
    let mut visitor = app.browser();
    let page = visitor.send(Method::Get, "/login", Vec::new(), None, &[("Accept-Language", "en-GB,en;q=0.9")]).await;
    assert!(page.body.contains("<html lang=\"en\">"));
    let body = visitor.form_body(&[("email", "li@gym-a.de"), ("password", "falsch-falsch")]);
    let failed = visitor
        .send(Method::Post, "/login", body.into_bytes(), form_ct(), &[("Accept-Language", "en-GB,en;q=0.9")])
        .await;
    assert_eq!(failed.status, Status::UnprocessableEntity);
    assert!(failed.body.contains(&en("login.failed", "")), "{}", shown_messages(&failed.body));
    assert!(!failed.body.contains(&de("login.failed", "")));
    let json = visitor
        .send(Method::Post, "/login", b"{}".to_vec(), Some(ContentType::JSON), &[("Accept-Language", "en")])
        .await;
    assert_eq!(json.status, Status::UnsupportedMediaType);
    assert!(json.body.contains(&en("error.unsupported_type", "")));
    let forgot_body = visitor.form_body(&[("email", "kein-at")]);
    let forgot = visitor
        .send(Method::Post, "/password/forgot", forgot_body.into_bytes(), form_ct(), &[("Accept-Language", "en")])
        .await;
    assert!(forgot.body.contains(&en("validation.email", "")));

    // Signed in: the staffel_lang cookie wins over the header.
    let mut operator = app.login(OPERATOR, PASSWORD).await;
    operator.cookies.insert("staffel_lang".into(), Cookie::new("staffel_lang", "en"));
    let bad_slug = operator.post_form("/admin/schools", &[("slug", "Über"), ("name", "Schule")]).await;
    assert_eq!(bad_slug.status, Status::UnprocessableEntity);
    assert!(bad_slug.body.contains(&en("validation.slug", "")), "{}", shown_messages(&bad_slug.body));
    assert!(!bad_slug.body.contains(&de("validation.slug", "")));
    let body = operator.form_body(&[("slug", "gym-a"), ("name", "Schule")]);
    let taken =
        operator.send(Method::Post, "/admin/schools", body.into_bytes(), form_ct(), &[("Accept-Language", "de")]).await;
    assert!(taken.body.contains(&en("validation.slug_taken", "gym-a")));
    let hours = operator
        .post_form(
            "/admin/providers",
            &[("slug", "neu"), ("name", "Neu"), ("response_hours", "acht"), ("contacts", "a@b.de")],
        )
        .await;
    assert!(hours.body.contains(&en("validation.number", "")));
    let too_big = operator
        .send(
            Method::Post,
            "/admin/schools",
            format!("{}&x={}", operator.form_body(&[]), long_text(70_000)).into_bytes(),
            form_ct(),
            &[],
        )
        .await;
    assert_eq!(too_big.status, Status::PayloadTooLarge);
    assert!(too_big.body.contains(&en("error.too_large", "")));

    // A user whose language is English gets English after signing in, with no header.
    let mut switch = app.login(TEACHER, PASSWORD).await;
    let switched = switch.post_form("/language", &[("lang", "en"), ("next", "/account")]).await;
    assert_eq!(switched.status, Status::SeeOther);
    let mut english = app.login(TEACHER, PASSWORD).await;
    assert_eq!(english.cookies.get("staffel_lang").map(|c| c.value().to_string()).as_deref(), Some("en"));
    let wrong =
        english.post_form("/account/password", &[("current", "falsch-falsch"), ("new", "x"), ("confirm", "x")]).await;
    assert!(wrong.body.contains(&en("account.wrong_password", "")), "{}", shown_messages(&wrong.body));
    let csrf = english.post_raw("/account/password", "current=x", ContentType::Form).await;
    assert_eq!(csrf.status, Status::Forbidden);
    assert!(csrf.body.contains(&en("error.csrf", "")));

    // The API answers in the caller's language too.
    let mut api = app.browser();
    let reply = api.send(Method::Get, "/api/v1/me", Vec::new(), None, &[("Accept-Language", "en")]).await;
    assert_eq!(reply.status, Status::Unauthorized);
    assert_eq!(reply.json()["error"]["message"], text_message(Lang::En, "error.unauthorized", ""));
    let reply = api.send(Method::Get, "/api/v1/me", Vec::new(), None, &[]).await;
    assert_eq!(reply.json()["error"]["message"], text_message(Lang::De, "error.unauthorized", ""));
}

#[rocket::async_test]
async fn validation_messages_are_english_for_english_readers() {
    on_each_backend!(messages_follow_the_language);
}

/// The error shape of SPEC §11 on a reply.
fn json_error(reply: &Reply) -> Result<(String, String), String> {
    if !reply.content_type.as_deref().is_some_and(|c| c.starts_with("application/json")) {
        return Err(format!("not JSON ({:?}): {}", reply.content_type, reply.body));
    }
    let body: serde_json::Value = serde_json::from_str(&reply.body).map_err(|e| format!("{e}: {}", reply.body))?;
    let code = body["error"]["code"].as_str().ok_or_else(|| format!("no error.code: {}", reply.body))?;
    let message = body["error"]["message"].as_str().ok_or_else(|| format!("no error.message: {}", reply.body))?;
    if message.is_empty() {
        return Err("empty message".into());
    }
    Ok((code.to_string(), message.to_string()))
}

async fn api_bad_input_gets_json_errors(backend: Backend) {
    let app = TestApp::new(&backend).await;
    fixture(&app).await;
    let token = app.token(TEACHER).await;
    // The first use of a token records when it was used; after that, reads write nothing.
    assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Ok);
    let before = app.fingerprint().await;
    let bearer = format!("Bearer {token}");
    let huge_bearer = format!("Bearer {}", long_text(10_000));
    let mut client = app.browser();
    // (method, path, body, content type, authorization, status, error code)
    let cases: Vec<ApiProbe> = vec![
        (Method::Get, "/api/v1/nichts-da".into(), Vec::new(), None, None, 404, "not_found"),
        (Method::Get, "/api/v1/me".into(), Vec::new(), None, Some(huge_bearer.as_str()), 401, "unauthorized"),
        (Method::Get, "/api/v1/me".into(), Vec::new(), None, Some("Bearer ünïcødé-😀"), 401, "unauthorized"),
        (Method::Get, "/api/v1/me".into(), Vec::new(), None, Some("Bearer"), 401, "unauthorized"),
        (Method::Get, "/api/v1/me".into(), Vec::new(), None, Some("bearer stf_klein"), 401, "unauthorized"),
        (
            Method::Post,
            "/api/v1/me".into(),
            br#"{"role":"operator"}"#.to_vec(),
            Some(ContentType::JSON),
            Some(bearer.as_str()),
            404,
            "not_found",
        ),
        (
            Method::Post,
            "/api/v1/services".into(),
            vec![0xff, 0x00, 0xfe],
            Some(ContentType::Binary),
            Some(bearer.as_str()),
            404,
            "not_found",
        ),
        (
            Method::Put,
            "/api/v1/providers".into(),
            b"%zz".to_vec(),
            Some(ContentType::Form),
            Some(bearer.as_str()),
            404,
            "not_found",
        ),
        (Method::Delete, "/api/v1/me".into(), Vec::new(), None, Some(bearer.as_str()), 404, "not_found"),
        (Method::Get, "/api/v1/kb/articles/nichts-da".into(), Vec::new(), None, None, 404, "not_found"),
        (Method::Get, "/api/v1/kb/articles/wlan%00".into(), Vec::new(), None, None, 404, "not_found"),
        (Method::Get, format!("/api/v1/kb/articles/{}", long_text(5_000)), Vec::new(), None, None, 404, "not_found"),
    ];
    let mut failures = Vec::new();
    for (method, path, body, content_type, auth, status, code) in cases {
        let headers: Vec<(&str, &str)> = auth.map(|a| vec![("Authorization", a)]).unwrap_or_default();
        let label = format!(
            "{method} {} ({:?})",
            &path[..path.len().min(60)],
            auth.map(|a| a.chars().take(20).collect::<String>())
        );
        let reply = client.send(method, &path, body, content_type, &headers).await;
        if reply.status.code != status {
            failures.push(format!("{label}: expected {status}, got {}: {}", reply.status, reply.body));
            continue;
        }
        match json_error(&reply) {
            Ok((got, _)) if got == code => {}
            Ok((got, _)) => failures.push(format!("{label}: code {got}, expected {code}")),
            Err(e) => failures.push(format!("{label}: {e}")),
        }
    }
    // Odd queries to the API's reading routes: never a server error, errors as JSON.
    for path in [
        "/api/v1/kb/search?q=%00",
        "/api/v1/kb/search?q=%zz%",
        "/api/v1/kb/search?q=wlan&limit=-1",
        "/api/v1/kb/search?q=wlan&limit=99999999999999999999999",
        "/api/v1/kb/search?q=wlan&limit=abc",
        "/api/v1/kb/search?q=wlan&service=%00",
        "/api/v1/kb/search?q=wlan&suggest=vielleicht",
        "/api/v1/services?lang=%00",
    ] {
        let reply = client.send(Method::Get, path, Vec::new(), None, &[("Authorization", bearer.as_str())]).await;
        if reply.status.code >= 500 {
            failures.push(format!("GET {path}: server error {}", reply.status));
        } else if reply.status.code >= 400 {
            if let Err(e) = json_error(&reply) {
                failures.push(format!("GET {path}: {e}"));
            }
        }
    }
    let long_query = format!("/api/v1/kb/search?q={}", long_text(20_000));
    let reply = client.send(Method::Get, &long_query, Vec::new(), None, &[]).await;
    if reply.status.code >= 500 {
        failures.push(format!("GET a 20 kB query: server error {}", reply.status));
    } else if reply.status.code >= 400 {
        if let Err(e) = json_error(&reply) {
            failures.push(format!("GET a 20 kB query: {e}"));
        }
    }
    assert!(failures.is_empty(), "{} API answers are wrong:\n{}", failures.len(), failures.join("\n"));
    let after = app.fingerprint().await;
    // Searches may record what found nothing (for the desk); nothing else may change.
    let strip_misses =
        |s: &str| s.lines().filter(|l| !l.starts_with("kb_search_misses: ")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip_misses(&before), strip_misses(&after), "{}", first_difference(&before, &after));
}

#[rocket::async_test]
async fn api_bad_input_gets_json_errors_and_changes_nothing() {
    on_each_backend!(api_bad_input_gets_json_errors);
}

/// The expected JSON error of an API call: status, `code`, the catalogue message and `field`.
#[derive(Clone, Debug)]
struct ApiMsg {
    status: u16,
    code: &'static str,
    key: &'static str,
    arg: String,
    field: Option<&'static str>,
}

fn api_invalid(field: &'static str, key: &'static str) -> ApiMsg {
    ApiMsg { status: 422, code: "invalid", key, arg: String::new(), field: Some(field) }
}

fn api_invalid_arg(field: &'static str, key: &'static str, arg: impl ToString) -> ApiMsg {
    ApiMsg { status: 422, code: "invalid", key, arg: arg.to_string(), field: Some(field) }
}

fn api_status(status: u16, code: &'static str, key: &'static str) -> ApiMsg {
    ApiMsg { status, code, key, arg: String::new(), field: None }
}

/// The body could not be read as the expected JSON.
fn api_unreadable(status: u16) -> ApiMsg {
    ApiMsg { status, code: "invalid", key: "error.bad_form", arg: String::new(), field: Some("body") }
}

struct ApiCase {
    label: String,
    path: Option<String>,
    body: Vec<u8>,
    content_type: Option<ContentType>,
    expect: ApiMsg,
}

impl ApiCase {
    fn on(mut self, path: impl Into<String>) -> ApiCase {
        self.path = Some(path.into());
        self
    }
}

/// A JSON body (as JSON) and what it answers.
fn json_case(label: &str, body: serde_json::Value, expect: ApiMsg) -> ApiCase {
    ApiCase {
        label: label.to_string(),
        path: None,
        body: serde_json::to_vec(&body).unwrap(),
        content_type: Some(ContentType::JSON),
        expect,
    }
}

/// A state-changing API route, the token's owner, the valid body and its status.
struct ApiTarget {
    route: &'static str,
    path: String,
    /// The token's owner; None: no token (the provider's link is the credential).
    who: Option<&'static str>,
    valid: serde_json::Value,
    valid_status: u16,
    cases: Vec<ApiCase>,
}

fn api_targets(f: &Fixture) -> Vec<ApiTarget> {
    use serde_json::json;
    let ticket = |purpose: &str| f.tickets[purpose].clone();
    let other = ticket("other school");
    let action = |purpose: &str, action: &str| format!("/api/v1/tickets/{}/{action}", ticket(purpose));
    let link = |action: &str| format!("/api/v1/provider/{}/{action}", f.provider_links["api"]);
    let no_link = |action: &str| format!("/api/v1/provider/{}/{action}", "0".repeat(64));
    let not_found = || api_status(404, "not_found", "error.not_found");
    vec![
        ApiTarget {
            route: "/api/v1/tickets/<number>/forward",
            path: action("api forward", "forward"),
            who: Some(AGENT),
            valid: serde_json::from_str(FORWARD_JSON).unwrap(),
            valid_status: 200,
            cases: vec![
                json_case(
                    "unknown provider",
                    json!({ "provider": "niemand", "priority": "P2", "message": "x" }),
                    api_invalid_arg("provider", "forwards.unknown_provider", "niemand"),
                ),
                json_case(
                    "provider with a NUL",
                    json!({ "provider": "ne\u{0}tz", "priority": "P2", "message": "x" }),
                    api_invalid_arg("provider", "forwards.unknown_provider", "ne\u{FFFD}tz"),
                ),
                json_case(
                    "unknown priority",
                    json!({ "provider": "netz", "priority": "P7", "message": "x" }),
                    api_invalid("priority", "desk.priority_invalid"),
                ),
                json_case(
                    "no message",
                    json!({ "provider": "netz", "priority": "P2" }),
                    api_invalid("message", "validation.required"),
                ),
                json_case(
                    "message with a NUL",
                    json!({ "provider": "netz", "priority": "P2", "message": "a\u{0}b" }),
                    api_invalid("message", "validation.control_chars"),
                ),
                json_case(
                    "sharing an event of another ticket",
                    json!({ "provider": "netz", "priority": "P2", "message": "x", "shared_events": [999_999] }),
                    api_invalid("shared_events", "forwards.share_invalid"),
                ),
                json_case(
                    "shared events as text",
                    json!({ "provider": "netz", "priority": "P2", "message": "x", "shared_events": "alle" }),
                    api_unreadable(422),
                ),
                json_case(
                    "a stale version",
                    json!({ "provider": "netz", "priority": "P2", "message": "x", "version": 0 }),
                    api_status(409, "conflict", "tickets.stale"),
                ),
                json_case("an unknown ticket", serde_json::from_str(FORWARD_JSON).unwrap(), not_found())
                    .on("/api/v1/tickets/T-999999/forward"),
            ],
        },
        ApiTarget {
            route: "/api/v1/provider/<token>/ack",
            path: link("ack"),
            who: None,
            valid: json!({ "reference": "NN-4711" }),
            valid_status: 200,
            cases: vec![
                json_case("no reference", json!({}), api_invalid("reference", "validation.required")),
                json_case(
                    "a reference of 121 characters",
                    json!({ "reference": long_text(121) }),
                    api_invalid_arg("reference", "validation.too_long", 120),
                ),
                json_case("a reference with a NUL", json!({ "reference": "NN\u{0}" }), {
                    api_invalid("reference", "validation.control_chars")
                }),
                json_case("a reference as a number", json!({ "reference": 4711 }), api_unreadable(422)),
                json_case("an unknown link", json!({ "reference": "NN-1" }), not_found()).on(no_link("ack")),
            ],
        },
        ApiTarget {
            route: "/api/v1/provider/<token>/comments",
            path: link("comments"),
            who: None,
            valid: json!({ "body": "Wir prüfen den Port." }),
            valid_status: 200,
            cases: vec![
                json_case("no body", json!({}), api_invalid("body", "validation.required")),
                json_case(
                    "a body with a NUL",
                    json!({ "body": "Port\u{0}" }),
                    api_invalid("body", "validation.control_chars"),
                ),
                json_case("an internal flag", json!({ "body": "x", "internal": false }), api_unreadable(422)),
                json_case("an unknown link", json!({ "body": "x" }), not_found()).on(no_link("comments")),
            ],
        },
        ApiTarget {
            route: "/api/v1/provider/<token>/resolve",
            path: link("resolve"),
            who: None,
            valid: json!({ "solution": "Port am Switch getauscht." }),
            valid_status: 200,
            cases: vec![
                json_case("no solution", json!({}), api_invalid("solution", "validation.required")),
                json_case("an unknown link", json!({ "solution": "x" }), not_found()).on(no_link("resolve")),
            ],
        },
        ApiTarget {
            route: "/api/v1/tickets",
            path: "/api/v1/tickets".into(),
            who: Some(SCHOOL_ADMIN),
            valid: json!({
                "title": "WLAN im Altbau fällt aus",
                "description": "Seit Montag, alle Räume im 2. Stock.",
                "service": "wifi",
                "priority": "P2",
                "triage": { "scope": "school", "fault_type": "unknown" }
            }),
            valid_status: 201,
            cases: vec![
                json_case(
                    "no title",
                    json!({ "description": "x", "service": "wifi" }),
                    api_invalid("title", "validation.required"),
                ),
                json_case("an empty object", json!({}), api_invalid("title", "validation.required")),
                json_case("an empty array", json!([]), api_invalid("title", "validation.required")),
                json_case(
                    "title with a NUL",
                    json!({ "title": "WLAN\u{0}", "description": "x" }),
                    api_invalid("title", "validation.control_chars"),
                ),
                json_case(
                    "title over two lines",
                    json!({ "title": "WLAN\nAltbau", "description": "x" }),
                    api_invalid("title", "validation.control_chars"),
                ),
                json_case(
                    "title of 100 kB",
                    json!({ "title": long_text(100_000), "description": "x" }),
                    api_invalid_arg("title", "validation.too_long", 200),
                ),
                json_case(
                    "title with emoji and RTL only",
                    json!({ "title": "📶\u{202e}", "description": "" }),
                    api_invalid("description", "validation.required"),
                ),
                json_case("title a number", json!({ "title": 42, "description": "x" }), api_unreadable(422)),
                json_case("title null", json!({ "title": null, "description": "x" }), api_unreadable(422)),
                json_case(
                    "unknown service",
                    json!({ "title": "WLAN", "description": "x", "service": "teleporter" }),
                    api_invalid_arg("service", "validation.unknown_service", "teleporter"),
                ),
                json_case(
                    "service with a NUL",
                    json!({ "title": "WLAN", "description": "x", "service": "wi\u{0}fi" }),
                    api_invalid_arg("service", "validation.unknown_service", "wi\u{FFFD}fi"),
                ),
                json_case(
                    "unknown priority",
                    json!({ "title": "WLAN", "description": "x", "priority": "P0" }),
                    api_invalid("priority", "desk.priority_invalid"),
                ),
                json_case(
                    "priority a number",
                    json!({ "title": "WLAN", "description": "x", "priority": 1 }),
                    api_unreadable(422),
                ),
                json_case(
                    "unknown triage scope",
                    json!({ "title": "WLAN", "description": "x", "triage": { "scope": "mars" } }),
                    api_invalid("triage_scope", "tickets.choice_invalid"),
                ),
                json_case(
                    "unknown triage field",
                    json!({ "title": "WLAN", "description": "x", "triage": { "scope": "school", "urgency": "hoch" } }),
                    api_unreadable(422),
                ),
                json_case(
                    "another school smuggled in",
                    json!({ "title": "WLAN", "description": "x", "school": "gym-b" }),
                    api_unreadable(422),
                ),
            ],
        },
        ApiTarget {
            route: "/api/v1/tickets/<number>/comments",
            path: action("api comments", "comments"),
            who: Some(AGENT),
            valid: json!({ "body": "Wir prüfen das.", "internal": true }),
            valid_status: 200,
            cases: vec![
                json_case("no body", json!({ "internal": false }), api_invalid("body", "validation.required")),
                json_case(
                    "body with a NUL",
                    json!({ "body": "a\u{0}b" }),
                    api_invalid("body", "validation.control_chars"),
                ),
                json_case(
                    "body of 60 000 characters",
                    json!({ "body": long_text(60_000) }),
                    api_invalid_arg("body", "validation.too_long", 50_000),
                ),
                json_case("internal as text", json!({ "body": "x", "internal": "ja" }), api_unreadable(422)),
                json_case(
                    "a stale version",
                    json!({ "body": "x", "version": 0 }),
                    api_status(409, "conflict", "tickets.stale"),
                ),
                json_case("a version as text", json!({ "body": "x", "version": "2" }), api_unreadable(422)),
                json_case("an unknown ticket", json!({ "body": "x" }), api_status(404, "not_found", "error.not_found"))
                    .on("/api/v1/tickets/T-999999/comments"),
                json_case(
                    "not a ticket number",
                    json!({ "body": "x" }),
                    api_status(404, "not_found", "error.not_found"),
                )
                .on("/api/v1/tickets/DROP%20TABLE/comments"),
            ],
        },
        ApiTarget {
            route: "/api/v1/tickets/<number>/assign",
            path: action("api assign", "assign"),
            who: Some(AGENT),
            valid: json!({ "agent": "me" }),
            valid_status: 200,
            cases: vec![
                json_case(
                    "an unknown agent",
                    json!({ "agent": "niemand@nirgends.de" }),
                    api_invalid_arg("agent", "tickets.unknown_agent", "niemand@nirgends.de"),
                ),
                json_case(
                    "a teacher",
                    json!({ "agent": TEACHER }),
                    api_invalid_arg("agent", "tickets.unknown_agent", TEACHER),
                ),
                json_case(
                    "an agent with a NUL",
                    json!({ "agent": "ag@desk.de\u{0}" }),
                    api_invalid_arg("agent", "tickets.unknown_agent", "ag@desk.de\u{FFFD}"),
                ),
                json_case("an agent list", json!({ "agent": ["me"] }), api_unreadable(422)),
            ],
        },
        ApiTarget {
            route: "/api/v1/tickets/<number>/resolve",
            path: action("api resolve", "resolve"),
            who: Some(AGENT),
            valid: json!({ "solution": "Router neu gestartet." }),
            valid_status: 200,
            cases: vec![
                json_case("no solution", json!({}), api_invalid("solution", "validation.required")),
                json_case(
                    "a blank solution",
                    json!({ "solution": " \n\t " }),
                    api_invalid("solution", "validation.required"),
                ),
                json_case("the body field instead", json!({ "body": "Router neu gestartet." }), api_unreadable(422)),
            ],
        },
        ApiTarget {
            route: "/api/v1/tickets/<number>/close",
            path: action("api close", "close"),
            who: Some(SCHOOL_ADMIN),
            valid: json!({}),
            valid_status: 200,
            cases: vec![
                json_case("a stale version", json!({ "version": 1 }), api_status(409, "conflict", "tickets.stale")),
                json_case("a version beyond i32", json!({ "version": 99_999_999_999u64 }), api_unreadable(422)),
                json_case("another school's ticket", json!({}), api_status(404, "not_found", "error.not_found"))
                    .on(format!("/api/v1/tickets/{other}/close")),
            ],
        },
        ApiTarget {
            route: "/api/v1/tickets/<number>/reopen",
            path: action("api reopen", "reopen"),
            who: Some(SCHOOL_ADMIN),
            valid: json!({ "reason": "Geht wieder nicht." }),
            valid_status: 200,
            cases: vec![
                json_case(
                    "a stale version",
                    json!({ "reason": "x", "version": 1 }),
                    api_status(409, "conflict", "tickets.stale"),
                ),
                json_case("a reason as a number", json!({ "reason": 5 }), api_unreadable(422)),
                json_case(
                    "another school's ticket",
                    json!({ "reason": "x" }),
                    api_status(404, "not_found", "error.not_found"),
                )
                .on(format!("/api/v1/tickets/{other}/reopen")),
            ],
        },
    ]
}

/// What is wrong with a JSON error reply, if anything.
fn judge_json(reply: &Reply, expect: &ApiMsg) -> Option<String> {
    let status = reply.status.code;
    if status >= 500 {
        return Some(format!("server error {status}: {}", reply.body));
    }
    if status != expect.status {
        return Some(format!("expected {} ({}), got {status}: {}", expect.status, expect.key, reply.body));
    }
    let (code, message) = match json_error(reply) {
        Ok(found) => found,
        Err(e) => return Some(e),
    };
    let wanted = text_message(Lang::De, expect.key, &expect.arg);
    let field = serde_json::from_str::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|b| b["error"]["field"].as_str().map(str::to_string));
    if code != expect.code || message != wanted || field.as_deref() != expect.field {
        return Some(format!(
            "expected code {} / {wanted:?} / field {:?}, got {}",
            expect.code, expect.field, reply.body
        ));
    }
    None
}

async fn api_bad_input_changes_nothing(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let f = fixture(&app).await;
    let mut tokens = std::collections::HashMap::new();
    for who in [SCHOOL_ADMIN, AGENT] {
        let token = app.token(who).await;
        // The first use records when the token was used; afterwards reads write nothing.
        assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Ok);
        tokens.insert(who, format!("Bearer {token}"));
    }
    let mut failures = Vec::new();
    let mut client = app.browser();
    for target in api_targets(&f) {
        let auth = target.who.map(|who| tokens[who].clone());
        let headers: Vec<(&str, &str)> = auth.as_deref().map(|a| vec![("Authorization", a)]).unwrap_or_default();
        let mut before = app.fingerprint().await;
        let valid = serde_json::to_vec(&target.valid).unwrap();
        let mut smuggled = target.valid.clone();
        smuggled["created_by"] = serde_json::json!(1);
        let too_big = format!(r#"{{"x":"{}"}}"#, long_text(1024 * 1024 + 10));
        // The target's own cases first: the generic ones below must fail too, but if one does
        // not, its change should not spoil the others.
        let mut attempts: Vec<ApiCase> = target.cases;
        attempts.extend(vec![
            ApiCase {
                label: "not JSON".into(),
                path: None,
                body: b"%zz".to_vec(),
                content_type: Some(ContentType::JSON),
                expect: api_unreadable(400),
            },
            ApiCase {
                label: "binary junk".into(),
                path: None,
                body: vec![0xff, 0xfe, 0x00, 0x7b],
                content_type: Some(ContentType::JSON),
                expect: api_unreadable(400),
            },
            ApiCase {
                label: "an empty body".into(),
                path: None,
                body: Vec::new(),
                content_type: Some(ContentType::JSON),
                expect: api_unreadable(400),
            },
            ApiCase {
                label: "a bare string".into(),
                path: None,
                body: br#""hallo""#.to_vec(),
                content_type: Some(ContentType::JSON),
                expect: api_unreadable(422),
            },
            ApiCase {
                label: "null".into(),
                path: None,
                body: b"null".to_vec(),
                content_type: Some(ContentType::JSON),
                expect: api_unreadable(422),
            },
            ApiCase {
                label: "cut off".into(),
                path: None,
                body: valid[..valid.len() - 1].to_vec(),
                content_type: Some(ContentType::JSON),
                expect: api_unreadable(400),
            },
            ApiCase {
                label: "an unknown field".into(),
                path: None,
                body: serde_json::to_vec(&smuggled).unwrap(),
                content_type: Some(ContentType::JSON),
                expect: api_unreadable(422),
            },
            ApiCase {
                label: "over the 1 MiB JSON limit".into(),
                path: None,
                body: too_big.into_bytes(),
                content_type: Some(ContentType::JSON),
                expect: ApiMsg {
                    status: 413,
                    code: "invalid",
                    key: "error.too_large",
                    arg: String::new(),
                    field: Some("body"),
                },
            },
        ]);
        for (label, content_type) in [
            ("the JSON as text/plain", Some(ContentType::Plain)),
            ("the JSON without a content type", None),
            ("the JSON as a form", Some(ContentType::Form)),
            ("the JSON as multipart", Some(ContentType::new("multipart", "form-data").with_params(("boundary", "x")))),
        ] {
            attempts.push(ApiCase {
                label: label.into(),
                path: None,
                body: valid.clone(),
                content_type,
                expect: ApiMsg {
                    status: 415,
                    code: "invalid",
                    key: "error.unsupported_type",
                    arg: String::new(),
                    field: Some("body"),
                },
            });
        }
        for case in attempts {
            let path = case.path.clone().unwrap_or_else(|| target.path.clone());
            let reply = client.send(Method::Post, &path, case.body, case.content_type, &headers).await;
            let mut problems = Vec::new();
            if let Some(problem) = judge_json(&reply, &case.expect) {
                problems.push(problem);
            }
            let after = app.fingerprint().await;
            if after != before {
                problems.push(format!("the database changed:\n{}", first_difference(&before, &after)));
                before = after;
            }
            if !problems.is_empty() {
                failures.push(format!("{} POST {path} [{}]: {}", backend.name(), case.label, problems.join("; ")));
            }
        }
        let reply = client.send(Method::Post, &target.path, valid, Some(ContentType::JSON), &headers).await;
        if reply.status.code != target.valid_status {
            failures.push(format!(
                "{} POST {}: the valid body answered {}: {}",
                backend.name(),
                target.path,
                reply.status,
                reply.body
            ));
        } else if app.fingerprint().await == before {
            failures.push(format!("{} POST {}: the valid body changed nothing", backend.name(), target.path));
        }
    }
    assert!(failures.is_empty(), "{} API answers to bad input are wrong:\n{}", failures.len(), failures.join("\n"));
}

#[rocket::async_test]
async fn api_bad_input_gets_a_json_error_and_changes_nothing() {
    on_each_backend!(api_bad_input_changes_nothing);
}

// ---- Uploads (multipart/form-data in the API): bad files, bad bodies, nothing stored ----

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x56, 0xc7, 0x2f,
    0x0d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A multipart body of text fields and file parts (name, file name, bytes).
fn upload_body(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (ContentType, Vec<u8>) {
    let boundary = "staffel-upload-boundary-3e1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, filename, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (ContentType::new("multipart", "form-data").with_params(("boundary", boundary)), body)
}

/// A state-changing upload route of the API.
struct UploadTarget {
    route: &'static str,
    path: String,
    who: Option<&'static str>,
    cases: Vec<ApiCase>,
}

fn upload_case(label: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])], expect: ApiMsg) -> ApiCase {
    let (ct, body) = upload_body(fields, files);
    ApiCase { label: label.to_string(), path: None, body, content_type: Some(ct), expect }
}

fn upload_targets(f: &Fixture) -> Vec<UploadTarget> {
    let html: &[u8] = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let exe: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00";
    let too_big: &'static [u8] = Box::leak(vec![0x89u8; 10 * 1024 * 1024 + 1].into_boxed_slice());
    let type_refused = |name: &str| api_invalid_arg("files", "attachments.type_refused", name);
    let common = |cases: &mut Vec<ApiCase>| {
        cases.extend([
            upload_case("no file", &[("body", "Nur Text")], &[], api_invalid("files", "attachments.none")),
            upload_case("HTML named .png", &[], &[("files", "bild.png", html)], type_refused("bild.png")),
            upload_case("an executable named .png", &[], &[("files", "bild.png", exe)], type_refused("bild.png")),
            upload_case("an empty file", &[], &[("files", "leer.png", b"")], {
                api_invalid_arg("files", "attachments.empty", "leer.png")
            }),
            upload_case("a good file and a bad one", &[], &[("files", "gut.png", PNG), ("files", "x.png", html)], {
                type_refused("x.png")
            }),
            upload_case("over the 10 MB limit", &[], &[("files", "gross.png", too_big)], {
                api_invalid_arg("files", "attachments.too_large", "10 MB")
            }),
            upload_case("a body with a NUL", &[("body", "a\0b")], &[("files", "gut.png", PNG)], {
                api_invalid("body", "validation.control_chars")
            }),
            ApiCase {
                label: "JSON instead of multipart".into(),
                path: None,
                body: br#"{"body":"x"}"#.to_vec(),
                content_type: Some(ContentType::JSON),
                expect: api_status(415, "invalid", "error.unsupported_type").with_field("body"),
            },
            ApiCase {
                label: "no content type".into(),
                path: None,
                body: b"files=x".to_vec(),
                content_type: None,
                expect: api_status(415, "invalid", "error.unsupported_type").with_field("body"),
            },
            ApiCase {
                label: "a urlencoded form".into(),
                path: None,
                body: b"files=x".to_vec(),
                content_type: Some(ContentType::Form),
                expect: api_status(415, "invalid", "error.unsupported_type").with_field("body"),
            },
            ApiCase {
                label: "multipart garbage".into(),
                path: None,
                body: b"--xyz\r\nnot a part at all\r\n".to_vec(),
                content_type: Some(ContentType::new("multipart", "form-data").with_params(("boundary", "xyz"))),
                expect: api_unreadable(400),
            },
        ]);
    };
    let mut ticket_cases = Vec::new();
    common(&mut ticket_cases);
    let ticket = &f.tickets["api upload"];
    ticket_cases.extend([
        upload_case("a stale version", &[("version", "99")], &[("files", "gut.png", PNG)], {
            api_status(409, "conflict", "tickets.stale")
        }),
        upload_case("an internal note by a school", &[("internal", "true")], &[("files", "gut.png", PNG)], {
            api_status(403, "forbidden", "error.forbidden")
        }),
        upload_case("another school's ticket", &[], &[("files", "bild.png", html)], {
            api_status(404, "not_found", "error.not_found")
        })
        .on(format!("/api/v1/tickets/{}/attachments", f.tickets["other school"])),
        upload_case(
            "an unknown ticket",
            &[],
            &[("files", "gut.png", PNG)],
            api_status(404, "not_found", "error.not_found"),
        )
        .on("/api/v1/tickets/T-999999/attachments"),
    ]);
    let mut provider_cases = Vec::new();
    common(&mut provider_cases);
    provider_cases.push(
        upload_case(
            "an unknown link",
            &[],
            &[("files", "gut.png", PNG)],
            api_status(404, "not_found", "error.not_found"),
        )
        .on(format!("/api/v1/provider/{}/attachments", "0".repeat(64))),
    );
    vec![
        UploadTarget {
            route: "/api/v1/tickets/<number>/attachments",
            path: format!("/api/v1/tickets/{ticket}/attachments"),
            who: Some(SCHOOL_ADMIN),
            cases: ticket_cases,
        },
        UploadTarget {
            route: "/api/v1/provider/<token>/attachments",
            path: format!("/api/v1/provider/{}/attachments", f.provider_links["upload"]),
            who: None,
            cases: provider_cases,
        },
    ]
}

impl ApiMsg {
    fn with_field(mut self, field: &'static str) -> ApiMsg {
        self.field = Some(field);
        self
    }
}

fn files_on_disk(app: &TestApp) -> usize {
    std::fs::read_dir(app.dir.path().join("files")).map(|d| d.count()).unwrap_or(0)
}

async fn upload_bad_input_changes_nothing(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let f = fixture(&app).await;
    let token = app.token(SCHOOL_ADMIN).await;
    assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Ok);
    let auth = format!("Bearer {token}");
    let mut failures = Vec::new();
    let mut client = app.browser();
    for target in upload_targets(&f) {
        let headers: Vec<(&str, &str)> = target.who.map(|_| vec![("Authorization", auth.as_str())]).unwrap_or_default();
        let mut before = app.fingerprint().await;
        let mut files_before = files_on_disk(&app);
        for case in target.cases {
            let path = case.path.clone().unwrap_or_else(|| target.path.clone());
            let reply = client.send(Method::Post, &path, case.body, case.content_type, &headers).await;
            let mut problems = Vec::new();
            if let Some(problem) = judge_json(&reply, &case.expect) {
                problems.push(problem);
            }
            let after = app.fingerprint().await;
            if after != before {
                problems.push(format!("the database changed:\n{}", first_difference(&before, &after)));
                before = after;
            }
            if files_on_disk(&app) != files_before {
                problems.push("a file was left in the files dir".into());
                files_before = files_on_disk(&app);
            }
            if !problems.is_empty() {
                failures.push(format!("{} POST {path} [{}]: {}", backend.name(), case.label, problems.join("; ")));
            }
        }
        let (ct, body) = upload_body(&[("body", "Foto anbei")], &[("files", "screenshot.png", PNG)]);
        let reply = client.send(Method::Post, &target.path, body, Some(ct), &headers).await;
        if reply.status != Status::Ok {
            failures.push(format!(
                "{} POST {}: the valid upload answered {}: {}",
                backend.name(),
                target.path,
                reply.status,
                reply.body
            ));
        } else if app.fingerprint().await == before || files_on_disk(&app) != files_before + 1 {
            failures.push(format!("{} POST {}: the valid upload stored nothing", backend.name(), target.path));
        }
    }
    assert!(failures.is_empty(), "{} answers to bad uploads are wrong:\n{}", failures.len(), failures.join("\n"));
}

#[rocket::async_test]
async fn bad_uploads_get_a_json_error_and_store_nothing() {
    on_each_backend!(upload_bad_input_changes_nothing);
}

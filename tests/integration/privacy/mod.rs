//! Data protection (SPEC §9): retention, a person's data (export and deletion) and the
//! view log of who opened what. Each file is one behaviour; the world they share is here.
mod person;
mod retention;
mod views;

use rocket::http::Status;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::common::uploads::{api_files, PNG};
use crate::common::{cli::staffel_command, ticket_id, TestApp};

pub const OPERATOR: &str = "op@ops.de";
pub const ADMIN: &str = "admin@gym.de";
pub const OTHER_ADMIN: &str = "admin@rs.de";
pub const AGENT: &str = "agent@desk.de";
pub const TEACHER: &str = "lehrerin@gym.de";

/// Two schools, their people, and three tickets of gym: one closed 14 months ago (with a
/// comment and a file), one closed 12 months ago, one open; and one of rs, open.
pub struct World {
    pub old: String,
    pub recent: String,
    pub open: String,
    pub other_school: String,
    pub admin_token: String,
    pub agent_token: String,
}

pub async fn world(app: &TestApp) -> World {
    app.school("gym").await;
    app.school("rs").await;
    app.user_named(ADMIN, "Gustav Gymadmin", "school_admin", "gym", "de").await;
    app.user_named(TEACHER, "Friederike Weber", "teacher", "gym", "de").await;
    app.user_named(OTHER_ADMIN, "Rita Realadmin", "school_admin", "rs", "de").await;
    app.user_named(AGENT, "Anton Agent", "agent", "", "de").await;
    app.user_named(OPERATOR, "Olga Operator", "operator", "", "de").await;
    let admin_token = app.token(ADMIN).await;
    let agent_token = app.token(AGENT).await;
    let other_token = app.token(OTHER_ADMIN).await;
    let old = ticket(app, &admin_token, "Beamer Raum 12 (Gustav)", "Der Beamer von Gustav Gymadmin ist aus.").await;
    comment(app, &admin_token, &old, "Noch immer aus, bitte anrufen: 0301234").await;
    comment(app, &agent_token, &old, "Kommentar vom Desk: Techniker kommt").await;
    let file = api_files(
        app,
        Some(&admin_token),
        &format!("/api/v1/tickets/{old}/attachments"),
        &[],
        &[("files", "foto-gustav.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(file.status, Status::Ok, "{}", file.body);
    close(app, &agent_token, &admin_token, &old, 14).await;
    let recent = ticket(app, &admin_token, "Drucker Lehrerzimmer", "Drucker druckt nicht.").await;
    close(app, &agent_token, &admin_token, &recent, 12).await;
    let open = ticket(app, &admin_token, "WLAN Turnhalle", "Kein WLAN in der Turnhalle.").await;
    let other_school = ticket(app, &other_token, "Tafel", "Die Tafel der rs ist aus.").await;
    World { old, recent, open, other_school, admin_token, agent_token }
}

pub async fn ticket(app: &TestApp, token: &str, title: &str, description: &str) -> String {
    let body = serde_json::json!({ "title": title, "description": description }).to_string();
    app.open_ticket(token, &body).await
}

pub async fn comment(app: &TestApp, token: &str, number: &str, text: &str) {
    let body = serde_json::json!({ "body": text }).to_string();
    let posted = app.api_post(Some(token), &format!("/api/v1/tickets/{number}/comments"), &body).await;
    assert!(posted.status.code < 300, "{}", posted.body);
}

/// Resolved by the desk, closed by the school, then dated back `months_ago`.
async fn close(app: &TestApp, agent: &str, admin: &str, number: &str, months_ago: u32) {
    app.resolve_ticket(agent, number, "Kabel von Gustav getauscht.").await;
    let closed = app.api_post(Some(admin), &format!("/api/v1/tickets/{number}/close"), "{}").await;
    assert_eq!(closed.status, Status::Ok, "{}", closed.body);
    let at = chrono::Utc::now().checked_sub_months(chrono::Months::new(months_ago)).unwrap();
    entities::ticket::Entity::update_many()
        .col_expr(entities::ticket::Column::ClosedAt, Expr::value(at))
        .col_expr(entities::ticket::Column::ResolvedAt, Expr::value(at))
        .filter(entities::ticket::Column::Id.eq(ticket_id(number)))
        .exec(app.db())
        .await
        .unwrap();
}

pub async fn ticket_row(app: &TestApp, number: &str) -> entities::ticket::Model {
    entities::ticket::Entity::find_by_id(ticket_id(number)).one(app.db()).await.unwrap().expect("the ticket")
}

pub async fn events_of(app: &TestApp, number: &str) -> Vec<entities::ticket_event::Model> {
    entities::ticket_event::Entity::find()
        .filter(entities::ticket_event::Column::TicketId.eq(ticket_id(number)))
        .all(app.db())
        .await
        .unwrap()
}

/// What the CLI answered.
pub struct Run {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// `staffel ARGS` on the test app's data dir and database, beside the running app.
pub fn staffel(app: &TestApp, args: &[&str]) -> Run {
    let cwd = tempfile::tempdir().expect("temp dir");
    let url = app.pg.as_ref().map(|p| p.url.clone());
    let out = staffel_command(args, cwd.path(), app.dir.path(), url.as_deref()).output().expect("run staffel");
    let run = Run {
        success: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "staffel {args:?} panicked:\n{}", run.stderr);
    run
}

pub fn staffel_ok(app: &TestApp, args: &[&str]) -> String {
    let run = staffel(app, args);
    assert!(run.success, "staffel {args:?} failed ({:?}):\n{}\n{}", run.code, run.stdout, run.stderr);
    run.stdout
}

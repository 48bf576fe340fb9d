//! The matrix's rows for the pages: the shell, signing in and one's account, reports and
//! tickets at the school and the desk, the desk's settings, and the operators' admin.
use super::Expect::*;
use super::*;

const DESK_STATS: &str = "/desk/stats?<from>&<to>&<breakdown>";
const DESK_STATS_CSV: &str = "/desk/stats.csv?<table>&<from>&<to>&<breakdown>";
const SCHOOL_STATS: &str = "/helpdesk/stats?<from>&<to>&<breakdown>";
const SCHOOL_STATS_CSV: &str = "/helpdesk/stats.csv?<table>&<from>&<to>&<breakdown>";

/// The matrix: one row per request, one expectation per role.
pub(super) fn table(ids: &Ids) -> Vec<Row> {
    [
        shell_and_account_rows(),
        report_rows(),
        ticket_rows(),
        admin_rows(ids),
        super::table_api::faq_rows(),
        super::table_api::api_rows(),
        super::table_api::provider_and_file_rows(),
        super::table_chat::chat_rows(),
        super::table_widget::widget_rows(),
        super::table_desk_tools::desk_tool_rows(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn shell_and_account_rows() -> Vec<Row> {
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
        // Signing in again ends the session the browser had.
        post("/login", "/login", &[("email", LOGIN_USER), ("password", PASSWORD)], everyone(To("/faq")))
            .ending_session(),
        post("/logout", "/logout", &[], everyone(To("/login"))).ending_session(),
        get("/account", "/account", signed_in(Ok(200))),
        post(
            "/account/password",
            "/account/password",
            &[("current", PASSWORD), ("new", PASSWORD), ("confirm", PASSWORD)],
            signed_in(To("/account")),
        )
        .ending_session(),
        // One's own API tokens: an id that is not one's own is not found.
        post("/account/tokens/<id>/revoke", "/account/tokens/999999/revoke", &[], signed_in(NotFound)),
        // One's XMPP address, for the desk (this Staffel has no XMPP account: refused clearly).
        post("/account/xmpp", "/account/xmpp", &[("jid", "x@example.org")], only(&[AGENT, DESK_LEAD], Ok(422))),
        post("/account/xmpp/unlink", "/account/xmpp/unlink", &[], only(&[AGENT, DESK_LEAD], To("/account#xmpp"))),
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
    ]
}

fn report_rows() -> Vec<Row> {
    vec![
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
            "/helpdesk/reports/<id>/answer",
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
            "/helpdesk/reports/<id>/escalate",
            "/helpdesk/reports/{report-a}/escalate",
            &[
                ("triage_scope", "school"),
                ("triage_fault_type", "hardware"),
                ("service", "presentation"),
                ("title", "Beamer 112"),
                ("priority", "P3"),
            ],
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        post(
            "/helpdesk/reports/<id>/answer",
            "/helpdesk/reports/{report-b}/answer",
            &[("answer", "Fremde Schule.")],
            only(&[SCHOOL_ADMIN], NotFound),
        ),
        post(UNROUTED, "/helpdesk/reports/{report-a}/explode", &[], only(&[SCHOOL_ADMIN], NotFound)),
        get("/helpdesk", "/helpdesk", only(&[SCHOOL_ADMIN], Ok(200))),
        // The school's list of all its reports and tickets; a bad filter is the page's 422.
        get("/helpdesk/all?<query..>", "/helpdesk/all", only(&[SCHOOL_ADMIN], Ok(200))),
        get("/helpdesk/all?<query..>", "/helpdesk/all?state=closed&q=Beamer&page=2", only(&[SCHOOL_ADMIN], Ok(200))),
        get("/helpdesk/all?<query..>", "/helpdesk/all?state=mars", only(&[SCHOOL_ADMIN], Ok(422))),
        get("/desk?<query..>", "/desk", only(&[AGENT, DESK_LEAD], Ok(200))),
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
    ]
}

fn ticket_rows() -> Vec<Row> {
    vec![
        // Tickets. `{ticket-a}` is a fresh ticket of the school admin's school A, `{ticket-b}`
        // one of school B; `{resolved-…}` ones the desk has resolved. A school admin sees
        // only their school's tickets: another school's are "not found", never "forbidden".
        get(
            "/desk?<query..>",
            "/desk?queue=all&school=gym-b&service=presentation&priority=P3&status=new",
            only(&[AGENT, DESK_LEAD], Ok(200)),
        ),
        post(
            "/helpdesk/tickets",
            "/helpdesk/tickets",
            &NEW_TICKET,
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        get("/helpdesk/tickets/<number>", "/helpdesk/tickets/{ticket-a}", only(&[SCHOOL_ADMIN], Ok(200))),
        get("/helpdesk/tickets/<number>", "/helpdesk/tickets/{ticket-b}", only(&[SCHOOL_ADMIN], NotFound)),
        get("/helpdesk/tickets/<number>", "/helpdesk/tickets/T-999999", only(&[SCHOOL_ADMIN], NotFound)),
        post(
            "/helpdesk/tickets/<number>/comment",
            "/helpdesk/tickets/{ticket-a}/comment",
            &[("body", "Es betrifft alle Räume.")],
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        post(
            "/helpdesk/tickets/<number>/comment",
            "/helpdesk/tickets/{ticket-b}/comment",
            &[("body", "Fremde Schule.")],
            only(&[SCHOOL_ADMIN], NotFound),
        ),
        post(
            "/helpdesk/tickets/<number>/close",
            "/helpdesk/tickets/{resolved-a}/close",
            &[],
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        post(
            "/helpdesk/tickets/<number>/close",
            "/helpdesk/tickets/{resolved-b}/close",
            &[],
            only(&[SCHOOL_ADMIN], NotFound),
        ),
        post(
            "/helpdesk/tickets/<number>/reopen",
            "/helpdesk/tickets/{resolved-a}/reopen",
            &[("body", "Geht wieder nicht.")],
            only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-")),
        ),
        post(
            "/helpdesk/tickets/<number>/reopen",
            "/helpdesk/tickets/{resolved-b}/reopen",
            &[("body", "Fremde Schule.")],
            only(&[SCHOOL_ADMIN], NotFound),
        ),
        // The queue page's live refresh asks what changed (JSON for its script).
        get("/desk/changes", "/desk/changes", only(&[AGENT, DESK_LEAD], Ok(200))),
        // Its feed (an event stream) says when tickets changed, on any instance.
        get("/desk/events", "/desk/events", only(&[AGENT, DESK_LEAD], Ok(200))),
        // Several tickets at once: back to the queue the action came from.
        post(
            "/desk/bulk",
            "/desk/bulk",
            &[("action", "priority"), ("priority", "P2"), ("tickets", "T-000001"), ("back", "/desk?queue=all")],
            only(&[AGENT, DESK_LEAD], To("/desk?queue=all")),
        ),
        get("/desk/tickets/<number>", "/desk/tickets/{ticket-b}", only(&[AGENT, DESK_LEAD], Ok(200))),
        get("/desk/tickets/<number>", "/desk/tickets/T-999999", only(&[AGENT, DESK_LEAD], NotFound)),
        get("/desk/tickets/<number>", "/desk/tickets/kein-ticket", only(&[AGENT, DESK_LEAD], NotFound)),
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
        desk_action("{ticket-b}", "forward", &[("provider", "netz"), ("priority", "P2"), ("body", "Bitte prüfen.")]),
        // The ticket page's one reply box; a resolve first asks (the page again, 200).
        desk_action("{ticket-a}", "reply", &[("mode", "note"), ("body", "Intern: Beamer alt.")]),
        post(
            "/desk/tickets/<number>/reply",
            "/desk/tickets/{ticket-b}/reply",
            &[("mode", "resolve"), ("body", "Lampe getauscht.")],
            only(&[AGENT, DESK_LEAD], Ok(200)),
        ),
        post(UNROUTED, "/desk/tickets/{ticket-a}/explode", &[], only(&[AGENT, DESK_LEAD], NotFound)),
        post(
            "/desk/tickets/<number>/comment",
            "/desk/tickets/T-999999/comment",
            &[("body", "Niemand da.")],
            only(&[AGENT, DESK_LEAD], NotFound),
        ),
        get("/desk/settings", "/desk/settings", only(&[DESK_LEAD], Ok(200))),
        // The reports: the desk lead's of every school, a school admin's of their own; agents
        // work the queues (SPEC §2: reports are the lead's configuration).
        get(DESK_STATS, "/desk/stats", only(&[DESK_LEAD], Ok(200))),
        get(DESK_STATS, "/desk/stats?from=kaputt", only(&[DESK_LEAD], Ok(422))),
        get(DESK_STATS_CSV, "/desk/stats.csv?table=weekly", only(&[DESK_LEAD], Ok(200))),
        get(DESK_STATS_CSV, "/desk/stats.csv?table=searches", only(&[DESK_LEAD], Ok(200))),
        get(SCHOOL_STATS, "/helpdesk/stats", only(&[SCHOOL_ADMIN], Ok(200))),
        get(SCHOOL_STATS, "/helpdesk/stats?to=2026-02-30", only(&[SCHOOL_ADMIN], Ok(422))),
        get(SCHOOL_STATS_CSV, "/helpdesk/stats.csv?table=backlog", only(&[SCHOOL_ADMIN], Ok(200))),
        get(SCHOOL_STATS_CSV, "/helpdesk/stats.csv?table=searches", only(&[SCHOOL_ADMIN], NotFound)),
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
    ]
}

fn admin_rows(ids: &Ids) -> Vec<Row> {
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
        // A person's data (SPEC §9): export, deletion (confirmed by the address), the view log.
        get("/admin/users/<id>/export", format!("/admin/users/{victim}/export"), only(&op, Ok(200))),
        get("/admin/users/<id>/export", "/admin/users/999999/export", only(&op, NotFound)),
        get("/admin/users/<id>/export", "/admin/users/abc/export", only(&op, NotFound)),
        get("/admin/users/<id>/delete", format!("/admin/users/{victim}/delete"), only(&op, Ok(200))),
        get("/admin/users/<id>/delete", "/admin/users/999999/delete", only(&op, NotFound)),
        post(
            "/admin/users/<id>/delete",
            format!("/admin/users/{victim}/delete"),
            &[("email", "nicht-die-adresse@gym-b.de")],
            only(&op, Ok(422)),
        ),
        post("/admin/users/<id>/delete", "/admin/users/999999/delete", &[("email", VICTIM)], only(&op, NotFound)),
        get(
            "/admin/views?<person>&<ticket>&<page>",
            "/admin/views?person=ag&ticket=T-000001&page=2",
            only(&op, Ok(200)),
        ),
        get("/admin/views?<person>&<ticket>&<page>", "/admin/views?ticket=nichts&page=-1", only(&op, Ok(200))),
        // Mail that needs an operator; an unknown mail is not found.
        get("/admin/mail", "/admin/mail", only(&op, Ok(200))),
        post("/admin/mail/<id>/send-again", "/admin/mail/999999/send-again", &[], only(&op, NotFound)),
        post("/admin/mail/send-again-failed", "/admin/mail/send-again-failed", &[], only(&op, To("/admin/mail"))),
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
    ]
}

//! The matrix's rows for the FAQ and its authors, the JSON API, the providers' links and
//! the attachments.
use super::Expect::*;
use super::*;

pub(super) fn faq_rows() -> Vec<Row> {
    vec![
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
        get("/kb/new?<title>", "/kb/new", only(&AUTHORS, Ok(200))),
        get("/kb/new?<title>", "/kb/new?title=Beamer%20%3Cb%3E", only(&AUTHORS, Ok(200))),
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
    ]
}

pub(super) fn api_rows() -> Vec<Row> {
    vec![
        // The JSON API: bearer tokens; anonymous callers are pupils where a route allows.
        get("/api/v1/me", "/api/v1/me", api_signed_in(Ok(200))),
        get("/api/v1/services", "/api/v1/services", everyone(Ok(200))),
        get("/api/v1/providers", "/api/v1/providers", api_only(&[AGENT, DESK_LEAD, OPERATOR], Ok(200))),
        get(
            "/api/v1/kb/search?<query..>",
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
            "/api/v1/tickets?<query..>",
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
    ]
}

pub(super) fn provider_and_file_rows() -> Vec<Row> {
    vec![
        // Providers act through their emailed link alone: whoever holds it, signed in or not,
        // gets exactly the shared ticket; a wrong link gets nothing.
        get("/provider/<_>", "/provider/{provider}", everyone(Ok(200))),
        get("/provider/<_>", format!("/provider/{NO_TOKEN}"), everyone(NotFound)),
        get("/provider/<_>", "/provider/kein-link", everyone(NotFound)),
        post(
            "/provider/<_>/ack",
            "/provider/{provider}/ack",
            &[("reference", "NN-4711")],
            everyone(Under("/provider/")),
        ),
        post(
            "/provider/<_>/comment",
            "/provider/{provider}/comment",
            &[("body", "Wir melden uns.")],
            everyone(Under("/provider/")),
        ),
        post(
            "/provider/<_>/resolve",
            "/provider/{provider}/resolve",
            &[("solution", "Port getauscht.")],
            everyone(Under("/provider/")),
        ),
        post(UNROUTED, "/provider/{provider}/explode", &[], everyone(NotFound)),
        post("/provider/<_>/ack", format!("/provider/{NO_TOKEN}/ack"), &[("reference", "NN-1")], everyone(NotFound)),
        get("/api/v1/provider/<_>", "/api/v1/provider/{provider}", everyone(Ok(200))),
        get("/api/v1/provider/<_>", format!("/api/v1/provider/{NO_TOKEN}"), everyone(NotFound)),
        api_post(
            "/api/v1/provider/<_>/ack",
            "/api/v1/provider/{provider}/ack",
            r#"{"reference":"NN-4711"}"#,
            everyone(Ok(200)),
        ),
        api_post(
            "/api/v1/provider/<_>/comments",
            "/api/v1/provider/{provider}/comments",
            r#"{"body":"Wir melden uns."}"#,
            everyone(Ok(200)),
        ),
        api_post(
            "/api/v1/provider/<_>/resolve",
            "/api/v1/provider/{provider}/resolve",
            r#"{"solution":"Port getauscht."}"#,
            everyone(Ok(200)),
        ),
        api_post(
            "/api/v1/provider/<_>/ack",
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
        get("/provider/<_>/attachments/<id>", "/provider/{shared-token}/attachments/{shared-file}", everyone(Ok(200))),
        get("/provider/<_>/attachments/<id>", "/provider/{provider}/attachments/999999", everyone(NotFound)),
        get("/provider/<_>/attachments/<id>", format!("/provider/{NO_TOKEN}/attachments/1"), everyone(NotFound)),
        get(
            "/api/v1/provider/<_>/attachments/<id>",
            "/api/v1/provider/{shared-token}/attachments/{shared-file}",
            everyone(Ok(200)),
        ),
        get(
            "/api/v1/provider/<_>/attachments/<id>",
            format!("/api/v1/provider/{NO_TOKEN}/attachments/1"),
            everyone(NotFound),
        ),
        api_upload("/api/v1/provider/<_>/attachments", "/api/v1/provider/{provider}/attachments", everyone(Ok(200))),
        api_upload(
            "/api/v1/provider/<_>/attachments",
            format!("/api/v1/provider/{NO_TOKEN}/attachments"),
            everyone(NotFound),
        ),
        // What no route takes: a path segment that is no ticket number or id, an action that
        // does not exist. Each prefix answers after its pages' guard: the role first, then 404.
        get("/helpdesk/tickets/<number>", "/helpdesk/tickets/kein-ticket", only(&[SCHOOL_ADMIN], NotFound)),
        post(UNROUTED, "/helpdesk/tickets/{ticket-a}/explode", &[], only(&[SCHOOL_ADMIN], NotFound)),
        post(UNROUTED, "/reports/abc", &[], only(&[TEACHER], NotFound)),
        post(UNROUTED, "/attachments/1", &[], signed_in(NotFound)),
        get(UNROUTED, "/kb/drafts/ticket/T-000001", only(&AUTHORS, NotFound)),
        post("/kb/drafts/ticket/<ticket>", "/kb/drafts/ticket/kein-ticket", &[], only(&AUTHORS, NotFound)),
        get(UNROUTED, "/provider/{provider}/explode", everyone(NotFound)),
        get("/api/v1/tickets/<number>", "/api/v1/tickets/kein-ticket", api_signed_in(NotFound)),
    ]
}

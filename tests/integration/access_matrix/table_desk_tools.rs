//! The matrix's rows for the desk's tools: canned responses (every agent reads them and
//! their JSON, the desk lead changes them) and each agent's saved queue filters (another
//! agent's filter is not found).
use super::Expect::*;
use super::*;

/// The canned response the fixture made (the first of a fresh database).
const CANNED: &str = "1";
/// The saved filters the fixture made: the agent's first, then the desk lead's.
const AGENT_FILTER: &str = "1";
const LEAD_FILTER: &str = "2";

/// One canned response, and one saved filter each for the agent and the desk lead.
pub(super) async fn desk_tools(app: &TestApp) {
    let input = staffel::canned::CannedInput {
        trigger: "matrix".into(),
        title: "Matrix".into(),
        body: "Ein Text für die Matrix.".into(),
    };
    staffel::canned::create(app.store(), staffel::audit::By::Cli, &input).await.expect("a canned response");
    let all = staffel::tickets::queue::Filter { queue: "all".into(), ..Default::default() };
    for email in [EMAILS[AGENT], EMAILS[DESK_LEAD]] {
        let actor = app.actor(email).await;
        staffel::saved_filters::save(app.store(), &actor, "Alle", &all).await.expect("a saved filter");
    }
}

pub(super) fn desk_tool_rows() -> Vec<Row> {
    let fields = [("trigger", "matrix-{n}"), ("title", "Matrix {n}"), ("body", "Text {n}")];
    let mine_only = |owner: usize, other: usize| {
        let mut e = only(&[owner], To("/desk"));
        e[other] = NotFound;
        e
    };
    vec![
        get("/desk/canned", "/desk/canned", only(&[AGENT, DESK_LEAD], Ok(200))),
        get("/desk/canned.json?<ticket>", "/desk/canned.json", only(&[AGENT, DESK_LEAD], Ok(200))),
        get("/desk/canned.json?<ticket>", "/desk/canned.json?ticket={ticket-b}", only(&[AGENT, DESK_LEAD], Ok(200))),
        get("/desk/canned.json?<ticket>", "/desk/canned.json?ticket=T-999999", only(&[AGENT, DESK_LEAD], NotFound)),
        get("/desk/canned.json?<ticket>", "/desk/canned.json?ticket=kein-ticket", only(&[AGENT, DESK_LEAD], NotFound)),
        get("/desk/canned/<id>/edit", format!("/desk/canned/{CANNED}/edit"), only(&[DESK_LEAD], Ok(200))),
        get("/desk/canned/<id>/edit", "/desk/canned/999999/edit", only(&[DESK_LEAD], NotFound)),
        get("/desk/canned/<id>/edit", "/desk/canned/kein-text/edit", only(&[DESK_LEAD], NotFound)),
        post("/desk/canned", "/desk/canned", &fields, only(&[DESK_LEAD], Under("/desk/canned#canned-"))),
        post(
            "/desk/canned/<id>",
            format!("/desk/canned/{CANNED}"),
            &[("trigger", "matrix-edit-{n}"), ("title", "Matrix"), ("body", "Text")],
            only(&[DESK_LEAD], To("/desk/canned#canned-1")),
        ),
        post("/desk/canned/<id>", "/desk/canned/999999", &fields, only(&[DESK_LEAD], NotFound)),
        post("/desk/canned/<id>/delete", "/desk/canned/999999/delete", &[], only(&[DESK_LEAD], NotFound)),
        post(
            "/desk/canned/<id>/delete",
            format!("/desk/canned/{CANNED}/delete"),
            &[("confirm", "1")],
            only(&[DESK_LEAD], To("/desk/canned")),
        ),
        post(
            "/desk/filters",
            "/desk/filters",
            &[("name", "Matrix {n}"), ("query", "queue=new&priority=P1")],
            only(&[AGENT, DESK_LEAD], To("/desk?queue=new&priority=P1")),
        ),
        post(
            "/desk/filters/<id>/delete",
            format!("/desk/filters/{AGENT_FILTER}/delete"),
            &[],
            mine_only(AGENT, DESK_LEAD),
        ),
        post(
            "/desk/filters/<id>/delete",
            format!("/desk/filters/{LEAD_FILTER}/delete"),
            &[],
            mine_only(DESK_LEAD, AGENT),
        ),
    ]
}

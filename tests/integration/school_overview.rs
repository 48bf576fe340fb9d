//! Nothing vanishes for the school admin (issue #14 item 3): `/helpdesk/all` lists every
//! report and ticket of their school — and nothing of another — with state filters, a
//! search and pages; the tile keeps closed tickets apart from open ones and counts new
//! reports and answers waiting.
use crate::common::{Backend, Browser, TestApp, PASSWORD};
use rocket::http::Status;

/// What the school has, by title: one of each kind of row the list shows.
struct School {
    new_report: i32,
    answered_report: i32,
    escalated_report: i32,
    /// From the escalated report; still new at the desk.
    from_report: String,
    asked: String,
    resolved: String,
    closed: String,
}

async fn setup(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.school("gs").await;
    app.user_named("lehrer@gym.de", "Friederike Weber", "teacher", "gym", "de").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("lehrer@gs.de", "teacher", "gs"),
        ("admin@gs.de", "school_admin", "gs"),
        ("agent@desk.de", "agent", ""),
    ])
    .await;
    app
}

async fn report(teacher: &mut Browser<'_>, affected: &str) -> i32 {
    let fields =
        [("affected", affected), ("since", "heute"), ("how_many", "eine Klasse"), ("description", "Geht nicht.")];
    let filed = teacher.post_form("/reports", &fields).await;
    assert_eq!(filed.status, Status::SeeOther, "{}", filed.body);
    filed.location.unwrap().trim_start_matches("/reports/").parse().unwrap()
}

fn ticket_json(title: &str) -> String {
    serde_json::json!({ "title": title, "description": "Bitte prüfen.", "service": "printing" }).to_string()
}

/// School gym with a row of every kind, and school gs with a report and a ticket whose
/// titles share gym's words (they must never show at gym).
async fn fill(app: &TestApp) -> School {
    let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
    let mut admin = app.login("admin@gym.de", PASSWORD).await;
    let new_report = report(&mut teacher, "Drucker Lehrerzimmer Papierstau").await;
    let answered_report = report(&mut teacher, "Beamer Raum 112 flackert").await;
    let escalated_report = report(&mut teacher, "WLAN Neubau weg").await;
    let answered = admin
        .post_form(&format!("/helpdesk/reports/{answered_report}/answer"), &[("answer", "Kabel getauscht.")])
        .await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
    let escalated = admin
        .post_form(
            &format!("/helpdesk/reports/{escalated_report}/escalate"),
            &[
                ("triage_scope", "school"),
                ("triage_fault_type", "unknown"),
                ("service", "wifi"),
                ("title", "WLAN im Neubau ausgefallen"),
            ],
        )
        .await;
    assert_eq!(escalated.status, Status::SeeOther, "{}", escalated.body);
    let from_report = escalated.location.unwrap().trim_start_matches("/helpdesk/tickets/").to_string();
    let school = app.token("admin@gym.de").await;
    let desk = app.token("agent@desk.de").await;
    let asked = app.open_ticket(&school, &ticket_json("Kopierer Erdgeschoss zieht nicht ein")).await;
    let resolved = app.open_ticket(&school, &ticket_json("Tonerwechsel Farbdrucker")).await;
    let closed = app.open_ticket(&school, &ticket_json("Scanner Sekretariat")).await;
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    let ask = agent.post_form(&format!("/desk/tickets/{asked}/ask"), &[("body", "Welches Fach?")]).await;
    assert_eq!(ask.status, Status::SeeOther, "{}", ask.body);
    app.resolve_ticket(&desk, &resolved, "Toner getauscht.").await;
    app.resolve_ticket(&desk, &closed, "Treiber neu.").await;
    let done = agent.post_form(&format!("/desk/tickets/{closed}/close"), &[]).await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);

    let mut other_teacher = app.login("lehrer@gs.de", PASSWORD).await;
    report(&mut other_teacher, "Fremder Drucker Grundschule").await;
    let other = app.token("admin@gs.de").await;
    app.open_ticket(&other, &ticket_json("Fremdes Drucker-Ticket Grundschule")).await;
    School { new_report, answered_report, escalated_report, from_report, asked, resolved, closed }
}

/// The links of the list's rows, in order.
fn rows(page: &str) -> Vec<String> {
    let body = &page[page.find("<tbody>").expect("the list")..page.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .filter_map(|row| row.split("href=\"").nth(1)?.split('"').next().map(str::to_string))
        .collect()
}

fn report_link(id: i32) -> String {
    format!("/helpdesk/reports/{id}")
}

fn ticket_link(number: &str) -> String {
    format!("/helpdesk/tickets/{number}")
}

both_dbs!(
    async fn the_list_holds_every_report_and_ticket_of_the_school_and_nothing_of_another(backend: Backend) {
        let app = setup(&backend).await;
        let s = fill(&app).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let page = admin.get("/helpdesk/all").await;
        assert_eq!(page.status, Status::Ok);
        let listed = rows(&page.body);
        let expected = [
            report_link(s.new_report),
            report_link(s.answered_report),
            ticket_link(&s.from_report),
            ticket_link(&s.asked),
            ticket_link(&s.resolved),
            ticket_link(&s.closed),
        ];
        for link in &expected {
            assert!(listed.contains(link), "{link} is listed: {listed:?}");
        }
        assert_eq!(listed.len(), expected.len(), "one row each, the escalated report as its ticket: {listed:?}");
        assert!(!page.body.contains("Fremd"), "another school's rows never show");
        assert!(page.body.contains(&report_link(s.escalated_report)), "the ticket links its report");
        assert!(page.body.contains("Friederike Weber"), "who reported it");
        let mut other = app.login("admin@gs.de", PASSWORD).await;
        let theirs = other.get("/helpdesk/all").await.body;
        assert_eq!(rows(&theirs).len(), 2, "{theirs}");
        assert!(!theirs.contains("Lehrerzimmer") && !theirs.contains("Weber"));
    }
);

both_dbs!(
    async fn state_filters_narrow_the_list(backend: Backend) {
        let app = setup(&backend).await;
        let s = fill(&app).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let cases: [(&str, Vec<String>); 6] = [
            ("new", vec![report_link(s.new_report)]),
            ("answered", vec![report_link(s.answered_report)]),
            ("waiting", vec![ticket_link(&s.asked), ticket_link(&s.resolved)]),
            ("desk", vec![ticket_link(&s.from_report)]),
            ("closed", vec![ticket_link(&s.closed)]),
            (
                "open",
                vec![
                    report_link(s.new_report),
                    ticket_link(&s.from_report),
                    ticket_link(&s.asked),
                    ticket_link(&s.resolved),
                ],
            ),
        ];
        for (state, expected) in cases {
            let page = admin.get(&format!("/helpdesk/all?state={state}")).await;
            assert_eq!(page.status, Status::Ok, "{state}");
            let mut listed = rows(&page.body);
            let mut expected = expected.clone();
            listed.sort();
            expected.sort();
            assert_eq!(listed, expected, "state {state}");
            assert!(page.body.contains(&format!("state={state}\" aria-current=\"page\"")), "the filter is marked");
        }
    }
);

both_dbs!(
    async fn the_search_finds_by_title_ignoring_case_and_by_ticket_number(backend: Backend) {
        let app = setup(&backend).await;
        let s = fill(&app).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let found = rows(&admin.get("/helpdesk/all?q=drucker").await.body);
        assert_eq!(
            found,
            vec![ticket_link(&s.resolved), report_link(s.new_report)],
            "Farbdrucker and Drucker, not gs's"
        );
        let by_number = rows(&admin.get(&format!("/helpdesk/all?q={}", s.asked)).await.body);
        assert_eq!(by_number, vec![ticket_link(&s.asked)]);
        let narrowed = rows(&admin.get("/helpdesk/all?q=drucker&state=new").await.body);
        assert_eq!(narrowed, vec![report_link(s.new_report)]);
        for odd in ["100%25", "_", "%27%20OR%201%3D1%20--", "%5C"] {
            let page = admin.get(&format!("/helpdesk/all?q={odd}")).await;
            assert_eq!(page.status, Status::Ok, "{odd}");
            assert!(rows(&page.body).is_empty(), "{odd} is searched for as typed: {:?}", rows(&page.body));
        }
        let kept = admin.get("/helpdesk/all?q=Scanner").await.body;
        assert!(kept.contains("value=\"Scanner\""), "the search stays in its field");
    }
);

both_dbs!(
    async fn the_list_comes_in_pages(backend: Backend) {
        let app = setup(&backend).await;
        for n in 0..27 {
            app.file_report("lehrer@gym.de", &format!("Meldung {n}")).await;
        }
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let first = admin.get("/helpdesk/all").await.body;
        assert_eq!(rows(&first).len(), 25);
        assert!(first.contains("page=2\" rel=\"next\"") && !first.contains("rel=\"prev\""), "{first}");
        let second = admin.get("/helpdesk/all?page=2").await.body;
        assert_eq!(rows(&second).len(), 2);
        assert!(second.contains("page=1\" rel=\"prev\"") && !second.contains("rel=\"next\""));
        let mut all = rows(&first);
        all.extend(rows(&second));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 27, "every report on exactly one page");
        let beyond = admin.get("/helpdesk/all?page=9").await;
        assert_eq!(beyond.status, Status::Ok);
        assert!(rows(&beyond.body).is_empty() && beyond.body.contains("Nichts gefunden."));
    }
);

both_dbs!(
    async fn bad_input_on_the_list_gets_a_message(backend: Backend) {
        let app = setup(&backend).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let long = "x".repeat(201);
        let cases = [
            ("state=mars".to_string(), "Den Filter „mars“ gibt es nicht."),
            ("state=%00".to_string(), "gibt es nicht"),
            (format!("q={long}"), "Höchstens 200 Zeichen."),
            ("q=Beamer%07".to_string(), "Steuerzeichen sind hier nicht erlaubt."),
            ("page=0".to_string(), "Erlaubt ist 1–100000."),
            ("page=abc".to_string(), "Erlaubt ist 1–100000."),
            ("page=-1".to_string(), "Erlaubt ist 1–100000."),
            ("page=99999999999999999999".to_string(), "Erlaubt ist 1–100000."),
        ];
        for (query, message) in cases {
            let page = admin.get(&format!("/helpdesk/all?{query}")).await;
            assert_eq!(page.status, Status::UnprocessableEntity, "{query}");
            assert!(page.body.contains(message), "{query}: {}", page.body);
            assert!(page.body.contains("name=\"q\""), "the search form is there to correct it");
        }
    }
);

both_dbs!(
    async fn the_tile_counts_new_reports_and_answers_waiting(backend: Backend) {
        let app = setup(&backend).await;
        fill(&app).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let tile = admin.get("/helpdesk").await.body;
        assert!(tile.contains("<span class=\"count\" id=\"count-new-reports\">1</span>"), "{tile}");
        assert!(tile.contains("<span class=\"count\" id=\"count-waiting\">2</span>"), "asked and resolved");
        assert!(tile.contains("href=\"/helpdesk/all?state=waiting\""));
        let mut other = app.login("admin@gs.de", PASSWORD).await;
        let theirs = other.get("/helpdesk").await.body;
        assert!(
            theirs.contains("id=\"count-new-reports\">1</span>") && theirs.contains("id=\"count-waiting\">0</span>")
        );
    }
);

both_dbs!(
    async fn the_tile_lists_closed_tickets_apart_from_open_ones(backend: Backend) {
        let app = setup(&backend).await;
        let s = fill(&app).await;
        let mut admin = app.login("admin@gym.de", PASSWORD).await;
        let tile = admin.get("/helpdesk").await.body;
        let section = |id: &str| {
            let start = tile.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id}: {tile}"));
            tile[start..start + tile[start..].find("</ul>").unwrap()].to_string()
        };
        let open = section("open-tickets");
        for number in [&s.from_report, &s.asked, &s.resolved] {
            assert!(open.contains(number.as_str()), "{number} is open: {open}");
        }
        assert!(!open.contains(s.closed.as_str()), "a closed ticket is not under the open ones");
        assert!(open.find(s.asked.as_str()) < open.find(s.from_report.as_str()), "waiting for the school comes first");
        assert!(section("closed-tickets").contains(s.closed.as_str()));
        assert!(tile.contains("href=\"/helpdesk/all\""), "everything is one click away");
    }
);

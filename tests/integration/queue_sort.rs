//! The desk queue's sort orders (#14 item 7): each lists its tickets in its order, and
//! paging through it a few at a time yields every ticket once, in that order, with tickets
//! of equal keys and without a due time among them. An unknown order and a cursor of
//! another order are refused by name; a saved filter keeps its order; the queue's column
//! headers link the orders and mark the current one.
use std::cmp::Ordering;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rocket::http::Status;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use staffel::i18n::Lang;
use staffel::tickets::queue::{self, Filter};

use crate::common::{encode, ticket_id, ticket_number, Backend, TestApp, PASSWORD};

const AGENT: &str = "agent@desk.de";
const ADMIN: &str = "admin@gym.de";
const SORTS: [&str; 8] = ["updated", "-updated", "created", "-created", "due", "-due", "priority", "-priority"];

fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap() + Duration::hours(hours)
}

/// One ticket's stored facts: created (hours), priority, status, first response due,
/// first response given, resolution due, last change (hours).
type Shape = (i64, &'static str, &'static str, Option<i64>, bool, Option<i64>, i64);

/// Ten tickets with ties in every key: two created at each hour, three due at +30 h, four
/// without a due time (none set, or no longer worked on), the same priority several times.
const SHAPES: [Shape; 10] = [
    (0, "P3", "open", Some(10), false, Some(50), 5),
    (0, "P1", "open", None, false, Some(30), 5),
    (1, "P1", "new", Some(30), false, Some(40), 6),
    // Answered: the resolution's due time is the one left.
    (1, "P2", "open", Some(5), true, Some(20), 6),
    (2, "P4", "open", None, false, None, 7),
    (2, "P2", "resolved", Some(3), false, Some(8), 7),
    (3, "P1", "closed", Some(3), false, Some(8), 8),
    // The resolution due before the first response: the earlier one counts.
    (3, "P3", "waiting_on_school", Some(60), false, Some(45), 8),
    (4, "P2", "at_provider", None, false, Some(30), 9),
    (4, "P4", "new", None, false, None, 9),
];

/// A school's admin, an agent, and the ten tickets, shaped behind Staffel's back.
async fn desk(backend: &Backend) -> (TestApp, Vec<String>) {
    let app = TestApp::new(backend).await;
    app.school("gym").await;
    app.users(&[(ADMIN, "school_admin", "gym"), (AGENT, "agent", "")]).await;
    let school = app.token(ADMIN).await;
    let mut numbers = Vec::new();
    for (n, shape) in SHAPES.iter().enumerate() {
        let number = app.open_ticket(&school, &format!(r#"{{"title":"Problem {n}","description":"Details"}}"#)).await;
        shape_ticket(&app, ticket_id(&number), shape).await;
        numbers.push(number);
    }
    (app, numbers)
}

async fn shape_ticket(app: &TestApp, id: i32, &(created, priority, status, first_due, answered, due, changed): &Shape) {
    use entities::ticket::Column;
    entities::ticket::Entity::update_many()
        .col_expr(Column::CreatedAt, Expr::value(at(created)))
        .col_expr(Column::Priority, Expr::value(priority))
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::FirstResponseDue, Expr::value(first_due.map(at)))
        .col_expr(Column::FirstResponseAt, Expr::value(answered.then(|| at(created + 1))))
        .col_expr(Column::ResolutionDue, Expr::value(due.map(at)))
        .col_expr(Column::UpdatedAt, Expr::value(at(changed)))
        .filter(Column::Id.eq(id))
        .exec(app.db())
        .await
        .expect("shape a ticket");
}

/// The order a sort promises, worked out from the stored tickets here: the key in its
/// direction, the id in the same direction, tickets without a due time last.
async fn expected(app: &TestApp, sort: &str, active_only: bool) -> Vec<String> {
    let mut tickets = entities::ticket::Entity::find().all(app.db()).await.expect("tickets");
    tickets.retain(|t| !active_only || t.status.is_active());
    let (reversed, key) = sort.strip_prefix('-').map_or((false, sort), |k| (true, k));
    tickets.sort_by(|a, b| {
        let due = |t: &entities::ticket::Model| staffel::tickets::view::next_due(t);
        let undated_last = match key {
            "due" => due(a).is_none().cmp(&due(b).is_none()),
            _ => Ordering::Equal,
        };
        let ascending = match key {
            "updated" => a.updated_at.cmp(&b.updated_at).reverse().then(a.id.cmp(&b.id).reverse()),
            "created" => a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)),
            "due" => due(a).cmp(&due(b)).then(a.id.cmp(&b.id)),
            "priority" => a.priority.cmp(&b.priority).then(a.created_at.cmp(&b.created_at)).then(a.id.cmp(&b.id)),
            _ => unreachable!("{key}"),
        };
        undated_last.then(if reversed { ascending.reverse() } else { ascending })
    });
    tickets.iter().map(|t| ticket_number(t.id)).collect()
}

/// Every ticket of the queue in this order, two at a time through the cursor.
async fn paged(app: &TestApp, queue_name: &str, sort: &str) -> Vec<String> {
    let agent = app.actor(AGENT).await;
    let mut filter = Filter { queue: queue_name.into(), sort: sort.into(), limit: Some(2), ..Default::default() };
    let mut numbers = Vec::new();
    for _ in 0..20 {
        let page = queue::page(app.db(), &agent, &filter).await.expect("a page");
        assert!(page.items.len() <= 2);
        numbers.extend(page.items.iter().map(|t| t.number.clone()));
        match page.next {
            Some(next) => filter.after = next,
            None => return numbers,
        }
    }
    panic!("{queue_name} sorted by {sort} does not end: {numbers:?}");
}

both_dbs!(
    async fn every_order_lists_each_ticket_once_in_its_order_page_by_page(backend: Backend) {
        let (app, numbers) = desk(&backend).await;
        for sort in SORTS {
            let all = paged(&app, "all", sort).await;
            assert_eq!(all, expected(&app, sort, false).await, "all tickets sorted by {sort}");
            assert_eq!(all.len(), numbers.len(), "{sort}: every ticket");
            let open = paged(&app, "open", sort).await;
            assert_eq!(open, expected(&app, sort, true).await, "open tickets sorted by {sort}");
        }
    }
);

both_dbs!(
    async fn the_orders_put_the_tickets_as_the_desk_expects(backend: Backend) {
        let (app, n) = desk(&backend).await;
        let order = |list: Vec<String>| list.iter().map(|x| n.iter().position(|y| y == x).unwrap()).collect::<Vec<_>>();
        // Due: +10 h, +20 h, three at +30 h by number, +45 h, then those without one by number.
        assert_eq!(order(paged(&app, "all", "due").await), [0, 3, 1, 2, 8, 7, 4, 5, 6, 9]);
        assert_eq!(order(paged(&app, "all", "-due").await), [7, 8, 2, 1, 3, 0, 9, 6, 5, 4]);
        // Age: oldest first; within one hour by number.
        assert_eq!(order(paged(&app, "all", "created").await), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(order(paged(&app, "all", "-created").await), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        // Priority: P1 first, the oldest first within one.
        assert_eq!(order(paged(&app, "all", "priority").await), [1, 2, 6, 3, 5, 8, 0, 7, 4, 9]);
        // The default: newest change first, as before.
        assert_eq!(order(paged(&app, "all", "").await), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    }
);

both_dbs!(
    async fn the_json_queue_sorts_and_pages_for_the_desk_and_a_school(backend: Backend) {
        let (app, _) = desk(&backend).await;
        for (email, sort) in [(AGENT, "due"), (AGENT, "-priority"), (ADMIN, "due"), (ADMIN, "created")] {
            let token = app.token(email).await;
            let mut seen = Vec::new();
            let mut after = String::new();
            for _ in 0..20 {
                let query = encode(&[("queue", "all"), ("sort", sort), ("limit", "3"), ("after", &after)]);
                let page = app.api_get(Some(&token), &format!("/api/v1/tickets?{query}")).await;
                assert_eq!(page.status, Status::Ok, "{email} {sort}: {}", page.body);
                let json = page.json();
                seen.extend(
                    json["items"].as_array().unwrap().iter().map(|t| t["number"].as_str().unwrap().to_string()),
                );
                match json["next"].as_str() {
                    Some(next) => after = next.to_string(),
                    None => break,
                }
            }
            assert_eq!(seen, expected(&app, sort, false).await, "{email} sorted by {sort}");
        }
    }
);

both_dbs!(
    async fn an_unknown_order_and_a_cursor_of_another_are_refused_by_name(backend: Backend) {
        let (app, _) = desk(&backend).await;
        let token = app.token(AGENT).await;
        let first = app.api_get(Some(&token), "/api/v1/tickets?sort=due&limit=2").await.json();
        let due_cursor = first["next"].as_str().expect("a second page").to_string();
        let updated = app.api_get(Some(&token), "/api/v1/tickets?limit=2").await.json();
        let updated_cursor = updated["next"].as_str().expect("a second page").to_string();
        let cases = [
            ("sort=size".to_string(), "sort", "tickets.sort_invalid", String::new()),
            ("sort=--due".to_string(), "sort", "tickets.sort_invalid", String::new()),
            ("sort=".to_string(), "sort", "validation.param_invalid", String::new()),
            ("sort=due&sort=created".to_string(), "sort", "validation.param_repeated", String::new()),
            (
                format!("sort=created&{}", encode(&[("after", &due_cursor)])),
                "after",
                "tickets.cursor_other_sort",
                "created".into(),
            ),
            (
                format!("sort=due&{}", encode(&[("after", &updated_cursor)])),
                "after",
                "tickets.cursor_other_sort",
                "due".into(),
            ),
            (encode(&[("after", &due_cursor)]), "after", "tickets.cursor_other_sort", "updated".into()),
            ("sort=due&after=due_kaputt_3".to_string(), "after", "tickets.cursor_invalid", String::new()),
        ];
        for (query, field, key, arg) in cases {
            let reply = app.api_get(Some(&token), &format!("/api/v1/tickets?{query}")).await;
            assert_eq!(reply.status, Status::UnprocessableEntity, "{query}: {}", reply.body);
            assert_eq!(reply.json()["error"]["field"], field, "{query}: {}", reply.body);
            let message = staffel::i18n::tr_arg(Lang::De, key, &arg);
            assert_eq!(reply.json()["error"]["message"], message.as_str(), "{query}");
        }
        // The page says so too, and lists nothing.
        let mut agent = app.login(AGENT, PASSWORD).await;
        let page = agent.get("/desk?queue=all&sort=size").await;
        assert_eq!(page.status, Status::UnprocessableEntity);
        assert!(
            page.body.contains(&crate::common::html_message(Lang::De, "tickets.sort_invalid", "")),
            "{}",
            page.body
        );
        assert!(!page.body.contains("/desk/tickets/T-"), "no rows");
    }
);

both_dbs!(
    async fn a_saved_filter_keeps_its_order(backend: Backend) {
        let (app, _) = desk(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let saved = agent
            .post_form("/desk/filters", &[("name", "Fällig zuerst"), ("query", "queue=open&sort=due&priority=P1")])
            .await;
        assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
        assert_eq!(saved.location.as_deref(), Some("/desk?queue=open&priority=P1&sort=due"));
        let stored = entities::saved_filter::Entity::find().all(app.db()).await.unwrap();
        assert_eq!(stored[0].query, "queue=open&priority=P1&sort=due");
        // The default order is no parameter; an unknown one is refused and nothing is saved.
        let default =
            agent.post_form("/desk/filters", &[("name", "Neueste"), ("query", "queue=new&sort=updated")]).await;
        assert_eq!(default.location.as_deref(), Some("/desk?queue=new"));
        let refused = agent.post_form("/desk/filters", &[("name", "Kaputt"), ("query", "queue=new&sort=size")]).await;
        assert_eq!(refused.status, Status::UnprocessableEntity);
        assert_eq!(entities::saved_filter::Entity::find().all(app.db()).await.unwrap().len(), 2);
    }
);

both_dbs!(
    async fn the_column_headers_link_the_orders_and_mark_the_current_one(backend: Backend) {
        let (app, n) = desk(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let page = agent.get("/desk?queue=all&priority=P1&sort=due").await;
        assert_eq!(page.status, Status::Ok, "{}", page.body);
        let body = &page.body;
        assert_eq!(body.matches("aria-sort=").count(), 1, "one sorted column");
        assert!(
            body.contains(
                r#"class="col-due" aria-sort="ascending"><a href="/desk?queue=all&amp;priority=P1&amp;sort=-due""#
            ),
            "{body}"
        );
        // The others sort by themselves, keeping the filters and starting again at the top.
        assert!(body.contains(r#"<a href="/desk?queue=all&amp;priority=P1&amp;sort=priority""#));
        assert!(body.contains(r#"<a href="/desk?queue=all&amp;priority=P1&amp;sort=created""#));
        assert!(body.contains(r#"<a href="/desk?queue=all&amp;priority=P1">"#), "the default order is no parameter");
        // The filter form keeps the order, and the rows are in it: P1 tickets by due time.
        assert!(body.contains(r#"<input type="hidden" name="sort" value="due">"#));
        let rows: Vec<usize> = n
            .iter()
            .enumerate()
            .filter_map(|(i, x)| body.find(&format!(">{x}<")).map(|at| (at, i)))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_values()
            .collect();
        assert_eq!(rows, [1, 2, 6], "{body}");
        // Sorted by age, oldest first, the ages descend; reversed, they ascend.
        let by_age = agent.get("/desk?queue=all&sort=created").await.body;
        assert!(by_age.contains(r#"class="col-age" aria-sort="descending""#));
        assert!(by_age.contains(r#"href="/desk?queue=all&amp;sort=-created""#));
        let newest = agent.get("/desk?queue=all&sort=-created").await.body;
        assert!(newest.contains(r#"class="col-age" aria-sort="ascending""#));
        let default = agent.get("/desk?queue=all").await.body;
        assert!(default.contains(r#"class="col-updated" aria-sort="descending""#), "newest change first");
    }
);

both_dbs!(
    async fn the_next_page_link_keeps_the_order(backend: Backend) {
        let (app, _) = desk(&backend).await;
        let mut agent = app.login(AGENT, PASSWORD).await;
        let page = agent.get("/desk?queue=all&sort=priority&limit=3").await;
        let start = page.body.find("&amp;sort=priority&amp;after=").expect("a next link with the order");
        let href = &page.body[page.body[..start].rfind("href=\"").unwrap() + 6..];
        let href = href[..href.find('"').unwrap()].replace("&amp;", "&");
        let second = agent.get(&format!("{href}&limit=3")).await;
        assert_eq!(second.status, Status::Ok, "{href}: {}", second.body);
        let expected = expected(&app, "priority", false).await;
        let first_of_second = second.body.find(&format!(">{}<", expected[3])).expect("the fourth ticket on page two");
        assert!(second.body.find(&format!(">{}<", expected[4])).unwrap() > first_of_second);
        assert!(!second.body.contains(&format!(">{}<", expected[2])), "page one's last is not repeated");
    }
);

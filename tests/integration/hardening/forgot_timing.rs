//! Asking for a reset link takes as long for an address with an account as for one
//! without: the answer's timing tells nobody which addresses have accounts.
use std::time::{Duration, Instant};

use crate::common::{Backend, TestApp};
use rocket::http::Status;

/// How long each of `n` requests for this address took, sorted.
async fn timings(app: &TestApp, email: &str, n: usize) -> Vec<Duration> {
    let mut browser = app.browser();
    browser.get("/password/forgot").await;
    let mut took = Vec::new();
    for _ in 0..n {
        let started = Instant::now();
        let reply = browser.post_form("/password/forgot", &[("email", email)]).await;
        took.push(started.elapsed());
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
        assert!(reply.body.contains("ist eine E-Mail mit einem Link unterwegs"), "{}", reply.body);
    }
    took.sort();
    took
}

both_dbs!(
    async fn asking_for_a_reset_link_takes_as_long_for_unknown_addresses(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("t@desk.de", "agent", "").await;
        // The known address records a reset for the first three (the hourly limit), then
        // only counts: either way more work than an unknown address.
        let known = timings(&app, "t@desk.de", 5).await;
        let unknown = timings(&app, "niemand@desk.de", 5).await;
        let floor = staffel::accounts::reset::ANSWER_AFTER;
        assert!(known[0] >= floor && unknown[0] >= floor, "both wait: known {known:?}, unknown {unknown:?}");
        let gap = known[2].abs_diff(unknown[2]);
        assert!(gap < Duration::from_millis(50), "median known {known:?} vs unknown {unknown:?}");
        assert_eq!(app.mails_to("t@desk.de").await.len(), 3, "the known address got its links");
    }
);

//! One helpful vote per reader and article: an account, or a browser for anonymous pupils.
//! Rating again changes one's vote instead of adding another.
use crate::common;

use crate::common::{article_by_slug, Backend, TestApp, PASSWORD};
use rocket::http::Status;

const ARTICLE: &str = "wlan-verbinden-schueler";

async fn counts(app: &TestApp) -> (i32, i32) {
    let article = article_by_slug(app, ARTICLE).await;
    (article.helpful, article.not_helpful)
}

async fn rate(browser: &mut common::Browser<'_>, helpful: &str) {
    let rated = browser.post_form(&format!("/kb/{ARTICLE}/rate"), &[("helpful", helpful)]).await;
    assert_eq!(rated.status, Status::SeeOther, "{}", rated.body);
}

both_dbs!(
    async fn a_signed_in_reader_counts_once_per_article(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.users(&[("t@gym.de", "teacher", "gym"), ("p@gym.de", "pupil", "gym")]).await;
        let before = counts(&app).await;
        let mut teacher = app.login("t@gym.de", PASSWORD).await;
        for _ in 0..3 {
            rate(&mut teacher, "yes").await;
        }
        assert_eq!(counts(&app).await, (before.0 + 1, before.1), "three clicks, one vote");
        rate(&mut teacher, "no").await;
        assert_eq!(counts(&app).await, (before.0, before.1 + 1), "a changed mind moves the vote");
        // The same account in another browser is the same reader.
        rate(&mut app.login("t@gym.de", PASSWORD).await, "no").await;
        assert_eq!(counts(&app).await, (before.0, before.1 + 1));
        rate(&mut app.login("p@gym.de", PASSWORD).await, "yes").await;
        assert_eq!(counts(&app).await, (before.0 + 1, before.1 + 1), "another reader counts");
    }
);

both_dbs!(
    async fn an_anonymous_browser_counts_once_per_article(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let before = counts(&app).await;
        let mut pupil = app.browser();
        for _ in 0..3 {
            rate(&mut pupil, "yes").await;
        }
        assert_eq!(counts(&app).await, (before.0 + 1, before.1), "three clicks, one vote");
        rate(&mut app.browser(), "yes").await;
        assert_eq!(counts(&app).await, (before.0 + 2, before.1), "another browser counts");
    }
);

both_dbs!(
    #[worker_threads(4)]
    async fn votes_of_one_reader_sent_at_once_count_once(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.user("t@gym.de", "teacher", "gym").await;
        let before = counts(&app).await;
        let teacher = app.login("t@gym.de", PASSWORD).await;
        let body = teacher.form_body(&[("helpful", "yes")]);
        let cookies: Vec<_> = teacher.cookies.values().cloned().collect();
        let requests = (0..8).map(|_| {
            app.client
                .post(format!("/kb/{ARTICLE}/rate"))
                .header(rocket::http::ContentType::Form)
                .cookies(cookies.clone())
                .body(body.clone())
                .dispatch()
        });
        for response in rocket::futures::future::join_all(requests).await {
            assert_eq!(response.status(), Status::SeeOther);
        }
        assert_eq!(counts(&app).await, (before.0 + 1, before.1));
    }
);

//! A `next` that is not a valid URI after a login or a language switch: the start page
//! instead, never a 500.
use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::Status;

const NOT_URIS: [&str; 4] = ["/ä", "/ /x", "/\"", "/a<b>"];

both_dbs!(
    async fn login_with_a_next_that_is_no_uri_goes_to_the_start_page(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("o@op.de", "operator", "").await;
        for next in NOT_URIS {
            let mut browser = app.browser();
            let reply =
                browser.post_form("/login", &[("email", "o@op.de"), ("password", PASSWORD), ("next", next)]).await;
            assert_eq!(reply.status, Status::SeeOther, "next={next}: {}", reply.body);
            assert_eq!(reply.location.as_deref(), Some("/admin"), "next={next}");
            assert_eq!(browser.get("/admin").await.status, Status::Ok, "next={next}: signed in");
        }
        // A valid local next is still followed.
        let mut browser = app.browser();
        let reply = browser
            .post_form("/login", &[("email", "o@op.de"), ("password", PASSWORD), ("next", "/account?x=%C3%A4")])
            .await;
        assert_eq!(reply.location.as_deref(), Some("/account?x=%C3%A4"));
    }
);

both_dbs!(
    async fn language_switch_with_a_next_that_is_no_uri_goes_home(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("o@op.de", "operator", "").await;
        for mut browser in [app.browser(), app.login("o@op.de", PASSWORD).await] {
            for next in NOT_URIS {
                let reply = browser.post_form("/language", &[("lang", "en"), ("next", next)]).await;
                assert_eq!(reply.status, Status::SeeOther, "next={next}: {}", reply.body);
                assert_eq!(reply.location.as_deref(), Some("/"), "next={next}");
            }
        }
    }
);

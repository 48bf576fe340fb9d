//! Signing in again in the same browser ends the session the browser had: a copy of the
//! earlier cookie stops working at once.
use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::Status;

both_dbs!(
    async fn logging_in_again_ends_the_earlier_session_of_that_browser(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.users(&[("o@op.de", "operator", ""), ("zwei@op.de", "operator", "")]).await;
        let mut browser = app.login("o@op.de", PASSWORD).await;
        let mut earlier = browser.fork();
        assert_eq!(earlier.get("/admin").await.status, Status::Ok);

        let again = browser.post_form("/login", &[("email", "o@op.de"), ("password", PASSWORD)]).await;
        assert_eq!(again.status, Status::SeeOther, "{}", again.body);
        assert_eq!(browser.get("/admin").await.status, Status::Ok, "the new session works");
        let old = earlier.get("/admin").await;
        assert_eq!(old.status, Status::SeeOther, "the earlier cookie no longer signs in");
        assert!(old.location.as_deref().is_some_and(|l| l.starts_with("/login")), "{old:?}");

        // Signing in as someone else in that browser ends the first person's session too.
        let mut before_switch = browser.fork();
        let other = browser.post_form("/login", &[("email", "zwei@op.de"), ("password", PASSWORD)]).await;
        assert_eq!(other.status, Status::SeeOther, "{}", other.body);
        assert_eq!(before_switch.get("/admin").await.status, Status::SeeOther);
        assert!(browser.get("/account").await.body.contains("zwei@op.de"));
    }
);

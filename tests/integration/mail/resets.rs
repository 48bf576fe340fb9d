//! Reset links: a reset kills the account's older links; the public form cannot flood an
//! inbox; unknown addresses get the same answer and no mail.
use super::mime::{reset_link, Mime};
use super::{request_reset_by_form, smtp_app, user_with_language};
use crate::common::{Backend, SmtpServer, TestApp};
use rocket::http::Status;

async fn links_from_the_outbox(app: &TestApp) -> Vec<String> {
    assert_eq!(app.deliver_mail().await.failed, 0);
    app.outbox_files().iter().map(|raw| reset_link(Mime::parse(raw.as_bytes()).part("text/plain"))).collect()
}

both_dbs!(
    async fn a_reset_ends_the_older_links(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        user_with_language(&app, "lehrer@gym.de", "de").await;
        request_reset_by_form(&app, "lehrer@gym.de").await;
        request_reset_by_form(&app, "lehrer@gym.de").await;
        let links = links_from_the_outbox(&app).await;
        assert_eq!(links.len(), 2);
        assert_ne!(links[0], links[1]);
        for link in &links {
            assert_eq!(app.browser().get(link).await.status, Status::Ok, "both links work at first");
        }
        let mut browser = app.browser();
        browser.get(&links[1]).await;
        let new_password = "ein-ganz-neues-passwort";
        let done = browser.post_form(&links[1], &[("new", new_password), ("confirm", new_password)]).await;
        assert_eq!(done.status, Status::SeeOther, "{}", done.body);
        // The older mail's link is dead now: it cannot set another password.
        let mut attacker = app.browser();
        assert_eq!(attacker.get(&links[0]).await.status, Status::Gone);
        attacker.get("/login").await;
        let late =
            attacker.post_form(&links[0], &[("new", "noch-ein-passwort!"), ("confirm", "noch-ein-passwort!")]).await;
        assert_eq!(late.status, Status::Gone);
        app.login("lehrer@gym.de", new_password).await;
    }
);

both_dbs!(
    async fn the_public_form_cannot_flood_an_inbox(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
        app.school("gym").await;
        user_with_language(&app, "lehrer@gym.de", "de").await;
        user_with_language(&app, "andere@gym.de", "de").await;
        for _ in 0..(staffel::accounts::reset::MAILS_PER_HOUR + 4) {
            // The page says the same every time.
            request_reset_by_form(&app, "lehrer@gym.de").await;
        }
        request_reset_by_form(&app, "niemand@gym.de").await;
        request_reset_by_form(&app, "andere@gym.de").await;
        app.deliver_mail().await;
        let messages = smtp.messages();
        let to = |addr: &str| messages.iter().filter(|m| m.to == vec![addr.to_string()]).count();
        assert_eq!(to("lehrer@gym.de") as u64, staffel::accounts::reset::MAILS_PER_HOUR);
        assert_eq!(to("andere@gym.de"), 1, "other accounts are not affected");
        assert_eq!(to("niemand@gym.de"), 0);
        assert_eq!(messages.len() as u64, staffel::accounts::reset::MAILS_PER_HOUR + 1);
    }
);

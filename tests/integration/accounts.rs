//! Signing in and out, sessions, language, password change and reset, throttling.
use crate::common;

use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::Status;

both_dbs!(
    async fn login_lands_each_role_on_its_start_page(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        let cases = [
            ("p@gym.de", "pupil", "gym", "/faq"),
            ("t@gym.de", "teacher", "gym", "/faq"),
            ("a@gym.de", "school_admin", "gym", "/helpdesk"),
            ("ag@desk.de", "agent", "", "/desk"),
            ("l@desk.de", "desk_lead", "", "/desk"),
            ("o@op.de", "operator", "", "/admin"),
        ];
        for (email, role, school, start) in cases {
            app.user(email, role, school).await;
            let mut browser = app.browser();
            let reply = browser.post_form("/login", &[("email", email), ("password", PASSWORD)]).await;
            assert_eq!(reply.status, Status::SeeOther, "{role}");
            assert_eq!(reply.location.as_deref(), Some(start), "{role}");
            let page = browser.get(start).await;
            assert_eq!(page.status, Status::Ok, "{role} on {start}");
            assert!(page.body.contains("Test "), "{role} sees their name on {start}");
        }
    }
);

both_dbs!(
    async fn wrong_password_is_refused_without_saying_which_part(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("o@op.de", "operator", "").await;
        let mut browser = app.browser();
        let wrong_password = browser.post_form("/login", &[("email", "o@op.de"), ("password", "falsch-falsch")]).await;
        let unknown_user =
            browser.post_form("/login", &[("email", "niemand@op.de"), ("password", "falsch-falsch")]).await;
        assert_eq!(wrong_password.status, Status::UnprocessableEntity);
        assert_eq!(unknown_user.status, Status::UnprocessableEntity);
        assert!(wrong_password.body.contains("E-Mail-Adresse oder Passwort stimmen nicht."));
        assert!(unknown_user.body.contains("E-Mail-Adresse oder Passwort stimmen nicht."));
        // The typed address is shown again, the password is not.
        assert!(wrong_password.body.contains("value=\"o@op.de\""));
        assert!(!wrong_password.body.contains("falsch-falsch"));
        assert!(!browser.cookies.contains_key("staffel_session"));
    }
);

both_dbs!(
    async fn logout_ends_the_session_even_for_a_copied_cookie(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("o@op.de", "operator", "").await;
        let mut browser = app.login("o@op.de", PASSWORD).await;
        let copied = browser.cookies.clone();
        assert_eq!(browser.get("/admin").await.status, Status::Ok);
        let out = browser.post_form("/logout", &[]).await;
        assert_eq!(out.status, Status::SeeOther);
        let after = browser.get("/admin").await;
        assert_eq!(after.status, Status::SeeOther);
        assert!(after.location.unwrap().starts_with("/login?next="));
        let mut thief = app.browser();
        thief.cookies = copied;
        assert_eq!(thief.get("/admin").await.status, Status::SeeOther, "the old cookie no longer works");
    }
);

both_dbs!(
    async fn forms_without_the_csrf_token_are_refused(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("o@op.de", "operator", "").await;
        let mut browser = app.login("o@op.de", PASSWORD).await;
        let body = common::encode(&[("slug", "neu"), ("name", "Neue Schule")]);
        let reply = browser.post_raw("/admin/schools", &body, rocket::http::ContentType::Form).await;
        assert_eq!(reply.status, Status::Forbidden);
        assert!(reply.body.contains("Das Formular ist abgelaufen"));
        let forged = common::encode(&[("_csrf", "0000"), ("slug", "neu"), ("name", "Neue Schule")]);
        assert_eq!(
            browser.post_raw("/admin/schools", &forged, rocket::http::ContentType::Form).await.status,
            Status::Forbidden
        );
        assert!(app.find_school("neu").await.is_none(), "nothing changed");
        // With the token it works.
        let ok = browser.post_form("/admin/schools", &[("slug", "neu"), ("name", "Neue Schule")]).await;
        assert_eq!(ok.status, Status::SeeOther, "{}", ok.body);
        assert!(app.find_school("neu").await.is_some());
    }
);

both_dbs!(
    async fn repeated_failures_lock_the_account_for_a_while(backend: Backend) {
        let app = TestApp::with(&backend, |f| f.merge(("staffel.login_lock_after", 3))).await;
        app.user("t@desk.de", "agent", "").await;
        let mut browser = app.browser();
        for _ in 0..3 {
            let reply = browser.post_form("/login", &[("email", "t@desk.de"), ("password", "falsch-falsch")]).await;
            assert_eq!(reply.status, Status::UnprocessableEntity);
        }
        // Locked: even the right password is refused, with a plain message.
        let locked = browser.post_form("/login", &[("email", "T@Desk.de"), ("password", PASSWORD)]).await;
        assert_eq!(locked.status, Status::TooManyRequests);
        assert!(locked.body.contains("Zu viele Fehlversuche"), "{}", locked.body);
        // Other accounts from the same address are not locked.
        app.user("u@desk.de", "agent", "").await;
        app.login("u@desk.de", PASSWORD).await;
    }
);

both_dbs!(
    async fn a_password_change_ends_open_reset_links(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("t@desk.de", "agent", "").await;
        let mut anonymous = app.browser();
        let asked = anonymous.post_form("/password/forgot", &[("email", "t@desk.de")]).await;
        assert_eq!(asked.status, Status::Ok);
        let open_links = || async {
            <entities::password_reset::Entity as sea_orm::EntityTrait>::find()
                .all(app.db())
                .await
                .unwrap()
                .into_iter()
                .filter(|r| r.used_at.is_none())
                .count()
        };
        assert_eq!(open_links().await, 1);
        let mut browser = app.login("t@desk.de", PASSWORD).await;
        let changed = browser
            .post_form(
                "/account/password",
                &[("current", PASSWORD), ("new", "ein-ganz-neues-passwort"), ("confirm", "ein-ganz-neues-passwort")],
            )
            .await;
        assert_eq!(changed.status, Status::SeeOther, "{}", changed.body);
        assert_eq!(open_links().await, 0, "the mailed link no longer sets a password");
    }
);

both_dbs!(
    async fn bearer_tokens_accept_any_case_of_the_scheme(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.user("o@op.de", "operator", "").await;
        let token = app.token("o@op.de").await;
        for header in [format!("Bearer {token}"), format!("bearer {token}"), format!("BEARER  {token}")] {
            let reply = app
                .client
                .get("/api/v1/me")
                .header(rocket::http::Header::new("Authorization", header.clone()))
                .dispatch()
                .await;
            assert_eq!(reply.status(), Status::Ok, "{header}");
        }
        let wrong = app
            .client
            .get("/api/v1/me")
            .header(rocket::http::Header::new("Authorization", format!("Basic {token}")))
            .dispatch()
            .await;
        assert_eq!(wrong.status(), Status::Unauthorized);
    }
);

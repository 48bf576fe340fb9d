//! The scoping rules that hang on accounts and schools: API calls need tokens, one school's
//! administration is closed to everyone else, and deactivating a person or a school, or
//! changing a role or school, ends their sessions.
use super::*;
use crate::common::{html_message, Backend};
use rocket::http::Status;
use staffel::i18n::Lang;

both_dbs!(
    async fn the_api_ignores_session_cookies(backend: Backend) {
        let app = TestApp::new(&backend).await;
        fixture(&app).await;
        // A signed-in browser calling the API without a token is anonymous there: cookies
        // alone never authorise an API call (so the API needs no CSRF tokens).
        let mut browser = app.login(EMAILS[OPERATOR], PASSWORD).await;
        let me = browser.get("/api/v1/me").await;
        assert_eq!(me.status, Status::Unauthorized, "{}", me.body);
        assert_eq!(me.json()["error"]["code"], "unauthorized");
        let providers = browser.get("/api/v1/providers").await;
        assert_eq!(providers.status, Status::Unauthorized);
        // A wrong or malformed token is no better.
        for header in ["Bearer stf_falsch", "Bearer ", "Basic b3A6cGFzcw==", "stf_x"] {
            let reply = browser.send(Method::Get, "/api/v1/me", Vec::new(), None, &[("Authorization", header)]).await;
            assert_eq!(reply.status, Status::Unauthorized, "{header}");
            assert_eq!(reply.json()["error"]["code"], "unauthorized", "{header}");
        }
    }
);

both_dbs!(
    async fn nobody_but_operators_reaches_another_schools_administration(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let ids = fixture(&app).await;
        for role in [PUPIL, TEACHER, SCHOOL_ADMIN, AGENT, DESK_LEAD] {
            let mut browser = app.login(EMAILS[role], PASSWORD).await;
            let who = ROLES[role];
            for path in [
                "/admin/schools/gym-b".to_string(),
                "/admin/users?school=gym-b".to_string(),
                format!("/admin/users/{}", ids.victim),
            ] {
                let reply = browser.get(&path).await;
                assert_eq!(reply.status, Status::Forbidden, "{who} GET {path}");
                assert!(!reply.body.contains(VICTIM), "{who} sees nothing of school B");
            }
            let attempts: [(String, Vec<(&str, &str)>); 4] = [
                ("/admin/schools/gym-b".into(), vec![("name", "Übernommen"), ("active", "false")]),
                (
                    format!("/admin/users/{}", ids.victim),
                    vec![
                        ("email", VICTIM),
                        ("name", "Umgezogen"),
                        ("role", "school_admin"),
                        ("school", "gym-a"),
                        ("language", "de"),
                    ],
                ),
                (format!("/admin/users/{}/active", ids.victim), vec![("active", "false")]),
                (
                    "/admin/users".into(),
                    vec![
                        ("email", "spion@gym-b.de"),
                        ("name", "Spion"),
                        ("role", "school_admin"),
                        ("school", "gym-b"),
                        ("password", PASSWORD),
                    ],
                ),
            ];
            for (path, fields) in attempts {
                let reply = browser.post_form(&path, &fields).await;
                assert_eq!(reply.status, Status::Forbidden, "{who} POST {path}");
                assert!(reply.body.contains(&html_message(Lang::De, "error.forbidden", "")));
            }
        }
        // The school admin's own view of themselves names school A only.
        let token = app.token(EMAILS[SCHOOL_ADMIN]).await;
        let me = app.api_get(Some(&token), "/api/v1/me").await;
        assert_eq!(me.json()["school"], "gym-a");
        let school_b = app.find_school("gym-b").await.unwrap();
        assert!(school_b.active);
        assert_eq!(school_b.name, "Schule gym-b");
        let victim = app.find_user(VICTIM).await.unwrap();
        assert!(victim.active);
        assert_eq!(victim.school_id, Some(school_b.id));
        assert_eq!(victim.role.as_str(), "teacher");
        assert!(app.find_user("spion@gym-b.de").await.is_none());
    }
);

both_dbs!(
    async fn a_deactivated_users_session_stops_working(backend: Backend) {
        let app = TestApp::new(&backend).await;
        let ids = fixture(&app).await;
        let mut teacher = app.login(VICTIM, PASSWORD).await;
        let token = app.token(VICTIM).await;
        assert_eq!(teacher.get("/reports").await.status, Status::Ok);
        assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Ok);

        let mut operator = app.login(EMAILS[OPERATOR], PASSWORD).await;
        let off = operator.post_form(&format!("/admin/users/{}/active", ids.victim), &[("active", "false")]).await;
        assert_eq!(off.status, Status::SeeOther, "{}", off.body);

        let after = teacher.get("/reports").await;
        assert_eq!(after.status, Status::SeeOther);
        assert_eq!(after.location.as_deref(), Some("/login?next=%2Freports"));
        let api = app.api_get(Some(&token), "/api/v1/me").await;
        assert_eq!(api.status, Status::Unauthorized);
        let again = app.browser().post_form("/login", &[("email", VICTIM), ("password", PASSWORD)]).await;
        assert_eq!(again.status, Status::UnprocessableEntity);
        assert!(again.body.contains(&html_message(Lang::De, "login.failed", "")));

        // Reactivated, the person signs in anew; the old session stays dead.
        let on = operator.post_form(&format!("/admin/users/{}/active", ids.victim), &[("active", "true")]).await;
        assert_eq!(on.status, Status::SeeOther);
        assert_eq!(teacher.get("/reports").await.status, Status::SeeOther);
        let mut fresh = app.login(VICTIM, PASSWORD).await;
        assert_eq!(fresh.get("/reports").await.status, Status::Ok);
    }
);

both_dbs!(
    async fn people_of_a_deactivated_school_cannot_sign_in(backend: Backend) {
        let app = TestApp::new(&backend).await;
        fixture(&app).await;
        let mut teacher = app.login(EMAILS[TEACHER], PASSWORD).await;
        let token = app.token(EMAILS[TEACHER]).await;
        let mut other_school = app.login(VICTIM, PASSWORD).await;
        let mut operator = app.login(EMAILS[OPERATOR], PASSWORD).await;
        // The edit form's checkbox unticked: no `active` field.
        let off = operator.post_form("/admin/schools/gym-a", &[("name", "Schule gym-a")]).await;
        assert_eq!(off.status, Status::SeeOther, "{}", off.body);

        let refused = app.browser().post_form("/login", &[("email", EMAILS[TEACHER]), ("password", PASSWORD)]).await;
        assert_eq!(refused.status, Status::UnprocessableEntity);
        assert!(refused.body.contains(&html_message(Lang::De, "login.failed", "")));
        assert!(!refused.set_cookies.iter().any(|c| c.name() == "staffel_session"));
        let page = teacher.get("/reports").await;
        assert_eq!(page.status, Status::SeeOther, "the running session ends too");
        assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Unauthorized);
        for role in [PUPIL, SCHOOL_ADMIN] {
            let reply = app.browser().post_form("/login", &[("email", EMAILS[role]), ("password", PASSWORD)]).await;
            assert_eq!(reply.status, Status::UnprocessableEntity, "{}", ROLES[role]);
        }
        // Other schools and the desk carry on.
        assert_eq!(other_school.get("/reports").await.status, Status::Ok);
        app.login(EMAILS[AGENT], PASSWORD).await;

        let on = operator.post_form("/admin/schools/gym-a", &[("name", "Schule gym-a"), ("active", "true")]).await;
        assert_eq!(on.status, Status::SeeOther);
        app.login(EMAILS[TEACHER], PASSWORD).await;
    }
);

both_dbs!(
    async fn a_role_or_school_change_ends_the_sessions(backend: Backend) {
        let app = TestApp::new(&backend).await;
        fixture(&app).await;
        let teacher_id = app.user_id(EMAILS[TEACHER]).await;
        let mut operator = app.login(EMAILS[OPERATOR], PASSWORD).await;
        let edit = |name: &'static str, role: &'static str, school: &'static str| {
            vec![
                ("email", EMAILS[TEACHER]),
                ("name", name),
                ("role", role),
                ("school", school),
                ("language", "de"),
                ("password", ""),
            ]
        };
        let path = format!("/admin/users/{teacher_id}");

        // A new name alone keeps the session.
        let mut teacher = app.login(EMAILS[TEACHER], PASSWORD).await;
        let renamed = operator.post_form(&path, &edit("Tina Neu", "teacher", "gym-a")).await;
        assert_eq!(renamed.status, Status::SeeOther, "{}", renamed.body);
        let still = teacher.get("/reports").await;
        assert_eq!(still.status, Status::Ok);
        assert!(still.body.contains("Tina Neu"));

        // A new role ends every session of the person, in every browser.
        let mut second = app.login(EMAILS[TEACHER], PASSWORD).await;
        let promoted = operator.post_form(&path, &edit("Tina Neu", "school_admin", "gym-a")).await;
        assert_eq!(promoted.status, Status::SeeOther, "{}", promoted.body);
        for browser in [&mut teacher, &mut second] {
            for page in ["/reports", "/helpdesk", "/account"] {
                let reply = browser.get(page).await;
                assert_eq!(reply.status, Status::SeeOther, "{page}");
                assert!(reply.location.unwrap().starts_with("/login?next="));
            }
        }
        let mut as_admin = app.browser();
        let landed = as_admin.post_form("/login", &[("email", EMAILS[TEACHER]), ("password", PASSWORD)]).await;
        assert_eq!(landed.location.as_deref(), Some("/helpdesk"));
        assert_eq!(as_admin.get("/helpdesk").await.status, Status::Ok);

        // A new school ends them too.
        let moved = operator.post_form(&path, &edit("Tina Neu", "school_admin", "gym-b")).await;
        assert_eq!(moved.status, Status::SeeOther, "{}", moved.body);
        assert_eq!(as_admin.get("/helpdesk").await.status, Status::SeeOther);
        let token = app.token(EMAILS[TEACHER]).await;
        let me = app.api_get(Some(&token), "/api/v1/me").await;
        assert_eq!(me.json()["school"], "gym-b");
        assert_eq!(me.json()["role"], "school_admin");
    }
);

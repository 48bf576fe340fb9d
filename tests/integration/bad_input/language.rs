//! What is typed in stays as typed (unicode), extra fields are ignored, and messages come
//! in the reader's language.
use super::*;
use crate::common::{html_message, text_message};
use rocket::http::{Cookie, Status};
use staffel::i18n::Lang;

both_dbs!(
    async fn unicode_names_are_kept_exactly(backend: Backend) {
        let app = TestApp::new(&backend).await;
        fixture(&app).await;
        let mut operator = app.login(OPERATOR, PASSWORD).await;
        // Emoji (with joiners), right-to-left scripts and marks, combining accents: all fine.
        let name = "Schule 👩‍🏫 مدرسة \u{200f}עברית\u{200f} Cafe\u{301}";
        let reply =
            operator.post_form("/admin/schools", &[("slug", "vielfalt"), ("name", &format!("  {name}  "))]).await;
        assert_eq!(reply.status, Status::SeeOther, "{}", shown_messages(&reply.body));
        let stored = app.find_school("vielfalt").await.unwrap();
        assert_eq!(stored.name, name, "kept exactly, only trimmed");
        let list = operator.get("/admin/schools").await;
        assert!(list.body.contains(&tera::escape_html(name)));

        // The limit counts characters, not bytes: 120 four-byte emoji fit, 121 do not.
        let fits = "😀".repeat(120);
        let user = |name: &str, email: &str| {
            vec![
                ("email", email.to_string()),
                ("name", name.to_string()),
                ("role", "teacher".to_string()),
                ("school", "vielfalt".to_string()),
                ("language", "de".to_string()),
                ("password", PASSWORD.to_string()),
            ]
        };
        let borrowed = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, s)| (*k, s.clone())).collect::<Vec<_>>();
        let ok_fields = borrowed(&user(&fits, "emoji@vielfalt.de"));
        let ok_refs: Vec<(&str, &str)> = ok_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let ok = operator.post_form("/admin/users", &ok_refs).await;
        assert_eq!(ok.status, Status::SeeOther, "{}", shown_messages(&ok.body));
        let too_long = borrowed(&user(&"😀".repeat(121), "emoji2@vielfalt.de"));
        let long_refs: Vec<(&str, &str)> = too_long.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = operator.post_form("/admin/users", &long_refs).await;
        assert_eq!(refused.status, Status::UnprocessableEntity);
        assert!(refused.body.contains(&html_message(Lang::De, "validation.too_long", "120")));
        // The form keeps what was typed.
        assert!(refused.body.contains("emoji2@vielfalt.de"));
        let created = app.find_user("emoji@vielfalt.de").await.unwrap();
        assert_eq!(created.name, fits);
        assert!(app.find_user("emoji2@vielfalt.de").await.is_none());
    }
);

both_dbs!(
    async fn unknown_fields_are_ignored_not_obeyed(backend: Backend) {
        let app = TestApp::new(&backend).await;
        fixture(&app).await;
        let mut operator = app.login(OPERATOR, PASSWORD).await;
        let reply = operator
            .post_form(
                "/admin/schools",
                &[
                    ("slug", "extra"),
                    ("name", "Extra"),
                    ("id", "4711"),
                    ("active", "false"),
                    ("created_at", "1970-01-01"),
                    ("role", "operator"),
                ],
            )
            .await;
        assert_eq!(reply.status, Status::SeeOther, "{}", shown_messages(&reply.body));
        let school = app.find_school("extra").await.unwrap();
        assert_ne!(school.id, 4711);
        assert!(school.active, "a new school starts active whatever the form says");
        assert!(school.created_at.timestamp() > 0);

        // A teacher cannot make themselves an operator by adding fields to their own forms.
        let mut teacher = app.login(TEACHER, PASSWORD).await;
        let changed = teacher
            .post_form(
                "/account/password",
                &[
                    ("current", PASSWORD),
                    ("new", "ein ganz neues Passwort"),
                    ("confirm", "ein ganz neues Passwort"),
                    ("role", "operator"),
                    ("school", ""),
                ],
            )
            .await;
        assert_eq!(changed.status, Status::SeeOther);
        let me = app.find_user(TEACHER).await.unwrap();
        assert_eq!(me.role.as_str(), "teacher");
        assert!(me.school_id.is_some());
        assert_eq!(teacher.get("/admin").await.status, Status::Forbidden);
    }
);

both_dbs!(
    async fn validation_messages_are_english_for_english_readers(backend: Backend) {
        let app = TestApp::new(&backend).await;
        fixture(&app).await;
        let en = |key: &str, arg: &str| html_message(Lang::En, key, arg);
        let de = |key: &str, arg: &str| html_message(Lang::De, key, arg);

        // Before signing in: the browser's Accept-Language.
        let mut visitor = app.browser();
        let page =
            visitor.send(Method::Get, "/login", Vec::new(), None, &[("Accept-Language", "en-GB,en;q=0.9")]).await;
        assert!(page.body.contains("<html lang=\"en\">"));
        let body = visitor.form_body(&[("email", "li@gym-a.de"), ("password", "falsch-falsch")]);
        let failed = visitor
            .send(Method::Post, "/login", body.into_bytes(), form_ct(), &[("Accept-Language", "en-GB,en;q=0.9")])
            .await;
        assert_eq!(failed.status, Status::UnprocessableEntity);
        assert!(failed.body.contains(&en("login.failed", "")), "{}", shown_messages(&failed.body));
        assert!(!failed.body.contains(&de("login.failed", "")));
        let json = visitor
            .send(Method::Post, "/login", b"{}".to_vec(), Some(ContentType::JSON), &[("Accept-Language", "en")])
            .await;
        assert_eq!(json.status, Status::UnsupportedMediaType);
        assert!(json.body.contains(&en("error.unsupported_type", "")));
        let forgot_body = visitor.form_body(&[("email", "kein-at")]);
        let forgot = visitor
            .send(Method::Post, "/password/forgot", forgot_body.into_bytes(), form_ct(), &[("Accept-Language", "en")])
            .await;
        assert!(forgot.body.contains(&en("validation.email", "")));

        // Signed in: the staffel_lang cookie wins over the header.
        let mut operator = app.login(OPERATOR, PASSWORD).await;
        operator.cookies.insert("staffel_lang".into(), Cookie::new("staffel_lang", "en"));
        let bad_slug = operator.post_form("/admin/schools", &[("slug", "Über"), ("name", "Schule")]).await;
        assert_eq!(bad_slug.status, Status::UnprocessableEntity);
        assert!(bad_slug.body.contains(&en("validation.slug", "")), "{}", shown_messages(&bad_slug.body));
        assert!(!bad_slug.body.contains(&de("validation.slug", "")));
        let body = operator.form_body(&[("slug", "gym-a"), ("name", "Schule")]);
        let taken = operator
            .send(Method::Post, "/admin/schools", body.into_bytes(), form_ct(), &[("Accept-Language", "de")])
            .await;
        assert!(taken.body.contains(&en("validation.slug_taken", "gym-a")));
        let hours = operator
            .post_form(
                "/admin/providers",
                &[("slug", "neu"), ("name", "Neu"), ("response_hours", "acht"), ("contacts", "a@b.de")],
            )
            .await;
        assert!(hours.body.contains(&en("validation.number", "")));
        let too_big = operator
            .send(
                Method::Post,
                "/admin/schools",
                format!("{}&x={}", operator.form_body(&[]), long_text(70_000)).into_bytes(),
                form_ct(),
                &[],
            )
            .await;
        assert_eq!(too_big.status, Status::PayloadTooLarge);
        assert!(too_big.body.contains(&en("error.too_large", "")));

        // A user whose language is English gets English after signing in, with no header.
        let mut switch = app.login(TEACHER, PASSWORD).await;
        let switched = switch.post_form("/language", &[("lang", "en"), ("next", "/account")]).await;
        assert_eq!(switched.status, Status::SeeOther);
        let mut english = app.login(TEACHER, PASSWORD).await;
        assert_eq!(english.cookies.get("staffel_lang").map(|c| c.value().to_string()).as_deref(), Some("en"));
        let wrong = english
            .post_form("/account/password", &[("current", "falsch-falsch"), ("new", "x"), ("confirm", "x")])
            .await;
        assert!(wrong.body.contains(&en("account.wrong_password", "")), "{}", shown_messages(&wrong.body));
        let csrf = english.post_raw("/account/password", "current=x", ContentType::Form).await;
        assert_eq!(csrf.status, Status::Forbidden);
        assert!(csrf.body.contains(&en("error.csrf", "")));

        // The API answers in the caller's language too.
        let mut api = app.browser();
        let reply = api.send(Method::Get, "/api/v1/me", Vec::new(), None, &[("Accept-Language", "en")]).await;
        assert_eq!(reply.status, Status::Unauthorized);
        assert_eq!(reply.json()["error"]["message"], text_message(Lang::En, "error.unauthorized", ""));
        let reply = api.send(Method::Get, "/api/v1/me", Vec::new(), None, &[]).await;
        assert_eq!(reply.json()["error"]["message"], text_message(Lang::De, "error.unauthorized", ""));
    }
);

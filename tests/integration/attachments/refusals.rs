//! Files refused for their size, their real type, their number or an empty body: a clear
//! message, and nothing stored, at every upload point.
use super::setup;
use crate::common::uploads::{api_files, attachments, post_files, stored_files, Part, HTML, PNG};
use crate::common::{html_message, test_figment, text_message, Backend, Browser, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::EntityTrait;
use staffel::i18n::Lang;

const REPORT: [(&str, &str); 4] =
    [("affected", "Beamer"), ("since", "heute"), ("how_many", "alle"), ("description", "Kein Bild.")];

async fn nothing_stored(app: &TestApp, before_files: usize) {
    assert!(attachments(app).await.is_empty(), "no attachment row");
    assert_eq!(stored_files(app).len(), before_files, "no file left behind");
}

/// An app whose attachments may be 4 KB at most (a small limit keeps the requests small;
/// the default has a test of its own), with the upload people.
async fn small_limit_app(backend: &Backend) -> TestApp {
    let app = TestApp::with(backend, |f| f.merge(("staffel.attachment_max_bytes", 4096))).await;
    setup(&app).await;
    assert_eq!(app.settings().attachment_max_bytes, 4096);
    app
}

/// A teacher's reports with these files are all refused with the message each names, and
/// nothing at all changes.
async fn reports_refused(app: &TestApp, teacher: &mut Browser<'_>, attempts: &[(&[Part<'_>], String)]) {
    let before = app.fingerprint().await;
    for (files, message) in attempts {
        let reply = post_files(teacher, "/reports", &REPORT, files).await;
        assert_eq!(reply.status, Status::UnprocessableEntity, "{:?}", files.iter().map(|f| f.1).collect::<Vec<_>>());
        assert!(reply.body.contains(message), "{:?}: {}", files.iter().map(|f| f.1).collect::<Vec<_>>(), reply.body);
    }
    assert_eq!(app.fingerprint().await, before, "nothing changed in the database");
    nothing_stored(app, 0).await;
}

both_dbs!(
    async fn a_file_over_the_limit_is_refused_and_nothing_is_stored(backend: Backend) {
        let app = small_limit_app(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let mut big = PNG.to_vec();
        big.resize(4097, 0);
        let files = [("files", "gross.png", "image/png", &big[..])];
        reports_refused(&app, &mut teacher, &[(&files, html_message(Lang::De, "attachments.too_large", "4 KB"))]).await;
    }
);

both_dbs!(
    async fn files_whose_content_is_not_their_type_are_refused(backend: Backend) {
        let app = small_limit_app(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let cases: [(&str, &[u8], &str); 5] = [
            ("bild.png", HTML, "bild.png"),
            ("seite.html", HTML, "seite.html"),
            ("notiz.txt", HTML, "notiz.txt"),
            ("programm.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "programm.png"),
            ("bild.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "bild.svg"),
        ];
        let files: Vec<[Part<'_>; 1]> =
            cases.iter().map(|(name, bytes, _)| [("files", *name, "image/png", *bytes)]).collect();
        let attempts: Vec<(&[Part<'_>], String)> = files
            .iter()
            .zip(cases)
            .map(|(files, (_, _, shown))| (&files[..], html_message(Lang::De, "attachments.type_refused", shown)))
            .collect();
        reports_refused(&app, &mut teacher, &attempts).await;
    }
);

both_dbs!(
    async fn an_empty_file_is_refused(backend: Backend) {
        let app = small_limit_app(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let files = [("files", "leer.png", "image/png", &b""[..])];
        reports_refused(&app, &mut teacher, &[(&files, html_message(Lang::De, "attachments.empty", "leer.png"))]).await;
    }
);

both_dbs!(
    async fn one_bad_file_among_good_ones_keeps_none_of_them(backend: Backend) {
        let app = small_limit_app(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let before = app.fingerprint().await;
        let mixed = post_files(
            &mut teacher,
            "/reports",
            &REPORT,
            &[("files", "gut.png", "image/png", PNG), ("files", "boese.png", "image/png", HTML)],
        )
        .await;
        assert_eq!(mixed.status, Status::UnprocessableEntity);
        assert_eq!(app.fingerprint().await, before, "nothing changed in the database");
        nothing_stored(&app, 0).await;
    }
);

both_dbs!(
    async fn more_than_ten_files_are_refused(backend: Backend) {
        let app = small_limit_app(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let eleven: Vec<Part<'_>> = (0..11).map(|_| ("files", "x.png", "image/png", PNG)).collect();
        reports_refused(&app, &mut teacher, &[(&eleven, html_message(Lang::De, "attachments.too_many", "10"))]).await;
    }
);

both_dbs!(
    async fn a_new_ticket_with_a_refused_file_keeps_the_form_and_opens_nothing(backend: Backend) {
        let app = small_limit_app(&backend).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        let ticket = [("title", "Drucker"), ("description", "Papierstau.")];
        let reply =
            post_files(&mut school, "/helpdesk/tickets", &ticket, &[("files", "bild.png", "image/png", HTML)]).await;
        assert_eq!(reply.status, Status::UnprocessableEntity);
        assert!(reply.body.contains("value=\"Drucker\""), "the form keeps what was typed");
        assert!(
            entities::ticket::Entity::find().all(app.db()).await.unwrap().is_empty(),
            "no ticket without its files"
        );
        nothing_stored(&app, 0).await;
    }
);

both_dbs!(
    async fn refused_files_on_a_ticket_change_nothing_through_the_api_or_a_reply(backend: Backend) {
        let app = small_limit_app(&backend).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        let token = app.token("admin@gym.de").await;
        let created = app.api_post(Some(&token), "/api/v1/tickets", r#"{"title":"Beamer","description":"aus"}"#).await;
        let number = created.json()["number"].as_str().unwrap().to_string();
        let before = app.fingerprint().await;
        let mut big = PNG.to_vec();
        big.resize(4097, 0);
        let api = api_files(
            &app,
            Some(&token),
            &format!("/api/v1/tickets/{number}/attachments"),
            &[],
            &[("files", "gross.png", "image/png", &big)],
        )
        .await;
        assert_eq!(api.status, Status::UnprocessableEntity);
        assert_eq!(api.json()["error"]["message"], text_message(Lang::De, "attachments.too_large", "4 KB"));
        let api = api_files(
            &app,
            Some(&token),
            &format!("/api/v1/tickets/{number}/attachments"),
            &[],
            &[("files", "x.png", "image/png", HTML)],
        )
        .await;
        assert_eq!(api.status, Status::UnprocessableEntity);
        assert_eq!(api.json()["error"]["field"], "files");
        let wrong_type = app.api_post(Some(&token), &format!("/api/v1/tickets/{number}/attachments"), "{}").await;
        assert_eq!(wrong_type.status, Status::UnsupportedMediaType);
        let reply = post_files(
            &mut school,
            &format!("/helpdesk/tickets/{number}/comment"),
            &[("body", "Foto")],
            &[("files", "bild.png", "image/png", HTML)],
        )
        .await;
        assert_eq!(reply.status, Status::UnprocessableEntity);
        assert_eq!(app.fingerprint().await, before);
        nothing_stored(&app, 0).await;
    }
);

both_dbs!(
    async fn another_schools_admin_learns_nothing_from_a_refused_file(backend: Backend) {
        let app = small_limit_app(&backend).await;
        let token = app.token("admin@gym.de").await;
        let number = app.open_ticket(&token, r#"{"title":"Beamer","description":"aus"}"#).await;
        // The ticket is not found, whatever the file.
        let mut other = app.login("admin@gs.de", PASSWORD).await;
        let probe = post_files(
            &mut other,
            &format!("/helpdesk/tickets/{number}/comment"),
            &[("body", "x")],
            &[("files", "bild.png", "image/png", HTML)],
        )
        .await;
        assert_eq!(probe.status, Status::NotFound);
    }
);

both_dbs!(
    async fn a_file_exactly_at_the_limit_is_accepted(backend: Backend) {
        let app = small_limit_app(&backend).await;
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let mut exact = PNG.to_vec();
        exact.resize(4096, 0);
        let ok = post_files(&mut teacher, "/reports", &REPORT, &[("files", "genau.png", "image/png", &exact)]).await;
        assert_eq!(ok.status, Status::SeeOther, "{}", ok.body);
        assert_eq!(attachments(&app).await.len(), 1);
        assert_eq!(stored_files(&app).len(), 1);
    }
);

both_dbs!(
    async fn the_default_limit_is_ten_megabytes(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        assert_eq!(app.settings().attachment_max_bytes, 10 * 1024 * 1024);
        let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
        let mut big = PNG.to_vec();
        big.resize(10 * 1024 * 1024 + 1, 0);
        let report = [("affected", "Beamer"), ("since", "heute"), ("how_many", "alle"), ("description", "Kein Bild.")];
        let reply = post_files(&mut teacher, "/reports", &report, &[("files", "gross.png", "image/png", &big)]).await;
        assert_eq!(reply.status, Status::UnprocessableEntity);
        assert!(reply.body.contains(&html_message(Lang::De, "attachments.too_large", "10 MB")));
        assert!(entities::report::Entity::find().all(app.db()).await.unwrap().is_empty());
        nothing_stored(&app, 0).await;
    }
);

/// Rocket's body limits below the attachment limit would refuse uploads the settings
/// allow: Staffel raises them (a `staffel serve` without Rocket.toml has Rocket's 1 MiB).
#[rocket::async_test]
async fn body_limits_are_raised_to_the_attachment_size() {
    let dir = tempfile::tempdir().unwrap();
    let figment = test_figment(dir.path(), "").merge(("limits.data-form", "1 MiB")).merge(("limits.file", "1 MiB"));
    let rocket = staffel::build(figment).ignite().await.expect("Staffel ignites");
    let limits = &rocket.config().limits;
    assert!(limits.get("file").unwrap().as_u64() >= 10 * 1024 * 1024);
    assert!(limits.get("data-form").unwrap().as_u64() > 10 * 1024 * 1024);
    // A configured limit above the attachment size is left alone.
    let figment = test_figment(dir.path(), "").merge(("limits.data-form", "40 MiB"));
    let rocket = staffel::build(figment).ignite().await.expect("Staffel ignites");
    assert_eq!(rocket.config().limits.get("data-form").unwrap().as_u64(), 40 * 1024 * 1024);
}

//! Attachments and screenshots: every upload point (teacher report, new ticket, school
//! reply, desk reply and internal note, provider page and API, ticket API), escalation
//! carrying the report's files, the size limit and type-by-content checks (refused with a
//! clear message, nothing stored), scoping of downloads (other schools, other teachers,
//! providers only through a valid link and only what was shared) and the safe headers.
mod common;

use common::uploads::{
    api_files, attachments, download, post_files, stored_files, version_field, Download, Part, HTML, LOG, PDF, PNG,
};
use common::{html_message, Backend, TestApp, PASSWORD};
use rocket::http::{ContentType, Method, Status};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};
use staffel::i18n::Lang;

async fn setup(app: &TestApp) {
    app.school("gym").await;
    app.school("gs").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("admin@gs.de", "school_admin", "gs").await;
    app.user("lehrer@gym.de", "teacher", "gym").await;
    app.user("lehrer2@gym.de", "teacher", "gym").await;
    app.user("schueler@gym.de", "pupil", "gym").await;
    app.user("agent@desk.de", "agent", "").await;
    app.user("op@ops.de", "operator", "").await;
    staffel::catalogue::providers::create(
        app.db(),
        staffel::audit::By::Cli,
        staffel::catalogue::providers::ProviderInput {
            slug: "netz".into(),
            name: "Netz GmbH".into(),
            response_hours: "16".into(),
            contacts: vec!["Support <support@netz.de>".into()],
            services: vec!["wifi".into()],
            active: true,
        },
    )
    .await
    .expect("provider");
}

fn assert_safe_headers(d: &Download, content_type: &str, inline: bool, name: &str) {
    assert_eq!(d.headers.get("content-type").map(String::as_str), Some(content_type));
    assert_eq!(d.headers.get("x-content-type-options").map(String::as_str), Some("nosniff"));
    assert_eq!(d.headers.get("content-security-policy").map(String::as_str), Some("sandbox; default-src 'none'"));
    assert_eq!(d.headers.get("cache-control").map(String::as_str), Some("private"));
    let disposition = d.headers.get("content-disposition").expect("a Content-Disposition");
    let kind = if inline { "inline;" } else { "attachment;" };
    assert!(disposition.starts_with(kind), "{disposition}");
    assert!(disposition.contains(&format!("filename=\"{name}\"")), "{disposition}");
}

fn provider_token(mails: &[entities::mail_outbox::Model]) -> String {
    let marker = "/provider/";
    let mail = mails.iter().rev().find(|m| m.body_text.contains(marker)).expect("a mail with the provider link");
    let start = mail.body_text.find(marker).unwrap() + marker.len();
    mail.body_text[start..start + 64].to_string()
}

async fn every_upload_point(backend: Backend) {
    let app = TestApp::new(&backend).await;
    setup(&app).await;
    let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
    let mut other_teacher = app.login("lehrer2@gym.de", PASSWORD).await;
    let mut school = app.login("admin@gym.de", PASSWORD).await;
    let other_school = app.login("admin@gs.de", PASSWORD).await;
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    let pupil = app.login("schueler@gym.de", PASSWORD).await;
    let operator = app.login("op@ops.de", PASSWORD).await;

    // The forms that carry files are multipart and offer the screenshot button.
    let form = teacher.get("/reports").await;
    assert_eq!(form.status, Status::Ok, "{}", form.body);
    assert!(form.body.contains("enctype=\"multipart/form-data\"") && form.body.contains("data-screenshot="));
    assert!(form.body.contains("/static/screenshot.js"));
    let tile = school.get("/helpdesk").await;
    assert!(tile.body.contains("enctype=\"multipart/form-data\"") && tile.body.contains("Bildschirmfoto aufnehmen"));

    // 1. A teacher's report with a screenshot.
    let filed = post_files(
        &mut teacher,
        "/reports",
        &[("affected", "Beamer 204"), ("since", "heute"), ("how_many", "eine Klasse"), ("description", "Kein Bild.")],
        &[("files", "bildschirmfoto.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(filed.status, Status::SeeOther, "{}", filed.body);
    let report_path = filed.location.clone().unwrap();
    let rows = attachments(&app).await;
    assert_eq!(rows.len(), 1);
    let shot = rows[0].clone();
    assert_eq!(
        (shot.filename.as_str(), shot.content_type.as_str(), shot.size),
        ("bildschirmfoto.png", "image/png", PNG.len() as i64)
    );
    assert_eq!(shot.sha256, hex::encode(Sha256::digest(PNG)));
    assert!(shot.report_id.is_some() && shot.ticket_id.is_none() && !shot.internal);
    assert_eq!(stored_files(&app), vec![shot.storage_key.clone()], "stored under its random key in data/files");
    assert!(!app.dir.path().join("files").join("bildschirmfoto.png").exists());
    assert!(teacher.get(&report_path).await.body.contains("bildschirmfoto.png"));
    let audit = entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::Action.eq("attachment.upload"))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1, "each upload has its audit event");

    let url = format!("/attachments/{}", shot.id);
    let got = download(&app, Some(&teacher), None, &url).await;
    assert_eq!(got.status, Status::Ok);
    assert_eq!(got.bytes, PNG);
    assert_safe_headers(&got, "image/png", true, "bildschirmfoto.png");
    assert_eq!(download(&app, Some(&school), None, &url).await.status, Status::Ok, "the school's admin");
    for (who, browser) in [
        ("another teacher", &other_teacher),
        ("another school", &other_school),
        ("a pupil", &pupil),
        ("an operator", &operator),
    ] {
        let refused = download(&app, Some(browser), None, &url).await;
        assert_eq!(refused.status, Status::NotFound, "{who}");
        assert!(refused.bytes.is_empty() || !refused.bytes.starts_with(b"\x89PNG"), "{who}");
    }
    assert_eq!(download(&app, Some(&agent), None, &url).await.status, Status::NotFound, "the desk sees no reports");
    assert_eq!(download(&app, Some(&school), None, "/attachments/999999").await.status, Status::NotFound);
    assert_eq!(download(&app, Some(&school), None, "/attachments/abc").await.status, Status::NotFound);
    let anonymous = download(&app, None, None, &url).await;
    assert_eq!(anonymous.status, Status::SeeOther, "anonymous readers are sent to the login");
    assert!(other_teacher.get(&report_path).await.status == Status::NotFound);

    // 2. Escalation carries the report's files to the ticket.
    let report_id = report_path.trim_start_matches("/reports/");
    let escalated = school
        .post_form(
            &format!("/helpdesk/reports/{report_id}/escalate"),
            &[("triage_scope", "local"), ("service", "presentation"), ("title", "Beamer 204"), ("priority", "P3")],
        )
        .await;
    assert_eq!(escalated.status, Status::SeeOther, "{}", escalated.body);
    let first = escalated.location.clone().unwrap().rsplit('/').next().unwrap().to_string();
    let carried = entities::attachment::Entity::find_by_id(shot.id).one(app.db()).await.unwrap().unwrap();
    assert!(carried.ticket_id.is_some() && carried.report_id.is_some());
    let page = agent.get(&format!("/desk/tickets/{first}")).await;
    assert!(page.body.contains("bildschirmfoto.png") && page.body.contains("hat Dateien angehängt"), "on the timeline");
    assert_eq!(download(&app, Some(&agent), None, &url).await.status, Status::Ok, "the desk now sees it");
    assert_eq!(download(&app, Some(&teacher), None, &url).await.status, Status::Ok, "the teacher still does");

    // 3. A new ticket with a PDF and a log file.
    let opened = post_files(
        &mut school,
        "/helpdesk/tickets",
        &[("title", "Drucker im Lehrerzimmer"), ("description", "Papierstau."), ("service", "printing")],
        &[("files", "fehler.pdf", "application/pdf", PDF), ("files", "drucker.log", "text/plain", LOG)],
    )
    .await;
    assert_eq!(opened.status, Status::SeeOther, "{}", opened.body);
    let second = opened.location.clone().unwrap().rsplit('/').next().unwrap().to_string();
    let view = school.get(&format!("/helpdesk/tickets/{second}")).await;
    assert!(view.body.contains("fehler.pdf") && view.body.contains("drucker.log"));
    let rows = attachments(&app).await;
    let pdf = rows.iter().find(|a| a.filename == "fehler.pdf").unwrap().clone();
    let log = rows.iter().find(|a| a.filename == "drucker.log").unwrap().clone();
    assert_eq!(log.content_type, "text/plain; charset=utf-8");
    let got = download(&app, Some(&agent), None, &format!("/attachments/{}", pdf.id)).await;
    assert_eq!(got.bytes, PDF);
    assert_safe_headers(&got, "application/pdf", false, "fehler.pdf");
    let got = download(&app, Some(&school), None, &format!("/attachments/{}", log.id)).await;
    assert_safe_headers(&got, "text/plain; charset=utf-8", false, "drucker.log");
    assert_eq!(
        download(&app, Some(&other_school), None, &format!("/attachments/{}", pdf.id)).await.status,
        Status::NotFound
    );
    assert_eq!(
        download(&app, Some(&teacher), None, &format!("/attachments/{}", pdf.id)).await.status,
        Status::NotFound
    );

    // 4. The school replies with a file only; the desk replies with one and notes another.
    let v = version_field(&view.body);
    let replied = post_files(
        &mut school,
        &format!("/helpdesk/tickets/{second}/comment"),
        &[("body", ""), ("version", &v)],
        &[("files", "foto.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(replied.status, Status::SeeOther, "{}", replied.body);
    let desk_page = agent.get(&format!("/desk/tickets/{second}")).await;
    assert!(desk_page.body.contains("foto.png"));
    let v = version_field(&desk_page.body);
    let noted = post_files(
        &mut agent,
        &format!("/desk/tickets/{second}/comment"),
        &[("body", "Geheimes Protokoll"), ("internal", "true"), ("version", &v)],
        &[("files", "intern.txt", "text/plain", b"nur fuer den Desk\n")],
    )
    .await;
    assert_eq!(noted.status, Status::SeeOther, "{}", noted.body);
    let v = version_field(&agent.get(&format!("/desk/tickets/{second}")).await.body);
    let answered = post_files(
        &mut agent,
        &format!("/desk/tickets/{second}/comment"),
        &[("body", "Anleitung anbei"), ("version", &v)],
        &[("files", "anleitung.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(answered.status, Status::SeeOther, "{}", answered.body);
    let rows = attachments(&app).await;
    let internal = rows.iter().find(|a| a.filename == "intern.txt").unwrap().clone();
    let public = rows.iter().find(|a| a.filename == "anleitung.pdf").unwrap().clone();
    assert!(internal.internal && !public.internal);
    assert_eq!(
        download(&app, Some(&school), None, &format!("/attachments/{}", internal.id)).await.status,
        Status::NotFound
    );
    assert_eq!(download(&app, Some(&agent), None, &format!("/attachments/{}", internal.id)).await.status, Status::Ok);
    assert_eq!(download(&app, Some(&school), None, &format!("/attachments/{}", public.id)).await.status, Status::Ok);
    let school_view = school.get(&format!("/helpdesk/tickets/{second}")).await;
    assert!(school_view.body.contains("anleitung.pdf") && !school_view.body.contains("intern.txt"));
    let mails: Vec<_> = entities::mail_outbox::Entity::find()
        .filter(entities::mail_outbox::Column::ToAddr.eq("admin@gym.de"))
        .all(app.db())
        .await
        .unwrap();
    assert!(mails.iter().any(|m| m.body_text.contains("Anleitung anbei")), "the reply with files is mailed");

    // 5. The ticket API: upload and download within scope.
    let school_token = app.token("admin@gym.de").await;
    let other_token = app.token("admin@gs.de").await;
    let desk_token = app.token("agent@desk.de").await;
    let api = api_files(
        &app,
        Some(&school_token),
        &format!("/api/v1/tickets/{second}/attachments"),
        &[("body", "Noch ein Foto")],
        &[("files", "api.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(api.status, Status::Ok, "{}", api.body);
    let json = api.json();
    let listed = json["attachments"].as_array().unwrap();
    assert!(listed.iter().any(|a| a["name"] == "api.png"));
    assert!(!listed.iter().any(|a| a["name"] == "intern.txt"), "schools never see internal files");
    let api_id = listed.iter().find(|a| a["name"] == "api.png").unwrap()["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{second}/attachments/{api_id}");
    let got = download(&app, None, Some(&desk_token), &path).await;
    assert_eq!(got.status, Status::Ok);
    assert_safe_headers(&got, "image/png", true, "api.png");
    assert_eq!(download(&app, None, Some(&other_token), &path).await.status, Status::NotFound);
    assert_eq!(download(&app, None, None, &path).await.status, Status::Unauthorized);
    // Another ticket's number does not open this ticket's file.
    let crossed =
        download(&app, None, Some(&desk_token), &format!("/api/v1/tickets/{first}/attachments/{api_id}")).await;
    assert_eq!(crossed.status, Status::NotFound);
    let none =
        api_files(&app, Some(&school_token), &format!("/api/v1/tickets/{second}/attachments"), &[("body", "x")], &[])
            .await;
    assert_eq!(none.status, Status::UnprocessableEntity, "{}", none.body);
    assert_eq!(none.json()["error"]["field"], "files");

    // 6. Forwarding shares exactly the chosen files with the provider.
    let page = agent.get(&format!("/desk/tickets/{second}")).await;
    assert!(page.body.contains(&format!("name=\"shared_attachments\" value=\"{}\"", pdf.id)));
    assert!(
        !page.body.contains(&format!("name=\"shared_attachments\" value=\"{}\"", internal.id)),
        "internal files are not offered"
    );
    let refused = agent
        .post_form(
            &format!("/desk/tickets/{second}/forward"),
            &[
                ("provider", "netz"),
                ("priority", "P2"),
                ("body", "Bitte prüfen."),
                ("shared_attachments", &internal.id.to_string()),
                ("version", &version_field(&page.body)),
            ],
        )
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity, "an internal file cannot be shared");
    let forwarded = agent
        .post_form(
            &format!("/desk/tickets/{second}/forward"),
            &[
                ("provider", "netz"),
                ("priority", "P2"),
                ("body", "Bitte prüfen."),
                ("shared_attachments", &pdf.id.to_string()),
                ("version", &version_field(&page.body)),
            ],
        )
        .await;
    assert_eq!(forwarded.status, Status::SeeOther, "{}", forwarded.body);
    let token = provider_token(
        &entities::mail_outbox::Entity::find()
            .order_by_asc(entities::mail_outbox::Column::Id)
            .all(app.db())
            .await
            .unwrap(),
    );
    let mut provider = app.browser();
    let shared_page = provider.get(&format!("/provider/{token}")).await;
    assert_eq!(shared_page.status, Status::Ok);
    assert!(shared_page.body.contains("fehler.pdf"));
    for hidden in ["drucker.log", "intern.txt", "foto.png", "anleitung.pdf"] {
        assert!(!shared_page.body.contains(hidden), "{hidden} was not shared");
    }
    let got = download(&app, None, None, &format!("/provider/{token}/attachments/{}", pdf.id)).await;
    assert_eq!(got.status, Status::Ok);
    assert_safe_headers(&got, "application/pdf", false, "fehler.pdf");
    for id in [log.id, internal.id, public.id, shot.id] {
        assert_eq!(
            download(&app, None, None, &format!("/provider/{token}/attachments/{id}")).await.status,
            Status::NotFound
        );
        assert_eq!(
            download(&app, None, None, &format!("/api/v1/provider/{token}/attachments/{id}")).await.status,
            Status::NotFound
        );
    }
    let shared = app.api_get(None, &format!("/api/v1/provider/{token}")).await.json();
    assert_eq!(shared["attachments"].as_array().unwrap().len(), 1);

    // 7. The provider uploads through the page and through the API; the desk sees both,
    // the school neither.
    provider.get(&format!("/provider/{token}")).await;
    let uploaded = post_files(
        &mut provider,
        &format!("/provider/{token}/comment"),
        &[("body", "Logdatei vom Router")],
        &[("files", "router.log", "text/plain", LOG)],
    )
    .await;
    assert_eq!(uploaded.status, Status::SeeOther, "{}", uploaded.body);
    let api = api_files(
        &app,
        None,
        &format!("/api/v1/provider/{token}/attachments"),
        &[],
        &[("files", "messung.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(api.status, Status::Ok, "{}", api.body);
    let names: Vec<String> =
        api.json()["attachments"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["fehler.pdf", "router.log", "messung.png"]);
    let rows = attachments(&app).await;
    let router = rows.iter().find(|a| a.filename == "router.log").unwrap().clone();
    assert!(router.internal && router.forward_id.is_some() && router.uploaded_by.is_none());
    assert_eq!(download(&app, Some(&agent), None, &format!("/attachments/{}", router.id)).await.status, Status::Ok);
    assert_eq!(
        download(&app, Some(&school), None, &format!("/attachments/{}", router.id)).await.status,
        Status::NotFound
    );
    assert!(agent.get(&format!("/desk/tickets/{second}")).await.body.contains("router.log"));
    assert!(!school.get(&format!("/helpdesk/tickets/{second}")).await.body.contains("router.log"));
    let desk_mail = entities::mail_outbox::Entity::find()
        .filter(entities::mail_outbox::Column::ToAddr.eq("agent@desk.de"))
        .all(app.db())
        .await
        .unwrap();
    assert!(desk_mail.iter().any(|m| m.body_text.contains("Logdatei vom Router")), "the desk is mailed");

    // 8. An expired link, then a revoked one: 410, nothing downloads.
    entities::forward_link::Entity::update_many()
        .col_expr(
            entities::forward_link::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::days(1)),
        )
        .exec(app.db())
        .await
        .unwrap();
    let expired = download(&app, None, None, &format!("/provider/{token}/attachments/{}", pdf.id)).await;
    assert_eq!(expired.status, Status::Gone);
    assert!(!expired.bytes.starts_with(b"%PDF"));
    assert_eq!(
        download(&app, None, None, &format!("/api/v1/provider/{token}/attachments/{}", pdf.id)).await.status,
        Status::Gone
    );
    entities::forward_link::Entity::update_many()
        .col_expr(
            entities::forward_link::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() + chrono::Duration::days(1)),
        )
        .exec(app.db())
        .await
        .unwrap();
    assert_eq!(
        download(&app, None, None, &format!("/provider/{token}/attachments/{}", pdf.id)).await.status,
        Status::Ok
    );
    let forward_id = entities::forward::Entity::find().one(app.db()).await.unwrap().unwrap().id;
    let v = version_field(&agent.get(&format!("/desk/tickets/{second}")).await.body);
    let recalled = agent
        .post_form(&format!("/desk/tickets/{second}/recall"), &[("forward", &forward_id.to_string()), ("version", &v)])
        .await;
    assert_eq!(recalled.status, Status::SeeOther, "{}", recalled.body);
    assert_eq!(
        download(&app, None, None, &format!("/provider/{token}/attachments/{}", pdf.id)).await.status,
        Status::Gone
    );
    let late = api_files(
        &app,
        None,
        &format!("/api/v1/provider/{token}/attachments"),
        &[],
        &[("files", "spaet.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(late.status, Status::Gone);
    assert!(!attachments(&app).await.iter().any(|a| a.filename == "spaet.png"));
    drop(other_teacher.get("/reports").await);
}

#[rocket::async_test]
async fn uploads_and_downloads_work_at_every_upload_point() {
    on_each_backend!(every_upload_point);
}

async fn nothing_stored(app: &TestApp, before_files: usize) {
    assert!(attachments(app).await.is_empty(), "no attachment row");
    assert_eq!(stored_files(app).len(), before_files, "no file left behind");
}

async fn refused_uploads(backend: Backend) {
    // A small limit keeps the request small; the default is checked below.
    let app = TestApp::with(&backend, |f| f.merge(("staffel.attachment_max_bytes", 4096))).await;
    setup(&app).await;
    assert_eq!(app.settings().attachment_max_bytes, 4096);
    let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
    let report = [("affected", "Beamer"), ("since", "heute"), ("how_many", "alle"), ("description", "Kein Bild.")];
    let before = app.fingerprint().await;

    // Too large: a clear message, no report, no row, no file.
    let mut big = PNG.to_vec();
    big.resize(4097, 0);
    let reply = post_files(&mut teacher, "/reports", &report, &[("files", "gross.png", "image/png", &big)]).await;
    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains(&html_message(Lang::De, "attachments.too_large", "4 KB")), "{}", reply.body);
    // Exactly at the limit is fine later; first every other refusal.
    let cases: [(&str, &[u8], &str); 5] = [
        ("bild.png", HTML, "bild.png"),
        ("seite.html", HTML, "seite.html"),
        ("notiz.txt", HTML, "notiz.txt"),
        ("programm.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "programm.png"),
        ("bild.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "bild.svg"),
    ];
    for (name, bytes, shown) in cases {
        let reply = post_files(&mut teacher, "/reports", &report, &[("files", name, "image/png", bytes)]).await;
        assert_eq!(reply.status, Status::UnprocessableEntity, "{name}");
        assert!(
            reply.body.contains(&html_message(Lang::De, "attachments.type_refused", shown)),
            "{name}: {}",
            reply.body
        );
    }
    let empty = post_files(&mut teacher, "/reports", &report, &[("files", "leer.png", "image/png", b"")]).await;
    assert_eq!(empty.status, Status::UnprocessableEntity);
    assert!(empty.body.contains(&html_message(Lang::De, "attachments.empty", "leer.png")));
    // One bad file among good ones: none of them is kept.
    let mixed = post_files(
        &mut teacher,
        "/reports",
        &report,
        &[("files", "gut.png", "image/png", PNG), ("files", "boese.png", "image/png", HTML)],
    )
    .await;
    assert_eq!(mixed.status, Status::UnprocessableEntity);
    let eleven: Vec<Part<'_>> = (0..11).map(|_| ("files", "x.png", "image/png", PNG)).collect();
    let many = post_files(&mut teacher, "/reports", &report, &eleven).await;
    assert_eq!(many.status, Status::UnprocessableEntity);
    assert!(many.body.contains(&html_message(Lang::De, "attachments.too_many", "10")));
    assert_eq!(app.fingerprint().await, before, "nothing changed in the database");
    nothing_stored(&app, 0).await;

    // The same on the other upload points.
    let mut school = app.login("admin@gym.de", PASSWORD).await;
    let ticket = [("title", "Drucker"), ("description", "Papierstau.")];
    let reply =
        post_files(&mut school, "/helpdesk/tickets", &ticket, &[("files", "bild.png", "image/png", HTML)]).await;
    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(reply.body.contains("value=\"Drucker\""), "the form keeps what was typed");
    assert!(entities::ticket::Entity::find().all(app.db()).await.unwrap().is_empty(), "no ticket without its files");
    let token = app.token("admin@gym.de").await;
    let created = app
        .api_send(
            Method::Post,
            Some(&token),
            "/api/v1/tickets",
            r#"{"title":"Beamer","description":"aus"}"#,
            ContentType::JSON,
        )
        .await;
    let number = created.json()["number"].as_str().unwrap().to_string();
    let before = app.fingerprint().await;
    let api = api_files(
        &app,
        Some(&token),
        &format!("/api/v1/tickets/{number}/attachments"),
        &[],
        &[("files", "gross.png", "image/png", &big)],
    )
    .await;
    assert_eq!(api.status, Status::UnprocessableEntity);
    assert_eq!(api.json()["error"]["message"], staffel::i18n::tr_arg(Lang::De, "attachments.too_large", "4 KB"));
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
    let wrong_type = app
        .api_send(Method::Post, Some(&token), &format!("/api/v1/tickets/{number}/attachments"), "{}", ContentType::JSON)
        .await;
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
    // Another school's admin learns nothing from a file message: the ticket is not found.
    let mut other = app.login("admin@gs.de", PASSWORD).await;
    let probe = post_files(
        &mut other,
        &format!("/helpdesk/tickets/{number}/comment"),
        &[("body", "x")],
        &[("files", "bild.png", "image/png", HTML)],
    )
    .await;
    assert_eq!(probe.status, Status::NotFound);

    // Exactly at the limit is accepted.
    let mut exact = PNG.to_vec();
    exact.resize(4096, 0);
    let ok = post_files(&mut teacher, "/reports", &report, &[("files", "genau.png", "image/png", &exact)]).await;
    assert_eq!(ok.status, Status::SeeOther, "{}", ok.body);
    assert_eq!(attachments(&app).await.len(), 1);
    assert_eq!(stored_files(&app).len(), 1);
}

#[rocket::async_test]
async fn too_large_and_disguised_files_are_refused_and_nothing_is_stored() {
    on_each_backend!(refused_uploads);
}

async fn default_limit(backend: Backend) {
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

#[rocket::async_test]
async fn the_default_limit_is_ten_megabytes() {
    on_each_backend!(default_limit);
}

/// Rocket's body limits below the attachment limit would refuse uploads the settings
/// allow: Staffel raises them (a `staffel serve` without Rocket.toml has Rocket's 1 MiB).
#[rocket::async_test]
async fn body_limits_are_raised_to_the_attachment_size() {
    let dir = tempfile::tempdir().unwrap();
    let figment =
        common::test_figment(dir.path(), "").merge(("limits.data-form", "1 MiB")).merge(("limits.file", "1 MiB"));
    let rocket = staffel::build(figment).ignite().await.expect("Staffel ignites");
    let limits = &rocket.config().limits;
    assert!(limits.get("file").unwrap().as_u64() >= 10 * 1024 * 1024);
    assert!(limits.get("data-form").unwrap().as_u64() > 10 * 1024 * 1024);
    // A configured limit above the attachment size is left alone.
    let figment = common::test_figment(dir.path(), "").merge(("limits.data-form", "40 MiB"));
    let rocket = staffel::build(figment).ignite().await.expect("Staffel ignites");
    assert_eq!(rocket.config().limits.get("data-form").unwrap().as_u64(), 40 * 1024 * 1024);
}

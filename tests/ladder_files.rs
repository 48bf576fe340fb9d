//! Files on the answers of the ladder: the desk's answer to a provider carries files that
//! only that forward's link lists and serves (named in the mail, on the desk's timeline,
//! never shown to the school); the school admin's answer to a report carries files to the
//! teacher, an escalation carries them into the ticket. A refused file changes nothing.
mod common;

use common::uploads::{attachments, download, post_files, stored_files, version_field, HTML, LOG, PDF, PNG};
use common::{html_message, Backend, SmtpServer, TestApp, PASSWORD};
use rocket::http::{ContentType, Method, Status};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use staffel::i18n::Lang;

/// A small limit keeps the "too large" request small.
const LIMIT: u64 = 4096;

async fn provider(app: &TestApp, slug: &str, name: &str, contact: &str) {
    staffel::catalogue::providers::create(
        app.db(),
        staffel::audit::By::Cli,
        staffel::catalogue::providers::ProviderInput {
            slug: slug.into(),
            name: name.into(),
            response_hours: "16".into(),
            contacts: vec![contact.into()],
            services: vec!["wifi".into()],
            active: true,
        },
    )
    .await
    .expect("provider");
}

/// The link token in the last mail queued for this address.
async fn token_mailed_to(app: &TestApp, email: &str) -> String {
    let mail = entities::mail_outbox::Entity::find()
        .filter(entities::mail_outbox::Column::ToAddr.eq(email))
        .order_by_desc(entities::mail_outbox::Column::Id)
        .one(app.db())
        .await
        .unwrap()
        .expect("a mail to the contact");
    let marker = "/provider/";
    let start = mail.body_text.find(marker).expect("a provider link") + marker.len();
    mail.body_text[start..start + 64].to_string()
}

async fn named(app: &TestApp, name: &str) -> entities::attachment::Model {
    attachments(app).await.into_iter().find(|a| a.filename == name).unwrap_or_else(|| panic!("no row for {name}"))
}

/// The ids of the files a timeline event of this kind lists.
async fn event_files(app: &TestApp, kind: &str) -> Vec<i64> {
    let events = entities::ticket_event::Entity::find()
        .filter(entities::ticket_event::Column::Kind.eq(kind))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "one {kind} event");
    let data: serde_json::Value = serde_json::from_str(&events[0].data).unwrap();
    data["attachments"].as_array().expect("files on the event").iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

async fn desk_files_reach_the_provider(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = TestApp::with(&backend, |f| {
        f.merge(("staffel.mail", "smtp"))
            .merge(("staffel.smtp_url", smtp.url()))
            .merge(("staffel.attachment_max_bytes", LIMIT))
    })
    .await;
    app.school("gym").await;
    app.school("gs").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("admin@gs.de", "school_admin", "gs").await;
    app.user("agent@desk.de", "agent", "").await;
    provider(&app, "netz", "Netz GmbH", "Support <support@netz.de>").await;
    provider(&app, "druck", "Druck AG", "Service <service@druck.de>").await;
    let school_token = app.token("admin@gym.de").await;
    let desk_token = app.token("agent@desk.de").await;
    let opened = app
        .api_send(
            Method::Post,
            Some(&school_token),
            "/api/v1/tickets",
            r#"{"title":"WLAN im Altbau fällt aus","description":"Seit Montag.","service":"wifi"}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(opened.status, Status::Created, "{}", opened.body);
    let number = opened.json()["number"].as_str().unwrap().to_string();
    for slug in ["netz", "druck"] {
        let forwarded = app
            .api_send(
                Method::Post,
                Some(&desk_token),
                &format!("/api/v1/tickets/{number}/forward"),
                &format!(r#"{{"provider":"{slug}","priority":"P2","message":"Bitte prüfen."}}"#),
                ContentType::JSON,
            )
            .await;
        assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
    }
    let forwards =
        entities::forward::Entity::find().order_by_asc(entities::forward::Column::Id).all(app.db()).await.unwrap();
    let (netz, druck) = (forwards[0].id.to_string(), forwards[1].id.to_string());
    let netz_token = token_mailed_to(&app, "support@netz.de").await;
    let druck_token = token_mailed_to(&app, "service@druck.de").await;
    app.deliver_mail().await;
    let mailed_before = smtp.messages().len();

    // The provider's reply form takes files.
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    let path = format!("/desk/tickets/{number}/provider_reply");
    let page = agent.get(&format!("/desk/tickets/{number}")).await;
    assert!(page.body.contains(&format!("action=\"{path}\" enctype=\"multipart/form-data\"")), "{}", page.body);
    assert!(page.body.contains(&format!("id=\"f-pfiles-{netz}\" name=\"files\" type=\"file\"")));

    // A refused file: a clear message, and nothing stored, shared or mailed.
    let before = app.fingerprint().await;
    let mut big = PNG.to_vec();
    big.resize(LIMIT as usize + 1, 0);
    let refusals = [
        (("files", "router.png", "image/png", HTML), html_message(Lang::De, "attachments.type_refused", "router.png")),
        (("files", "gross.png", "image/png", &big[..]), html_message(Lang::De, "attachments.too_large", "4 KB")),
    ];
    for (file, message) in refusals {
        let refused = post_files(&mut agent, &path, &[("forward", &netz), ("body", "Anbei")], &[file]).await;
        assert_eq!(refused.status, Status::UnprocessableEntity, "{}", file.1);
        assert!(refused.body.contains(&message), "{}: {}", file.1, refused.body);
    }
    assert_eq!(app.fingerprint().await, before, "nothing changed in the database");
    assert!(stored_files(&app).is_empty(), "no file left behind");

    // The answer with two files: recorded, shared with this forward only, internal.
    let files = [("files", "protokoll.pdf", "application/pdf", PDF), ("files", "router.log", "text/plain", LOG)];
    let replied = post_files(&mut agent, &path, &[("forward", &netz), ("body", "Anbei das Protokoll.")], &files).await;
    assert_eq!(replied.status, Status::SeeOther, "{}", replied.body);
    assert_eq!(replied.location.as_deref(), Some(format!("/desk/tickets/{number}").as_str()));
    let pdf = named(&app, "protokoll.pdf").await;
    let log = named(&app, "router.log").await;
    let agent_id = app.user_id("agent@desk.de").await;
    for row in [&pdf, &log] {
        assert!(row.internal && row.ticket_id.is_some() && row.report_id.is_none(), "{row:?}");
        assert_eq!((row.forward_id, row.uploaded_by), (None, Some(agent_id)), "the desk's file, not the provider's");
    }
    let shares = entities::attachment_share::Entity::find().all(app.db()).await.unwrap();
    let shared: Vec<(String, i32)> = shares.iter().map(|s| (s.forward_id.to_string(), s.attachment_id)).collect();
    assert_eq!(shared, vec![(netz.clone(), pdf.id), (netz.clone(), log.id)]);
    assert_eq!(stored_files(&app).len(), 2);
    assert_eq!(event_files(&app, "provider_reply").await, vec![pdf.id as i64, log.id as i64], "on the timeline");
    let desk_page = agent.get(&format!("/desk/tickets/{number}")).await;
    assert!(desk_page.body.contains("an den Dienstleister") && desk_page.body.contains("protokoll.pdf"));

    // The provider sees and downloads them through its link, on the page and in JSON.
    let mut netz_browser = app.browser();
    let shared_page = netz_browser.get(&format!("/provider/{netz_token}")).await;
    let href = format!("{}/{}", tera::escape_html(&format!("/provider/{netz_token}/attachments")), pdf.id);
    assert!(shared_page.body.contains(&format!("href=\"{href}\"")), "{}", shared_page.body);
    assert!(shared_page.body.contains("router.log"));
    // Kept from the school, but to the provider they are not "internal".
    let listed = shared_page.body.split("class=\"attachments\"").nth(1).expect("the file list");
    let listed = &listed[..listed.find("</ul>").expect("the list's end")];
    assert!(!listed.contains("class=\"badge\""), "no internal badge for the provider: {listed}");
    let json = app.api_get(None, &format!("/api/v1/provider/{netz_token}")).await.json();
    assert!(json["attachments"].as_array().unwrap().iter().all(|a| a["internal"] != true), "{json}");
    let names: Vec<&str> =
        json["attachments"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["protokoll.pdf", "router.log"]);
    for base in [format!("/provider/{netz_token}"), format!("/api/v1/provider/{netz_token}")] {
        let got = download(&app, None, None, &format!("{base}/attachments/{}", pdf.id)).await;
        assert_eq!((got.status, got.bytes.as_slice()), (Status::Ok, PDF), "{base}");
        assert_eq!(got.headers.get("x-content-type-options").map(String::as_str), Some("nosniff"));
    }

    // Another forward's link does not list or serve them.
    let other_page = app.browser().get(&format!("/provider/{druck_token}")).await;
    assert_eq!(other_page.status, Status::Ok);
    assert!(!other_page.body.contains("protokoll.pdf") && !other_page.body.contains("router.log"));
    let other_json = app.api_get(None, &format!("/api/v1/provider/{druck_token}")).await.json();
    assert_eq!(other_json["attachments"], serde_json::json!([]));
    for base in [format!("/provider/{druck_token}"), format!("/api/v1/provider/{druck_token}")] {
        for id in [pdf.id, log.id] {
            assert_eq!(download(&app, None, None, &format!("{base}/attachments/{id}")).await.status, Status::NotFound);
        }
    }

    // The school never sees the desk's conversation with the provider.
    let mut school = app.login("admin@gym.de", PASSWORD).await;
    let other_school = app.login("admin@gs.de", PASSWORD).await;
    for browser in [&school, &other_school] {
        let got = download(&app, Some(browser), None, &format!("/attachments/{}", pdf.id)).await;
        assert_eq!(got.status, Status::NotFound);
    }
    assert!(!school.get(&format!("/helpdesk/tickets/{number}")).await.body.contains("protokoll.pdf"));
    let ticket_json = app.api_get(Some(&school_token), &format!("/api/v1/tickets/{number}")).await;
    assert!(!ticket_json.body.contains("protokoll.pdf"), "{}", ticket_json.body);

    // The mail names the files with their download address under the contact's own link.
    app.deliver_mail().await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), mailed_before + 1, "one contact, one mail");
    let mail = messages.last().unwrap();
    assert_eq!(mail.to, vec!["support@netz.de".to_string()]);
    let raw = String::from_utf8_lossy(&mail.data).to_string();
    assert!(raw.contains("Anbei das Protokoll.") && raw.contains("Dateien zu dieser Nachricht"), "{raw}");
    let url = format!("http://staffel.test/provider/{netz_token}/attachments/{}", pdf.id);
    assert!(raw.contains("- protokoll.pdf (") && raw.contains(&url), "{raw}");
    assert!(raw.contains(&format!("http://staffel.test/provider/{netz_token}/attachments/{}", log.id)));
    let followed = download(&app, None, None, url.trim_start_matches("http://staffel.test")).await;
    assert_eq!((followed.status, followed.bytes.as_slice()), (Status::Ok, PDF));

    // Files alone answer too; a recalled forward takes none.
    let only_file =
        post_files(&mut agent, &path, &[("forward", &netz), ("body", "")], &[("files", "foto.png", "image/png", PNG)])
            .await;
    assert_eq!(only_file.status, Status::SeeOther, "{}", only_file.body);
    let v = version_field(&agent.get(&format!("/desk/tickets/{number}")).await.body);
    let recalled =
        agent.post_form(&format!("/desk/tickets/{number}/recall"), &[("forward", &druck), ("version", &v)]).await;
    assert_eq!(recalled.status, Status::SeeOther, "{}", recalled.body);
    let before = app.fingerprint().await;
    let files_before = stored_files(&app).len();
    let late = post_files(&mut agent, &path, &[("forward", &druck), ("body", "Noch was")], &[files[0]]).await;
    assert_eq!(late.status, Status::Conflict, "{}", late.body);
    assert!(late.body.contains(&html_message(Lang::De, "forwards.not_active", "")));
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(stored_files(&app).len(), files_before);
}

#[rocket::async_test]
async fn the_desks_answer_to_a_provider_carries_files_to_that_provider_only() {
    on_each_backend!(desk_files_reach_the_provider);
}

async fn triage_files(backend: Backend) {
    let app = TestApp::with(&backend, |f| f.merge(("staffel.attachment_max_bytes", LIMIT))).await;
    app.school("gym").await;
    app.school("gs").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("admin@gs.de", "school_admin", "gs").await;
    app.user("lehrer@gym.de", "teacher", "gym").await;
    app.user("lehrer2@gym.de", "teacher", "gym").await;
    app.user("agent@desk.de", "agent", "").await;
    let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
    let other_teacher = app.login("lehrer2@gym.de", PASSWORD).await;
    let mut admin = app.login("admin@gym.de", PASSWORD).await;
    let other_admin = app.login("admin@gs.de", PASSWORD).await;
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    let report = [("affected", "Beamer 204"), ("since", "heute"), ("how_many", "eine Klasse"), ("description", "Aus.")];
    let mut filed = Vec::new();
    for files in [&[("files", "bildschirmfoto.png", "image/png", PNG)][..], &[]] {
        let reply = post_files(&mut teacher, "/reports", &report, files).await;
        assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
        filed.push(reply.location.unwrap().trim_start_matches("/reports/").to_string());
    }
    let (escalated, answered) = (&filed[0], &filed[1]);
    // The school's admins are told, with the screenshot named in the first report's mail only.
    let to_admin: Vec<String> = entities::mail_outbox::Entity::find()
        .filter(entities::mail_outbox::Column::ToAddr.eq("admin@gym.de"))
        .order_by_asc(entities::mail_outbox::Column::Id)
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.body_text)
        .collect();
    assert_eq!(to_admin.len(), 2, "{to_admin:?}");
    assert!(to_admin[0].contains("- bildschirmfoto.png ("), "{}", to_admin[0]);
    assert!(!to_admin[1].contains("bildschirmfoto.png"), "{}", to_admin[1]);

    // The triage form takes files.
    let page = admin.get(&format!("/helpdesk/reports/{escalated}")).await;
    let form = format!("action=\"/helpdesk/reports/{escalated}/answer\" enctype=\"multipart/form-data\"");
    assert!(page.body.contains(&form) && page.body.contains("name=\"files\" type=\"file\""), "{}", page.body);
    let version = version_field(&page.body);

    // Refused files change nothing: no ticket, no answer, no row, no file.
    let before = app.fingerprint().await;
    let escalate =
        [("triage_scope", "local"), ("title", "Beamer 204"), ("priority", "P3"), ("version", version.as_str())];
    let refused = post_files(
        &mut admin,
        &format!("/helpdesk/reports/{escalated}/escalate"),
        &escalate,
        &[("files", "netzplan.png", "image/png", HTML)],
    )
    .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(refused.body.contains(&html_message(Lang::De, "attachments.type_refused", "netzplan.png")));
    let mut big = PDF.to_vec();
    big.resize(LIMIT as usize + 1, b' ');
    let refused = post_files(
        &mut admin,
        &format!("/helpdesk/reports/{answered}/answer"),
        &[("answer", "Kabel getauscht.")],
        &[("files", "anleitung.pdf", "application/pdf", &big)],
    )
    .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(refused.body.contains(&html_message(Lang::De, "attachments.too_large", "4 KB")));
    assert_eq!(app.fingerprint().await, before, "nothing changed in the database");
    assert_eq!(stored_files(&app).len(), 1, "only the teacher's screenshot");
    // Another school's admin learns nothing from a file message: the report is not found.
    let mut probe = other_admin.fork();
    let probed = post_files(
        &mut probe,
        &format!("/helpdesk/reports/{answered}/answer"),
        &[("answer", "x")],
        &[("files", "x.png", "image/png", HTML)],
    )
    .await;
    assert_eq!(probed.status, Status::NotFound);

    // An answer with a file: it is the report's, for its teacher.
    let done = post_files(
        &mut admin,
        &format!("/helpdesk/reports/{answered}/answer"),
        &[("answer", "Anleitung anbei.")],
        &[("files", "anleitung.pdf", "application/pdf", PDF)],
    )
    .await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    let guide = named(&app, "anleitung.pdf").await;
    assert_eq!((guide.report_id.map(|r| r.to_string()), guide.ticket_id), (Some(answered.clone()), None));
    assert!(!guide.internal && guide.uploaded_by == Some(app.user_id("admin@gym.de").await));
    assert!(teacher.get(&format!("/reports/{answered}")).await.body.contains("anleitung.pdf"));
    let answer_mail = entities::mail_outbox::Entity::find()
        .filter(entities::mail_outbox::Column::ToAddr.eq("lehrer@gym.de"))
        .order_by_desc(entities::mail_outbox::Column::Id)
        .one(app.db())
        .await
        .unwrap()
        .expect("the teacher's mail");
    assert!(answer_mail.body_text.contains("Anleitung anbei."), "{}", answer_mail.body_text);
    assert!(answer_mail.body_text.contains("- anleitung.pdf ("), "the mail names the file: {}", answer_mail.body_text);
    assert!(answer_mail.body_html.contains("anleitung.pdf"));
    let url = format!("/attachments/{}", guide.id);
    assert_eq!(download(&app, Some(&teacher), None, &url).await.bytes, PDF);
    for (who, browser) in [("another teacher", &other_teacher), ("another school", &other_admin), ("the desk", &agent)]
    {
        assert_eq!(download(&app, Some(browser), None, &url).await.status, Status::NotFound, "{who}");
    }

    // An escalation with a file: it arrives in the ticket beside the report's screenshot.
    let done = post_files(
        &mut admin,
        &format!("/helpdesk/reports/{escalated}/escalate"),
        &escalate,
        &[("files", "netzplan.png", "image/png", PNG)],
    )
    .await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    let number = done.location.unwrap().rsplit('/').next().unwrap().to_string();
    let ticket_id = staffel::tickets::status::id_of(&number).unwrap();
    let plan = named(&app, "netzplan.png").await;
    let shot = named(&app, "bildschirmfoto.png").await;
    assert_eq!((plan.ticket_id, plan.report_id, plan.internal), (Some(ticket_id), None, false));
    assert_eq!(shot.ticket_id, Some(ticket_id), "the report's own file is carried too");
    assert_eq!(event_files(&app, "attachments").await, vec![shot.id as i64, plan.id as i64], "one timeline entry");
    let desk_page = agent.get(&format!("/desk/tickets/{number}")).await;
    assert!(desk_page.body.contains("netzplan.png") && desk_page.body.contains("bildschirmfoto.png"));
    assert!(admin.get(&format!("/helpdesk/tickets/{number}")).await.body.contains("netzplan.png"));
    let url = format!("/attachments/{}", plan.id);
    assert_eq!(download(&app, Some(&agent), None, &url).await.bytes, PNG);
    assert_eq!(download(&app, Some(&admin), None, &url).await.status, Status::Ok);
    for (who, browser) in [("another school", &other_admin), ("the teacher", &teacher)] {
        assert_eq!(download(&app, Some(browser), None, &url).await.status, Status::NotFound, "{who}");
    }
    let desk_token = app.token("agent@desk.de").await;
    let api_path = format!("/api/v1/tickets/{number}/attachments/{}", plan.id);
    assert_eq!(download(&app, None, Some(&desk_token), &api_path).await.status, Status::Ok);
    let uploads = entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::Action.eq("attachment.upload"))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(uploads.len(), 3, "each file has its audit event");
}

#[rocket::async_test]
async fn the_school_admin_answers_and_escalates_reports_with_files() {
    on_each_backend!(triage_files);
}

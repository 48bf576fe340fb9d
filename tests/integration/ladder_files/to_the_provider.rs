//! The desk's answer to a provider, with files: shared with that forward only.
use super::{event_files, named, LIMIT};
use crate::common::uploads::{download, post_files, stored_files, Part, HTML, LOG, PDF, PNG};
use crate::common::{html_message, version_field, Backend, Browser, SmtpServer, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::{EntityTrait, QueryOrder};
use staffel::i18n::Lang;

/// The files of the desk's answer.
const FILES: [Part<'static>; 2] =
    [("files", "protokoll.pdf", "application/pdf", PDF), ("files", "router.log", "text/plain", LOG)];

/// A ticket of school gym forwarded to two providers, their forwards' ids and the link
/// tokens mailed to their contacts (the mails are out already).
struct Forwarded {
    number: String,
    netz: String,
    druck: String,
    netz_token: String,
    druck_token: String,
    school_token: String,
}

async fn forwarded_app(backend: &Backend, smtp: &SmtpServer) -> (TestApp, Forwarded) {
    let app = TestApp::with(backend, |f| {
        f.merge(("staffel.mail", "smtp"))
            .merge(("staffel.smtp_url", smtp.url()))
            .merge(("staffel.attachment_max_bytes", LIMIT))
    })
    .await;
    app.school("gym").await;
    app.school("gs").await;
    app.users(&[
        ("admin@gym.de", "school_admin", "gym"),
        ("admin@gs.de", "school_admin", "gs"),
        ("agent@desk.de", "agent", ""),
    ])
    .await;
    app.provider("netz", "Netz GmbH", "16", &["Support <support@netz.de>"], &["wifi"]).await;
    app.provider("druck", "Druck AG", "16", &["Service <service@druck.de>"], &["wifi"]).await;
    let school_token = app.token("admin@gym.de").await;
    let desk_token = app.token("agent@desk.de").await;
    let number = app
        .open_ticket(
            &school_token,
            r#"{"title":"WLAN im Altbau fällt aus","description":"Seit Montag.","service":"wifi"}"#,
        )
        .await;
    for slug in ["netz", "druck"] {
        app.forward_ticket(
            &desk_token,
            &number,
            &format!(r#"{{"provider":"{slug}","priority":"P2","message":"Bitte prüfen."}}"#),
        )
        .await;
    }
    let forwards =
        entities::forward::Entity::find().order_by_asc(entities::forward::Column::Id).all(app.db()).await.unwrap();
    let (netz, druck) = (forwards[0].id.to_string(), forwards[1].id.to_string());
    let netz_token = app.provider_token_mailed_to("support@netz.de").await;
    let druck_token = app.provider_token_mailed_to("service@druck.de").await;
    app.deliver_mail().await;
    (app, Forwarded { number, netz, druck, netz_token, druck_token, school_token })
}

/// The desk answers the netz forward with the protocol and the router log; their rows.
async fn answer_with_two_files(
    app: &TestApp,
    agent: &mut Browser<'_>,
    f: &Forwarded,
) -> (entities::attachment::Model, entities::attachment::Model) {
    let path = format!("/desk/tickets/{}/provider_reply", f.number);
    let replied = post_files(agent, &path, &[("forward", &f.netz), ("body", "Anbei das Protokoll.")], &FILES).await;
    assert_eq!(replied.status, Status::SeeOther, "{}", replied.body);
    assert_eq!(replied.location.as_deref(), Some(format!("/desk/tickets/{}", f.number).as_str()));
    (named(app, "protokoll.pdf").await, named(app, "router.log").await)
}

both_dbs!(
    async fn the_desks_reply_form_to_a_provider_takes_files(backend: Backend) {
        let smtp = SmtpServer::start();
        let (app, f) = forwarded_app(&backend, &smtp).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        // The page's one reply box answers a provider, chosen among the active forwards.
        let path = format!("/desk/tickets/{}/reply", f.number);
        let page = agent.get(&format!("/desk/tickets/{}", f.number)).await;
        assert!(page.body.contains(&format!("action=\"{path}\" enctype=\"multipart/form-data\"")), "{}", page.body);
        assert!(page.body.contains(r#"id="mode-provider" value="provider""#));
        assert!(page.body.contains(&format!("<option value=\"{}\">", f.netz)));
        assert!(page.body.contains(r#"id="f-files" name="files" type="file""#));
    }
);

both_dbs!(
    async fn a_refused_file_for_a_provider_stores_shares_and_mails_nothing(backend: Backend) {
        let smtp = SmtpServer::start();
        let (app, f) = forwarded_app(&backend, &smtp).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        agent.get(&format!("/desk/tickets/{}", f.number)).await;
        let path = format!("/desk/tickets/{}/provider_reply", f.number);
        let before = app.fingerprint().await;
        let mut big = PNG.to_vec();
        big.resize(LIMIT as usize + 1, 0);
        let refusals = [
            (
                ("files", "router.png", "image/png", HTML),
                html_message(Lang::De, "attachments.type_refused", "router.png"),
            ),
            (("files", "gross.png", "image/png", &big[..]), html_message(Lang::De, "attachments.too_large", "4 KB")),
        ];
        for (file, message) in refusals {
            let refused = post_files(&mut agent, &path, &[("forward", &f.netz), ("body", "Anbei")], &[file]).await;
            assert_eq!(refused.status, Status::UnprocessableEntity, "{}", file.1);
            assert!(refused.body.contains(&message), "{}: {}", file.1, refused.body);
        }
        assert_eq!(app.fingerprint().await, before, "nothing changed in the database");
        assert!(stored_files(&app).is_empty(), "no file left behind");
    }
);

both_dbs!(
    async fn the_desks_files_for_a_provider_are_internal_and_shared_with_that_forward_only(backend: Backend) {
        let smtp = SmtpServer::start();
        let (app, f) = forwarded_app(&backend, &smtp).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let (pdf, log) = answer_with_two_files(&app, &mut agent, &f).await;
        let agent_id = app.user_id("agent@desk.de").await;
        for row in [&pdf, &log] {
            assert!(row.internal && row.ticket_id.is_some() && row.report_id.is_none(), "{row:?}");
            assert_eq!(
                (row.forward_id, row.uploaded_by),
                (None, Some(agent_id)),
                "the desk's file, not the provider's"
            );
        }
        let shares = entities::attachment_share::Entity::find().all(app.db()).await.unwrap();
        let shared: Vec<(String, i32)> = shares.iter().map(|s| (s.forward_id.to_string(), s.attachment_id)).collect();
        assert_eq!(shared, vec![(f.netz.clone(), pdf.id), (f.netz.clone(), log.id)]);
        assert_eq!(stored_files(&app).len(), 2);
        assert_eq!(event_files(&app, "provider_reply").await, vec![pdf.id as i64, log.id as i64], "on the timeline");
        let desk_page = agent.get(&format!("/desk/tickets/{}", f.number)).await;
        assert!(desk_page.body.contains("an den Dienstleister") && desk_page.body.contains("protokoll.pdf"));
    }
);

both_dbs!(
    async fn the_provider_sees_and_downloads_the_desks_files_through_its_link(backend: Backend) {
        let smtp = SmtpServer::start();
        let (app, f) = forwarded_app(&backend, &smtp).await;
        let (pdf, _) = answer_with_two_files(&app, &mut app.login("agent@desk.de", PASSWORD).await, &f).await;
        let netz_token = &f.netz_token;
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
    }
);

both_dbs!(
    async fn another_forwards_link_neither_lists_nor_serves_the_desks_files(backend: Backend) {
        let smtp = SmtpServer::start();
        let (app, f) = forwarded_app(&backend, &smtp).await;
        let (pdf, log) = answer_with_two_files(&app, &mut app.login("agent@desk.de", PASSWORD).await, &f).await;
        let druck_token = &f.druck_token;
        let other_page = app.browser().get(&format!("/provider/{druck_token}")).await;
        assert_eq!(other_page.status, Status::Ok);
        assert!(!other_page.body.contains("protokoll.pdf") && !other_page.body.contains("router.log"));
        let other_json = app.api_get(None, &format!("/api/v1/provider/{druck_token}")).await.json();
        assert_eq!(other_json["attachments"], serde_json::json!([]));
        for base in [format!("/provider/{druck_token}"), format!("/api/v1/provider/{druck_token}")] {
            for id in [pdf.id, log.id] {
                assert_eq!(
                    download(&app, None, None, &format!("{base}/attachments/{id}")).await.status,
                    Status::NotFound
                );
            }
        }
    }
);

both_dbs!(
    async fn the_school_never_sees_the_desks_conversation_with_the_provider(backend: Backend) {
        let smtp = SmtpServer::start();
        let (app, f) = forwarded_app(&backend, &smtp).await;
        let (pdf, _) = answer_with_two_files(&app, &mut app.login("agent@desk.de", PASSWORD).await, &f).await;
        let mut school = app.login("admin@gym.de", PASSWORD).await;
        let other_school = app.login("admin@gs.de", PASSWORD).await;
        for browser in [&school, &other_school] {
            let got = download(&app, Some(browser), None, &format!("/attachments/{}", pdf.id)).await;
            assert_eq!(got.status, Status::NotFound);
        }
        assert!(!school.get(&format!("/helpdesk/tickets/{}", f.number)).await.body.contains("protokoll.pdf"));
        let ticket_json = app.api_get(Some(&f.school_token), &format!("/api/v1/tickets/{}", f.number)).await;
        assert!(!ticket_json.body.contains("protokoll.pdf"), "{}", ticket_json.body);
    }
);

both_dbs!(
    async fn the_mail_to_the_provider_names_each_file_under_the_contacts_own_link(backend: Backend) {
        let smtp = SmtpServer::start();
        let (app, f) = forwarded_app(&backend, &smtp).await;
        let mailed_before = smtp.messages().len();
        let (pdf, log) = answer_with_two_files(&app, &mut app.login("agent@desk.de", PASSWORD).await, &f).await;
        let netz_token = &f.netz_token;
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
    }
);

both_dbs!(
    async fn files_alone_answer_a_provider(backend: Backend) {
        let smtp = SmtpServer::start();
        let (app, f) = forwarded_app(&backend, &smtp).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        answer_with_two_files(&app, &mut agent, &f).await;
        let path = format!("/desk/tickets/{}/provider_reply", f.number);
        let only_file = post_files(
            &mut agent,
            &path,
            &[("forward", &f.netz), ("body", "")],
            &[("files", "foto.png", "image/png", PNG)],
        )
        .await;
        assert_eq!(only_file.status, Status::SeeOther, "{}", only_file.body);
    }
);

both_dbs!(
    async fn a_recalled_forward_takes_no_more_files(backend: Backend) {
        let smtp = SmtpServer::start();
        let (app, f) = forwarded_app(&backend, &smtp).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        answer_with_two_files(&app, &mut agent, &f).await;
        let number = &f.number;
        let v = version_field(&agent.get(&format!("/desk/tickets/{number}")).await.body);
        let recalled =
            agent.post_form(&format!("/desk/tickets/{number}/recall"), &[("forward", &f.druck), ("version", &v)]).await;
        assert_eq!(recalled.status, Status::SeeOther, "{}", recalled.body);
        let before = app.fingerprint().await;
        let files_before = stored_files(&app).len();
        let path = format!("/desk/tickets/{number}/provider_reply");
        let late = post_files(&mut agent, &path, &[("forward", &f.druck), ("body", "Noch was")], &[FILES[0]]).await;
        assert_eq!(late.status, Status::Conflict, "{}", late.body);
        assert!(late.body.contains(&html_message(Lang::De, "forwards.not_active", "")));
        assert_eq!(app.fingerprint().await, before);
        assert_eq!(stored_files(&app).len(), files_before);
    }
);

//! The whole ladder, end to end over HTTP with a real SMTP server: a teacher reports, the
//! school admin escalates, an agent takes the ticket and forwards it with P2, the provider
//! opens the link from the mail it received, acknowledges and resolves, the agent closes,
//! and the school admin's and the teacher's mails carry the solution. Each test climbs as
//! far as its behaviour needs; the steps check what they answer on the way.
use crate::common::{provider_token_in, ticket_id, Backend, Browser, SmtpServer, TestApp, PASSWORD};
use base64::Engine as _;
use rocket::http::Status;

/// The text of a received message with transfer encodings undone (quoted-printable soft
/// breaks joined, base64 parts decoded), good enough to find links and sentences in.
fn readable(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw).replace("=\r\n", "").replace("=3D", "=");
    let mut out = text.clone();
    for part in text.split("\r\n\r\n").skip(1) {
        let block: String = part.lines().take_while(|l| !l.starts_with("--")).collect::<Vec<_>>().join("");
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(block.trim()) {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}

fn messages_to(smtp: &SmtpServer, email: &str) -> Vec<String> {
    smtp.messages().into_iter().filter(|m| m.to.iter().any(|t| t.contains(email))).map(|m| readable(&m.data)).collect()
}

/// The school gym, its teacher and admin, an agent, and the provider for Wi-Fi with two
/// contacts; mail goes out over SMTP to `smtp`.
async fn ladder_app(backend: &Backend, smtp: &SmtpServer) -> TestApp {
    let url = smtp.url();
    let app = TestApp::with(backend, move |f| f.merge(("staffel.mail", "smtp")).merge(("staffel.smtp_url", url))).await;
    app.school("gym").await;
    app.users(&[
        ("lehrer@gym.de", "teacher", "gym"),
        ("admin@gym.de", "school_admin", "gym"),
        ("agent@desk.de", "agent", ""),
    ])
    .await;
    app.provider("netz-nord", "Netz Nord", "4", &["NOC <noc@netz.test>", "bereitschaft@netz.test"], &["wifi"]).await;
    app
}

/// Rungs 1 and 2: the teacher reports, the school admin escalates into a ticket. The
/// teacher's and the admin's browsers, the report's page and the ticket's number.
async fn escalated(app: &TestApp) -> (Browser<'_>, Browser<'_>, String, String) {
    let mut teacher = app.login("lehrer@gym.de", PASSWORD).await;
    let filed = teacher
        .post_form(
            "/reports",
            &[
                ("affected", "WLAN im Neubau"),
                ("since", "heute 8 Uhr"),
                ("how_many", "alle Klassen"),
                ("description", "Kein WLAN in allen Räumen."),
            ],
        )
        .await;
    assert_eq!(filed.status, Status::SeeOther, "{}", filed.body);
    let report_path = filed.location.unwrap();
    let report_id = report_path.trim_start_matches("/reports/").to_string();

    let mut admin = app.login("admin@gym.de", PASSWORD).await;
    let escalated = admin
        .post_form(
            &format!("/helpdesk/reports/{report_id}/escalate"),
            &[
                ("triage_scope", "school"),
                ("triage_fault_type", "unknown"),
                ("service", "wifi"),
                ("title", "WLAN Neubau ausgefallen"),
                ("priority", "P3"),
            ],
        )
        .await;
    assert_eq!(escalated.status, Status::SeeOther, "{}", escalated.body);
    let number = escalated.location.unwrap().trim_start_matches("/helpdesk/tickets/").to_string();
    (teacher, admin, report_path, number)
}

/// Rung 3: the agent takes the ticket and forwards it to the provider with P2.
async fn take_and_forward(agent: &mut Browser<'_>, number: &str) {
    let taken = agent.post_form(&format!("/desk/tickets/{number}/assign"), &[("agent", "me")]).await;
    assert_eq!(taken.status, Status::SeeOther);
    let forwarded = agent
        .post_form(
            &format!("/desk/tickets/{number}/forward"),
            &[
                ("provider", "netz-nord"),
                ("priority", "P2"),
                ("body", "Bitte Controller im Neubau prüfen."),
                ("share_description", "true"),
            ],
        )
        .await;
    assert_eq!(forwarded.status, Status::SeeOther, "{}", forwarded.body);
}

/// Rungs 1 to 3 and the mail going out: the browsers, the report's page, the ticket's number
/// and the link token the first contact (the NOC) received.
async fn at_the_provider<'a>(
    app: &'a TestApp,
    smtp: &SmtpServer,
) -> (Browser<'a>, Browser<'a>, Browser<'a>, String, String, String) {
    let (teacher, admin, report_path, number) = escalated(app).await;
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    take_and_forward(&mut agent, &number).await;
    app.deliver_mail().await;
    let token = provider_token_in(&messages_to(smtp, "noc@netz.test")[0]);
    (teacher, admin, agent, report_path, number, token)
}

/// Rung 4 and 5: the provider acknowledges with its reference and resolves through the API.
async fn provider_resolves(app: &TestApp, provider: &mut Browser<'_>, token: &str) {
    let acked = provider.post_form(&format!("/provider/{token}/ack"), &[("reference", "NN-4711")]).await;
    assert_eq!(acked.status, Status::SeeOther, "{}", acked.body);
    let resolved = app
        .api_post(
            None,
            &format!("/api/v1/provider/{token}/resolve"),
            r#"{"solution":"Controller neu gestartet, Firmware aktualisiert."}"#,
        )
        .await;
    assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
}

/// Rung 6: the agent verifies the solution and closes the ticket.
async fn close(agent: &mut Browser<'_>, number: &str) {
    let closed = agent.post_form(&format!("/desk/tickets/{number}/close"), &[]).await;
    assert_eq!(closed.status, Status::SeeOther, "{}", closed.body);
}

both_dbs!(
    async fn the_desk_is_offered_the_provider_responsible_for_the_service(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = ladder_app(&backend, &smtp).await;
        let (_, _, _, number) = escalated(&app).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        let page = agent.get(&format!("/desk/tickets/{number}")).await;
        assert!(page.body.contains("Netz Nord (zuständig für den Dienst)"), "the provider is suggested by service");
    }
);

both_dbs!(
    async fn a_ticket_is_forwarded_to_a_provider_once_at_a_time(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = ladder_app(&backend, &smtp).await;
        let (_, _, _, number) = escalated(&app).await;
        let mut agent = app.login("agent@desk.de", PASSWORD).await;
        take_and_forward(&mut agent, &number).await;
        let twice = agent
            .post_form(
                &format!("/desk/tickets/{number}/forward"),
                &[("provider", "netz-nord"), ("priority", "P2"), ("body", "nochmal")],
            )
            .await;
        assert_eq!(twice.status, Status::Conflict, "one forward per provider at a time");
    }
);

both_dbs!(
    async fn each_provider_contact_gets_one_mail_with_a_link_of_their_own(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = ladder_app(&backend, &smtp).await;
        let (_, _, _, number) = escalated(&app).await;
        take_and_forward(&mut app.login("agent@desk.de", PASSWORD).await, &number).await;
        app.deliver_mail().await;
        let noc_mail = messages_to(&smtp, "noc@netz.test");
        let standby_mail = messages_to(&smtp, "bereitschaft@netz.test");
        assert_eq!((noc_mail.len(), standby_mail.len()), (1, 1), "each contact gets exactly one mail");
        assert!(noc_mail[0].contains(&format!("[{number}]")) && noc_mail[0].contains("(P2)"));
        let token = provider_token_in(&noc_mail[0]);
        assert_ne!(token, provider_token_in(&standby_mail[0]), "each recipient has their own link");
    }
);

both_dbs!(
    async fn the_providers_link_shows_what_the_desk_shared_and_no_personal_data(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = ladder_app(&backend, &smtp).await;
        let (.., token) = at_the_provider(&app, &smtp).await;
        let mut provider = app.browser();
        let shared = provider.get(&format!("/provider/{token}")).await;
        assert_eq!(shared.status, Status::Ok);
        assert!(
            shared.body.contains("Bitte Controller im Neubau prüfen.")
                && shared.body.contains("Kein WLAN in allen Räumen.")
        );
        assert!(!shared.body.contains("lehrer@gym.de"), "no personal data the desk did not share");
        assert!(!shared.body.contains(r#"href="/login""#), "providers have no account: no sign-in offered");
    }
);

both_dbs!(
    async fn the_providers_solution_comes_back_to_the_desk_first(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = ladder_app(&backend, &smtp).await;
        let (_, _, _, _, number, token) = at_the_provider(&app, &smtp).await;
        let mut provider = app.browser();
        provider.get(&format!("/provider/{token}")).await;
        provider_resolves(&app, &mut provider, &token).await;
        let json = app.api_get(None, &format!("/api/v1/provider/{token}")).await.json();
        assert_eq!(json["reference"], "NN-4711");
        let id = ticket_id(&number);
        let ticket =
            <entities::ticket::Entity as sea_orm::EntityTrait>::find_by_id(id).one(app.db()).await.unwrap().unwrap();
        assert_eq!((ticket.status.as_str(), ticket.level), ("resolved", 2), "back at the desk as resolved");
        app.deliver_mail().await;
        assert!(
            messages_to(&smtp, "agent@desk.de")
                .iter()
                .any(|m| m.contains("Controller neu gestartet") && m.contains("Neues vom Dienstleister")),
            "the agent is told, as news from the provider"
        );
        assert!(
            !messages_to(&smtp, "admin@gym.de").iter().any(|m| m.contains("Controller neu gestartet")),
            "the school hears of it only once the desk has verified"
        );
    }
);

both_dbs!(
    async fn the_closed_ticket_brings_the_solution_to_the_school_admin_and_the_teacher(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = ladder_app(&backend, &smtp).await;
        let (mut teacher, mut admin, mut agent, report_path, number, token) = at_the_provider(&app, &smtp).await;
        let mut provider = app.browser();
        provider.get(&format!("/provider/{token}")).await;
        provider_resolves(&app, &mut provider, &token).await;
        app.deliver_mail().await;
        close(&mut agent, &number).await;
        app.deliver_mail().await;
        assert!(messages_to(&smtp, "admin@gym.de")
            .iter()
            .any(|m| m.contains("Controller neu gestartet, Firmware aktualisiert.")));
        assert!(messages_to(&smtp, "lehrer@gym.de")
            .iter()
            .any(|m| m.contains("Controller neu gestartet, Firmware aktualisiert.")));
        assert!(teacher.get(&report_path).await.body.contains("Controller neu gestartet"));
        assert!(admin.get("/helpdesk").await.body.contains(&number));
    }
);

both_dbs!(
    async fn a_closed_tickets_links_are_gone_and_a_mistyped_one_was_never_there(backend: Backend) {
        let smtp = SmtpServer::start();
        let app = ladder_app(&backend, &smtp).await;
        let (_, _, mut agent, _, number, token) = at_the_provider(&app, &smtp).await;
        let mut provider = app.browser();
        provider.get(&format!("/provider/{token}")).await;
        provider_resolves(&app, &mut provider, &token).await;
        close(&mut agent, &number).await;
        // A closed ticket's links say so plainly: 410, no hint of anything else.
        let gone = provider.get(&format!("/provider/{token}")).await;
        assert_eq!(gone.status, Status::Gone);
        assert!(!gone.body.contains("WLAN"));
        assert_eq!(app.api_get(None, &format!("/api/v1/provider/{token}")).await.status, Status::Gone);
        // One character off (never the same one: a token ending in 0 gets a 1).
        let last = if token.ends_with('0') { '1' } else { '0' };
        let mistyped = format!("{}{last}", &token[..63]);
        assert_eq!(provider.get(&format!("/provider/{mistyped}")).await.status, Status::NotFound);
        assert_eq!(app.api_get(None, "/api/v1/provider/kurz").await.status, Status::NotFound);
    }
);

both_dbs!(
    async fn a_recalled_forward_revokes_its_links(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        app.user("admin@gym.de", "school_admin", "gym").await;
        app.user("agent@desk.de", "agent", "").await;
        app.provider("druck", "Druck KG", "8", &["service@druck.test"], &["printing"]).await;
        let school = app.token("admin@gym.de").await;
        let agent = app.token("agent@desk.de").await;
        app.api_post(
            Some(&school),
            "/api/v1/tickets",
            r#"{"title":"Drucker","description":"Papierstau","service":"printing"}"#,
        )
        .await;
        let forwarded = app
            .api_post(
                Some(&agent),
                "/api/v1/tickets/T-000001/forward",
                r#"{"provider":"druck","priority":"P3","message":"Bitte ansehen"}"#,
            )
            .await;
        assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
        assert_eq!(forwarded.json()["status"], "at_provider");
        assert_eq!(forwarded.json()["level"], 3);
        let refused = app
            .api_post(
                Some(&school),
                "/api/v1/tickets/T-000001/forward",
                r#"{"provider":"druck","priority":"P3","message":"x"}"#,
            )
            .await;
        assert_eq!(refused.status, Status::Forbidden, "schools do not forward");
        let bad = app
            .api_post(
                Some(&agent),
                "/api/v1/tickets/T-000001/forward",
                r#"{"provider":"gibtsnicht","priority":"P3","message":"x"}"#,
            )
            .await;
        assert_eq!(bad.status, Status::UnprocessableEntity);

        let mail = <entities::mail_outbox::Entity as sea_orm::EntityTrait>::find().all(app.db()).await.unwrap();
        let provider_mail = mail.iter().find(|m| m.to_addr == "service@druck.test").expect("the provider's mail");
        let token = provider_token_in(&provider_mail.body_text);
        assert_eq!(app.api_get(None, &format!("/api/v1/provider/{token}")).await.status, Status::Ok);
        let forwarded = <entities::forward::Entity as sea_orm::EntityTrait>::find().all(app.db()).await.unwrap();
        let due = forwarded[0].due_at.with_timezone(&chrono_tz::Europe::Berlin).format("%d.%m.%Y %H:%M").to_string();
        assert!(
            provider_mail.body_text.contains(&format!("Vereinbarte Antwortzeit: bis {due}")),
            "the provider's mail says by when: {}",
            provider_mail.body_text
        );

        let mut desk = app.login("agent@desk.de", PASSWORD).await;
        let forward_id =
            <entities::forward::Entity as sea_orm::EntityTrait>::find().all(app.db()).await.unwrap()[0].id.to_string();
        let recalled = desk.post_form("/desk/tickets/T-000001/recall", &[("forward", &forward_id)]).await;
        assert_eq!(recalled.status, Status::SeeOther, "{}", recalled.body);
        assert_eq!(
            app.api_get(None, &format!("/api/v1/provider/{token}")).await.status,
            Status::Gone,
            "revoked on recall"
        );
        let after = app.api_get(Some(&agent), "/api/v1/tickets/T-000001").await.json();
        assert_eq!((after["status"].as_str(), after["level"].as_i64()), (Some("open"), Some(2)));
        // A re-forward after the recall is allowed.
        let again = app
            .api_post(
                Some(&agent),
                "/api/v1/tickets/T-000001/forward",
                r#"{"provider":"druck","priority":"P2","message":"Zweiter Versuch"}"#,
            )
            .await;
        assert_eq!(again.status, Status::Ok, "{}", again.body);
    }
);

//! The whole ladder, end to end over HTTP with a real SMTP server: a teacher reports, the
//! school admin escalates, an agent takes the ticket and forwards it with P2, the provider
//! opens the link from the mail it received, acknowledges and resolves, the agent closes,
//! and the school admin's and the teacher's mails carry the solution.
mod common;

use base64::Engine as _;
use common::{Backend, SmtpServer, TestApp, PASSWORD};
use rocket::http::{ContentType, Method, Status};

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

fn provider_token(mail: &str) -> String {
    let marker = "/provider/";
    let start = mail.find(marker).expect("a provider link") + marker.len();
    mail[start..start + 64].to_string()
}

async fn the_ladder(backend: Backend) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app =
        TestApp::with(&backend, move |f| f.merge(("staffel.mail", "smtp")).merge(("staffel.smtp_url", url))).await;
    app.school("gym").await;
    app.user("lehrer@gym.de", "teacher", "gym").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("agent@desk.de", "agent", "").await;
    staffel::catalogue::providers::create(
        app.db(),
        staffel::audit::By::Cli,
        staffel::catalogue::providers::ProviderInput {
            slug: "netz-nord".into(),
            name: "Netz Nord".into(),
            response_hours: "4".into(),
            contacts: vec!["NOC <noc@netz.test>".into(), "bereitschaft@netz.test".into()],
            services: vec!["wifi".into()],
            active: true,
        },
    )
    .await
    .unwrap();

    // 1. The teacher reports.
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

    // 2. The school admin escalates it into a ticket.
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

    // 3. The agent takes it and forwards it to the suggested provider with P2.
    let mut agent = app.login("agent@desk.de", PASSWORD).await;
    let page = agent.get(&format!("/desk/tickets/{number}")).await;
    assert!(page.body.contains("Netz Nord (zuständig für den Dienst)"), "the provider is suggested by service");
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
    let twice = agent
        .post_form(
            &format!("/desk/tickets/{number}/forward"),
            &[("provider", "netz-nord"), ("priority", "P2"), ("body", "nochmal")],
        )
        .await;
    assert_eq!(twice.status, Status::Conflict, "one forward per provider at a time");

    // 4. The provider receives its own link by mail and opens it.
    app.deliver_mail().await;
    let noc_mail = messages_to(&smtp, "noc@netz.test");
    let standby_mail = messages_to(&smtp, "bereitschaft@netz.test");
    assert_eq!((noc_mail.len(), standby_mail.len()), (1, 1), "each contact gets exactly one mail");
    assert!(noc_mail[0].contains(&format!("[{number}]")) && noc_mail[0].contains("(P2)"));
    let token = provider_token(&noc_mail[0]);
    assert_ne!(token, provider_token(&standby_mail[0]), "each recipient has their own link");
    let mut provider = app.browser();
    let shared = provider.get(&format!("/provider/{token}")).await;
    assert_eq!(shared.status, Status::Ok);
    assert!(
        shared.body.contains("Bitte Controller im Neubau prüfen.")
            && shared.body.contains("Kein WLAN in allen Räumen.")
    );
    assert!(!shared.body.contains("lehrer@gym.de"), "no personal data the desk did not share");

    // 5. Acknowledge with the provider's reference, then resolve.
    let acked = provider.post_form(&format!("/provider/{token}/ack"), &[("reference", "NN-4711")]).await;
    assert_eq!(acked.status, Status::SeeOther, "{}", acked.body);
    let json = app.api_get(None, &format!("/api/v1/provider/{token}")).await.json();
    assert_eq!(json["reference"], "NN-4711");
    let resolved = app
        .api_send(
            Method::Post,
            None,
            &format!("/api/v1/provider/{token}/resolve"),
            r#"{"solution":"Controller neu gestartet, Firmware aktualisiert."}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
    let id = staffel::tickets::status::parse_number(&number).unwrap();
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

    // 6. The agent verifies and closes; the school admin and the teacher get the solution.
    let closed = agent.post_form(&format!("/desk/tickets/{number}/close"), &[]).await;
    assert_eq!(closed.status, Status::SeeOther, "{}", closed.body);
    app.deliver_mail().await;
    assert!(messages_to(&smtp, "admin@gym.de")
        .iter()
        .any(|m| m.contains("Controller neu gestartet, Firmware aktualisiert.")));
    assert!(messages_to(&smtp, "lehrer@gym.de")
        .iter()
        .any(|m| m.contains("Controller neu gestartet, Firmware aktualisiert.")));
    assert!(teacher.get(&report_path).await.body.contains("Controller neu gestartet"));
    assert!(admin.get("/helpdesk").await.body.contains(&number));

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

#[rocket::async_test]
async fn a_problem_climbs_the_ladder_and_its_solution_comes_back_down() {
    on_each_backend!(the_ladder);
}

async fn recall_revokes_links(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    app.user("admin@gym.de", "school_admin", "gym").await;
    app.user("agent@desk.de", "agent", "").await;
    staffel::catalogue::providers::create(
        app.db(),
        staffel::audit::By::Cli,
        staffel::catalogue::providers::ProviderInput {
            slug: "druck".into(),
            name: "Druck KG".into(),
            response_hours: "8".into(),
            contacts: vec!["service@druck.test".into()],
            services: vec!["printing".into()],
            active: true,
        },
    )
    .await
    .unwrap();
    let school = app.token("admin@gym.de").await;
    let agent = app.token("agent@desk.de").await;
    app.api_send(
        Method::Post,
        Some(&school),
        "/api/v1/tickets",
        r#"{"title":"Drucker","description":"Papierstau","service":"printing"}"#,
        ContentType::JSON,
    )
    .await;
    let forwarded = app
        .api_send(
            Method::Post,
            Some(&agent),
            "/api/v1/tickets/T-000001/forward",
            r#"{"provider":"druck","priority":"P3","message":"Bitte ansehen"}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(forwarded.status, Status::Ok, "{}", forwarded.body);
    assert_eq!(forwarded.json()["status"], "at_provider");
    assert_eq!(forwarded.json()["level"], 3);
    let refused = app
        .api_send(
            Method::Post,
            Some(&school),
            "/api/v1/tickets/T-000001/forward",
            r#"{"provider":"druck","priority":"P3","message":"x"}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(refused.status, Status::Forbidden, "schools do not forward");
    let bad = app
        .api_send(
            Method::Post,
            Some(&agent),
            "/api/v1/tickets/T-000001/forward",
            r#"{"provider":"gibtsnicht","priority":"P3","message":"x"}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(bad.status, Status::UnprocessableEntity);

    let mail = <entities::mail_outbox::Entity as sea_orm::EntityTrait>::find().all(app.db()).await.unwrap();
    let provider_mail = mail.iter().find(|m| m.to_addr == "service@druck.test").expect("the provider's mail");
    let token = provider_token(&provider_mail.body_text);
    assert_eq!(app.api_get(None, &format!("/api/v1/provider/{token}")).await.status, Status::Ok);

    let mut desk = app.login("agent@desk.de", PASSWORD).await;
    let forward_id =
        <entities::forward::Entity as sea_orm::EntityTrait>::find().all(app.db()).await.unwrap()[0].id.to_string();
    let recalled = desk.post_form("/desk/tickets/T-000001/recall", &[("forward", &forward_id)]).await;
    assert_eq!(recalled.status, Status::SeeOther, "{}", recalled.body);
    assert_eq!(app.api_get(None, &format!("/api/v1/provider/{token}")).await.status, Status::Gone, "revoked on recall");
    let after = app.api_get(Some(&agent), "/api/v1/tickets/T-000001").await.json();
    assert_eq!((after["status"].as_str(), after["level"].as_i64()), (Some("open"), Some(2)));
    // A re-forward after the recall is allowed.
    let again = app
        .api_send(
            Method::Post,
            Some(&agent),
            "/api/v1/tickets/T-000001/forward",
            r#"{"provider":"druck","priority":"P2","message":"Zweiter Versuch"}"#,
            ContentType::JSON,
        )
        .await;
    assert_eq!(again.status, Status::Ok, "{}", again.body);
}

#[rocket::async_test]
async fn a_recalled_forward_revokes_its_links() {
    on_each_backend!(recall_revokes_links);
}

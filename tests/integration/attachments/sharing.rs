//! Files through the ticket API, and what a forward shares with the provider's link.
use super::{assert_safe_headers, collected, people, setup, Collected, People};
use crate::common::uploads::{api_files, attachments, download, post_files, LOG, PNG};
use crate::common::{version_field, Backend, TestApp};
use rocket::http::Status;
use sea_orm::EntityTrait;

/// The agent forwards the second ticket to the provider, sharing its PDF; the link's token.
async fn forward_the_pdf(app: &TestApp, p: &mut People<'_>, c: &Collected) -> String {
    let page = p.agent.get(&format!("/desk/tickets/{}", c.second)).await;
    let forwarded = p
        .agent
        .post_form(
            &format!("/desk/tickets/{}/forward", c.second),
            &[
                ("provider", "netz"),
                ("priority", "P2"),
                ("body", "Bitte prüfen."),
                ("shared_attachments", &c.pdf.id.to_string()),
                ("version", &version_field(&page.body)),
            ],
        )
        .await;
    assert_eq!(forwarded.status, Status::SeeOther, "{}", forwarded.body);
    app.latest_provider_token().await
}

both_dbs!(
    async fn the_ticket_api_uploads_and_serves_files_within_scope(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let c = collected(&app, &mut p).await;
        let second = &c.second;
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
            download(&app, None, Some(&desk_token), &format!("/api/v1/tickets/{}/attachments/{api_id}", c.first)).await;
        assert_eq!(crossed.status, Status::NotFound);
        let none = api_files(
            &app,
            Some(&school_token),
            &format!("/api/v1/tickets/{second}/attachments"),
            &[("body", "x")],
            &[],
        )
        .await;
        assert_eq!(none.status, Status::UnprocessableEntity, "{}", none.body);
        assert_eq!(none.json()["error"]["field"], "files");
    }
);

both_dbs!(
    async fn forwarding_offers_and_shares_only_files_that_are_not_internal(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let c = collected(&app, &mut p).await;
        let page = p.agent.get(&format!("/desk/tickets/{}", c.second)).await;
        assert!(page.body.contains(&format!("name=\"shared_attachments\" value=\"{}\"", c.pdf.id)));
        assert!(
            !page.body.contains(&format!("name=\"shared_attachments\" value=\"{}\"", c.internal.id)),
            "internal files are not offered"
        );
        let refused = p
            .agent
            .post_form(
                &format!("/desk/tickets/{}/forward", c.second),
                &[
                    ("provider", "netz"),
                    ("priority", "P2"),
                    ("body", "Bitte prüfen."),
                    ("shared_attachments", &c.internal.id.to_string()),
                    ("version", &version_field(&page.body)),
                ],
            )
            .await;
        assert_eq!(refused.status, Status::UnprocessableEntity, "an internal file cannot be shared");
        forward_the_pdf(&app, &mut p, &c).await;
    }
);

both_dbs!(
    async fn the_providers_link_shows_and_serves_only_the_shared_file(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let c = collected(&app, &mut p).await;
        let token = forward_the_pdf(&app, &mut p, &c).await;
        let mut provider = app.browser();
        let shared_page = provider.get(&format!("/provider/{token}")).await;
        assert_eq!(shared_page.status, Status::Ok);
        assert!(shared_page.body.contains("fehler.pdf"));
        for hidden in ["drucker.log", "intern.txt", "foto.png", "anleitung.pdf"] {
            assert!(!shared_page.body.contains(hidden), "{hidden} was not shared");
        }
        let got = download(&app, None, None, &format!("/provider/{token}/attachments/{}", c.pdf.id)).await;
        assert_eq!(got.status, Status::Ok);
        assert_safe_headers(&got, "application/pdf", false, "fehler.pdf");
        for id in [c.log.id, c.internal.id, c.public.id, c.shot.id] {
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
    }
);

both_dbs!(
    async fn the_providers_uploads_reach_the_desk_and_not_the_school(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let c = collected(&app, &mut p).await;
        let second = &c.second;
        let token = forward_the_pdf(&app, &mut p, &c).await;
        let mut provider = app.browser();
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
        let names: Vec<String> = api.json()["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["fehler.pdf", "router.log", "messung.png"]);
        let rows = attachments(&app).await;
        let router = rows.iter().find(|a| a.filename == "router.log").unwrap().clone();
        assert!(router.internal && router.forward_id.is_some() && router.uploaded_by.is_none());
        assert_eq!(
            download(&app, Some(&p.agent), None, &format!("/attachments/{}", router.id)).await.status,
            Status::Ok
        );
        assert_eq!(
            download(&app, Some(&p.school), None, &format!("/attachments/{}", router.id)).await.status,
            Status::NotFound
        );
        assert!(p.agent.get(&format!("/desk/tickets/{second}")).await.body.contains("router.log"));
        assert!(!p.school.get(&format!("/helpdesk/tickets/{second}")).await.body.contains("router.log"));
        let desk_mail = app.mails_to("agent@desk.de").await;
        assert!(desk_mail.iter().any(|m| m.body_text.contains("Logdatei vom Router")), "the desk is mailed");
    }
);

both_dbs!(
    async fn an_expired_or_recalled_link_serves_and_takes_no_file(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let c = collected(&app, &mut p).await;
        let (second, pdf) = (&c.second, &c.pdf);
        let token = forward_the_pdf(&app, &mut p, &c).await;
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
        let v = version_field(&p.agent.get(&format!("/desk/tickets/{second}")).await.body);
        let recalled = p
            .agent
            .post_form(
                &format!("/desk/tickets/{second}/recall"),
                &[("forward", &forward_id.to_string()), ("version", &v)],
            )
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
    }
);

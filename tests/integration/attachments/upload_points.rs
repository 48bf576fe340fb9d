//! The school's and the desk's upload points, and who may download what they carry.
use super::{
    assert_safe_headers, escalate, people, replies_with_files, report_with_screenshot, setup, ticket_with_pdf_and_log,
};
use crate::common::uploads::{download, stored_files, PDF, PNG};
use crate::common::{Backend, TestApp};
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

both_dbs!(
    async fn the_forms_that_carry_files_are_multipart_and_offer_a_screenshot(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let form = p.teacher.get("/reports").await;
        assert_eq!(form.status, Status::Ok, "{}", form.body);
        assert!(form.body.contains("enctype=\"multipart/form-data\"") && form.body.contains("data-screenshot="));
        assert!(form.body.contains("/static/screenshot.js"));
        let tile = p.school.get("/helpdesk").await;
        assert!(
            tile.body.contains("enctype=\"multipart/form-data\"") && tile.body.contains("Bildschirmfoto aufnehmen")
        );
    }
);

both_dbs!(
    async fn a_reports_screenshot_is_stored_under_a_random_key_with_its_audit_event(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let (report_path, shot) = report_with_screenshot(&app, &mut p).await;
        assert_eq!(
            (shot.filename.as_str(), shot.content_type.as_str(), shot.size),
            ("bildschirmfoto.png", "image/png", PNG.len() as i64)
        );
        assert_eq!(shot.sha256, hex::encode(Sha256::digest(PNG)));
        assert!(shot.report_id.is_some() && shot.ticket_id.is_none() && !shot.internal);
        assert_eq!(stored_files(&app), vec![shot.storage_key.clone()], "stored under its random key in data/files");
        assert!(!app.dir.path().join("files").join("bildschirmfoto.png").exists());
        assert!(p.teacher.get(&report_path).await.body.contains("bildschirmfoto.png"));
        let audit = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("attachment.upload"))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(audit.len(), 1, "each upload has its audit event");
    }
);

both_dbs!(
    async fn only_the_teacher_and_the_schools_admins_download_a_reports_screenshot(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let (report_path, shot) = report_with_screenshot(&app, &mut p).await;
        let url = format!("/attachments/{}", shot.id);
        let got = download(&app, Some(&p.teacher), None, &url).await;
        assert_eq!(got.status, Status::Ok);
        assert_eq!(got.bytes, PNG);
        assert_safe_headers(&got, "image/png", true, "bildschirmfoto.png");
        assert_eq!(download(&app, Some(&p.school), None, &url).await.status, Status::Ok, "the school's admin");
        for (who, browser) in [
            ("another teacher", &p.other_teacher),
            ("another school", &p.other_school),
            ("a pupil", &p.pupil),
            ("an operator", &p.operator),
        ] {
            let refused = download(&app, Some(browser), None, &url).await;
            assert_eq!(refused.status, Status::NotFound, "{who}");
            assert!(refused.bytes.is_empty() || !refused.bytes.starts_with(b"\x89PNG"), "{who}");
        }
        assert_eq!(
            download(&app, Some(&p.agent), None, &url).await.status,
            Status::NotFound,
            "the desk sees no reports"
        );
        assert_eq!(download(&app, Some(&p.school), None, "/attachments/999999").await.status, Status::NotFound);
        assert_eq!(download(&app, Some(&p.school), None, "/attachments/abc").await.status, Status::NotFound);
        let anonymous = download(&app, None, None, &url).await;
        assert_eq!(anonymous.status, Status::SeeOther, "anonymous readers are sent to the login");
        assert!(p.other_teacher.get(&report_path).await.status == Status::NotFound);
    }
);

both_dbs!(
    async fn an_escalation_carries_the_reports_files_to_the_ticket(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let (report_path, shot) = report_with_screenshot(&app, &mut p).await;
        let first = escalate(&mut p, &report_path).await;
        let carried = entities::attachment::Entity::find_by_id(shot.id).one(app.db()).await.unwrap().unwrap();
        assert!(carried.ticket_id.is_some() && carried.report_id.is_some());
        let page = p.agent.get(&format!("/desk/tickets/{first}")).await;
        assert!(
            page.body.contains("bildschirmfoto.png") && page.body.contains("hat Dateien angehängt"),
            "on the timeline"
        );
        let url = format!("/attachments/{}", shot.id);
        assert_eq!(download(&app, Some(&p.agent), None, &url).await.status, Status::Ok, "the desk now sees it");
        assert_eq!(download(&app, Some(&p.teacher), None, &url).await.status, Status::Ok, "the teacher still does");
    }
);

both_dbs!(
    async fn a_new_tickets_files_are_for_its_school_and_the_desk(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let (second, pdf, log) = ticket_with_pdf_and_log(&app, &mut p).await;
        let view = p.school.get(&format!("/helpdesk/tickets/{second}")).await;
        assert!(view.body.contains("fehler.pdf") && view.body.contains("drucker.log"));
        assert_eq!(log.content_type, "text/plain; charset=utf-8");
        let got = download(&app, Some(&p.agent), None, &format!("/attachments/{}", pdf.id)).await;
        assert_eq!(got.bytes, PDF);
        assert_safe_headers(&got, "application/pdf", false, "fehler.pdf");
        let got = download(&app, Some(&p.school), None, &format!("/attachments/{}", log.id)).await;
        assert_safe_headers(&got, "text/plain; charset=utf-8", false, "drucker.log");
        assert_eq!(
            download(&app, Some(&p.other_school), None, &format!("/attachments/{}", pdf.id)).await.status,
            Status::NotFound
        );
        assert_eq!(
            download(&app, Some(&p.teacher), None, &format!("/attachments/{}", pdf.id)).await.status,
            Status::NotFound
        );
    }
);

both_dbs!(
    async fn replies_carry_files_and_the_desks_internal_ones_stay_with_the_desk(backend: Backend) {
        let app = TestApp::new(&backend).await;
        setup(&app).await;
        let mut p = people(&app).await;
        let (second, _, _) = ticket_with_pdf_and_log(&app, &mut p).await;
        let (internal, public) = replies_with_files(&app, &mut p, &second).await;
        assert!(p.agent.get(&format!("/desk/tickets/{second}")).await.body.contains("foto.png"));
        assert!(internal.internal && !public.internal);
        assert_eq!(
            download(&app, Some(&p.school), None, &format!("/attachments/{}", internal.id)).await.status,
            Status::NotFound
        );
        assert_eq!(
            download(&app, Some(&p.agent), None, &format!("/attachments/{}", internal.id)).await.status,
            Status::Ok
        );
        assert_eq!(
            download(&app, Some(&p.school), None, &format!("/attachments/{}", public.id)).await.status,
            Status::Ok
        );
        let school_view = p.school.get(&format!("/helpdesk/tickets/{second}")).await;
        assert!(school_view.body.contains("anleitung.pdf") && !school_view.body.contains("intern.txt"));
        let mails = app.mails_to("admin@gym.de").await;
        assert!(mails.iter().any(|m| m.body_text.contains("Anleitung anbei")), "the reply with files is mailed");
    }
);

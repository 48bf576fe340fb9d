//! The file transport: one `.eml` per row under a stable name.
use super::mime::{reset_link, unescape_html, Mime};
use super::{enqueue, request_reset_by_form, user_with_language, SUBJECT_DE};
use crate::common::{Backend, TestApp};
use entities::mail_outbox;
use sea_orm::{ActiveModelTrait, Set};

fn eml_names(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(app.dir.path().join("outbox"))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

both_dbs!(
    async fn file_transport_writes_one_file_per_row(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.school("gym").await;
        user_with_language(&app, "lehrer@gym.de", "de").await;
        request_reset_by_form(&app, "lehrer@gym.de").await;
        assert!(eml_names(&app).is_empty(), "nothing written before the pass");
        assert_eq!(app.deliver_mail().await.sent, 1);
        let row = app.outbox().await.remove(0);
        let name = format!("{:08}.eml", row.id);
        assert_eq!(eml_names(&app), vec![name.clone()]);
        let first = std::fs::read(app.dir.path().join("outbox").join(&name)).unwrap();
        let mail = Mime::parse(&first);
        assert_eq!(mail.subject(), SUBJECT_DE);
        assert_eq!(mail.header("Message-ID").as_deref(), Some(row.message_id.as_str()));
        assert!(mail.header("To").unwrap().contains("lehrer@gym.de"));
        reset_link(mail.part("text/plain"));
        reset_link(&unescape_html(mail.part("text/html")));

        // The transport delivering the same row again rewrites the same file.
        let transport = &app.app().transport;
        transport.send(&app.settings().mail_from, &row).await.unwrap();
        assert_eq!(eml_names(&app), vec![name.clone()]);

        // A worker that crashed after writing but before marking the row sent: after a restart
        // the row goes out again, into the same file.
        mail_outbox::ActiveModel {
            id: Set(row.id),
            status: Set(entities::MailStatus::Pending),
            sent_at: Set(None),
            ..Default::default()
        }
        .update(app.db())
        .await
        .unwrap();
        let app = app.restart(|f| f).await;
        assert_eq!(app.fresh_mail_worker().deliver_due().await.unwrap().sent, 1);
        assert_eq!(eml_names(&app), vec![name.clone()], "still one file");
        assert_eq!(app.outbox_files().len(), 1);
        let second = Mime::parse(&std::fs::read(app.dir.path().join("outbox").join(&name)).unwrap());
        assert_eq!(second.header("Message-ID"), mail.header("Message-ID"));

        // A second mail gets a file of its own.
        enqueue(&app, "b@gym.de", true).await;
        assert_eq!(app.deliver_mail().await.sent, 1);
        assert_eq!(eml_names(&app).len(), 2);
        assert_eq!(app.deliver_mail().await.sent, 0);
        assert_eq!(eml_names(&app).len(), 2);
    }
);

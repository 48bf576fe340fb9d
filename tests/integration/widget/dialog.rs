//! The dialog fits its reader's level of the ladder: the FAQ for everyone (the same search
//! and scoping as `/faq`), a report to the school's admins for teachers (never a ticket), a
//! ticket, the desk's phone and hours and — only while someone is there — the chat for
//! school admins. What the embedding page passed reaches the desk with it, as text.
use sea_orm::{EntityTrait, QueryOrder};

use super::*;
use crate::common::{Browser, PASSWORD};

/// A context with markup and a would-be fence in it, which must arrive as the text it is.
const CONTEXT: &str = r#"{"kurs":"Physik <b>9b</b>","raum":"~~~ 112","nummer":42}"#;

async fn dialog_of<'a>(app: &'a TestApp, email: Option<&str>) -> (Browser<'a>, String) {
    let mut browser = match email {
        Some(email) => app.login(email, PASSWORD).await,
        None => app.browser(),
    };
    let page = browser.get(&format!("/widget?{}", lms_query(CONTEXT))).await;
    assert_eq!(page.status.code, 200, "{}", page.body);
    (browser, page.body)
}

both_dbs!(
    /// Anonymous readers and pupils get the FAQ (and are told the next step); teachers also
    /// the report form; school admins the ticket form, the desk's phone and hours, and the
    /// chat only while an agent takes requests; nobody gets a form above their level.
    async fn the_dialog_fits_the_readers_level(backend: Backend) {
        let app = widget_app(&backend).await;
        let (_, anonymous) = dialog_of(&app, None).await;
        assert!(anonymous.contains(r#"id="widget-faq""#) && anonymous.contains(r#"data-suggest="/faq/suggest""#));
        assert!(
            anonymous.contains(r#"id="widget-sign-in""#) && anonymous.contains("/login?next=%2Fwidget%3Forigin%3D")
        );
        for absent in [r#"id="widget-report""#, r#"id="widget-ticket""#, r#"id="widget-chat""#, "1234567"] {
            assert!(!anonymous.contains(absent), "anonymous: {absent}");
        }
        let (_, pupil) = dialog_of(&app, Some(PUPIL)).await;
        assert!(pupil.contains("Frag deine Lehrerin oder deinen Lehrer"));
        assert!(!pupil.contains(r#"id="widget-report""#) && !pupil.contains(r#"id="widget-ticket""#));

        let (_, teacher) = dialog_of(&app, Some(TEACHER)).await;
        assert!(teacher.contains(r#"id="widget-report""#) && teacher.contains(r#"action="/widget/reports""#));
        assert!(
            !teacher.contains(r#"id="widget-ticket""#) && !teacher.contains(r#"id="widget-chat""#),
            "a report, never a ticket"
        );

        let (mut admin, nobody_there) = dialog_of(&app, Some(ADMIN)).await;
        assert!(
            nobody_there.contains(r#"id="widget-ticket""#) && nobody_there.contains(r#"data-screenshot="t-files""#)
        );
        assert!(nobody_there.contains("+49 30 1234567") && nobody_there.contains("Mo–Fr 7:30–16:00"));
        assert!(nobody_there.contains("Gerade ist niemand im Chat"), "no dead chat window");
        assert!(!nobody_there.contains(r#"id="widget-chat""#));
        assert!(!nobody_there.contains(r#"id="widget-report""#));
        agent_online(&app).await;
        let with_chat = admin.get(&format!("/widget?{}", lms_query(CONTEXT))).await.body;
        assert!(with_chat.contains(r#"id="widget-chat""#) && with_chat.contains("Chat verfügbar"));

        let (_, agent) = dialog_of(&app, Some(AGENT)).await;
        assert!(agent.contains(r#"href="/desk""#) && !agent.contains(r#"id="widget-ticket""#));
    }
);

both_dbs!(
    /// The dialog's FAQ is `/faq`'s search in the reader's scope, with and without JavaScript.
    async fn the_dialog_searches_the_faq_in_the_readers_scope(backend: Backend) {
        let app = widget_app(&backend).await;
        app.sync_search().await;
        let mut pupil = app.login(PUPIL, PASSWORD).await;
        let found = pupil.get(&format!("/widget?q=WLAN&{}", lms_query(""))).await.body;
        assert!(found.contains(r#"id="widget-results""#) && found.contains("/kb/wlan-verbinden-schueler"), "{found}");
        assert!(!found.contains("/kb/wlan-stoerung-schuluebergreifend-eingrenzen"), "a desk article is not a pupil's");
        assert!(
            found.contains(r#"name="origin" value="https:&#x2F;&#x2F;lms.example.org""#),
            "the search keeps the origin"
        );
        let desk = app.login(AGENT, PASSWORD).await.get("/widget?q=WLAN%20schul%C3%BCbergreifend").await.body;
        assert!(desk.contains("/kb/wlan-stoerung-schuluebergreifend-eingrenzen"), "{desk}");
        let nothing = pupil.get("/widget?q=xyzzyquux").await.body;
        assert!(nothing.contains("Dazu haben wir keine Anleitung gefunden."));
    }
);

both_dbs!(
    /// The context is shown as text in the dialog and reaches the desk with the ticket and
    /// the school's admins with the report, as text (markup escaped, no fence broken).
    async fn the_context_reaches_ticket_and_report_as_text(backend: Backend) {
        let app = widget_app(&backend).await;
        let (mut admin, shown) = dialog_of(&app, Some(ADMIN)).await;
        assert!(shown.contains("<dt>kurs</dt><dd>Physik &lt;b&gt;9b&lt;&#x2F;b&gt;</dd>"), "{shown}");
        assert!(shown.contains("<dt>page</dt><dd>https:&#x2F;&#x2F;lms.example.org&#x2F;kurs&#x2F;9b</dd>"), "{shown}");
        let opened = admin
            .post_form(
                "/widget/tickets",
                &[
                    ("origin", LMS),
                    ("page", "https://lms.example.org/kurs/9b"),
                    ("context", CONTEXT),
                    ("title", "Kursraum lädt nicht"),
                    ("description", "Seit der dritten Stunde."),
                ],
            )
            .await;
        assert_eq!(opened.status.code, 303, "{}", opened.body);
        let number = opened.location.unwrap().trim_start_matches("/helpdesk/tickets/").to_string();
        let ticket = entities::ticket::Entity::find()
            .order_by_desc(entities::ticket::Column::Id)
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        assert!(
            ticket.description.starts_with("Seit der dritten Stunde.\n\n**Angaben der einbettenden Seite**"),
            "{}",
            ticket.description
        );
        assert!(ticket.description.contains("~~~text\nkurs: Physik <b>9b</b>\nnummer: 42\npage: https://lms.example.org/kurs/9b\nraum: ~~~ 112\n~~~"), "{}", ticket.description);
        let desk = app.login(AGENT, PASSWORD).await.get(&format!("/desk/tickets/{number}")).await.body;
        assert!(desk.contains("kurs: Physik &lt;b&gt;9b&lt;/b&gt;"), "the agent reads it as text: {desk}");
        assert!(desk.contains("raum: ~~~ 112") && !desk.contains("<b>9b</b>"));

        let mut teacher = app.login(TEACHER, PASSWORD).await;
        teacher.get("/widget").await;
        let filed = teacher
            .post_form(
                "/widget/reports",
                &[
                    ("origin", LMS),
                    ("context", r#"{"kurs":"9b"}"#),
                    ("affected", "Kursraum 9b"),
                    ("since", "heute"),
                    ("how_many", "die Klasse"),
                    ("description", "Lädt nicht."),
                ],
            )
            .await;
        assert_eq!(filed.status.code, 303, "{}", filed.body);
        assert!(filed.location.as_deref().is_some_and(|l| l.starts_with("/reports/")), "to the report's state");
        let report = entities::report::Entity::find()
            .order_by_desc(entities::report::Column::Id)
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        assert!(report.description.contains("~~~text\nkurs: 9b\n~~~"), "{}", report.description);
        assert_eq!(entities::ticket::Entity::find().all(app.db()).await.unwrap().len(), 1, "a report, never a ticket");
    }
);

both_dbs!(
    /// A chat from the dialog carries the context in the chat's own context; with nobody
    /// there any more it is refused with the ticket form and the typed text, never a dead
    /// chat window; a refused form keeps what was typed and changes nothing.
    async fn a_chat_from_the_dialog_carries_the_context(backend: Backend) {
        let app = widget_app(&backend).await;
        let (mut admin, _) = dialog_of(&app, Some(ADMIN)).await;
        let fields = |message: &'static str| {
            [
                ("origin", LMS),
                ("page", "https://lms.example.org/kurs/9b"),
                ("context", CONTEXT),
                ("channel", "allgemein"),
                ("message", message),
            ]
        };
        let nobody = admin.post_form("/widget/chats", &fields("Hilfe beim Kursraum")).await;
        assert_eq!(nobody.status.code, 409, "{}", nobody.body);
        assert!(nobody.body.contains("Gerade ist niemand im Chat. Schreiben Sie uns ein Ticket"));
        assert!(nobody.body.contains(">Hilfe beim Kursraum</textarea>"), "the text moves to the ticket form");
        assert!(entities::chat::Entity::find().all(app.db()).await.unwrap().is_empty());

        agent_online(&app).await;
        let started = admin.post_form("/widget/chats", &fields("Hilfe beim Kursraum")).await;
        assert_eq!(started.status.code, 303, "{}", started.body);
        assert!(started.location.as_deref().is_some_and(|l| l.starts_with("/helpdesk/chats/")));
        let chat = entities::chat::Entity::find().one(app.db()).await.unwrap().unwrap();
        let context: serde_json::Value = serde_json::from_str(&chat.context).unwrap();
        assert_eq!(context["kurs"], "Physik <b>9b</b>");
        assert_eq!(context["nummer"], "42");
        assert_eq!(context["page"], "https://lms.example.org/kurs/9b");

        let refused = admin
            .post_form(
                "/widget/tickets",
                &[("origin", "https://evil.example"), ("title", "Ein Titel"), ("description", "Text")],
            )
            .await;
        assert_eq!(refused.status.code, 422);
        assert!(refused.body.contains("Diese Seite darf die Staffel-Hilfe nicht einbetten"));
        assert!(refused.body.contains(r#"value="Ein Titel""#), "what was typed stays");
        assert!(entities::ticket::Entity::find().all(app.db()).await.unwrap().is_empty());
    }
);

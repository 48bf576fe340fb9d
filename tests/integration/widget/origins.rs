//! Only configured origins get anything: the availability answers CORS for them alone, a
//! page of any other origin gets a 403 with nothing in it; the dialog is framed by no one
//! else; the script and the badge are small, cacheable and say what they should.
use super::*;

both_dbs!(
    /// The LMS reads the availability (CORS for it alone, kept apart per origin by caches);
    /// another site gets nothing, by Origin or by Referer; a request from no page is served
    /// without CORS, as the tile's availability is public.
    async fn only_configured_origins_read_the_availability(backend: Backend) {
        let app = widget_app(&backend).await;
        let from_lms = raw_get(&app, "/widget/status.json", &[("Origin", LMS)]).await;
        assert_eq!(from_lms.status, 200, "{}", from_lms.body);
        assert_eq!(from_lms.header("Access-Control-Allow-Origin"), Some(LMS));
        assert!(from_lms.header("Vary").is_some_and(|v| v.contains("Origin")));
        let status: serde_json::Value = serde_json::from_str(&from_lms.body).expect("JSON");
        assert_eq!(status["available"], false);
        assert_eq!(status["label"], "Support");
        assert_eq!(status["phone"], "+49 30 1234567");

        let portal = raw_get(&app, "/widget/status.json", &[("Origin", "HTTP://127.0.0.1:8081")]).await;
        assert_eq!(portal.header("Access-Control-Allow-Origin"), Some(PORTAL), "the origin as browsers compare it");

        for headers in [
            [("Origin", "https://evil.example")],
            [("Origin", "https://lms.example.org.evil.example")],
            [("Origin", "null")],
            [("Referer", "https://evil.example/seite?x=1")],
        ] {
            let refused = raw_get(&app, "/widget/status.json", &headers).await;
            assert_eq!(refused.status, 403, "{headers:?}");
            assert_eq!(refused.header("Access-Control-Allow-Origin"), None, "{headers:?}");
            assert!(!refused.body.contains("available") && !refused.body.contains("1234567"), "{}", refused.body);
            let badge = raw_get(&app, "/widget/badge.svg", &headers).await;
            assert_eq!(badge.status, 403, "the badge too: {headers:?}");
        }

        let by_referer = raw_get(&app, "/widget/status.json", &[("Referer", "https://lms.example.org/kurs/9b")]).await;
        assert_eq!((by_referer.status, by_referer.header("Access-Control-Allow-Origin")), (200, Some(LMS)));
        let own = raw_get(&app, "/widget/status.json", &[("Origin", "http://staffel.test")]).await;
        assert_eq!((own.status, own.header("Access-Control-Allow-Origin")), (200, None), "Staffel's own pages");
        let no_page = raw_get(&app, "/widget/status.json", &[]).await;
        assert_eq!((no_page.status, no_page.header("Access-Control-Allow-Origin")), (200, None));
    }
);

both_dbs!(
    /// The badge says whether chat is available, in the reader's language, as an SVG a page
    /// without JavaScript shows with an <img>; it follows an agent coming online.
    async fn the_badge_follows_the_availability(backend: Backend) {
        let app = widget_app(&backend).await;
        let off = raw_get(&app, "/widget/badge.svg", &[("Referer", "https://lms.example.org/")]).await;
        assert_eq!(off.status, 200);
        assert_eq!(off.header("Content-Type"), Some("image/svg+xml"));
        assert!(
            off.body.starts_with("<svg") && off.body.contains("Support: Chat gerade nicht besetzt"),
            "{}",
            off.body
        );
        agent_online(&app).await;
        // Answered from memory for a moment (see `widget::STATUS_MAX_AGE`), then fresh.
        tokio::time::sleep(staffel::widget::STATUS_MAX_AGE + std::time::Duration::from_millis(200)).await;
        let on = raw_get(&app, "/widget/badge.svg", &[("Accept-Language", "en")]).await;
        assert!(on.body.contains("Support: chat available"), "{}", on.body);
        let status = raw_get(&app, "/widget/status.json", &[("Origin", LMS)]).await;
        let status: serde_json::Value = serde_json::from_str(&status.body).unwrap();
        assert_eq!(status["available"], true);
        assert_eq!(status["channels"][0]["slug"], "allgemein");
        assert_eq!(status["channels"][0]["available"], true);
        assert!(status.get("agents").is_none() && !status.to_string().contains(AGENT), "names no agent");
    }
);

both_dbs!(
    /// The script is one small, cacheable file that needs no cookie.
    async fn the_script_is_small_and_cacheable(backend: Backend) {
        let app = widget_app(&backend).await;
        let script = raw_get(&app, "/widget.js", &[]).await;
        assert_eq!(script.status, 200);
        assert!(script.header("Content-Type").is_some_and(|t| t.starts_with("text/javascript")));
        assert_eq!(script.header("Cache-Control"), Some("public, max-age=3600"));
        assert!(script.header("Set-Cookie").is_none());
        assert!(script.body.len() < 6 * 1024, "the script stays small: {} bytes", script.body.len());
        assert!(script.body.contains("window.Staffel") && script.body.contains("/widget/status.json"));
    }
);

both_dbs!(
    /// The dialog may be framed by the configured origins only (X-Frame-Options, which
    /// cannot name them, is left out there); every other page keeps refusing frames. A
    /// dialog opened for an origin that is not configured shows the refusal and no form.
    async fn the_dialog_is_framed_by_configured_origins_only(backend: Backend) {
        let app = widget_app(&backend).await;
        let dialog = raw_get(&app, &format!("/widget?{}", lms_query("")), &[]).await;
        assert_eq!(dialog.status, 200, "{}", dialog.body);
        let policy = dialog.header("Content-Security-Policy").expect("a policy");
        assert!(policy.contains(&format!("frame-ancestors {LMS} {PORTAL};")), "{policy}");
        assert!(policy.contains("script-src 'self'"), "{policy}");
        assert_eq!(dialog.header("X-Frame-Options"), None);
        assert!(dialog.body.contains(r#"data-origin="https:&#x2F;&#x2F;lms.example.org""#), "whom it may tell");

        let faq = raw_get(&app, "/faq", &[]).await;
        assert_eq!(faq.header("X-Frame-Options"), Some("DENY"));
        assert!(faq.header("Content-Security-Policy").is_some_and(|p| p.contains("frame-ancestors 'none'")));

        let foreign = raw_get(&app, "/widget?origin=https%3A%2F%2Fevil.example&context=%7B%7D", &[]).await;
        assert_eq!(foreign.status, 422);
        assert!(foreign.body.contains("Diese Seite darf die Staffel-Hilfe nicht einbetten"), "{}", foreign.body);
        assert!(!foreign.body.contains("evil.example"), "nothing of the foreign origin is carried on");

        let unconfigured = TestApp::new(&backend).await;
        let alone = raw_get(&unconfigured, "/widget", &[]).await;
        assert!(alone.header("Content-Security-Policy").is_some_and(|p| p.contains("frame-ancestors 'none'")));
        assert_eq!(alone.header("X-Frame-Options"), Some("DENY"));
    }
);

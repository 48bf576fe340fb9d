//! Signed assertions of an integration: a good one signs its person in once and opens the
//! dialog for them; an expired, replayed, tampered or wrongly signed one, one from an
//! origin without a secret, or one for an unknown or deactivated person is refused with a
//! clear message and no session, logged and audited.
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::*;
use crate::common::html_message;
use staffel::i18n::Lang;
use staffel::widget::assertion::sign;

async fn refusals(app: &TestApp) -> Vec<String> {
    entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::Action.eq("widget.assertion_refused"))
        .all(app.db())
        .await
        .expect("read the audit log")
        .into_iter()
        .map(|e| e.detail)
        .collect()
}

fn session_path(assertion: &str) -> String {
    let assertion: String = url::form_urlencoded::byte_serialize(assertion.as_bytes()).collect();
    format!("/widget/session?assertion={assertion}&{}", lms_query(r#"{"kurs":"9b"}"#))
}

both_dbs!(
    /// A teacher of the LMS opens the dialog with an assertion: signed in at once (a session
    /// cookie), led to the dialog with the LMS's context, and offered the report form. The
    /// same assertion again is refused as used.
    async fn a_good_assertion_signs_in_once(backend: Backend) {
        let app = widget_app(&backend).await;
        let assertion = assertion_for(TEACHER);
        let mut browser = app.browser();
        let signed = browser.get(&session_path(&assertion)).await;
        assert_eq!(signed.status.code, 303, "{}", signed.body);
        let to = signed.location.clone().expect("to the dialog");
        assert!(to.starts_with("/widget?origin=https%3A%2F%2Flms.example.org"), "{to}");
        assert!(!to.contains("assertion"), "the assertion is not carried on");
        assert!(browser.cookies.contains_key("staffel_session"), "a session");
        let dialog = browser.get(&to).await;
        assert_eq!(dialog.status.code, 200);
        assert!(
            dialog.body.contains("Test teacher") && dialog.body.contains(r#"id="widget-report""#),
            "{}",
            dialog.body
        );
        assert!(dialog.body.contains("<dt>kurs</dt><dd>9b</dd>"), "the context is shown");
        let accepted = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.eq("widget.assertion_accepted"))
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(accepted, 1);

        let mut other = app.browser();
        let again = other.get(&session_path(&assertion)).await;
        assert_eq!(again.status.code, 422);
        assert!(again.body.contains(&html_message(Lang::De, "widget.assertion_replayed", "")), "{}", again.body);
        assert!(!other.cookies.contains_key("staffel_session"), "no session for a replay");
        assert!(refusals(&app).await.iter().any(|d| d.contains("replayed")));
    }
);

both_dbs!(
    /// Every kind of bad assertion is refused with its own clear message, starts no session,
    /// and leaves an audit record (and a log line) naming why.
    async fn bad_assertions_are_refused_and_recorded(backend: Backend) {
        let app = widget_app(&backend).await;
        app.user("weg@gym-a.de", "teacher", "gym-a").await;
        app.set_active("weg@gym-a.de", false).await;
        let now = chrono::Utc::now().timestamp();
        let nonce = || staffel::crypto::random_hex(16);
        let good = assertion_for(TEACHER);
        let (payload, signature) = good.split_once('.').unwrap();
        // The teacher's assertion made out to the admin, under the teacher's signature.
        let forged = {
            use base64::Engine;
            let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let claims = String::from_utf8(engine.decode(payload).unwrap()).unwrap().replace(TEACHER, ADMIN);
            format!("{}.{signature}", engine.encode(claims))
        };
        let (_, admin_signature) =
            assertion_for(ADMIN).split_once('.').map(|(a, b)| (a.to_string(), b.to_string())).unwrap();
        let cases = [
            ("expired", sign(SECRET, LMS, TEACHER, now - 5, &nonce()), "widget.assertion_expired"),
            ("an hour long", sign(SECRET, LMS, TEACHER, now + 3600, &nonce()), "widget.assertion_too_long_lived"),
            ("another secret", sign(&"x".repeat(40), LMS, TEACHER, now + 60, &nonce()), "widget.assertion_signature"),
            ("another's signature", format!("{payload}.{admin_signature}"), "widget.assertion_signature"),
            ("made out to another", forged, "widget.assertion_signature"),
            ("a character more", format!("{payload}x.{signature}"), "widget.assertion_malformed"),
            (
                "from the portal (no secret)",
                sign(SECRET, PORTAL, TEACHER, now + 60, &nonce()),
                "widget.assertion_unknown_origin",
            ),
            (
                "from elsewhere",
                sign(SECRET, "https://evil.example", TEACHER, now + 60, &nonce()),
                "widget.assertion_unknown_origin",
            ),
            ("an unknown person", sign(SECRET, LMS, "niemand@gym-a.de", now + 60, &nonce()), "widget.assertion_user"),
            ("a deactivated person", sign(SECRET, LMS, "weg@gym-a.de", now + 60, &nonce()), "widget.assertion_user"),
            ("no assertion", String::new(), "widget.assertion_malformed"),
            ("junk", "<script>alert(1)</script>".to_string(), "widget.assertion_malformed"),
        ];
        for (label, assertion, key) in &cases {
            let mut browser = app.browser();
            let refused = browser.get(&session_path(assertion)).await;
            assert_eq!(refused.status.code, 422, "{label}: {}", refused.body);
            assert!(refused.body.contains(&html_message(Lang::De, key, "")), "{label}: {}", refused.body);
            assert!(!browser.cookies.contains_key("staffel_session"), "{label}: no session");
            assert!(!refused.body.contains(r#"id="widget-report""#), "{label}: the dialog is for nobody");
            assert!(!refused.body.contains("<script>alert"), "{label}: nothing of it is shown");
        }
        let recorded = refusals(&app).await;
        assert_eq!(recorded.len(), cases.len(), "{recorded:?}");
        for reason in
            ["expired", "lives too long", "bad signature", "malformed", "unknown origin", "unknown or deactivated user"]
        {
            assert!(recorded.iter().any(|d| d.contains(reason)), "{reason}: {recorded:?}");
        }
        // The good assertion was never used by any of them.
        let mut browser = app.browser();
        assert_eq!(browser.get(&session_path(&good)).await.status.code, 303);
    }
);

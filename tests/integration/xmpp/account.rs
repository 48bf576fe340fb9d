//! The XMPP address on the account page: only for the desk and only when Staffel has an
//! XMPP account; a bad or taken address is refused with a clear message and stores nothing;
//! a good one is pending with the code to send; unlinking removes it.
use crate::common::{html_message, Backend, TestApp, PASSWORD};
use staffel::i18n::Lang;
use staffel::xmpp::links;

/// Staffel with an XMPP account on a server that is not there: the page works regardless.
async fn app_with_xmpp(backend: &Backend) -> TestApp {
    let app = TestApp::with(backend, |f| {
        f.merge(("staffel.xmpp_jid", "staffel@localhost"))
            .merge(("staffel.xmpp_password", "secret"))
            .merge(("staffel.xmpp_server", "127.0.0.1:9"))
            .merge(("staffel.xmpp_transport", "plain"))
    })
    .await;
    app.school("gym-a").await;
    app.users(&[
        ("anna@desk.de", "agent", ""),
        ("bernd@desk.de", "agent", ""),
        ("sa@gym-a.de", "school_admin", "gym-a"),
    ])
    .await;
    app
}

both_dbs!(
    async fn the_account_page_offers_xmpp_to_the_desk_only_and_only_when_set_up(backend: Backend) {
        let app = app_with_xmpp(&backend).await;
        let mut anna = app.login("anna@desk.de", PASSWORD).await;
        let page = anna.get("/account").await;
        assert_eq!(page.status.code, 200);
        assert!(page.body.contains(r#"action="/account/xmpp""#), "the desk may link an address");
        let mut admin = app.login("sa@gym-a.de", PASSWORD).await;
        assert!(!admin.get("/account").await.body.contains("/account/xmpp"), "a school admin may not");
        let refused = admin.post_form("/account/xmpp", &[("jid", "sa@example.org")]).await;
        assert_eq!(refused.status.code, 403);

        let plain = TestApp::new(&backend).await;
        plain.user("anna@desk.de", "agent", "").await;
        let mut anna_plain = plain.login("anna@desk.de", PASSWORD).await;
        assert!(!anna_plain.get("/account").await.body.contains("/account/xmpp"), "no XMPP account, no section");
    }
);

both_dbs!(
    async fn an_address_is_pending_with_its_code_until_confirmed_and_can_be_unlinked(backend: Backend) {
        let app = app_with_xmpp(&backend).await;
        let anna_id = app.user_id("anna@desk.de").await;
        let mut anna = app.login("anna@desk.de", PASSWORD).await;

        let bad = anna.post_form("/account/xmpp", &[("jid", "keine Adresse")]).await;
        assert_eq!(bad.status.code, 422);
        assert!(bad.body.contains(&html_message(Lang::De, "xmpp.jid_invalid", "")), "a clear message");
        assert!(bad.body.contains(r#"aria-invalid="true""#), "the field is marked");
        assert!(links::of(app.db(), anna_id).await.unwrap().is_none(), "nothing stored");

        let saved = anna.post_form("/account/xmpp", &[("jid", "Anna@Example.org/Handy")]).await;
        assert_eq!((saved.status.code, saved.location.as_deref()), (303, Some("/account#xmpp")));
        let link = links::of(app.db(), anna_id).await.unwrap().expect("pending");
        assert_eq!(link.jid, "anna@example.org");
        assert!(link.confirmed_at.is_none());
        let page = anna.get("/account").await;
        assert!(page.body.contains(&format!("!verbinden {}", link.code.unwrap())), "the code to send is shown");
        assert!(page.body.contains("staffel@localhost"), "and where to send it");

        let mut bernd = app.login("bernd@desk.de", PASSWORD).await;
        let taken = bernd.post_form("/account/xmpp", &[("jid", "anna@example.org")]).await;
        assert_eq!(taken.status.code, 422);
        assert!(taken.body.contains(&html_message(Lang::De, "xmpp.jid_taken", "")));

        let removed = anna.post_form("/account/xmpp/unlink", &[]).await;
        assert_eq!((removed.status.code, removed.location.as_deref()), (303, Some("/account#xmpp")));
        assert!(links::of(app.db(), anna_id).await.unwrap().is_none());
        let again = bernd.post_form("/account/xmpp", &[("jid", "anna@example.org")]).await;
        assert_eq!(again.status.code, 303, "free again");
    }
);

//! API tokens end: listed and revoked with `staffel token list/revoke` and on the account
//! page, and all of a user's revoked when their password is changed or reset.
use crate::common;

use crate::common::{Backend, TestApp, PASSWORD};
use rocket::http::Status;

async fn works(app: &TestApp, token: &str) -> bool {
    app.api_get(Some(token), "/api/v1/me").await.status == Status::Ok
}

/// `staffel ARGS` against the app's own data dir and database (beside the running app,
/// as an operator runs it next to `staffel serve`).
fn staffel(app: &TestApp, args: &[&str]) -> std::process::Output {
    let url = app.pg.as_ref().map(|pg| pg.url.as_str());
    common::cli::staffel_command(args, app.dir.path(), app.dir.path(), url).output().expect("run staffel")
}

async fn first_token_id(app: &TestApp, email: &str) -> i32 {
    let user = app.user_id(email).await;
    staffel::accounts::api_tokens::list_for(app.db(), user).await.expect("list tokens")[0].id
}

fn stdout(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

both_dbs!(
    async fn the_cli_lists_and_revokes_a_users_tokens(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.users(&[("o@op.de", "operator", ""), ("a@desk.de", "agent", "")]).await;
        let first = app.token("o@op.de").await;
        let second = app.token("o@op.de").await;
        let agents = app.token("a@desk.de").await;

        let listed = stdout(&staffel(&app, &["token", "list", "--email", "O@op.de"]));
        let lines: Vec<&str> = listed.lines().collect();
        assert_eq!(lines.len(), 2, "{listed}");
        assert!(lines.iter().all(|l| l.contains("\ttest\tcreated ") && l.ends_with("last used never")), "{listed}");
        assert!(!listed.contains(&first) && !listed.contains(&second), "never the token itself");
        let first_id: &str = lines[0].split('\t').next().unwrap();

        let revoked = stdout(&staffel(&app, &["token", "revoke", "--id", first_id]));
        assert!(revoked.contains(&format!("API token {first_id} revoked")), "{revoked}");
        assert!(!works(&app, &first).await, "the revoked token stops working");
        assert!(works(&app, &second).await && works(&app, &agents).await, "the others go on");
        let listed = stdout(&staffel(&app, &["token", "list", "--email", "o@op.de"]));
        assert_eq!(listed.lines().count(), 1, "{listed}");
        assert!(listed.contains("last used"), "{listed}");

        for refused in [
            staffel(&app, &["token", "revoke", "--id", first_id]),
            staffel(&app, &["token", "revoke", "--id", "abc"]),
            staffel(&app, &["token", "list", "--email", "niemand@op.de"]),
        ] {
            let stderr = String::from_utf8_lossy(&refused.stderr);
            assert!(!refused.status.success() && !stderr.trim().is_empty(), "{stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
        let unknown = staffel(&app, &["token", "revoke", "--id", "999999"]);
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("no API token with id 999999"));
    }
);

both_dbs!(
    async fn the_account_page_lists_ones_tokens_and_revokes_them(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.users(&[("o@op.de", "operator", ""), ("a@desk.de", "agent", "")]).await;
        let mine = app.token("o@op.de").await;
        let theirs = app.token("a@desk.de").await;
        let (mine_id, theirs_id) = (first_token_id(&app, "o@op.de").await, first_token_id(&app, "a@desk.de").await);

        let mut browser = app.login("o@op.de", PASSWORD).await;
        let page = browser.get("/account").await;
        assert!(page.body.contains("API-Tokens") && page.body.contains("<td>test</td>"), "{}", page.body);
        assert!(page.body.contains(&format!("/account/tokens/{mine_id}/revoke")));
        assert!(!page.body.contains(&format!("/account/tokens/{theirs_id}/revoke")), "only one's own");
        assert!(page.body.contains("<td>nie</td>"), "not used yet");
        assert!(works(&app, &mine).await);

        let other = browser.post_form(&format!("/account/tokens/{theirs_id}/revoke"), &[]).await;
        assert_eq!(other.status, Status::NotFound, "another's token is not found");
        assert!(works(&app, &theirs).await, "and goes on working");
        let unknown = browser.post_form("/account/tokens/abc/revoke", &[]).await;
        assert_eq!(unknown.status, Status::NotFound);

        let revoked = browser.post_form(&format!("/account/tokens/{mine_id}/revoke"), &[]).await;
        assert_eq!(revoked.status, Status::SeeOther, "{}", revoked.body);
        assert_eq!(revoked.location.as_deref(), Some("/account"));
        assert!(!works(&app, &mine).await, "the revoked token stops working");
        let page = browser.get("/account").await;
        assert!(page.body.contains("Das API-Token wurde widerrufen.") && page.body.contains("keine API-Tokens"));
    }
);

both_dbs!(
    async fn changing_the_password_revokes_every_token_of_the_user(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.users(&[("o@op.de", "operator", ""), ("a@desk.de", "agent", "")]).await;
        let (one, two, theirs) = (app.token("o@op.de").await, app.token("o@op.de").await, app.token("a@desk.de").await);
        let mut browser = app.login("o@op.de", PASSWORD).await;
        let new = "ein ganz neues Passwort";
        let changed =
            browser.post_form("/account/password", &[("current", PASSWORD), ("new", new), ("confirm", new)]).await;
        assert_eq!(changed.status, Status::SeeOther, "{}", changed.body);
        assert!(!works(&app, &one).await && !works(&app, &two).await, "the user's tokens end");
        assert!(works(&app, &theirs).await, "another user's token goes on");
    }
);

both_dbs!(
    async fn resetting_the_password_revokes_every_token_of_the_user(backend: Backend) {
        let app = TestApp::new(&backend).await;
        app.users(&[("o@op.de", "operator", ""), ("a@desk.de", "agent", "")]).await;
        let (mine, theirs) = (app.token("o@op.de").await, app.token("a@desk.de").await);
        let reset = app.reset_token("o@op.de").await;
        let new = "ein ganz neues Passwort";
        let done =
            app.browser().post_form(&format!("/password/reset/{reset}"), &[("new", new), ("confirm", new)]).await;
        assert_eq!(done.status, Status::SeeOther, "{}", done.body);
        assert!(!works(&app, &mine).await, "the user's token ends");
        assert!(works(&app, &theirs).await, "another user's token goes on");
    }
);

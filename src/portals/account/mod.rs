//! Sign-in, sign-out, one's own account, language, password reset.
pub mod forms;
mod xmpp;

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{get, post, Route};

use crate::accounts::{api_tokens, login, reset};
use crate::app::{AnyUser, App, Viewer};
use crate::audit::By;
use crate::auth::csrf::CsrfForm;
use crate::auth::{session, start_page};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, LANG_COOKIE};
use crate::web::client::ClientAddress;
use crate::web::flash;
use crate::web::page::Page;
use crate::web::params::Id;
use forms::*;

fn set_lang_cookie(jar: &CookieJar<'_>, lang: Lang) {
    jar.add(
        Cookie::build((LANG_COOKIE, lang.code()))
            .path("/")
            .same_site(SameSite::Lax)
            .max_age(rocket::time::Duration::days(365)),
    );
}

#[get("/login?<next>")]
fn login_page(viewer: Viewer, next: Option<&str>) -> Result<Redirect, Page> {
    // Someone already signed in goes straight to their start page.
    match viewer.0 {
        Some(actor) => Ok(Redirect::to(start_page(actor.role))),
        None => {
            Err(Page::new("accounts/login.html").with("next", next.and_then(safe_next).unwrap_or("")).with("email", ""))
        }
    }
}

#[post("/login", data = "<form>")]
async fn login_submit(
    form: CsrfForm<LoginForm>,
    app: &App,
    jar: &CookieJar<'_>,
    address: ClientAddress,
    lang: Lang,
    rocket_config: &rocket::Config,
) -> Result<Redirect, Page> {
    let form = form.0;
    let shown_next = safe_next(&form.next).unwrap_or("").to_string();
    let settings = &app.settings;
    let result = async {
        let user = login::authenticate(&app.db, settings, &form.email, &form.password, address.0).await?;
        session::start(&app.db, jar, user.id, settings.session_hours, rocket_config.tls_enabled()).await?;
        Ok::<_, AppError>(user)
    }
    .await;
    match result {
        Ok(user) => {
            let user_lang = Lang::parse(&user.language).unwrap_or_default();
            set_lang_cookie(jar, user_lang);
            let target = safe_next(&form.next).map(str::to_string).unwrap_or_else(|| start_page(user.role).to_string());
            Ok(Redirect::to(target))
        }
        Err(error) => Err(Page::new("accounts/login.html")
            .with("next", shown_next)
            .with("email", form.email.chars().take(254).collect::<String>())
            .with_error(&error, lang)),
    }
}

#[post("/logout", data = "<_form>")]
async fn logout(_form: CsrfForm<CsrfOnly>, app: &App, jar: &CookieJar<'_>) -> AppResult<Redirect> {
    session::end(&app.db, jar).await?;
    flash::success(jar, "login.logged_out");
    Ok(Redirect::to("/login"))
}

/// The account page: profile, language, password and the person's API tokens (never the
/// tokens themselves, which were shown once).
async fn account_view(app: &App, user: &AnyUser) -> AppResult<Page> {
    let tokens = api_tokens::list_for(app.db.read(), user.0.id).await?;
    let xmpp = xmpp::section(app, &user.0).await?;
    Ok(Page::new("accounts/account.html").with("account", &user.0).with("tokens", tokens).with("xmpp", xmpp))
}

#[get("/account")]
async fn account_page(user: AnyUser, app: &App) -> AppResult<Page> {
    account_view(app, &user).await
}

/// Revokes one of one's own API tokens; another's is "not found".
#[post("/account/tokens/<id>/revoke", data = "<_form>")]
async fn revoke_token(
    user: AnyUser,
    id: Id,
    _form: CsrfForm<CsrfOnly>,
    app: &App,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    api_tokens::revoke(&app.db, By::User(&user.0), id.0).await?;
    flash::success(jar, "account.token_revoked");
    Ok(Redirect::to("/account"))
}

#[post("/account/password", data = "<form>")]
async fn change_password(
    user: AnyUser,
    form: CsrfForm<PasswordChangeForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
    rocket_config: &rocket::Config,
) -> Result<Redirect, Result<Page, AppError>> {
    let result = async {
        login::change_password(&app.db, &user.0, &form.current, &form.new, &form.confirm).await?;
        // Every other session and every API token ends with the old password; this session
        // continues fresh.
        let txn = app.db.write().await?;
        login::sign_out_everywhere(&txn, user.0.id).await?;
        txn.commit().await?;
        session::start(&app.db, jar, user.0.id, app.settings.session_hours, rocket_config.tls_enabled()).await
    }
    .await;
    match result {
        Ok(()) => {
            flash::success(jar, "account.password_changed");
            Ok(Redirect::to("/account"))
        }
        Err(error) => match account_view(app, &user).await {
            Ok(page) => Err(Ok(page.with_error(&error, lang))),
            Err(e) => Err(Err(e)),
        },
    }
}

/// Switches the language: a cookie for everyone, stored on the account when signed in.
#[post("/language", data = "<form>")]
async fn switch_language(
    viewer: Viewer,
    form: CsrfForm<LanguageForm>,
    app: &App,
    jar: &CookieJar<'_>,
) -> AppResult<Redirect> {
    let lang = Lang::parse(&form.lang).ok_or_else(|| AppError::invalid("lang", "validation.language"))?;
    if let Some(actor) = &viewer.0 {
        login::set_language(&app.db, actor, lang).await?;
    }
    set_lang_cookie(jar, lang);
    Ok(Redirect::to(safe_next(&form.next).unwrap_or("/").to_string()))
}

#[get("/password/forgot")]
fn forgot_page(_viewer: Viewer) -> Page {
    Page::new("accounts/forgot.html")
}

#[post("/password/forgot", data = "<form>")]
async fn forgot_submit(_viewer: Viewer, form: CsrfForm<ForgotForm>, app: &App, lang: Lang) -> Page {
    match reset::request_reset(&app.db, &app.mailer, &app.settings, &form.email).await {
        Ok(()) => Page::new("accounts/forgot.html").with("sent", true),
        Err(error) => Page::new("accounts/forgot.html").with("email", &form.email).with_error(&error, lang),
    }
}

#[get("/password/reset/<token>")]
async fn reset_page(_viewer: Viewer, token: &str, app: &App) -> AppResult<Page> {
    reset::find_valid(app.db.read(), token).await?;
    Ok(Page::new("accounts/reset.html").with("token", token))
}

#[post("/password/reset/<token>", data = "<form>")]
async fn reset_submit(
    _viewer: Viewer,
    token: &str,
    form: CsrfForm<ResetForm>,
    app: &App,
    jar: &CookieJar<'_>,
    lang: Lang,
) -> Result<Redirect, Result<Page, AppError>> {
    match reset::reset_password(&app.db, token, &form.new, &form.confirm).await {
        Ok(_) => {
            flash::success(jar, "reset.done");
            Ok(Redirect::to("/login"))
        }
        Err(AppError::Gone) => Err(Err(AppError::Gone)),
        Err(error) => Err(Ok(Page::new("accounts/reset.html").with("token", token).with_error(&error, lang))),
    }
}

pub fn routes() -> Vec<Route> {
    let mut routes = xmpp::routes();
    routes.extend(rocket::routes![
        login_page,
        login_submit,
        logout,
        account_page,
        revoke_token,
        change_password,
        switch_language,
        forgot_page,
        forgot_submit,
        reset_page,
        reset_submit
    ]);
    routes
}

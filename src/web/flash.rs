//! One-shot messages after a redirect ("Saved."). The cookie holds only a catalogue key
//! (and an optional argument), so nothing a user sends is ever rendered as a message.
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::Request;
use serde::Serialize;

use crate::i18n::{self, Lang};

const FLASH_COOKIE: &str = "staffel_flash";

#[derive(Debug, Clone, Serialize)]
pub struct Flash {
    pub kind: String,
    pub message: String,
}

pub fn success(jar: &CookieJar<'_>, key: &'static str) {
    set(jar, "success", key, "");
}

pub fn success_with(jar: &CookieJar<'_>, key: &'static str, arg: &str) {
    set(jar, "success", key, arg);
}

/// A refusal shown on the page the post returns to (when there is no form to show again).
pub fn error_with(jar: &CookieJar<'_>, key: &'static str, arg: &str) {
    set(jar, "error", key, arg);
}

fn set(jar: &CookieJar<'_>, kind: &str, key: &str, arg: &str) {
    let value = format!("{kind}|{key}|{arg}");
    jar.add_private(Cookie::build((FLASH_COOKIE, value)).path("/").same_site(SameSite::Lax).http_only(true));
}

/// Takes the pending message, if any, translated for this request.
pub fn take(req: &Request<'_>, lang: Lang) -> Option<Flash> {
    let cookie = req.cookies().get_private(FLASH_COOKIE)?;
    req.cookies().remove_private(Cookie::build(FLASH_COOKIE).path("/"));
    let mut parts = cookie.value().splitn(3, '|');
    let kind = parts.next()?.to_string();
    let key = parts.next()?;
    let arg = parts.next().unwrap_or("");
    if !i18n::has_key(key) {
        return None;
    }
    Some(Flash { kind, message: i18n::tr_arg(lang, key, arg) })
}

//! The tail every form handler shares (post/redirect/get): saved → a flash message and a
//! redirect to the page that shows the result; refused for a reason the person can fix
//! (a field's error, a conflict) → the form again, with the message and what they typed;
//! anything else → the error page.
use std::future::Future;

use rocket::http::CookieJar;
use rocket::response::Redirect;

use super::flash;
use super::page::Page;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// What a form post answers: a redirect after success, or the form again.
#[derive(rocket::Responder)]
pub enum Posted {
    Saved(Box<Redirect>),
    Again(Page),
}

/// Where a successful post leads, and the message it leaves there.
pub struct Saved {
    pub message: &'static str,
    pub arg: Option<String>,
    pub to: String,
}

impl Saved {
    pub fn to(message: &'static str, to: impl Into<String>) -> Saved {
        Saved { message, arg: None, to: to.into() }
    }

    pub fn with_arg(mut self, arg: impl Into<String>) -> Saved {
        self.arg = Some(arg.into());
        self
    }
}

/// Turns a post's result into its answer. `again` builds the form page once more (with the
/// input the caller wants kept); it runs only when the post was refused for a fixable reason.
pub async fn finish<T, P>(
    result: AppResult<T>,
    jar: &CookieJar<'_>,
    lang: Lang,
    saved: impl FnOnce(T) -> Saved,
    again: impl FnOnce() -> P,
) -> AppResult<Posted>
where
    P: Future<Output = AppResult<Page>>,
{
    match result {
        Ok(value) => {
            let saved = saved(value);
            flash::success_with(jar, saved.message, saved.arg.as_deref().unwrap_or(""));
            Ok(Posted::Saved(Box::new(Redirect::to(saved.to))))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            Ok(Posted::Again(again().await?.with_error(&e, lang)))
        }
        Err(e) => Err(e),
    }
}

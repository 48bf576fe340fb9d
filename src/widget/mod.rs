//! The embeddable support widget (SPEC §8, issue #12): one script tag on another site (the
//! school platform, the LMS) shows a "Support" button with the live availability and opens
//! a support dialog on Staffel's own origin that fits the reader's level of the ladder.
//!
//! The dialog is a first-party window, not a frame: browsers block third-party cookies in
//! frames, so a framed dialog could never know who reads it. There the reader signs in once,
//! or the integration hands over a signed assertion (`assertion`). What the embedding page
//! passes along (`context`) reaches the agent with the chat, ticket or report. Only
//! configured origins (`STAFFEL_WIDGET_ORIGINS`) may embed it: the availability answers
//! CORS for them alone, the dialog is framed by nobody else and speaks `postMessage` to
//! its configured opener only. This module holds the services; the routes are
//! `portals::widget`.
pub mod assertion;
pub mod context;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::app::App;
use crate::attachments::store::Staged;
use crate::auth::Actor;
use crate::chat::channels::{self, Availability};
use crate::chat::lifecycle::{self, Asked, Request};
use crate::error::AppResult;
use crate::i18n::{self, Lang};
use crate::reports::service::NewReport;
use crate::tickets::{opening, NewTicket, Opened};
use entities::report;

/// A teacher's report from the dialog: the report as on `/reports`, the context as a block
/// of its description.
pub async fn file_report(
    app: &App,
    actor: &Actor,
    input: &NewReport,
    context: &Map<String, Value>,
    files: Staged,
) -> AppResult<report::Model> {
    let input = NewReport { description: with_context(&input.description, context, actor), ..input.clone() };
    crate::reports::service::file(app, actor, &input, files).await
}

/// A school admin's ticket from the dialog, the context as a block of its description.
pub async fn open_ticket(
    app: &App,
    actor: &Actor,
    input: &NewTicket,
    context: &Map<String, Value>,
    files: Staged,
) -> AppResult<Opened> {
    let input = NewTicket { description: with_context(&input.description, context, actor), ..input.clone() };
    opening::open(app, actor, &input, files).await
}

/// A school admin's chat request from the dialog, the context in the chat's own column.
pub async fn ask(
    app: &App,
    actor: &Actor,
    channel: &str,
    message: &str,
    context: Map<String, Value>,
) -> AppResult<Asked> {
    let request = Request {
        channel: channel.to_string(),
        message: message.to_string(),
        context: Value::Object(context),
        page: None,
    };
    lifecycle::ask(app, actor, &request).await
}

/// The description with the context below it; an empty description stays empty, so that
/// it is refused as the plain form refuses it (the context is no description).
fn with_context(description: &str, context: &Map<String, Value>, actor: &Actor) -> String {
    if description.trim().is_empty() {
        return String::new();
    }
    let lang = Lang::parse(&actor.language).unwrap_or_default();
    format!("{}{}", description.trim_end(), context::as_markdown(context, i18n::tr(lang, "widget.context_heading")))
}

/// How long the widget's availability is answered from memory. Badges on many pages of a
/// school platform poll it; the tile's own availability is announced by a job every few
/// seconds anyway, so a second or two of age changes nothing a reader could notice, and
/// spares the database the five queries of each answer (`channels::availability`).
pub const STATUS_MAX_AGE: Duration = Duration::from_secs(2);

/// The availability last computed, per instance (managed by Rocket beside `App`).
#[derive(Default)]
pub struct StatusCache(Mutex<Option<(Instant, Availability)>>);

impl StatusCache {
    pub async fn get(&self, app: &App) -> AppResult<Availability> {
        if let Ok(held) = self.0.lock() {
            if let Some((_, availability)) = held.as_ref().filter(|(at, _)| at.elapsed() < STATUS_MAX_AGE) {
                return Ok(availability.clone());
            }
        }
        let fresh = channels::availability(app.db.read(), &app.settings, chrono::Utc::now()).await?;
        if let Ok(mut held) = self.0.lock() {
            *held = Some((Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }
}

/// The badge for a page without JavaScript: a small SVG that says whether the desk is
/// reachable by chat, in the reader's language. Its text is the catalogue's own (nothing
/// of the request goes into it), so nothing needs escaping.
pub fn badge_svg(available: bool, lang: Lang) -> String {
    let (key, colour) = if available { ("widget.badge_on", "#1a7f37") } else { ("widget.badge_off", "#6e7781") };
    let text = i18n::tr(lang, key);
    // About 7 px per character of the 12 px sans-serif, plus the dot and margins.
    let width = 30 + text.chars().count() * 7;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="24" viewBox="0 0 {width} 24" role="img" aria-label="{text}"><title>{text}</title><rect width="{width}" height="24" rx="12" fill="#ffffff" stroke="{colour}"/><circle cx="13" cy="12" r="5" fill="{colour}"/><text x="24" y="16" font-family="sans-serif" font-size="12" fill="#1f2328">{text}</text></svg>"##
    )
}

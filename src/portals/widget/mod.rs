//! The support widget's routes (the services are `crate::widget`): the script another site
//! embeds, its availability as JSON and as a badge, the dialog it opens on Staffel's own
//! origin (by role: the FAQ for everyone, a report for teachers, a ticket, the desk's phone
//! and hours and the chat for school admins), signing in with an integration's assertion,
//! and the dialog's forms (`forms`).
mod forms;

use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Redirect, Responder, Response};
use rocket::serde::json::Json;
use rocket::{get, Route, State};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::app::{App, Viewer};
use crate::auth::{session, Role};
use crate::chat::channels::Availability;
use crate::config::{web_origin, Settings};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::page::Page;
use crate::widget::{self, context, StatusCache};

/// Where a request for the widget comes from, by its `Origin` header or else the origin of
/// its `Referer`: Staffel itself, a configured embedder, or nobody known (a request from no
/// page: a monitoring script, a page that sends no referrer). A page of any other origin
/// gets nothing (403).
pub struct Embedder(pub Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Embedder {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(app) = req.rocket().state::<App>() else {
            return Outcome::Error((Status::Forbidden, AppError::Forbidden));
        };
        let claimed = match req.headers().get_one("Origin") {
            Some(origin) => Some(web_origin(origin)),
            None => req
                .headers()
                .get_one("Referer")
                .map(|r| url::Url::parse(r).ok().and_then(|u| web_origin(&u.origin().ascii_serialization()))),
        };
        match claimed {
            None => Outcome::Success(Embedder(None)),
            Some(Some(origin)) if app.settings.widget_origin_allowed(&origin) => {
                Outcome::Success(Embedder(Some(origin)))
            }
            Some(Some(origin)) if is_own(&app.settings, &origin, req.headers().get_one("Host")) => {
                Outcome::Success(Embedder(None))
            }
            _ => Outcome::Error((Status::Forbidden, AppError::Forbidden)),
        }
    }
}

/// Whether an origin is Staffel's own: its base URL's, or the host the request came to.
fn is_own(settings: &Settings, origin: &str, host: Option<&str>) -> bool {
    web_origin(&settings.base_url).is_some_and(|own| own == origin)
        || host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, o)| o.eq_ignore_ascii_case(h.trim())))
}

/// A widget answer for another origin: the configured embedder may read it (CORS), and
/// caches keep answers for different origins apart.
pub struct Shared<R> {
    inner: R,
    allow: Option<String>,
}

impl<'r, 'o: 'r, R: Responder<'r, 'o>> Responder<'r, 'o> for Shared<R> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'o> {
        let mut res = self.inner.respond_to(req)?;
        if let Some(origin) = self.allow {
            res.set_raw_header("Access-Control-Allow-Origin", origin);
        }
        res.set_raw_header("Vary", "Origin, Referer");
        res.set_raw_header("Cache-Control", format!("private, max-age={}", widget::STATUS_MAX_AGE.as_secs()));
        Ok(res)
    }
}

fn shared<R>(inner: R, embedder: &Embedder) -> Shared<R> {
    Shared { inner, allow: embedder.0.clone() }
}

/// The script: JavaScript that browsers and proxies may keep for an hour.
pub struct Script(Vec<u8>);

impl<'r> Responder<'r, 'static> for Script {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::JavaScript)
            .raw_header("Cache-Control", "public, max-age=3600")
            .sized_body(self.0.len(), std::io::Cursor::new(self.0))
            .ok()
    }
}

/// The script another site embeds. The same for every origin (it finds Staffel's address in
/// its own `src`), so it is cacheable and needs no cookie; what it fetches is checked.
#[get("/widget.js")]
fn script(app: &App) -> AppResult<Script> {
    crate::web::assets::load(&app.settings, "widget.js").map(Script).ok_or(AppError::NotFound)
}

/// What the button shows: the availability and its words in the reader's language.
#[derive(Serialize)]
pub struct WidgetStatus {
    #[serde(flatten)]
    availability: Availability,
    label: &'static str,
    state: &'static str,
}

/// Whether chat is available now (and in which channels), with the desk's phone and hours:
/// what the badge and the button show. Names no agent, like the tile's availability.
#[get("/widget/status.json")]
async fn status(
    embedder: Embedder,
    app: &App,
    cache: &State<StatusCache>,
    lang: Lang,
) -> AppResult<Shared<Json<WidgetStatus>>> {
    let availability = cache.get(app).await?;
    let state = if availability.available { "widget.badge_on" } else { "widget.badge_off" };
    let body = WidgetStatus {
        availability,
        label: crate::i18n::tr(lang, "widget.button"),
        state: crate::i18n::tr(lang, state),
    };
    Ok(shared(Json(body), &embedder))
}

/// The availability as a small image, for a page without JavaScript.
#[get("/widget/badge.svg")]
async fn badge(
    embedder: Embedder,
    app: &App,
    cache: &State<StatusCache>,
    lang: Lang,
) -> AppResult<Shared<(ContentType, String)>> {
    let now = cache.get(app).await?;
    Ok(shared((ContentType::SVG, widget::badge_svg(now.available, lang)), &embedder))
}

/// What the dialog was opened with: the embedding page's origin (configured, or none when
/// the dialog is opened on Staffel itself), its address and its context.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Opened {
    pub origin: String,
    pub page: String,
    /// The context as the forms carry it on (JSON text).
    pub context: String,
}

impl Opened {
    /// The dialog's address with these parameters (after signing in, after a refusal).
    fn address(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [("origin", &self.origin), ("page", &self.page), ("context", &self.context)] {
            if !value.is_empty() {
                query.append_pair(key, value);
            }
        }
        let query = query.finish();
        if query.is_empty() {
            "/widget".to_string()
        } else {
            format!("/widget?{query}")
        }
    }

    /// The context, checked (an unreadable one is refused before anything is shown or kept).
    fn checked(&self) -> AppResult<Map<String, Value>> {
        let page = (!self.page.is_empty()).then_some(self.page.as_str());
        context::parse(&self.context, page)
    }
}

/// The embedder the dialog names, which must be configured.
fn check_origin(settings: &Settings, origin: &str) -> AppResult<String> {
    if origin.trim().is_empty() {
        return Ok(String::new());
    }
    match web_origin(origin) {
        Some(o) if settings.widget_origin_allowed(&o) => Ok(o),
        _ => Err(AppError::invalid("origin", "widget.origin_refused")),
    }
}

/// The dialog page: only its configured embedders may frame it (the FAQ works there; signing
/// in needs the window, since framed pages get no cookies), and it tells its opener (the
/// configured embedder only) that it is open.
#[derive(rocket::Responder)]
pub struct Dialog {
    page: Page,
    policy: Header<'static>,
}

pub(crate) fn dialog_policy(settings: &Settings) -> Header<'static> {
    let origins = settings.widget_origins();
    let ancestors = if origins.is_empty() { "'none'".to_string() } else { origins.join(" ") };
    Header::new(
        "Content-Security-Policy",
        format!(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; \
             frame-ancestors {ancestors}; form-action 'self'; base-uri 'none'"
        ),
    )
}

/// The dialog for this reader, as opened and as shown again after a refused form.
pub(crate) async fn dialog(app: &App, viewer: &Viewer, opened: &Opened, q: &str, lang: Lang) -> AppResult<Dialog> {
    let settings = &app.settings;
    let mut page = Page::new("widget/dialog.html").with("role", viewer.role().as_str()).with("input", json!({}));
    let origin = check_origin(settings, &opened.origin);
    let context = opened.checked();
    let (shown, refused) = match (origin, context) {
        (Ok(origin), Ok(_)) => (Opened { origin, ..opened.clone() }, None),
        (Err(e), _) | (_, Err(e)) => (Opened::default(), Some(e)),
    };
    let context_map = shown.checked().unwrap_or_default();
    page = page
        .with("opened", &shown)
        .with("context_items", context_map.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect::<Vec<_>>())
        .with("login_next", shown.address())
        .with("q", q.trim());
    let q = q.trim();
    if !q.is_empty() {
        match crate::kb::service::search(
            &app.misses,
            &app.search,
            viewer.0.as_ref(),
            q,
            8,
            None,
            crate::kb::service::Purpose::Results,
        )
        .await
        {
            Ok(results) => page = page.with("results", results),
            Err(e @ AppError::Invalid { .. }) => page = page.with_error(&e, lang),
            Err(e) => return Err(e),
        }
    }
    if let Some(actor) = viewer.0.as_ref() {
        if actor.role == Role::SchoolAdmin {
            let db = app.db.read();
            page = page
                .with("desk", json!({ "phone": settings.desk_phone, "hours": settings.desk_hours }))
                .with("chat", crate::chat::channels::availability(db, settings, chrono::Utc::now()).await?)
                .with("services", crate::catalogue::services::list(db, false).await?)
                .with("upload", crate::attachments::hints(settings));
        } else if actor.role == Role::Teacher {
            page = page.with("upload", crate::attachments::hints(settings));
        }
    }
    if let Some(e) = refused {
        page = page.with_error(&e, lang);
    }
    Ok(Dialog { page, policy: dialog_policy(settings) })
}

#[get("/widget?<origin>&<page>&<context>&<q>")]
async fn open(
    viewer: Viewer,
    app: &App,
    origin: Option<&str>,
    page: Option<&str>,
    context: Option<&str>,
    q: Option<&str>,
    lang: Lang,
) -> AppResult<Dialog> {
    let opened = Opened {
        origin: origin.unwrap_or_default().to_string(),
        page: page.unwrap_or_default().to_string(),
        context: context.unwrap_or_default().to_string(),
    };
    dialog(app, &viewer, &opened, q.unwrap_or_default(), lang).await
}

/// Signing in with an integration's assertion: on success a session (the dialog then knows
/// its reader) and the dialog; refused, the dialog for nobody with the reason, and no session.
#[get("/widget/session?<assertion>&<origin>&<page>&<context>")]
#[allow(clippy::too_many_arguments)]
async fn sign_in(
    app: &App,
    assertion: Option<&str>,
    origin: Option<&str>,
    page: Option<&str>,
    context: Option<&str>,
    jar: &rocket::http::CookieJar<'_>,
    rocket_config: &rocket::Config,
    lang: Lang,
) -> AppResult<Result<Redirect, Dialog>> {
    let opened = Opened {
        origin: origin.unwrap_or_default().to_string(),
        page: page.unwrap_or_default().to_string(),
        context: context.unwrap_or_default().to_string(),
    };
    let settings = &app.settings;
    match widget::assertion::redeem(&app.db, settings, assertion.unwrap_or_default(), chrono::Utc::now()).await {
        Ok(actor) => {
            session::start(&app.db, jar, actor.id, settings.session_hours, rocket_config.tls_enabled()).await?;
            Ok(Ok(Redirect::to(opened.address())))
        }
        Err(e @ AppError::Invalid { .. }) => {
            // Whoever this browser was signed in as, the refused assertion does not stand
            // for them: the dialog is shown to nobody.
            let shown = dialog(app, &Viewer(None), &opened, "", lang).await?;
            Ok(Err(Dialog { page: shown.page.with_error(&e, lang), ..shown }))
        }
        Err(e) => Err(e),
    }
}

pub fn routes() -> Vec<Route> {
    let mut routes = rocket::routes![script, status, badge, open, sign_in];
    routes.extend(forms::routes());
    routes
}

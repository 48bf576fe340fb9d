//! The chat live: a chat over WebSocket (both ways) or as Server-Sent Events (what arrives;
//! what is sent goes by POST), the desk's requests and presence, and the tile's
//! availability. Frames and events are JSON with a `type`. A client that reconnects names
//! the last line it has (`?after=`, or `Last-Event-ID` for event streams) and gets exactly
//! what it missed, once (see `chat::follow`).
use std::sync::Arc;

use rocket::futures::{SinkExt, StreamExt};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::response::stream::{Event as SseEvent, EventStream};
use rocket::{get, Request, Route, Shutdown};
use rocket_ws::{Channel, Message, WebSocket};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::{Agent, AnyUser, App};
use crate::auth::Actor;
use crate::chat::follow::Follower;
use crate::chat::{self, channels, messages, presence};
use crate::error::{json_body, AppError, AppResult};
use crate::i18n::Lang;
use crate::live::{Event, Topic, RESYNC};
use crate::web::params::{Id, QueryParam};

/// The largest frame a client may send: a message at its longest, with room to spare.
const FRAME_MAX: usize = 64 * 1024;

/// A WebSocket upgrade from a page of Staffel itself, or from a client that is no browser
/// (it sends no `Origin`). Browsers send cookies with a cross-site upgrade and the socket
/// answers no CORS question, so without this check any site could talk in a signed-in
/// agent's chats.
pub struct SameOrigin;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SameOrigin {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(origin) = req.headers().get_one("Origin") else { return Outcome::Success(SameOrigin) };
        let Some(app) = req.rocket().state::<App>() else {
            return Outcome::Error((Status::Forbidden, AppError::Forbidden));
        };
        if origin_allowed(origin, &app.settings.base_url, req.headers().get_one("Host")) {
            Outcome::Success(SameOrigin)
        } else {
            Outcome::Error((Status::Forbidden, AppError::Forbidden))
        }
    }
}

/// Whether an `Origin` is Staffel's own address: the configured base URL's, or the host the
/// browser connected to (a page served by this very server).
pub fn origin_allowed(origin: &str, base_url: &str, host: Option<&str>) -> bool {
    let origin = origin.trim().trim_end_matches('/');
    let own = base_url.trim().trim_end_matches('/');
    let own_origin = match own.find("://") {
        Some(scheme_end) => match own[scheme_end + 3..].find('/') {
            Some(path) => &own[..scheme_end + 3 + path],
            None => own,
        },
        None => own,
    };
    if !origin.is_empty() && origin.eq_ignore_ascii_case(own_origin) {
        return true;
    }
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if !h.is_empty() && o.eq_ignore_ascii_case(h.trim()))
}

/// The `Last-Event-ID` an event stream's client sends when it reconnects.
pub struct LastEventId(pub Option<i32>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for LastEventId {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let id = req.headers().get_one("Last-Event-ID").and_then(|v| v.trim().parse().ok());
        Outcome::Success(LastEventId(id))
    }
}

/// What a client sends over the socket.
#[derive(Debug, Deserialize)]
struct ClientFrame {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    client_id: Option<String>,
}

fn error_frame(e: &AppError, lang: Lang, client_id: Option<&str>) -> String {
    let mut frame: Value = serde_json::from_str(&json_body(e.code(), &e.message(lang), e.field())).unwrap_or_default();
    frame["type"] = json!("error");
    if let Some(id) = client_id {
        frame["client_id"] = json!(id);
    }
    frame.to_string()
}

/// Answers one frame of the client: a message is stored (and comes back to everyone as a
/// line), typing is told, a ping is answered.
async fn answer(app: &App, actor: &Actor, chat_id: i32, text: &str) -> Option<String> {
    let lang = Lang::parse(&actor.language).unwrap_or_default();
    let frame: ClientFrame = match serde_json::from_str(text) {
        Ok(frame) => frame,
        Err(_) => return Some(error_frame(&AppError::invalid("body", "error.bad_json"), lang, None)),
    };
    match frame.kind.as_str() {
        "message" => match messages::post(app, actor, chat_id, &frame.body, frame.client_id.as_deref()).await {
            Ok(posted) => {
                Some(json!({ "type": "sent", "client_id": frame.client_id, "seq": posted.message.seq }).to_string())
            }
            Err(e) => Some(error_frame(&e, lang, frame.client_id.as_deref())),
        },
        "typing" => messages::typing(app, actor, chat_id).await.err().map(|e| error_frame(&e, lang, None)),
        "ping" => Some(json!({ "type": "pong" }).to_string()),
        _ => Some(error_frame(&AppError::invalid("type", "chat.frame_unknown"), lang, None)),
    }
}

#[get("/chats/<id>/ws?<after>")]
async fn socket(
    ws: WebSocket,
    _origin: SameOrigin,
    user: AnyUser,
    id: Id,
    after: QueryParam<i32>,
    app: &App,
    shutdown: Shutdown,
) -> AppResult<Channel<'static>> {
    let actor = user.0;
    let after = after.value_in("after", 0, i32::MAX)?.unwrap_or(0);
    let mut follower = Follower::start(app, &actor, id.0, after).await?;
    let app = app.clone();
    let config = rocket_ws::Config {
        max_message_size: Some(FRAME_MAX),
        max_frame_size: Some(FRAME_MAX),
        // A client that stops reading is dropped rather than buffered for without end.
        max_write_buffer_size: 1 << 20,
        ..Default::default()
    };
    Ok(ws.config(config).channel(move |mut stream| {
        Box::pin(async move {
            let mut shutdown = shutdown;
            loop {
                tokio::select! {
                    incoming = stream.next() => match incoming {
                        Some(Ok(Message::Text(text))) => {
                            if let Some(reply) = answer(&app, &actor, id.0, &text).await {
                                stream.send(Message::Text(reply)).await?;
                            }
                        }
                        Some(Ok(Message::Close(_))) | None => break,
                        Some(Ok(_)) => {}
                        Some(Err(e)) => return Err(e),
                    },
                    next = follower.next(&app) => match next {
                        Ok(Some(event)) => stream.send(Message::Text(event.json())).await?,
                        Ok(None) => break,
                        Err(e) => {
                            tracing::warn!(error = %e.chain(), chat = id.0, "chat socket cannot read the chat");
                            break;
                        }
                    },
                    _ = &mut shutdown => break,
                }
            }
            Ok(())
        })
    }))
}

fn sse(event: &Event, seq: Option<i32>) -> SseEvent {
    let out = SseEvent::data(event.json());
    match seq {
        Some(seq) => out.id(seq.to_string()),
        None => out,
    }
}

#[get("/chats/<id>/events?<after>")]
async fn chat_events(
    user: AnyUser,
    id: Id,
    after: QueryParam<i32>,
    last: LastEventId,
    app: &App,
    mut shutdown: Shutdown,
) -> AppResult<EventStream![SseEvent + 'static]> {
    let after = after.value_in("after", 0, i32::MAX)?;
    let mut follower = Follower::start(app, &user.0, id.0, last.0.or(after).unwrap_or(0)).await?;
    let app = app.clone();
    Ok(EventStream! {
        loop {
            let next = tokio::select! {
                next = follower.next(&app) => next,
                _ = &mut shutdown => break,
            };
            match next {
                Ok(Some(event)) => yield sse(&event, messages::seq_of(&event)),
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e.chain(), chat = id.0, "chat event stream cannot read the chat");
                    break;
                }
            }
        }
    })
}

/// What an agent's desk starts from: their requests, the people, their own state.
async fn desk_snapshot(app: &App, actor: &Actor) -> AppResult<Event> {
    let requests = chat::requests_for(app.db.read(), actor).await?;
    let people = presence::people(app.db.read(), &app.settings, chrono::Utc::now()).await?;
    let state = presence::of(app.db.read(), &app.settings, actor).await?;
    Ok(Event::new("snapshot", json!({ "requests": requests, "people": people, "state": state })))
}

#[get("/chat/desk/events")]
async fn desk_events(agent: Agent, app: &App, mut shutdown: Shutdown) -> AppResult<EventStream![SseEvent + 'static]> {
    let actor = agent.0;
    let mut events = app.live.subscribe(Topic::Desk);
    let first = desk_snapshot(app, &actor).await?;
    let app = app.clone();
    Ok(EventStream! {
        yield sse(&first, None);
        loop {
            let next = tokio::select! {
                next = events.recv() => next,
                _ = &mut shutdown => break,
            };
            match next {
                Ok(event) if event.is_for(actor.id) && event.kind != RESYNC => yield sse(&event, None),
                Ok(event) if event.kind != RESYNC => {}
                // Fell behind, or events from another instance may be lost: a fresh
                // snapshot says where things stand.
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => match desk_snapshot(&app, &actor).await {
                    Ok(snapshot) => yield sse(&snapshot, None),
                    Err(_) => break,
                },
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    })
}

#[get("/chat/availability/events")]
async fn availability_events(app: &App, mut shutdown: Shutdown) -> AppResult<EventStream![SseEvent + 'static]> {
    let mut events = app.live.subscribe(Topic::Availability);
    let now = channels::availability(app.db.read(), &app.settings, chrono::Utc::now()).await?;
    let first = Arc::new(Event::new("availability", serde_json::to_value(&now).unwrap_or_default()));
    let app = app.clone();
    Ok(EventStream! {
        yield sse(&first, None);
        loop {
            let next = tokio::select! {
                next = events.recv() => next,
                _ = &mut shutdown => break,
            };
            match next {
                Ok(event) if event.kind != RESYNC => yield sse(&event, None),
                // Missed what changed: read where availability stands.
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    if let Ok(now) = channels::availability(app.db.read(), &app.settings, chrono::Utc::now()).await {
                        yield sse(&Event::new("availability", serde_json::to_value(&now).unwrap_or_default()), None);
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    })
}

pub fn routes() -> Vec<Route> {
    rocket::routes![socket, chat_events, desk_events, availability_events]
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn only_staffels_own_origin_may_open_a_socket() {
        let base = "https://staffel.example.org/";
        assert!(origin_allowed("https://staffel.example.org", base, None));
        assert!(origin_allowed("HTTPS://Staffel.Example.org", base, None));
        assert!(!origin_allowed("https://evil.example", base, Some("staffel.example.org")));
        assert!(!origin_allowed("http://staffel.example.org", base, None), "another scheme is another origin");
        assert!(!origin_allowed("https://staffel.example.org.evil.example", base, None));
        // A page served by this server under another name (a local test, a second name).
        assert!(origin_allowed("http://127.0.0.1:8000", base, Some("127.0.0.1:8000")));
        assert!(!origin_allowed("http://127.0.0.1:8001", base, Some("127.0.0.1:8000")));
        assert!(!origin_allowed("null", base, Some("127.0.0.1:8000")));
        assert!(!origin_allowed("", base, Some("")));
    }
}

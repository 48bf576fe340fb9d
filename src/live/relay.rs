//! Live events between the instances of one Staffel on one PostgreSQL, through `LISTEN` /
//! `NOTIFY` on the channel `staffel_live`.
//!
//! A notice names ids only (the chat and the line's number, the ticket, the agent): what
//! the event says is read again from the rows by the instance that hears it, so a notice
//! stays far below PostgreSQL's 8000-byte limit, carries no personal data into the server's
//! log of notifications, and a forged one can at most make an instance read something again
//! that its subscribers may see anyway. Each instance ignores its own notices (it told its
//! subscribers already).
//!
//! Notices are sent after the commit of what they are about, in the order they were
//! published, by one task per instance. A notice that is lost (the sending or the listening
//! connection dropped) loses nothing for a reader: when the listening connection comes back,
//! every topic followed here is told to `RESYNC`, and its subscribers read from the database
//! where things stand, as after falling behind.
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sea_orm::sqlx::{self, Executor};
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, watch};

use super::{Event, Hub, Topic, RESYNC};

/// The channel every instance listens on.
pub const CHANNEL: &str = "staffel_live";

/// The longest notice sent or believed (ids only; PostgreSQL takes at most 8000 bytes).
const NOTICE_MAX: usize = 4000;
/// The most ids a notice's `i` may name, and the most people its `to` may.
const IDS_MAX: usize = 8;
const TO_MAX: usize = 500;

/// A notice as heard from another instance, checked: a known topic, a plain kind, ids that
/// are numbers or flags, and perhaps whom the event is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub topic: Topic,
    pub kind: String,
    pub ids: Map<String, Value>,
    pub to: Option<Vec<i32>>,
}

impl Notice {
    /// A positive id the notice names.
    pub fn id(&self, name: &str) -> Option<i32> {
        self.ids.get(name)?.as_i64().and_then(|v| i32::try_from(v).ok()).filter(|v| *v > 0)
    }

    /// A flag the notice names (absent: false).
    pub fn flag(&self, name: &str) -> bool {
        self.ids.get(name).and_then(Value::as_bool).unwrap_or(false)
    }
}

/// Builds the event a notice stands for from the database (`None`: nothing to tell, the
/// rows are gone or never were). Given by the composition layer, which knows the domains.
pub type Rebuild = Arc<dyn Fn(Notice) -> Pin<Box<dyn Future<Output = Option<Event>> + Send>> + Send + Sync>;

/// The sending side, held by the hub: encodes a notice and hands it to the sending task.
#[derive(Clone)]
pub struct Outbound {
    origin: u64,
    tx: mpsc::UnboundedSender<String>,
}

impl Outbound {
    pub(super) fn send(&self, topic: Topic, kind: &str, ids: &Value, to: Option<&[i32]>) {
        let notice = encode(self.origin, topic, kind, ids, to);
        if notice.len() > NOTICE_MAX {
            tracing::warn!(kind, topic = %topic.key(), "a live notice is too long for the relay and stays here");
            return;
        }
        let _ = self.tx.send(notice);
    }
}

fn encode(origin: u64, topic: Topic, kind: &str, ids: &Value, to: Option<&[i32]>) -> String {
    let mut notice = json!({ "o": origin.to_string(), "t": topic.key(), "k": kind, "i": ids });
    if let Some(to) = to {
        notice["to"] = json!(to);
    }
    notice.to_string()
}

/// Reads a notice, believing nothing it does not expect: `None` for anything else.
pub fn decode(payload: &str) -> Option<(u64, Notice)> {
    if payload.len() > NOTICE_MAX {
        return None;
    }
    let value: Value = serde_json::from_str(payload).ok()?;
    let origin = value.get("o")?.as_str()?.parse().ok()?;
    let topic = Topic::parse(value.get("t")?.as_str()?)?;
    let kind = value.get("k")?.as_str()?;
    if kind.is_empty() || kind.len() > 32 || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    let ids = value.get("i")?.as_object()?;
    let plain = |v: &Value| v.is_boolean() || v.as_i64().is_some();
    if ids.len() > IDS_MAX || !ids.iter().all(|(k, v)| k.len() <= 16 && plain(v)) {
        return None;
    }
    let to = match value.get("to") {
        None => None,
        Some(list) => {
            let list = list.as_array()?;
            if list.len() > TO_MAX {
                return None;
            }
            Some(list.iter().map(|v| v.as_i64().and_then(|v| i32::try_from(v).ok())).collect::<Option<Vec<_>>>()?)
        }
    };
    Some((origin, Notice { topic, kind: kind.to_string(), ids: ids.clone(), to }))
}

/// What the relay did, for `/metrics`.
#[derive(Default)]
pub struct RelayCounts {
    pub sent: std::sync::atomic::AtomicU64,
    pub heard: std::sync::atomic::AtomicU64,
    pub refused: std::sync::atomic::AtomicU64,
    pub resyncs: std::sync::atomic::AtomicU64,
}

/// Starts relaying this hub's events to the other instances on the PostgreSQL at `url` and
/// theirs to this hub's subscribers, until `shutdown`. Fails if it cannot listen at first
/// (later losses of the connection are recovered from).
pub async fn start(hub: &Hub, url: &str, rebuild: Rebuild, shutdown: watch::Receiver<bool>) -> Result<(), sqlx::Error> {
    let counts = hub.relay_counts.clone();
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    let sender = PgPoolOptions::new().max_connections(1).connect(url).await?;
    let origin = rand::random::<u64>();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(send_notices(sender, rx, counts.clone(), shutdown.clone()));
    tokio::spawn(hear_notices(hub.clone(), listener, origin, rebuild, counts, shutdown));
    hub.relay_to(Outbound { origin, tx });
    Ok(())
}

/// Sends the notices in the order they were published, one statement each, on a
/// connection of its own (a pool of one, which connects again when it was lost).
async fn send_notices(
    conn: PgPool,
    mut rx: mpsc::UnboundedReceiver<String>,
    counts: Arc<RelayCounts>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let notice = tokio::select! {
            notice = rx.recv() => match notice { Some(n) => n, None => break },
            _ = shutdown.changed() => break,
        };
        let sent = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(&notice).execute(&conn).await;
        match sent {
            Ok(_) => {
                counts.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            // Lost for the other instances; they resync when their own connection drops,
            // and their readers meet the gap at the next line in any case.
            Err(e) => tracing::warn!(error = %e, "a live notice could not be sent to the other instances"),
        }
    }
}

async fn hear_notices(
    hub: Hub,
    mut listener: PgListener,
    origin: u64,
    rebuild: Rebuild,
    counts: Arc<RelayCounts>,
    mut shutdown: watch::Receiver<bool>,
) {
    use std::sync::atomic::Ordering::Relaxed;
    loop {
        let heard = tokio::select! {
            heard = listener.try_recv() => heard,
            _ = shutdown.changed() => break,
        };
        match heard {
            Ok(Some(notification)) => match decode(notification.payload()) {
                Some((from, _)) if from == origin => {}
                Some((_, notice)) => {
                    counts.heard.fetch_add(1, Relaxed);
                    let topic = notice.topic;
                    if let Some(event) = rebuild(notice).await {
                        hub.publish_here(topic, event);
                    }
                }
                None => {
                    counts.refused.fetch_add(1, Relaxed);
                    tracing::warn!("a live notice that is none of Staffel's was ignored");
                }
            },
            // The connection dropped and is back (the listener reconnects before it says
            // so): what was sent meanwhile is lost, so everything followed here is read anew.
            Ok(None) => {
                tracing::warn!("the live relay lost its PostgreSQL connection and reconnected");
                resync(&hub, &counts);
            }
            Err(e) => {
                tracing::warn!(error = %e, "the live relay cannot reach PostgreSQL; retrying");
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = shutdown.changed() => return,
                    }
                    // Through the listener: it reconnects (and listens again) if it must.
                    if (&mut listener).execute("SELECT 1").await.is_ok() {
                        break;
                    }
                }
                resync(&hub, &counts);
            }
        }
    }
}

/// Tells every topic followed here that events may have been lost.
pub fn resync(hub: &Hub, counts: &RelayCounts) {
    counts.resyncs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    for topic in hub.topics() {
        hub.publish_here(topic, Event::new(RESYNC, json!({})));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_back_as_it_was_sent() {
        let sent = encode(42, Topic::Chat(7), "message", &json!({ "chat": 7, "seq": 3 }), Some(&[1, 2]));
        let (origin, notice) = decode(&sent).unwrap();
        assert_eq!(origin, 42);
        assert_eq!(notice.topic, Topic::Chat(7));
        assert_eq!((notice.kind.as_str(), notice.id("seq"), notice.to.clone()), ("message", Some(3), Some(vec![1, 2])));
        assert!(!notice.flag("again"));
    }

    #[test]
    fn a_notice_is_believed_no_further_than_its_ids() {
        let refused = [
            r#"{"o":"1","t":"chat:7","k":"message","i":{"body":"<script>"}}"#,
            r#"{"o":"1","t":"chat:7","k":"message","i":{"seq":{"deep":1}}}"#,
            r#"{"o":"1","t":"tickets","k":"x","i":{}}"#,
            r#"{"o":"1","t":"desk","k":"Request!","i":{}}"#,
            r#"{"o":"1","t":"desk","k":"request","i":[]}"#,
            r#"{"o":"x","t":"desk","k":"request","i":{}}"#,
            r#"{"o":"1","t":"desk","k":"request","i":{},"to":["a"]}"#,
            r#"{"o":"1","t":"desk","k":"request","i":{},"to":[99999999999]}"#,
            "not json",
            "",
        ];
        for payload in refused {
            assert_eq!(decode(payload), None, "{payload}");
        }
        let long = format!(r#"{{"o":"1","t":"desk","k":"request","i":{{}},"to":[{}]}}"#, vec!["1"; 600].join(","));
        assert_eq!(decode(&long), None, "too many people");
    }
}
